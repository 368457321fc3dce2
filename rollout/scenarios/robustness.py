"""How fragile is a plan? Draw disruptions, re-plan each with minimal change, sum up the damage.

:func:`draw_disruptions` draws K disruptions of a plan, deterministic for a
seed, one kind after another so that each kind is drawn as often:

* ``trainer_week``: a trainer who teaches is unavailable for a whole ISO
  week in which they teach (R9);
* ``room_day``: a room is closed on a day it is used (R7);
* ``cohort_growth``: a scheduled cohort grows past the largest room it is
  taught in (R7): by 1–4 learners, but no larger than the site's largest
  room when that is larger (it must move); when no room of its site is
  larger, past every room (it cannot be placed: an infeasible case).

:func:`replan_disruption` (the task, the same on every back end) re-plans
the plan after one disruption with :func:`rollout.replan.replan` (nothing
frozen: ``today`` is None) and checks the new plan. :func:`profile` gives
the distribution of rows changed, cost and objective increase (min,
median, p90, max), the infeasible cases and the disruptions that hurt most.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from rollout.changes import parse_changes
from rollout.checker import check
from rollout.instance import Instance
from rollout.io import parse_instance
from rollout.replan import replan
from rollout.scenarios.backends import stop_on_signals
from rollout.scenarios.report import csv_text as table_csv
from rollout.solution import Result
from rollout.solve import SolveParams

#: The kinds of disruption, drawn in turn.
KINDS = ("trainer_week", "room_day", "cohort_growth")

#: Columns of ``robustness.csv``.
COLUMNS = (
    "sample",
    "kind",
    "disruption",
    "status",
    "rows_changed",
    "cost_before",
    "cost_after",
    "cost_increase",
    "objective_increase",
    "unscheduled",
    "seconds",
    "check_ok",
    "note",
)


@dataclass(frozen=True)
class Disruption:
    """One drawn disruption: its kind, a sentence, and the change (change-file item)."""

    sample: str
    kind: str
    text: str
    change: dict[str, Any]


def draw_disruptions(inst: Instance, plan: Result, samples: int, seed: int) -> list[Disruption]:
    """``samples`` disruptions of ``plan``, the kinds in turn, deterministic for ``seed``."""
    rng = random.Random(seed)
    rows = sorted(plan.rows)
    if not rows:
        return []
    weeks = sorted({(r.trainer, r.date - timedelta(days=r.date.weekday())) for r in rows})
    room_days = sorted({(r.room, r.date) for r in rows})
    cohorts = sorted({r.cohort for r in rows})
    capacity = {room.id: room.capacity for site in inst.sites for room in site.rooms}
    largest = {c: max(capacity[r.room] for r in rows if r.cohort == c) for c in cohorts}
    site_largest = {s.id: max(room.capacity for room in s.rooms) for s in inst.sites}
    site_of = {r.cohort: r.site for r in rows}
    h = inst.horizon
    out = []
    for k in range(samples):
        kind, name = KINDS[k % len(KINDS)], f"sample-{k + 1:03d}"
        change: dict[str, Any]
        if kind == "trainer_week":
            trainer, monday = rng.choice(weeks)
            first, last = max(monday, h.start), min(monday + timedelta(days=6), h.end)
            week = f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"
            change = {"trainer_unavailable": {"trainer": trainer, "dates": [_range(first, last)]}}
            out.append(Disruption(name, kind, f"trainer {trainer} unavailable in {week}", change))
        elif kind == "room_day":
            room, day = rng.choice(room_days)
            change = {"room_closed": {"room": room, "dates": [day.isoformat()]}}
            out.append(Disruption(name, kind, f"room {room} closed on {day}", change))
        else:
            cohort = rng.choice(cohorts)
            used, room_max = largest[cohort], site_largest[site_of[cohort]]
            grown = used + rng.randint(1, 4)
            learners = min(grown, room_max) if room_max > used else grown
            change = {"learners_changed": {"cohort": cohort, "learners": learners}}
            text = f"cohort {cohort} grows to {learners} learners (its room holds {largest[cohort]})"
            out.append(Disruption(name, kind, text, change))
    return out


def _range(first: date, last: date) -> dict[str, str]:
    return {"from": first.isoformat(), "to": last.isoformat()}


@dataclass(frozen=True)
class ReplanTask:
    """One disruption to re-plan, by value: instance data, the plan, the change and the settings."""

    disruption: Disruption
    instance: dict[str, Any]
    plan: Result
    time_limit: float
    workers: int
    seed: int


@dataclass(frozen=True)
class ReplanOutcome:
    """A re-planned disruption: the new plan and its figures against the old one."""

    disruption: Disruption
    result: Result
    instance: Instance
    rows_changed: int | None
    cost_before: int | None
    cost_after: int | None
    objective_increase: int | None
    check_ok: bool | None
    seconds: float
    note: str = ""

    @property
    def cost_increase(self) -> int | None:
        if self.cost_after is None or self.cost_before is None:
            return None
        return self.cost_after - self.cost_before

    @property
    def infeasible(self) -> bool:
        return not self.result.status.has_plan or bool(self.result.unscheduled)


def replan_disruption(task: ReplanTask) -> ReplanOutcome:
    """Re-plan the plan after one disruption, with minimal change, and check the new plan."""
    started = time.perf_counter()
    inst = parse_instance(task.instance, task.disruption.sample)
    changes = parse_changes([task.disruption.change], task.disruption.sample)
    params = SolveParams(time_limit=task.time_limit, workers=task.workers, seed=task.seed)
    with stop_on_signals() as stop:
        new = replan(inst, task.plan, changes, today=None, params=params, stop=stop)
    result, before = new.result, task.plan
    cost_before = before.terms.cost if before.terms else None
    if not result.status.has_plan or result.terms is None:
        note = "; ".join(result.notes[:2]) or "no plan after this disruption"
        return ReplanOutcome(
            task.disruption, result, new.instance, None, cost_before, None, None, None,
            time.perf_counter() - started, note,
        )  # fmt: skip
    report = check(new.instance, result)
    problems = "; ".join([str(v) for v in report.violations[:3]] + list(report.term_mismatches[:3]))
    increase = (
        result.objective - before.objective
        if result.objective is not None and before.objective is not None
        else None
    )
    return ReplanOutcome(
        task.disruption,
        result,
        new.instance,
        len(new.changed),
        cost_before,
        result.terms.cost,
        increase,
        report.ok,
        time.perf_counter() - started,
        problems,
    )


def row(outcome: ReplanOutcome) -> dict[str, Any]:
    """One line of ``robustness.csv``."""
    d = outcome.disruption
    return {
        "sample": d.sample,
        "kind": d.kind,
        "disruption": d.text,
        "status": outcome.result.status.value,
        "rows_changed": outcome.rows_changed,
        "cost_before": outcome.cost_before,
        "cost_after": outcome.cost_after,
        "cost_increase": outcome.cost_increase,
        "objective_increase": outcome.objective_increase,
        "unscheduled": len(outcome.result.unscheduled),
        "seconds": round(outcome.result.solver.seconds if outcome.result.solver else outcome.seconds, 2),
        "check_ok": outcome.check_ok,
        "note": outcome.note,
    }


def csv_text(outcomes: list[ReplanOutcome]) -> str:
    """``robustness.csv``: a header, then one line per disruption in sample order."""
    lines = [row(o) for o in sorted(outcomes, key=lambda o: o.disruption.sample)]
    return table_csv(lines, COLUMNS)


@dataclass(frozen=True)
class Profile:
    """The plan's robustness profile.

    Attributes
    ----------
    samples
        Disruptions re-planned.
    infeasible
        Those after which no plan keeps every cohort.
    stats
        Per measure (rows changed, cost increase, objective increase), over
        the feasible cases: min, median, p90, max.
    worst
        The disruptions that hurt most: infeasible first, then by rows
        changed and cost increase.
    by_kind
        Per kind of disruption: samples, infeasible, median rows changed
        (None when every one was infeasible).
    """

    samples: int
    infeasible: int
    stats: dict[str, tuple[float, float, float, float] | None]
    worst: tuple[ReplanOutcome, ...]
    by_kind: dict[str, tuple[int, int, float | None]]


def profile(outcomes: list[ReplanOutcome], top: int = 5) -> Profile:
    """The distribution of the damage over the disruptions re-planned."""
    ok = [o for o in outcomes if not o.infeasible]
    stats: dict[str, tuple[float, float, float, float] | None] = {}
    for name, values in (
        ("rows changed", [o.rows_changed for o in ok]),
        ("cost increase (euros)", [o.cost_increase for o in ok]),
        ("objective increase", [o.objective_increase for o in ok]),
    ):
        known = np.array([v for v in values if v is not None], dtype=float)
        stats[name] = (
            None
            if not len(known)
            else (known.min(), float(np.median(known)), float(np.percentile(known, 90)), known.max())
        )

    def hurt(o: ReplanOutcome) -> tuple[bool, int, int]:
        return (o.infeasible, o.rows_changed or 0, o.cost_increase or 0)

    in_order = sorted(outcomes, key=lambda o: o.disruption.sample)
    worst = tuple(sorted(in_order, key=hurt, reverse=True)[:top])  # ties in sample order
    by_kind = {}
    for kind in KINDS:
        mine = [o for o in outcomes if o.disruption.kind == kind]
        changed = [o.rows_changed for o in mine if not o.infeasible and o.rows_changed is not None]
        if mine:
            median = float(np.median(changed)) if changed else None
            by_kind[kind] = (len(mine), sum(o.infeasible for o in mine), median)
    return Profile(len(outcomes), sum(o.infeasible for o in outcomes), stats, worst, by_kind)
