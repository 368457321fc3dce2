"""Read a ``rollout solve --trace`` file: the search curve of one solve.

The trace is JSON lines, one object per event (``plan``, ``bound``,
``model``), then a last ``done`` line with the final status. From it the
harness takes the time to the first plan, the model size, and the
objective, bound and gap as they stood at fixed marks (10 s, 60 s, 300 s).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Event:
    """One line of a trace: a better plan, a better bound or the model built."""

    event: str
    seconds: float
    objective: int | None
    bound: float | None
    detail: str = ""


@dataclass(frozen=True)
class Standing:
    """Objective of the last plan and bound of the last bound event at a mark."""

    objective: int
    bound: float | None

    @property
    def gap(self) -> float | None:
        """Relative gap, as ``rollout solve`` reports it: (objective - bound) / |objective|."""
        if self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


@dataclass(frozen=True)
class Curve:
    """Every event of one solve, in order, and its final line.

    Attributes
    ----------
    events
        ``plan``, ``bound`` and ``model`` events in file order.
    status
        Status of the ``done`` line, None when the trace has none (a crash).
    objective, bound
        Objective and bound of the ``done`` line.
    """

    events: tuple[Event, ...]
    status: str | None = None
    objective: int | None = None
    bound: float | None = None

    @property
    def first_plan(self) -> float | None:
        """Seconds to the first feasible plan, whoever found it."""
        return next((e.seconds for e in self.events if e.event == "plan"), None)

    @property
    def first_plan_after_model(self) -> float | None:
        """Seconds to the first plan reported after the model was built (CP-SAT's first improvement)."""
        built = False
        for e in self.events:
            built |= e.event == "model"
            if built and e.event == "plan":
                return e.seconds
        return None

    @property
    def model(self) -> str | None:
        """Model size from the ``model`` events ("N variables, M constraints" or "N parts")."""
        details = [e.detail for e in self.events if e.event == "model" and e.detail]
        return "; ".join(details) or None

    def at(self, mark: float, time_limit: float) -> Standing | None:
        """How the search stood at ``mark`` seconds.

        None when ``mark`` is beyond ``time_limit`` (never reached) or no plan
        had been found by then.
        """
        if mark > time_limit:
            return None
        plans = [e for e in self.events if e.event == "plan" and e.seconds <= mark]
        if not plans:
            return None
        bounds = [e for e in self.events if e.event == "bound" and e.seconds <= mark]
        return Standing(plans[-1].objective or 0, bounds[-1].bound if bounds else None)


def parse_trace(text: str) -> Curve:
    """Parse the text of a trace file; blank lines and a cut-off last line are skipped."""
    events: list[Event] = []
    done: dict[str, Any] = {}
    lines = [line for line in text.splitlines() if line.strip()]
    for k, line in enumerate(lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if k == len(lines) - 1:  # the solve was killed while writing its last line
                break
            raise
        if record["event"] == "done":
            done = record
            continue
        events.append(
            Event(
                record["event"],
                float(record["seconds"]),
                record.get("objective"),
                record.get("bound"),
                record.get("detail") or "",
            )
        )
    return Curve(
        tuple(events),
        status=done.get("status"),
        objective=done.get("objective"),
        bound=done.get("bound"),
    )


def read_trace(path: Path) -> Curve:
    """The curve in ``path``; an empty curve when the file is missing (the solve crashed early)."""
    if not path.is_file():
        return Curve(())
    return parse_trace(path.read_text(encoding="utf-8"))
