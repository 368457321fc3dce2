"""Build the CP-SAT model of a scope and run CP-SAT on it once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from rollout.assignment import Assignment
from rollout.cpsat.constraints import HARD_RULES, add_symmetry_breaking
from rollout.cpsat.objective import term_expressions, weighted_objective
from rollout.cpsat.variables import Scope, Variables
from rollout.index import Index
from rollout.solution import Status
from rollout.stopping import StopRequest

log = logging.getLogger("rollout")

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


@dataclass
class Model:
    """A built model: the CP-SAT model, its variables and its term expressions."""

    index: Index
    model: cp_model.CpModel
    vars: Variables
    terms: dict[str, cp_model.LinearExprT]

    @classmethod
    def build(cls, index: Index, scope: Scope | None = None) -> Model:
        """Every hard rule of HARD_RULES, symmetry breaking, and the weighted objective of ``scope``."""
        model = cp_model.CpModel()
        inst = index.instance
        variables = Variables.create(model, index, scope or Scope.everything(index), inst.settings.partial)
        for rule, add in HARD_RULES:
            log.debug("adding %s", rule.value)
            add(model, index, variables)
        add_symmetry_breaking(model, index, variables)
        terms = term_expressions(model, index, variables)
        model.minimize(weighted_objective(terms, inst.weights))
        return cls(index, model, variables, terms)

    def size(self) -> dict[str, int]:
        """Number of variables and constraints."""
        proto = self.model.proto
        return {"variables": len(proto.variables), "constraints": len(proto.constraints)}


@dataclass
class Run:
    """One CP-SAT run on a scope: status, the scope's plan (if any) and its objective's proven bound."""

    status: Status
    plan: Assignment | None
    bound: float | None
    work: float = 0.0  # CP-SAT's deterministic time spent


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, built: Model, on_plan: Callable[[Assignment], object], done: Callable[[], bool] | None
    ) -> None:
        super().__init__()
        self._built = built
        self._on_plan = on_plan
        self._done = done

    def on_solution_callback(self) -> None:
        self._on_plan(self._built.vars.extract(self, self._built.index))
        if self._done is not None and self._done():
            self.stop_search()


def run(
    built: Model,
    time_limit: float,
    workers: int,
    seed: int,
    *,
    gap: float = 0.0,
    hint: Assignment | None = None,
    on_plan: Callable[[Assignment], object] | None = None,
    on_bound: Callable[[float], None] | None = None,
    log_search: bool = False,
    done: Callable[[], bool] | None = None,
    stop: StopRequest | None = None,
    work_limit: float | None = None,
) -> Run:
    """Solve ``built`` once with CP-SAT; infeasible is a status, not an error.

    ``done`` is asked after each plan: True stops the search (a bound proven
    outside the model, such as the relaxation bound, may close the gap).
    CP-SAT runs in a worker thread while this thread waits in short joins,
    so signal handlers run at once and ``stop`` ends the search as a time
    limit would. ``work_limit`` bounds CP-SAT's deterministic time: with
    one worker and a seed, a run that ends by it is reproducible.
    """
    if hint is not None:
        built.vars.hint(hint, built.index)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, time_limit)
    if work_limit is not None:
        params.max_deterministic_time = max(0.0, work_limit)
    params.num_workers = workers
    params.random_seed = seed
    params.relative_gap_limit = gap
    params.log_search_progress = log_search
    tune(params)
    params.catch_sigint_signal = False  # the caller's handlers decide (StopRequest)
    if on_bound is not None:
        solver.best_bound_callback = on_bound
    callback = _Callback(built, on_plan, done) if on_plan else None
    code = _solve_in_thread(solver, built.model, callback, stop)
    status = _STATUS.get(code)
    if status is None:
        raise RuntimeError(
            f"CP-SAT rejected the model ({solver.status_name(code)}): this is a bug in rollout"
        )
    plan = built.vars.extract(solver, built.index) if status.has_plan else None
    bound = None if status is Status.INFEASIBLE else solver.best_objective_bound
    return Run(status, plan, bound, solver.deterministic_time)


def tune(params: Any) -> None:
    """The presolve settings every CP-SAT run of rollout uses, chosen by measurement.

    On the national sample (2 cores) default probing spent 29 s making 1.6M
    binary clauses and repeated presolve another 10 s before any search;
    without them the search starts at 4 s and its 30 s result is no worse.
    Proving a diagnosis model infeasible took 10.5 s with them, 0.4 s without.
    """
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1


def _solve_in_thread(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None,
    stop: StopRequest | None,
) -> Any:
    """``solver.solve`` in a thread; this one stays free to run signal handlers."""
    outcome: list[Any] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(solver.solve(model, callback))
        except BaseException as exc:  # handed to the calling thread
            failure.append(exc)

    worker = threading.Thread(target=work, name="cp-sat", daemon=True)
    forget = stop.listen(solver.stop_search) if stop is not None else None
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    finally:
        if worker.is_alive():  # an exception in this thread: stop CP-SAT before leaving
            solver.stop_search()
            worker.join()
        if forget is not None:
            forget()
    if failure:
        raise failure[0]
    return outcome[0]
