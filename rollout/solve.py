"""``solve(instance, params) -> Result``: the library's entry point for planning."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from rollout import __version__
from rollout.assignment import assignment_from_rows
from rollout.calendar import Calendar
from rollout.greedy import greedy_plan
from rollout.index import Index
from rollout.instance import Instance
from rollout.solution import Progress, Result, Row, SolverInfo, Status, Unscheduled
from rollout.stopping import StopRequest

log = logging.getLogger("rollout")


def default_workers() -> int:
    """CP-SAT search workers: one per core.

    Measured on the national sample on 2 cores (30 s): 2 workers reached
    600,149 with bound 470,995; 8 workers, time-sliced, 614,786 with bound
    528,775, which the index's relaxation bound (526,030) nearly matches.
    """
    return max(1, os.cpu_count() or 1)


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
    solver
        ``cpsat`` (the optimiser) or ``greedy`` (the baseline: one pass of
        what a planner does by hand, no optimisation).
    gap
        Stop once the plan is proven within this relative gap of the optimum
        (0: run to optimality or the time limit).
    hint
        Rows of an earlier plan to start from (``--hint``).
    committed
        Rows of committed plans (earlier waves, ``--committed``): fixed
        bookings of this instance's trainers and rooms. Their days are
        occupied and count toward ``max_days`` and the weekly limits (R7,
        R10, R11, R12 hold across both).
    work_limit
        CP-SAT deterministic time for the whole search (``--work-limit``):
        with one worker, two runs with the same seed give the same plan,
        as long as the time limit does not strike first.
    """

    time_limit: float = 60.0
    workers: int = 8
    seed: int = 0
    log_search: bool = False
    solver: str = "cpsat"
    gap: float = 0.0
    hint: tuple[Row, ...] | None = None
    committed: tuple[Row, ...] = ()
    work_limit: float | None = None


#: The planners ``solve`` offers.
SOLVERS = ("cpsat", "greedy")

#: Reason written for a cohort the greedy baseline could not place.
GREEDY_LEFT_OUT = (
    "the greedy baseline found no dates, room and trainers for it around the cohorts placed before it"
)


def impossible_cohorts(index: Index) -> list[Unscheduled]:
    """Cohorts that no plan can schedule, with the reasons found before search."""
    return [
        Unscheduled(p.cohort.id, p.cohort.site, "; ".join(p.reasons)) for p in index.cohorts if not p.possible
    ]


def solve(
    instance: Instance,
    params: SolveParams | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    calendar: Calendar | None = None,
    stop: StopRequest | None = None,
) -> Result:
    """Plan every cohort of ``instance``.

    Returns
    -------
    Result
        ``optimal`` or ``feasible`` with a plan; ``infeasible`` when no plan
        exists (its ``notes`` say why when known before search); ``unknown``
        when none was found in time. A ``stop`` request (Ctrl-C in the CLI)
        ends the search early with the best plan so far; ``stopped_by``
        then names the signal.
    """
    params = params or SolveParams()
    if params.solver not in SOLVERS:
        raise ValueError(f"unknown solver {params.solver!r}: choose one of {', '.join(SOLVERS)}")
    started = time.perf_counter()
    index = Index(instance, calendar, params.committed)
    blocked = impossible_cohorts(index)
    if blocked and not instance.settings.partial:
        notes = tuple(f"{u.cohort} at {u.site}: {u.reason}" for u in blocked)
        return Result(instance.name, Status.INFEASIBLE, notes=notes)
    if params.solver == "greedy":
        return solve_greedy(index, params, started)
    from rollout.cpsat import solve_cpsat

    hint = None
    if params.hint is not None:
        hint, skipped = assignment_from_rows(index, list(params.hint))
        for line in skipped[:20]:
            log.warning("hint row skipped: %s", line)
    return solve_cpsat(
        index,
        params.time_limit,
        params.workers,
        params.seed,
        gap=params.gap,
        hint=hint,
        on_progress=on_progress,
        log_search=params.log_search,
        started=started,
        stop=stop,
        work_limit=params.work_limit,
    )


def solve_greedy(index: Index, params: SolveParams, started: float) -> Result:
    """The greedy baseline as a solver: its plan as it is, with no bound.

    With ``partial: false`` a plan that leaves a cohort out is no plan: the
    status is then ``unknown`` (a greedy pass proves nothing).
    """
    inst = index.instance
    plan = greedy_plan(index)
    left = [c for c, p in enumerate(index.cohorts) if c not in plan.placed]
    info = SolverInfo("greedy", __version__, time.perf_counter() - started, 1, params.seed, params.time_limit)
    if left and not inst.settings.partial:
        notes = tuple(f"{index.cohorts[c].cohort.id}: {GREEDY_LEFT_OUT}" for c in left)
        return Result(inst.name, Status.UNKNOWN, solver=info, notes=notes)
    terms = plan.terms(index)
    unscheduled = tuple(
        Unscheduled(
            index.cohorts[c].cohort.id,
            index.cohorts[c].cohort.site,
            "; ".join(index.cohorts[c].reasons) or GREEDY_LEFT_OUT,
        )
        for c in left
    )
    return Result(
        inst.name,
        Status.FEASIBLE,
        tuple(plan.rows(index)),
        unscheduled,
        terms.weighted(inst.weights),
        None,
        terms,
        info,
    )
