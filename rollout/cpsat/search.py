"""How rollout searches: a greedy plan first, then CP-SAT, whole or part by part.

1. The greedy planner gives a complete plan in milliseconds (the first
   feasible plan) and the warm start of everything after it.
2. :func:`rollout.bounds.relaxation_bound` is proven at once.
3. Up to :data:`MONOLITHIC_ROWS` teaching days, one CP-SAT model of the whole
   instance improves the plan and proves its own bound.
4. Beyond, large-neighbourhood search: the instance is cut into parts of
   nearby sites (:func:`rollout.partition.partition`), and each part in turn
   is re-planned by CP-SAT with the rest of the best plan fixed around it;
   a part's new plan is kept when the whole plan gets cheaper.

Every plan offered to :class:`Tracker` is complete and keeps every hard
rule; its objective is computed from the plan itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib.metadata import version

from rollout.assignment import Assignment
from rollout.bounds import relaxation_bound
from rollout.cpsat.core import left_out_reasons
from rollout.cpsat.model import Model, run
from rollout.cpsat.variables import Scope
from rollout.greedy import greedy_plan
from rollout.index import Index
from rollout.partition import partition
from rollout.solution import Progress, Result, SolverInfo, Status, Unscheduled
from rollout.stopping import StopRequest

log = logging.getLogger("rollout")

#: Largest instance (teaching days) solved as one model; larger ones are solved part by part.
MONOLITHIC_ROWS = 600
#: Teaching days of the smallest parts, and most seconds spent re-planning one part.
PART_ROWS, PART_SECONDS = 150, 5.0

#: Reason written for a cohort the optimiser left out (partial: true) with no reason found before search.
LEFT_OUT = (
    "left out by the optimiser: with the other cohorts planned, no plan including it keeps "
    "every hard rule at a cost below weights.unscheduled"
)


@dataclass
class Tracker:
    """The best plan and the best bound so far, reported as they improve."""

    index: Index
    on_progress: Callable[[Progress], None] | None
    started: float = field(default_factory=time.perf_counter)
    best: Assignment | None = None
    objective: int | None = None
    bound: float | None = None
    plans: int = 0

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def complete(self, plan: Assignment) -> bool:
        """Whether ``plan`` may be the answer: with ``partial: false`` every cohort is placed."""
        if self.index.instance.settings.partial:
            return True
        return all(c in plan.placed for c, p in enumerate(self.index.cohorts))

    def offer(self, plan: Assignment) -> bool:
        """Keep ``plan`` when complete and cheaper than the best so far."""
        if not self.complete(plan):
            return False
        objective = plan.terms(self.index).weighted(self.index.instance.weights)
        if self.objective is not None and objective >= self.objective:
            return False
        self.best, self.objective = plan, objective
        self.plans += 1
        self._emit("plan")
        return True

    def prove(self, bound: float) -> None:
        """Record a proven lower bound of the whole objective."""
        if self.bound is None or bound > self.bound + 1e-6:
            self.bound = bound
            self._emit("bound")

    def gap_closed(self, gap: float) -> bool:
        """Whether the best plan is proven within ``gap`` (relative) of the optimum."""
        if self.objective is None or self.bound is None:
            return False
        return self.objective - self.bound <= gap * abs(self.objective) + 1e-6

    def note(self, detail: str) -> None:
        self._emit("model", detail)

    def _emit(self, event: str, detail: str = "") -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(self.elapsed(), self.objective, self.bound, self.plans, event, detail))


@dataclass
class Budget:
    """What is left to spend: wall-clock seconds to a deadline, and optionally deterministic work.

    With a work limit the search is reproducible (one worker, one seed):
    every CP-SAT run is bounded by what is left of the work, and parts are
    re-planned until it is spent, whatever the wall-clock time.
    """

    deadline: float
    work: float | None = None

    def seconds(self) -> float:
        return self.deadline - time.perf_counter()

    def spent(self) -> bool:
        return self.seconds() < 0.5 or (self.work is not None and self.work <= 1e-9)

    def part(self, seconds: float) -> tuple[float, float | None]:
        """Time limit and work limit of one part: ``seconds`` of wall time, or as much work."""
        if self.work is None:
            return min(self.seconds(), seconds), None
        return self.seconds(), min(self.work, seconds)

    def charge(self, work: float) -> None:
        if self.work is not None:
            self.work -= work


def solve_cpsat(
    index: Index,
    time_limit: float,
    workers: int,
    seed: int,
    *,
    gap: float = 0.0,
    hint: Assignment | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    log_search: bool = False,
    started: float | None = None,
    stop: StopRequest | None = None,
    work_limit: float | None = None,
) -> Result:
    """Plan ``index`` within ``time_limit`` seconds from ``started`` (a perf_counter reading; now by default).

    Progress times and the time written count from ``started`` too, so they
    include building the index when the caller started the clock before it.
    A ``stop`` request ends the search with the best plan so far. A
    ``work_limit`` (CP-SAT deterministic time, summed over runs) makes the
    search reproducible with one worker.
    """
    tracker = Tracker(index, on_progress, started if started is not None else time.perf_counter())
    stop = stop or StopRequest()
    budget = Budget(tracker.started + time_limit, work_limit)
    for careful in (True, False):  # the careful greedy is usually cheaper; the plain one a fallback
        if stop.requested:
            break
        plan = greedy_plan(index, careful=careful)
        log.info("greedy (careful=%s) places %d of %d cohorts", careful, len(plan.placed), len(index.cohorts))
        tracker.offer(plan)
    if stop.requested and tracker.best is None:  # stopped before the first plan: nothing to write
        nothing = _result(index, tracker, Status.UNKNOWN, time_limit, workers, seed)
        return replace(nothing, stopped_by=stop.name)
    warm = tracker.best or plan
    tracker.prove(relaxation_bound(index))
    start = hint if hint is not None else warm
    if stop.requested:
        status = Status.UNKNOWN
    elif len(index.rows) <= MONOLITHIC_ROWS or tracker.best is None:
        # Part-by-part search improves a complete plan; without one (the greedy planner left
        # cohorts out and partial is false) one whole model looks for a plan or proves none exists.
        status = _whole(index, tracker, start, budget, workers, seed, gap, log_search, stop)
    else:
        status = _by_parts(index, tracker, budget, workers, seed, gap, hint, stop)
    result = _result(index, tracker, status, time_limit, workers, seed)
    return replace(result, stopped_by=stop.name) if stop.requested else result


def _whole(
    index: Index,
    tracker: Tracker,
    start: Assignment,
    budget: Budget,
    workers: int,
    seed: int,
    gap: float,
    log_search: bool,
    stop: StopRequest,
) -> Status:
    built = Model.build(index)
    size = built.size()
    tracker.note(f"{size['variables']} variables, {size['constraints']} constraints")
    log.info("model: %(variables)d variables, %(constraints)d constraints", size)
    outcome = run(
        built,
        budget.seconds(),
        workers,
        seed,
        gap=gap,
        hint=start,
        on_plan=tracker.offer,
        on_bound=tracker.prove,
        log_search=log_search,
        done=lambda: tracker.gap_closed(gap),
        stop=stop,
        work_limit=budget.work,
    )
    if outcome.plan is not None:
        tracker.offer(outcome.plan)
    if outcome.bound is not None:
        tracker.prove(outcome.bound)
    return outcome.status


def _by_parts(
    index: Index,
    tracker: Tracker,
    budget: Budget,
    workers: int,
    seed: int,
    gap: float,
    hint: Assignment | None = None,
    stop: StopRequest | None = None,
) -> Status:
    """Large-neighbourhood search: re-plan one part at a time around the rest of the best plan.

    Round k cuts the instance into parts of about PART_ROWS × (1 + k mod 3)
    teaching days, so the borders between parts move from round to round.
    Parts go in order of their excess (their share of the objective above
    their relaxation bound); a part at its bound cannot improve and is
    skipped. It stops at the deadline, once the gap is closed, or after a
    full cycle of part sizes with no better plan. A ``hint`` (an earlier
    plan) guides the first round: each part is hinted with it rather than
    with the best plan, so CP-SAT takes its choices wherever they still fit.
    """
    rounds = stale = 0
    largest: dict[str, int] = {"variables": 0, "constraints": 0}
    stop = stop or StopRequest()
    while not budget.spent() and tracker.best is not None and stale < 3 and not stop.requested:
        parts = partition(index, PART_ROWS * (1 + rounds % 3))
        log.info("round %d: %d parts", rounds + 1, len(parts))
        excess = {id(p): _excess(index, tracker.best, p) for p in parts}
        parts = sorted((p for p in parts if excess[id(p)] >= 1), key=lambda p: -excess[id(p)])
        improved = False
        for part in parts:
            if budget.spent() or tracker.gap_closed(gap) or stop.requested:
                break
            guide = hint if rounds == 0 and hint is not None else tracker.best
            size = _improve_part(index, tracker, part, budget, workers, seed + rounds, guide, stop)
            improved |= size.pop("improved") > 0
            if size["variables"] > largest["variables"]:
                largest = size
            if rounds == 0 and part is parts[0]:
                tracker.note(
                    f"parts of {PART_ROWS}+ teaching days; first part {size['variables']} variables, "
                    f"{size['constraints']} constraints"
                )
        rounds += 1
        stale = 0 if improved else stale + 1
        if tracker.gap_closed(gap):
            break
    log.info("%d rounds; largest part model %s", rounds, largest)
    return Status.FEASIBLE if tracker.best is not None else Status.UNKNOWN


def _excess(index: Index, plan: Assignment, part: list[int]) -> float:
    """A part's share of the plan's objective above its relaxation bound."""
    return plan.terms(index, part).weighted(index.instance.weights) - relaxation_bound(index, part)


def _improve_part(
    index: Index,
    tracker: Tracker,
    part: list[int],
    budget: Budget,
    workers: int,
    seed: int,
    guide: Assignment,
    stop: StopRequest,
) -> dict[str, int]:
    """Re-plan ``part`` with the rest of the best plan fixed; keep it if cheaper. Returns the model size."""
    assert tracker.best is not None
    fixed = Assignment()
    fixed.update(tracker.best)
    fixed.drop(index, set(part))
    built = Model.build(index, Scope(part, fixed))
    seconds, work = budget.part(PART_SECONDS)
    outcome = run(built, seconds, workers, seed, hint=guide, stop=stop, work_limit=work)
    budget.charge(outcome.work)
    improved = False
    if outcome.plan is not None:
        fixed.update(outcome.plan)
        improved = tracker.offer(fixed)
    return {**built.size(), "improved": int(improved)}


def _result(
    index: Index, tracker: Tracker, status: Status, time_limit: float, workers: int, seed: int
) -> Result:
    inst = index.instance
    info = SolverInfo("cp-sat", version("ortools"), tracker.elapsed(), workers, seed, time_limit)
    plan, objective = tracker.best, tracker.objective
    if plan is None or objective is None:
        unknown = status is not Status.INFEASIBLE
        return Result(inst.name, status, bound=tracker.bound if unknown else None, solver=info)
    if status is not Status.OPTIMAL and tracker.bound is not None and tracker.bound >= objective - 1e-6:
        status = Status.OPTIMAL
    elif status is Status.INFEASIBLE:  # a checked greedy plan exists: the model is wrong
        raise RuntimeError("CP-SAT proved infeasible an instance with a valid plan: this is a bug in rollout")
    elif status is Status.UNKNOWN:
        status = Status.FEASIBLE
    found = left_out_reasons(index, plan, min(10.0, max(1.0, 0.1 * time_limit)), seed)  # R6, issue 4.2
    unscheduled = tuple(
        Unscheduled(p.cohort.id, p.cohort.site, "; ".join(p.reasons) or found.get(c, LEFT_OUT))
        for c, p in enumerate(index.cohorts)
        if c not in plan.placed
    )
    return Result(
        inst.name,
        status,
        tuple(plan.rows(index)),
        unscheduled,
        tracker.objective,
        tracker.bound,
        plan.terms(index),
        info,
    )
