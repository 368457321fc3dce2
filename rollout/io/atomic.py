"""Write a file whole or not at all: a temporary sibling, then one rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8) so that readers see the old file or the new one, never half."""
    save_atomic(path, lambda fh: fh.write(text.encode("utf-8")))


def save_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write`` on a binary temporary sibling of ``path``, then rename it over ``path``.

    The new file keeps the old one's permissions, or gets the umask's default.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_mode(path: Path) -> int:
    """Permission bits for a new version of ``path``: the old file's, else the umask's default."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
