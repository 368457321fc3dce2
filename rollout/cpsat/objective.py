"""The objective terms O1–O5, one function each, each a linear expression.

Weights never appear here: :func:`weighted_objective` multiplies each term by
its weight from the instance once.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from rollout.cpsat.variables import Variables
from rollout.index import Index
from rollout.rules import TERM_NAMES, Rule

Expr = cp_model.LinearExprT


def _or(model: cp_model.CpModel, v: Variables, lits: list[cp_model.IntVar], name: str) -> cp_model.IntVar:
    """A literal equal to the OR of ``lits`` (both ways, so terms are exact); hinted with them."""
    if len(lits) == 1:
        return lits[0]
    out = model.new_bool_var(name)
    model.add_max_equality(out, lits)
    v.ors.append((out, lits))
    return out


def o1_unscheduled(model: cp_model.CpModel, index: Index, v: Variables) -> Expr:
    """O1: cohorts left unscheduled."""
    return sum(1 - p for p in v.present.values())


def o2_cost(model: cp_model.CpModel, index: Index, v: Variables) -> Expr:
    """O2: day rates, plus per (trainer, block) away from home a round trip and a night per row."""
    inst = index.instance
    night = inst.settings.cost_per_night
    terms: list[Expr] = []
    for b in v.start:
        block = index.blocks[b]
        by_trainer: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for r in index.block_rows[b]:
            for t, lit in v.trainer_lit[r].items():
                by_trainer[t].append(lit)
                rate = inst.trainer_by_id[t].day_rate
                away = inst.trainer_by_id[t].home != block.site
                if rate + (night if away else 0):
                    terms.append((rate + (night if away else 0)) * lit)
        for t, lits in by_trainer.items():
            trip = inst.trip_cost(t, block.site)
            if trip:
                terms.append(trip * _or(model, v, lits, f"travels[{t}|{b}]"))
    return sum(terms)


def o3_trainer_changes(model: cp_model.CpModel, index: Index, v: Variables) -> Expr:
    """O3: per scheduled (cohort, course), distinct trainers − 1."""
    groups: dict[tuple[int, str], dict[str, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
    for r, lits in v.trainer_lit.items():
        block = index.blocks[index.rows[r].block]
        for t, lit in lits.items():
            groups[(block.cohort, block.course)][t].append(lit)
    terms: list[Expr] = []
    for (c, course), by_trainer in groups.items():
        if len(by_trainer) < 2:
            continue
        cid = index.cohorts[c].cohort.id
        used = [_or(model, v, lits, f"teaches[{t}|{cid}|{course}]") for t, lits in by_trainer.items()]
        terms.append(sum(used) - v.present[c])
    return sum(terms)


def o4_school_holiday_days(model: cp_model.CpModel, index: Index, v: Variables) -> Expr:
    """O4: rows whose date is in a school holiday of the site's zone."""
    terms: list[Expr] = []
    for b in v.start:
        block = index.blocks[b]
        holiday = index.school_days[block.site]
        for s, lit in v.start_lit[b].items():
            n = sum(1 for j in range(block.length) if s + j in holiday)
            if n:
                terms.append(n * lit)
    return sum(terms)


def o5_delay_days(model: cp_model.CpModel, index: Index, v: Variables) -> Expr:
    """O5: per scheduled cohort, days from start.from to its first row."""
    terms: list[Expr] = []
    for c in v.present:
        plan = index.cohorts[c]
        if not plan.blocks:
            continue
        first = plan.blocks[0]
        origin = index.day(plan.cohort.start.from_)
        terms.extend((s - origin) * lit for s, lit in v.start_lit[first].items() if s != origin)
    return sum(terms)


#: Every term, by rule id.
TERMS: dict[Rule, object] = {
    Rule.O1: o1_unscheduled,
    Rule.O2: o2_cost,
    Rule.O3: o3_trainer_changes,
    Rule.O4: o4_school_holiday_days,
    Rule.O5: o5_delay_days,
}


def term_expressions(model: cp_model.CpModel, index: Index, v: Variables) -> dict[str, Expr]:
    """Each term's expression, keyed by its name in ``weights`` and ``solution.json``."""
    return {TERM_NAMES[rule]: fn(model, index, v) for rule, fn in TERMS.items()}  # type: ignore[operator]


def weighted_objective(terms: dict[str, Expr], weights: object) -> Expr:
    """Σ weight × term."""
    total: Expr = sum(getattr(weights, name) * expr for name, expr in terms.items() if getattr(weights, name))
    return total
