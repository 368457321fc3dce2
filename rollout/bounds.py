"""A lower bound of the objective from the index alone, in milliseconds.

Each term is bounded on its own, every cohort as if it were alone and every
trainer free (a relaxation of R7, R9–R12):

* O1: cohorts that cannot be scheduled at all (``partial: true``); with
  ``partial: true`` a cohort counts at most ``weights.unscheduled``.
* O2 and O3 together, per course of a cohort: the least of one trainer for
  every row, two trainers plus one change, or every row at its cheapest
  trainer plus two changes. A row costs the day rate, plus for a trainer
  away from home a night and the round trip shared by the block's days (a
  trainer who teaches k ≤ L days of an L-day block pays trip/k ≥ trip/L a
  day).
* O4: every block at its start with the fewest school-holiday days.
* O5: every cohort at its earliest feasible start.

Sums of minima never exceed the minimum of sums, so the bound is valid. It
is the bound a solve reports before CP-SAT proves a better one, and the
floor of each part's bound when a large instance is solved part by part.

Solver-free.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from rollout.index import Index


def relaxation_bound(index: Index, cohorts: Iterable[int] | None = None) -> float:
    """Lower bound of Σ weight × term over ``cohorts`` (all when None)."""
    inst = index.instance
    w = inst.weights
    total = 0.0
    staffing: dict[tuple[str, str, str], float] = {}
    chosen = range(len(index.cohorts)) if cohorts is None else cohorts
    for c in chosen:
        plan = index.cohorts[c]
        if not plan.possible:
            total += w.unscheduled if inst.settings.partial else 0
            continue
        cohort = 0.0
        courses: dict[str, list[int]] = {}
        for b in plan.blocks:
            block = index.blocks[b]
            courses.setdefault(block.course, []).extend(index.block_rows[b])
            holidays = index.school_days[block.site]
            cohort += w.school_holiday_days * min(
                (sum(1 for j in range(block.length) if s + j in holidays) for s in block.starts), default=0
            )
        for course, rows in courses.items():
            # Cohorts of one site share their staffing bound, unless a pin narrows their options.
            key = (plan.cohort.site, course, plan.cohort.id if plan.pinned else "")
            if key not in staffing:
                staffing[key] = _staffing_bound(index, rows)
            cohort += staffing[key]
        first = index.blocks[plan.blocks[0]].starts
        if first:
            cohort += w.delay_days * (first[0] - index.day(plan.cohort.start.from_))
        # With partial: true a cohort (unless pinned) may instead be left out at weights.unscheduled.
        total += min(cohort, w.unscheduled) if inst.settings.partial and not plan.pinned else cohort
    return math.floor(total)


def _row_cost(index: Index, r: int, t: str) -> float:
    """Least O2 cost of ``t`` teaching row ``r``: day rate; away from home, a night and a trip share."""
    inst = index.instance
    block = index.blocks[index.rows[r].block]
    trainer = inst.trainer_by_id[t]
    if trainer.home == block.site:
        return trainer.day_rate
    return trainer.day_rate + inst.settings.cost_per_night + inst.trip_cost(t, block.site) / block.length


def _staffing_bound(index: Index, rows: list[int]) -> float:
    """Lower bound of weighted O2 + O3 for the rows of one course of one cohort.

    The least of: one trainer for every row; two trainers, each row with the
    cheaper of the two, plus one change; or each row at its cheapest trainer
    plus two changes (three or more trainers).
    """
    w = index.instance.weights
    groups: dict[tuple[tuple[str, float], ...], int] = {}
    for r in rows:
        key = tuple((t, w.cost * _row_cost(index, r, t)) for t in index.rows[r].trainers)
        groups[key] = groups.get(key, 0) + 1
    costs = [(dict(key), n) for key, n in groups.items()]
    if any(not cost for cost, _ in costs):
        return 0.0
    cheapest = sum(n * min(cost.values()) for cost, n in costs)
    change = w.trainer_changes
    trainers = sorted(set.intersection(*(set(cost) for cost, _ in costs)))
    best = min((sum(n * cost[t] for cost, n in costs) for t in trainers), default=float("inf"))
    if best <= cheapest or change == 0:
        return min(best, cheapest)
    options = sorted(set().union(*(cost.keys() for cost, _ in costs)))
    for i, a in enumerate(options):
        for b in options[i + 1 :]:
            if all(a in cost or b in cost for cost, _ in costs):
                total = change + sum(
                    n * min(cost.get(a, float("inf")), cost.get(b, float("inf"))) for cost, n in costs
                )
                best = min(best, total)
    return min(best, cheapest + 2 * change)
