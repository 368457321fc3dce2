"""Re-plan a scope with as few changed rows as possible, then at the least cost.

The model is the usual one (:meth:`Model.build` on a scope, the rest of the
plan fixed as background) with two additions: a row is *kept* only when its
date, room and trainer are those of the reference plan, and no block may
start before ``not_before`` (today) unless it keeps its old start. The search
is lexicographic, in two runs: first the fewest cohorts left out (with
``partial: true``) and then the fewest changed rows; then, with both held at
what the first run found, the least weighted objective (O1–O5).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rollout.assignment import Assignment
from rollout.cpsat.model import Model, run
from rollout.cpsat.objective import weighted_objective
from rollout.cpsat.variables import Scope
from rollout.index import Index
from rollout.solution import Status
from rollout.stopping import StopRequest

#: Share of the time budget given to the first run (fewest changes).
FIRST_SHARE = 0.6


@dataclass
class ScopeReplan:
    """Outcome of re-planning one scope: status, the scope's plan, and its changed rows."""

    status: Status
    plan: Assignment | None
    changed: int | None


def _kept_rows(built: Model, index: Index, reference: Assignment) -> list[cp_model.IntVar]:
    """One literal per row of the scope, true only if the row keeps its reference date, room and trainer."""
    model, v = built.model, built.vars
    kept = []
    for b in v.start:
        start, room = reference.start.get(b), reference.room.get(b)
        start_lit = v.start_lit[b].get(start) if start is not None else None
        room_lit = v.room_lit[b].get(room) if room is not None else None
        for r in index.block_rows[b]:
            trainer_lit = v.trainer_lit[r].get(reference.trainer.get(r, ""))
            lit = model.new_bool_var(f"kept[{r}]")
            parts = [start_lit, room_lit, trainer_lit]
            if any(p is None for p in parts):
                model.add(lit == 0)  # no longer possible as it was (or a new row)
            else:
                for p in parts:
                    model.add_implication(lit, p)  # type: ignore[arg-type]
            kept.append(lit)
    return kept


def _not_before(built: Model, reference: Assignment, day: int) -> None:
    """A block starts on or after ``day`` (today) unless it keeps its reference start."""
    for b, by_start in built.vars.start_lit.items():
        for s, lit in by_start.items():
            if s < day and s != reference.start.get(b):
                built.model.add(lit == 0)


def replan_scope(
    index: Index,
    scope: Scope,
    reference: Assignment,
    *,
    not_before: int | None,
    time_limit: float,
    workers: int,
    seed: int,
    stop: StopRequest | None = None,
) -> ScopeReplan:
    """Re-plan ``scope`` around its fixed background with the fewest changes from ``reference``.

    Returns the scope's plan (``None`` when infeasible or none found in
    time) and how many of its rows differ from ``reference``.
    """
    started = time.perf_counter()
    built = Model.build(index, scope)
    if not_before is not None:
        _not_before(built, reference, not_before)
    kept = _kept_rows(built, index, reference)
    absent = [p.Not() for p in built.vars.present.values()]
    changed_expr = len(kept) - sum(kept)
    built.model.minimize((len(kept) + 1) * sum(absent) + changed_expr)
    hint = Assignment()
    hint.update(reference)
    first = run(built, time_limit * FIRST_SHARE, workers, seed, hint=hint, stop=stop)
    if first.plan is None:
        return ScopeReplan(first.status, None, None)
    changed = _changed_rows(index, first.plan, reference, scope)
    left_out = len(scope.cohorts) - len(first.plan.placed)
    built.model.add(changed_expr <= changed)
    built.model.add(sum(absent) <= left_out)
    built.model.minimize(weighted_objective(built.terms, index.instance.weights))
    built.model.clear_hints()  # type: ignore[no-untyped-call]
    remaining = time_limit - (time.perf_counter() - started)
    if remaining < 0.2 or (stop is not None and stop.requested):
        return ScopeReplan(Status.FEASIBLE, first.plan, changed)
    second = run(built, remaining, workers, seed, hint=first.plan, stop=stop)
    plan = second.plan if second.plan is not None else first.plan
    status = Status.OPTIMAL if first.status is second.status is Status.OPTIMAL else Status.FEASIBLE
    return ScopeReplan(status, plan, _changed_rows(index, plan, reference, scope))


def _changed_rows(index: Index, plan: Assignment, reference: Assignment, scope: Scope) -> int:
    """Rows of the scope whose date, room or trainer differ from ``reference`` (or that are gone)."""
    n = 0
    for b in scope.blocks(index):
        same_block = (
            b in plan.start
            and plan.start[b] == reference.start.get(b)
            and (plan.room[b] == reference.room.get(b))
        )
        for r in index.block_rows[b]:
            n += not (same_block and plan.trainer.get(r) == reference.trainer.get(r))
    return n
