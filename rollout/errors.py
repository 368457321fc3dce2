"""Error types. Every message names the file, the place in it and the fix.

Bad input never surfaces as a traceback: the CLI turns an :class:`InputError`
into its problems, one a line, and exit status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """Render a location tuple as a path: ``("trainers", 3, "skills", 1)`` -> ``trainers[3].skills[1]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes
    ----------
    path
        Where in the file, e.g. ``trainers[3].skills[1]``; ``""`` for the whole file.
    message
        What is wrong and, where it helps, how to fix it.
    line
        1-based line in the file when known.
    """

    path: str
    message: str
    line: int | None = None

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InputError(Exception):
    """A user's file cannot be used. Carries every problem found in it."""

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__("\n".join(p.render(file) for p in self.problems))

    def lines(self) -> list[str]:
        """The problems, one rendered line each."""
        return [p.render(self.file) for p in self.problems]
