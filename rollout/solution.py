"""What a solve produces: rows, terms, status and solver facts (spec section 5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

#: The columns of ``timetable.csv``, in the contract's order.
TIMETABLE_COLUMNS: tuple[str, ...] = (
    "date",
    "site",
    "room",
    "cohort",
    "course",
    "block",
    "day",
    "topic",
    "trainer",
)
UNSCHEDULED_COLUMNS: tuple[str, ...] = ("cohort", "site", "reason")


class Status(str, Enum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True, order=True)
class Row:
    """One teaching day (spec section 3). ``block`` and ``day`` are 1-based."""

    date: dt.date
    site: str
    room: str
    cohort: str
    course: str
    block: int
    day: int
    topic: str
    trainer: str

    def sort_key(self) -> tuple[dt.date, str, str, str, str, int]:
        """The timetable's order: date, site, room (then cohort, course, day)."""
        return (self.date, self.site, self.room, self.cohort, self.course, self.day)


@dataclass(frozen=True)
class Terms:
    """The objective terms O1–O5, integers."""

    unscheduled: int = 0
    cost: int = 0
    trainer_changes: int = 0
    school_holiday_days: int = 0
    delay_days: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def weighted(self, weights: Any) -> int:
        """Σ weight × term, with weights named like the terms."""
        return sum(getattr(weights, k) * v for k, v in self.as_dict().items())


@dataclass(frozen=True)
class Unscheduled:
    """A cohort left out of the plan, and why (R6 with ``partial: true``)."""

    cohort: str
    site: str
    reason: str


@dataclass(frozen=True)
class SolverInfo:
    """Facts about the run, as ``solution.json`` records them."""

    name: str
    version: str
    seconds: float
    workers: int
    seed: int
    time_limit: float


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective − bound) / |objective|, at least 0; 0 when the objective is 0; None without both."""
    if objective is None or bound is None:
        return None
    if objective == 0:
        return 0.0
    return max(0.0, (objective - bound) / abs(objective))


@dataclass(frozen=True)
class Result:
    """A solve's outcome: status, plan, objective and bound.

    ``rows`` is empty and ``objective``/``terms`` are ``None`` unless the
    status has a plan. ``bound`` is the solver's proven lower bound.
    """

    instance: str
    status: Status
    rows: tuple[Row, ...] = ()
    unscheduled: tuple[Unscheduled, ...] = ()
    objective: int | None = None
    bound: float | None = None
    terms: Terms | None = None
    solver: SolverInfo | None = None
    notes: tuple[str, ...] = field(default=())
    stopped_by: str | None = None  # a signal's name when the user stopped the solve (not written)
    committed: tuple[str, ...] = ()  # folders of committed plans this plan was made around

    @property
    def gap(self) -> float | None:
        """Relative gap (objective − bound) / objective, 0 when both are 0."""
        return relative_gap(self.objective, self.bound)


@dataclass(frozen=True)
class Progress:
    """One event of a solve: a better plan, or a better proven bound.

    Attributes
    ----------
    seconds
        Wall time since the solve started.
    objective
        Weighted objective of the best plan so far (None before the first).
    bound
        Best proven lower bound so far (None before the first).
    plans
        Improving plans found so far.
    event
        ``plan`` (a better plan), ``bound`` (a better bound) or ``model``
        (the model is built; ``detail`` gives its size).
    """

    seconds: float
    objective: int | None
    bound: float | None
    plans: int
    event: str = "plan"
    detail: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap of the best plan and bound so far."""
        return relative_gap(self.objective, self.bound)
