"""Show a solve's progress on the terminal, and trace it to a file.

On a terminal, one live line is redrawn four times a second: elapsed time,
best objective, proven bound, gap and plans found. Elsewhere (a log, CI),
one line is printed per better plan, and per better bound at most once a
second. ``--trace FILE`` writes every event as a JSON line, for the
benchmarks and for anyone who wants the curve.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from rollout.solution import Progress


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def describe(p: Progress, seconds: float | None = None) -> str:
    """One line of progress, in the planner's words."""
    gap = "-" if p.gap is None else f"{p.gap * 100:.2f} %"
    return (
        f"{seconds if seconds is not None else p.seconds:7.1f} s   plans {p.plans:<4} "
        f"objective {_number(p.objective):>12}   bound {_number(p.bound):>12}   gap {gap:>8}"
    )


class ProgressView:
    """Receives :class:`Progress` events; a context manager around a solve.

    Parameters
    ----------
    console
        Where to show progress (stderr); None shows nothing (``--quiet``).
    trace
        A file to append every event to as JSON lines, or None.
    """

    def __init__(self, console: Console | None, trace: Path | None = None) -> None:
        self.console = console
        self.last: Progress | None = None
        self._started = time.perf_counter()
        self._printed_bound = 0.0
        self._live: Live | None = None
        if trace is not None:
            trace.parent.mkdir(parents=True, exist_ok=True)
        self._trace: IO[str] | None = trace.open("w", encoding="utf-8") if trace else None

    def __enter__(self) -> ProgressView:
        if self.console is not None and self.console.is_terminal:
            self._live = Live(self, console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.__exit__(kind, exc, tb)
        if self._trace is not None:
            self._trace.close()

    def __rich__(self) -> Text:
        if self.last is None:
            return Text(f"{time.perf_counter() - self._started:7.1f} s   searching…")
        return Text(describe(self.last, time.perf_counter() - self._started))

    def __call__(self, p: Progress) -> None:
        self.last = p
        if self._trace is not None:
            record = {
                "event": p.event,
                "seconds": round(p.seconds, 3),
                "objective": p.objective,
                "bound": p.bound,
                "gap": p.gap,
                "plans": p.plans,
                "detail": p.detail,
            }
            self._trace.write(json.dumps(record) + "\n")
            self._trace.flush()
        if self.console is None or self._live is not None:
            return
        if p.event == "model":
            self.console.print(f"{p.seconds:7.1f} s   model: {p.detail}")
        elif p.event == "plan" or p.seconds - self._printed_bound >= 1.0:
            self._printed_bound = p.seconds
            self.console.print(describe(p))

    def finish(self, status: str, seconds: float) -> None:
        """Trace the end of the solve."""
        if self._trace is not None:
            last = self.last
            record = {
                "event": "done",
                "status": status,
                "seconds": round(seconds, 3),
                "objective": last.objective if last else None,
                "bound": last.bound if last else None,
                "plans": last.plans if last else 0,
            }
            self._trace.write(json.dumps(record) + "\n")
