"""Build the CP-SAT model from the index, solve it, and return a Result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import ortools
from ortools.sat.python import cp_model

from rollout.cpsat.constraints import HARD_RULES, add_symmetry_breaking
from rollout.cpsat.objective import term_expressions, weighted_objective
from rollout.cpsat.variables import Variables
from rollout.greedy import greedy_plan
from rollout.index import Index
from rollout.solution import Result, SolverInfo, Status, Terms, Unscheduled

log = logging.getLogger("rollout")

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
}

#: Reason written for a cohort the optimiser left out (partial: true) with no reason found before search.
LEFT_OUT = (
    "left out by the optimiser: with the other cohorts planned, no plan including it keeps "
    "every hard rule at a cost below weights.unscheduled"
)


@dataclass(frozen=True)
class Progress:
    """One improving plan found during search."""

    seconds: float
    objective: float
    bound: float
    plans: int


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_plan: Callable[[Progress], None]) -> None:
        super().__init__()
        self._on_plan = on_plan
        self._plans = 0

    def on_solution_callback(self) -> None:
        self._plans += 1
        self._on_plan(Progress(self.wall_time, self.objective_value, self.best_objective_bound, self._plans))


@dataclass
class Model:
    """A built model: the CP-SAT model, its variables and its term expressions."""

    index: Index
    model: cp_model.CpModel
    vars: Variables
    terms: dict[str, cp_model.LinearExprT]

    @classmethod
    def build(cls, index: Index) -> Model:
        """Every hard rule of HARD_RULES, symmetry breaking, and the weighted objective."""
        model = cp_model.CpModel()
        inst = index.instance
        variables = Variables.create(model, index, inst.settings.partial)
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


def solve_cpsat(
    index: Index,
    time_limit: float,
    workers: int,
    seed: int,
    on_plan: Callable[[Progress], None] | None = None,
    log_search: bool = False,
) -> Result:
    """Solve with CP-SAT and return the Result (infeasible is a status, not an error)."""
    inst = index.instance
    started = time.perf_counter()
    built = Model.build(index)
    warm = greedy_plan(index)
    log.info("greedy warm start places %d of %d cohorts", len(warm.placed), len(index.cohorts))
    built.vars.hint(warm, index)
    log.info("model: %(variables)d variables, %(constraints)d constraints", built.size())
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.0, time_limit - (time.perf_counter() - started))
    params.num_workers = workers
    params.random_seed = seed
    params.log_search_progress = log_search
    callback = _Callback(on_plan) if on_plan else None
    code = solver.solve(built.model, callback)
    status = _STATUS.get(code)
    if status is None:
        raise RuntimeError(
            f"CP-SAT rejected the model ({solver.status_name(code)}): this is a bug in rollout"
        )
    info = SolverInfo("cp-sat", ortools.__version__, time.perf_counter() - started, workers, seed, time_limit)
    bound = solver.best_objective_bound if status.has_plan or status is Status.UNKNOWN else None
    if not status.has_plan:
        return Result(inst.name, status, bound=None if status is Status.INFEASIBLE else bound, solver=info)
    rows = built.vars.extract(solver, index)
    terms = Terms(**{name: int(solver.value(expr)) for name, expr in built.terms.items()})
    unscheduled = tuple(
        Unscheduled(plan.cohort.id, plan.cohort.site, "; ".join(plan.reasons) or LEFT_OUT)
        for c, plan in enumerate(index.cohorts)
        if not solver.boolean_value(built.vars.present[c])
    )
    # The objective is recomputed from the plan's own terms, so solution.json is consistent
    # with its rows by construction (rollout check recomputes both independently).
    objective = terms.weighted(inst.weights)
    if abs(objective - solver.objective_value) > 0.5:
        log.info("CP-SAT reports objective %s, the plan's terms give %s", solver.objective_value, objective)
    return Result(inst.name, status, tuple(rows), unscheduled, objective, bound, terms, info)
