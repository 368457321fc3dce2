"""What the checker works on: its verdicts, and the plan's rows after a reference pre-check.

Part of the executable specification (:mod:`rollout.checker`): a
:class:`Violation` names a broken rule in planner words; :class:`Report`
gathers them with the recomputed terms; :class:`CheckContext` holds the
readable rows grouped once. :func:`row_problem` reports a row whose ids do
not resolve, or whose block and day do not fit its course, under the
closest rule, so the rule checks never meet such a row.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard, TypeVar

from rollout.calendar import Calendar
from rollout.instance import Instance
from rollout.recompute import group_by
from rollout.rules import Rule
from rollout.solution import Result, Row, Status, Terms

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule.

    Attributes
    ----------
    rule
        The rule's id (R1…R14).
    message
        What is wrong, in planner words: cohort, course, block/day, date, room, trainer.
    """

    rule: Rule
    message: str

    def __str__(self) -> str:
        return f"{self.rule.value} {self.message}"


@dataclass(frozen=True)
class Report:
    """The outcome of :func:`check`.

    Attributes
    ----------
    violations
        Every broken hard rule, in rule order.
    terms
        The recomputed terms O1–O5; ``None`` when the result has no plan.
    term_mismatches
        Each disagreement of ``solution.json`` with the recomputation (terms,
        objective, status, instance name), one line each.
    """

    violations: tuple[Violation, ...]
    terms: Terms | None
    term_mismatches: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether no rule is broken and ``solution.json`` matches the recomputation."""
        return not self.violations and not self.term_mismatches


def what(r: Row) -> str:
    return f"{r.cohort} {r.course} block {r.block} day {r.day} on {r.date}"


class CheckContext:
    """A plan under check: instance, calendar, result and its readable rows, grouped once.

    Parameters
    ----------
    inst, cal, result
        The instance, its calendar and the result being checked.
    rows
        The rows that passed the reference pre-check.
    scheduled
        Ids of the instance's cohorts named by at least one row of the result.
    committed
        Rows of committed plans: their bookings of the instance's rooms and
        trainers count in R7, R10, R11 and R12.
    """

    def __init__(
        self,
        inst: Instance,
        cal: Calendar,
        result: Result,
        rows: Iterable[Row],
        scheduled: Collection[str],
        committed: Iterable[Row] = (),
    ) -> None:
        self.inst, self.cal, self.result = inst, cal, result
        self.rows = sorted(rows, key=lambda r: (r.date, r.cohort, r.course, r.day))
        #: Rows of committed plans (earlier waves) that book this instance's rooms or trainers.
        self.committed = [r for r in committed if r.room in inst.room_site or r.trainer in inst.trainer_by_id]
        self.scheduled = frozenset(scheduled)
        self.by_block = group_by(self.rows, lambda r: (r.cohort, r.course, r.block))
        self.by_course = group_by(self.rows, lambda r: (r.cohort, r.course))
        self.by_cohort = group_by(self.rows, lambda r: r.cohort)
        self.by_trainer = group_by(self.rows, lambda r: r.trainer)


#: Row field, the rule an unknown id in it breaks, and the instance lookup of its ids.
_ID_FIELDS: tuple[tuple[str, Rule, str], ...] = (
    ("cohort", Rule.R6, "cohort_by_id"),
    ("course", Rule.R6, "course_by_id"),
    ("site", Rule.R6, "site_by_id"),
    ("room", Rule.R7, "room_site"),
    ("trainer", Rule.R8, "trainer_by_id"),
    ("topic", Rule.R2, "topics"),
)


def as_tuple(value: object) -> tuple[Any, ...]:
    """The items of a list-like field; nothing for a string, a mapping or a scalar."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return ()
    return tuple(value)


def status_of(value: object) -> Status | None:
    """The status, also from its plain text; ``None`` when it is none of the four."""
    return next((s for s in Status if value == s or value == s.value), None)


def _well_typed(row: object) -> TypeGuard[Row]:
    return (
        isinstance(row, Row)
        and type(row.date) is date
        and all(isinstance(getattr(row, f), str) for f, _, _ in _ID_FIELDS)
        and all(type(getattr(row, f)) is int for f in ("block", "day"))
    )


def row_problem(inst: Instance, number: int, row: object) -> Violation | None:
    """Why a row cannot be read against the instance, or ``None``."""
    if not _well_typed(row):
        return Violation(Rule.R6, f"row {number} cannot be read: {row!r}")
    for kind, rule, lookup in _ID_FIELDS:
        if getattr(row, kind) not in getattr(inst, lookup):
            return Violation(rule, f"{what(row)} names unknown {kind} '{getattr(row, kind)}'")
    course = inst.course_by_id[row.course]
    blocks = [b for b, block in enumerate(course.blocks, start=1) for _ in block]
    if not 1 <= row.day <= len(blocks):
        return Violation(Rule.R2, f"{what(row)}: {course.id} has days 1 to {len(blocks)}")
    if row.block != blocks[row.day - 1]:
        return Violation(Rule.R2, f"{what(row)}: that day is in block {blocks[row.day - 1]}")
    return None
