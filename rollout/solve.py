"""``solve(instance, params) -> Result``: the library's entry point for planning."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from rollout.calendar import Calendar
from rollout.index import Index
from rollout.instance import Instance
from rollout.solution import Result, Status, Unscheduled

log = logging.getLogger("rollout")


def default_workers() -> int:
    """CP-SAT search workers: at least 8 (its portfolio needs them), more on big machines."""
    return max(8, os.cpu_count() or 1)


@dataclass(frozen=True)
class SolveParams:
    """How to solve.

    Attributes
    ----------
    time_limit
        Seconds of wall time, model building included.
    workers
        Parallel search workers (1 makes a solve reproducible for a seed).
    seed
        Random seed of the search.
    """

    time_limit: float = 60.0
    workers: int = 8
    seed: int = 0
    log_search: bool = False


def impossible_cohorts(index: Index) -> list[Unscheduled]:
    """Cohorts that no plan can schedule, with the reasons found before search."""
    return [
        Unscheduled(p.cohort.id, p.cohort.site, "; ".join(p.reasons)) for p in index.cohorts if not p.possible
    ]


def solve(
    instance: Instance,
    params: SolveParams | None = None,
    on_plan: Callable[..., None] | None = None,
    calendar: Calendar | None = None,
) -> Result:
    """Plan every cohort of ``instance``.

    Returns
    -------
    Result
        ``optimal`` or ``feasible`` with a plan; ``infeasible`` when no plan
        exists (its ``notes`` say why when known before search); ``unknown``
        when none was found in time.
    """
    from rollout.cpsat import solve_cpsat

    params = params or SolveParams()
    index = Index(instance, calendar)
    blocked = impossible_cohorts(index)
    if blocked and not instance.settings.partial:
        notes = tuple(f"{u.cohort} at {u.site}: {u.reason}" for u in blocked)
        return Result(instance.name, Status.INFEASIBLE, notes=notes)
    return solve_cpsat(index, params.time_limit, params.workers, params.seed, on_plan, params.log_search)
