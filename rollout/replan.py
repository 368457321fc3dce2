"""Re-planning with minimal change: a new plan after something changed, moving as little as possible.

``replan(instance, plan, changes, today=...)`` applies the changes to the
instance (:mod:`rollout.changes`), pins every row of the old plan dated
before ``today`` (they have happened: R14 keeps them), and re-plans only
the cohorts the changes touch, with the rest of the old plan fixed around
them. The cohorts touched are those with a row the changed instance no
longer allows (its date, room or trainer: R1, R5, R7, R8, R9), those of a
trainer whose limits are now exceeded (R12), and cohorts not in the old
plan (added, or left out before). When they cannot be re-planned alone,
the scope grows to their neighbours (cohorts at the same sites or taught
by the same trainers around the same dates), then to every cohort.

Inside a scope the search is lexicographic (:mod:`rollout.cpsat.replan`):
fewest cohorts left out, then fewest changed rows, then the objective.
A row is *changed* when its date, room or trainer differs from the old
plan; rows of cancelled cohorts and of added cohorts are listed too.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib.metadata import version

from rollout import __version__
from rollout.assignment import Assignment, assignment_from_rows
from rollout.changes import Change, apply_changes
from rollout.errors import InputError, Problem
from rollout.index import Index
from rollout.instance import Instance, expand_dates
from rollout.solution import Result, Row, SolverInfo, Status, Unscheduled
from rollout.solve import SolveParams, impossible_cohorts
from rollout.stopping import StopRequest

#: Columns of ``changes.csv``.
CHANGE_COLUMNS = (
    "cohort",
    "course",
    "block",
    "day",
    "change",
    "date_before",
    "date_after",
    "room_before",
    "room_after",
    "trainer_before",
    "trainer_after",
)


@dataclass(frozen=True)
class RowChange:
    """One teaching day that differs between the old plan and the new one.

    ``change`` is ``added`` or ``removed``, or the ``+``-joined list of
    ``retimed`` (date), ``moved`` (room) and ``re-staffed`` (trainer).
    """

    cohort: str
    course: str
    block: int
    day: int
    change: str
    before: Row | None
    after: Row | None

    def cells(self) -> list[str]:
        """The row of ``changes.csv``."""
        b, a = self.before, self.after
        return [
            self.cohort,
            self.course,
            str(self.block),
            str(self.day),
            self.change,
            b.date.isoformat() if b else "",
            a.date.isoformat() if a else "",
            b.room if b else "",
            a.room if a else "",
            b.trainer if b else "",
            a.trainer if a else "",
        ]


@dataclass(frozen=True)
class Replan:
    """A re-planning's outcome.

    Attributes
    ----------
    instance
        The instance after the changes, with the rows before ``today`` pinned.
    result
        The new plan.
    changed
        Every row that differs from the old plan.
    frozen
        Rows of the old plan dated before ``today`` (kept as they were).
    scope
        Cohorts that were re-planned (the others kept every row).
    """

    instance: Instance
    result: Result
    changed: tuple[RowChange, ...]
    frozen: int
    scope: int


def replan(
    instance: Instance,
    plan: Result,
    changes: Sequence[Change],
    *,
    today: date | None = None,
    params: SolveParams | None = None,
    stop: StopRequest | None = None,
    changes_file: str = "<changes>",
    on_step: Callable[[str], None] | None = None,
) -> Replan:
    """Re-plan ``plan`` of ``instance`` after ``changes``, changing as few rows as possible.

    ``on_step`` is told each step in a line of planner language (the
    cohorts touched, each scope tried).

    Raises
    ------
    InputError
        When a change is invalid, or undoes a row before ``today`` (a
        cohort that has started cannot be cancelled).
    """
    params = params or SolveParams()
    started = time.perf_counter()
    if today is not None:
        until = max(today, instance.horizon.end)
        changes = [c for c in (from_today(c, today, until) for c in changes) if c is not None]
    changed_instance = apply_changes(instance, changes, changes_file)
    frozen = [r for r in plan.rows if today is not None and r.date < today]
    new = _pin(changed_instance, frozen, changes_file)
    index = Index(new, committed=params.committed)
    blocked = impossible_cohorts(index)
    if blocked and not new.settings.partial:
        notes = tuple(f"{u.cohort} at {u.site}: {u.reason}" for u in blocked)
        result = Result(new.name, Status.INFEASIBLE, notes=notes, solver=_info(params, started))
        return Replan(new, result, (), len(frozen), 0)
    reference, _ = assignment_from_rows(index, list(plan.rows))
    hit = touched_cohorts(index, reference)
    not_before = index.day(today) if today is not None else None
    say = on_step or (lambda _: None)
    say(f"{len(hit)} of {len(index.cohorts)} cohorts touched by the changes; {len(frozen)} days kept")
    full, scope, status = _search(index, reference, hit, not_before, params, started, stop, say)
    if full is None:
        result = Result(new.name, status, solver=_info(params, started))
        if stop is not None and stop.requested:
            result = replace(result, stopped_by=stop.name)
        return Replan(new, result, (), len(frozen), scope)
    terms = full.terms(index)
    unscheduled = tuple(
        Unscheduled(p.cohort.id, p.cohort.site, "; ".join(p.reasons) or "left out to keep the plan")
        for c, p in enumerate(index.cohorts)
        if c not in full.placed
    )
    rows = tuple(full.rows(index))
    result = Result(
        new.name,
        Status.FEASIBLE,
        rows,
        unscheduled,
        terms.weighted(new.weights),
        None,
        terms,
        _info(params, started),
        notes=tuple(f"change: {c.describe()}" for c in changes),
    )
    if stop is not None and stop.requested:
        result = replace(result, stopped_by=stop.name)
    return Replan(new, result, tuple(diff_rows(plan.rows, rows)), len(frozen), scope)


def from_today(change: Change, today: date, until: date = date.max) -> Change | None:
    """A change of dates (trainer unavailable, room closed) without its dates before ``today``.

    Those days have happened; their rows are kept as they were. Dates after
    ``until`` (the horizon's end) are dropped too: no row can lie there.
    None when no date is left.
    """
    if change.kind not in ("trainer_unavailable", "room_closed"):
        return change
    days = sorted(expand_dates(change.edit.dates, (today, until)))
    if not days:
        return None
    edit = change.edit.model_dump(mode="json", by_alias=True)
    edit["dates"] = (
        [{"from": days[0].isoformat(), "to": days[-1].isoformat()}]
        if _contiguous(days)
        else [d.isoformat() for d in days]
    )
    clipped = Change.model_validate({change.kind: edit})
    clipped._line = change._line
    return clipped


def _contiguous(days: list[date]) -> bool:
    return (days[-1] - days[0]).days == len(days) - 1


def _info(params: SolveParams, started: float) -> SolverInfo:
    return SolverInfo(
        f"cp-sat {version('ortools')} (replan, rollout {__version__})",
        version("ortools"),
        time.perf_counter() - started,
        params.workers,
        params.seed,
        params.time_limit,
    )


def _pin(inst: Instance, frozen: list[Row], file: str) -> Instance:
    """The instance with every frozen row pinned (date, room, trainer)."""
    if not frozen:
        return inst
    from rollout.io import dump_instance, parse_instance

    cohorts = inst.cohort_by_id
    gone = sorted({r.cohort for r in frozen if r.cohort not in cohorts})
    if gone:
        raise InputError(
            file,
            [
                Problem("", f"cohort {c} has teaching days before --today: it cannot be cancelled any more")
                for c in gone
            ],
        )
    data = dump_instance(inst)
    pinned = {(p["cohort"], p["course"], p["day"]) for p in data["pinned"]}
    for r in frozen:
        if (r.cohort, r.course, r.day) not in pinned:
            data["pinned"].append(
                {"cohort": r.cohort, "course": r.course, "day": r.day, "date": r.date.isoformat(),
                 "room": r.room, "trainer": r.trainer}
            )  # fmt: skip
    try:
        return parse_instance(data, "instance")
    except InputError as exc:
        raise InputError(
            file,
            [
                Problem("", f"a teaching day before --today no longer fits: {p.render('')[2:]}")
                for p in exc.problems
            ],
        ) from None


def touched_cohorts(index: Index, reference: Assignment) -> set[int]:
    """Cohorts whose old rows the instance no longer allows, or that the old plan did not place."""
    cal = index.calendar
    hit = {c for c in range(len(index.cohorts)) if c not in reference.placed}
    per_trainer: dict[str, list[tuple[int, int]]] = defaultdict(list)  # trainer -> (cohort, day)
    for c in reference.placed:
        for b in index.cohorts[c].blocks:
            block, start, room = index.blocks[b], reference.start[b], reference.room[b]
            closed = {index.day(d) for d in cal.room_closed(room)}
            if room not in block.rooms or any(start + j in closed for j in range(block.length)):
                hit.add(c)
            for r in index.block_rows[b]:
                t, day = reference.trainer[r], start + index.rows[r].offset
                away = (
                    {index.day(d) for d in cal.unavailable(t)} if t in index.instance.trainer_by_id else set()
                )
                if t not in index.rows[r].trainers or day in away:
                    hit.add(c)
                per_trainer[t].append((c, day))
    for t, days in per_trainer.items():
        trainer = index.instance.trainer_by_id.get(t)
        if trainer is None:
            continue
        if trainer.max_days is not None and len(days) > trainer.max_days:
            hit.update(c for c, _ in days)
        if trainer.max_days_per_week is not None:
            weeks = Counter(index.week_of_day[d] for _, d in days)
            hit.update(c for c, d in days if weeks[index.week_of_day[d]] > trainer.max_days_per_week)
    return hit


def _neighbours(index: Index, reference: Assignment, hit: set[int], margin: int = 28) -> set[int]:
    """Cohorts that share a site with ``hit``, or a trainer who may teach it, around the same dates."""
    sites = {index.cohorts[c].cohort.site for c in hit}
    trainers = {
        t
        for c in hit
        for b in index.cohorts[c].blocks
        for r in index.block_rows[b]
        for t in index.rows[r].trainers
    }
    days = [s for c in hit for b in index.cohorts[c].blocks for s in index.blocks[b].starts]
    if not days:
        return set(hit)
    low, high = min(days) - margin, max(days) + margin
    out = set(hit)
    for c in reference.placed:
        if index.cohorts[c].cohort.site in sites:
            out.add(c)
            continue
        for b in index.cohorts[c].blocks:
            if low <= reference.start[b] <= high and any(
                reference.trainer[r] in trainers for r in index.block_rows[b]
            ):
                out.add(c)
                break
    return out


def _search(
    index: Index,
    reference: Assignment,
    hit: set[int],
    not_before: int | None,
    params: SolveParams,
    started: float,
    stop: StopRequest | None,
    say: Callable[[str], None],
) -> tuple[Assignment | None, int, Status]:
    """The new plan (None if none was found), the cohorts re-planned, and the last status.

    The status is ``infeasible`` only when the last scope, every cohort, was
    proven to have no plan; ``unknown`` when time ran out first.
    """
    from rollout.cpsat.replan import replan_scope
    from rollout.cpsat.variables import Scope

    if not hit:
        return reference, 0, Status.FEASIBLE
    everyone = set(range(len(index.cohorts)))
    levels = [hit, _neighbours(index, reference, hit), everyone]
    levels = [lv for i, lv in enumerate(levels) if i == 0 or lv != levels[i - 1]]
    deadline = started + params.time_limit
    for i, level in enumerate(levels):
        left = deadline - time.perf_counter()
        if left <= 0 or (stop is not None and stop.requested):
            return None, len(level), Status.UNKNOWN
        budget = left if i == len(levels) - 1 else left / (len(levels) - i)
        fixed = Assignment()
        fixed.update(reference)
        fixed.drop(index, level)
        fixed.placed &= everyone - level
        say(f"re-planning {len(level)} cohorts ({budget:.0f} s at most), the others as they are")
        outcome = replan_scope(
            index,
            Scope(sorted(level), fixed),
            reference,
            not_before=not_before,
            time_limit=budget,
            workers=params.workers,
            seed=params.seed,
            stop=stop,
        )
        if outcome.plan is not None:
            fixed.update(outcome.plan)
            say(f"{outcome.changed} days changed")
            return fixed, len(level), Status.FEASIBLE
        say(f"no plan among those cohorts ({outcome.status.value})")
    return None, len(levels[-1]), outcome.status


def diff_rows(before: Sequence[Row], after: Sequence[Row]) -> list[RowChange]:
    """Every teaching day that differs between two plans, in date order."""
    old = {(r.cohort, r.course, r.block, r.day): r for r in before}
    new = {(r.cohort, r.course, r.block, r.day): r for r in after}
    out = []
    for key in old.keys() | new.keys():
        b, a = old.get(key), new.get(key)
        if b is not None and a is not None:
            what = [
                name
                for name, differs in (
                    ("retimed", b.date != a.date),
                    ("moved", b.room != a.room),
                    ("re-staffed", b.trainer != a.trainer),
                )
                if differs
            ]
            if not what:
                continue
            change = "+".join(what)
        else:
            change = "added" if b is None else "removed"
        out.append(RowChange(*key, change, b, a))
    return sorted(out, key=lambda c: ((c.before or c.after).date, c.cohort, c.course, c.block, c.day))  # type: ignore[union-attr]
