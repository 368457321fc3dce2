"""A lower bound of the objective from the index alone, in milliseconds.

Each term is bounded on its own, every cohort as if it were alone and every
trainer free (a relaxation of R7, R9–R12):

* O1: cohorts that cannot be scheduled at all (``partial: true``); with
  ``partial: true`` a cohort counts at most ``weights.unscheduled``.
* O2: every row at its cheapest eligible trainer: day rate, plus for a
  trainer away from home a night and the round trip shared by the block's
  days (a trainer who teaches k ≤ L days of an L-day block pays trip/k ≥
  trip/L a day).
* O4: every block at its start with the fewest school-holiday days.
* O5: every cohort at its earliest feasible start.
* O3: 0.

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
    night = inst.settings.cost_per_night
    total = 0.0
    chosen = range(len(index.cohorts)) if cohorts is None else cohorts
    for c in chosen:
        plan = index.cohorts[c]
        if not plan.possible:
            total += w.unscheduled if inst.settings.partial else 0
            continue
        cohort = 0.0
        for b in plan.blocks:
            block = index.blocks[b]
            for r in index.block_rows[b]:
                cohort += w.cost * min(
                    (
                        inst.trainer_by_id[t].day_rate
                        + (
                            night + inst.trip_cost(t, block.site) / block.length
                            if inst.trainer_by_id[t].home != block.site
                            else 0
                        )
                        for t in index.rows[r].trainers
                    ),
                    default=0,
                )
            holidays = index.school_days[block.site]
            cohort += w.school_holiday_days * min(
                (sum(1 for j in range(block.length) if s + j in holidays) for s in block.starts), default=0
            )
        first = index.blocks[plan.blocks[0]].starts
        if first:
            cohort += w.delay_days * (first[0] - index.day(plan.cohort.start.from_))
        # With partial: true a cohort (unless pinned) may instead be left out at weights.unscheduled.
        total += min(cohort, w.unscheduled) if inst.settings.partial and not plan.pinned else cohort
    return math.floor(total)
