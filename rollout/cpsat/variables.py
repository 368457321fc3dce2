"""Every decision variable of the model, created in one place and named by ids.

A model plans the cohorts of a :class:`Scope` (all of them, or a part when
the plan is improved piece by piece); the rest of the plan is fixed
background that takes rooms and trainer days. A block's start is chosen
among its feasible start days (``start_lit``, one literal a day, and the
integer ``start``); its room among the rooms that hold the cohort
(``room_lit``); each of its days' trainer among the eligible ones
(``trainer_lit``). Optional intervals on those starts carry the no-overlap
and capacity rules. Variable names use entity ids, e.g.
``start[bre-cert-1|ue1|b3]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from ortools.sat.python import cp_model

from rollout.assignment import Assignment
from rollout.index import Index

K = TypeVar("K", int, str)


def _name(index: Index, b: int) -> str:
    block = index.blocks[b]
    return f"{index.cohorts[block.cohort].cohort.id}|{block.course}|b{block.number}"


@dataclass
class Scope:
    """What a model plans: ``cohorts`` (positions), around the ``fixed`` plan of the others."""

    cohorts: list[int]
    fixed: Assignment = field(default_factory=Assignment)

    @classmethod
    def everything(cls, index: Index) -> Scope:
        return cls(list(range(len(index.cohorts))))

    def blocks(self, index: Index) -> list[int]:
        return [b for c in self.cohorts for b in index.cohorts[c].blocks]

    def rows(self, index: Index) -> list[int]:
        return [r for b in self.blocks(index) for r in index.block_rows[b]]

    def fixed_rows(self, index: Index) -> list[tuple[int, int, str]]:
        """(row, day, trainer) of every row of the background plan."""
        out = []
        for b, start in self.fixed.start.items():
            for r in index.block_rows[b]:
                out.append((r, start + index.rows[r].offset, self.fixed.trainer[r]))
        return out


@dataclass
class Variables:
    """The model's variables, keyed by cohort, block and row positions of the index.

    Attributes
    ----------
    present
        Per cohort: scheduled (fixed true unless ``partial``).
    start, start_lit
        Per block: start day number, and one literal per feasible start day.
    room_lit
        Per block: literal per eligible room id.
    trainer_lit
        Per row: literal per eligible trainer id.
    week
        Per row: ISO-week index of the row's date (only where R12 needs it).
    ors
        Derived literals of the objective, each the OR of its literals.
    """

    model: cp_model.CpModel
    scope: Scope
    present: dict[int, cp_model.IntVar] = field(default_factory=dict)
    start: dict[int, cp_model.IntVar] = field(default_factory=dict)
    start_lit: dict[int, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    room_lit: dict[int, dict[str, cp_model.IntVar]] = field(default_factory=dict)
    trainer_lit: dict[int, dict[str, cp_model.IntVar]] = field(default_factory=dict)
    week: dict[int, cp_model.IntVar] = field(default_factory=dict)
    ors: list[tuple[cp_model.IntVar, list[cp_model.IntVar]]] = field(default_factory=list)

    @classmethod
    def create(cls, model: cp_model.CpModel, index: Index, scope: Scope, partial: bool) -> Variables:
        """Create every variable for the cohorts of ``scope`` (those that cannot be scheduled stay absent)."""
        v = cls(model, scope)
        for c in scope.cohorts:
            plan = index.cohorts[c]
            lit = model.new_bool_var(f"present[{plan.cohort.id}]")
            if not plan.possible:
                model.add(lit == 0)
            elif not partial or plan.pinned:
                model.add(lit == 1)
            v.present[c] = lit
        for b in scope.blocks(index):
            block = index.blocks[b]
            name, present = _name(index, b), v.present[block.cohort]
            starts = block.starts or [0]
            v.start[b] = model.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start[{name}]")
            v.start_lit[b] = v._choice(present, block.starts, f"start[{name}]")
            if block.starts:  # start is the chosen day; any feasible day when absent
                model.add(
                    v.start[b]
                    == sum(s * lit for s, lit in v.start_lit[b].items()) + starts[0] * (1 - present)
                )
            v.room_lit[b] = v._choice(present, block.rooms, f"room[{name}]")
            for r in index.block_rows[b]:
                row = index.rows[r]
                v.trainer_lit[r] = v._choice(present, row.trainers, f"trainer[{name}|d{row.offset + 1}]")
        return v

    def _choice(self, present: cp_model.IntVar, keys: list[K], name: str) -> dict[K, cp_model.IntVar]:
        """One literal per option (R6 makes exactly one true iff ``present``)."""
        if len(keys) == 1:
            return {keys[0]: present}
        return {k: self.model.new_bool_var(f"{name}={k}") for k in keys}

    def day_of_row(self, index: Index, r: int) -> cp_model.LinearExprT:
        """Day number of a row: its block's start plus its offset (R2)."""
        return self.start[index.rows[r].block] + index.rows[r].offset

    def week_of_row(self, index: Index, r: int) -> cp_model.IntVar:
        """ISO-week index of a row's date, tied to its block's start literals (R12)."""
        if r not in self.week:
            row = index.rows[r]
            b = row.block
            weeks = {s: index.week_of_day[s + row.offset] for s in index.blocks[b].starts}
            var = self.model.new_int_var_from_domain(
                cp_model.Domain.from_values(sorted(set(weeks.values()))),
                f"week[{_name(index, b)}|d{row.offset + 1}]",
            )
            first = min(weeks)
            present = self.present[index.blocks[b].cohort]
            self.model.add(
                var == sum(w * self.start_lit[b][s] for s, w in weeks.items()) + weeks[first] * (1 - present)
            )
            self.week[r] = var
        return self.week[r]

    def hint(self, plan: Assignment, index: Index) -> None:
        """Warm start: hint every variable from ``plan`` (cohorts it leaves out as absent).

        The hint is complete (derived literals and week numbers too), so
        CP-SAT takes a feasible plan as its first solution at once.
        """
        value: dict[int, tuple[cp_model.IntVar, int]] = {}

        def put(var: cp_model.IntVar, x: int) -> None:
            value.setdefault(var.index, (var, x))

        for c, present in self.present.items():
            put(present, int(c in plan.placed))
        for b, by_start in self.start_lit.items():
            for s, lit in by_start.items():
                put(lit, int(plan.start.get(b) == s))
            for room, lit in self.room_lit[b].items():
                put(lit, int(plan.room.get(b) == room))
            starts = index.blocks[b].starts or [0]
            put(self.start[b], plan.start.get(b, starts[0]))
        for r, by_trainer in self.trainer_lit.items():
            for t, lit in by_trainer.items():
                put(lit, int(plan.trainer.get(r) == t))
        for r, week in self.week.items():
            day = value[self.start[index.rows[r].block].index][1] + index.rows[r].offset
            put(week, index.week_of_day[day])
        for out, inputs in self.ors:
            put(out, max(value[lit.index][1] for lit in inputs))
        for var, x in value.values():
            self.model.add_hint(var, x)

    def extract(
        self, values: cp_model.CpSolver | cp_model.CpSolverSolutionCallback, index: Index
    ) -> Assignment:
        """The plan of the scope's cohorts in a solution (from the solver or a solution callback)."""
        out = Assignment()
        for c, present in self.present.items():
            if not values.boolean_value(present):
                continue
            out.placed.add(c)
            for b in index.cohorts[c].blocks:
                out.start[b] = values.value(self.start[b])
                out.room[b] = next(k for k, lit in self.room_lit[b].items() if values.boolean_value(lit))
                for r in index.block_rows[b]:
                    out.trainer[r] = next(
                        k for k, lit in self.trainer_lit[r].items() if values.boolean_value(lit)
                    )
        return out
