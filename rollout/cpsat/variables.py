"""Every decision variable of the model, created in one place and named by ids.

A block's start is chosen among its feasible start days (``start_lit``, one
literal a day, and the integer ``start``); its room among the rooms that
hold the cohort (``room_lit``); each of its days' trainer among the eligible
ones (``trainer_lit``). Optional intervals on those starts carry the
no-overlap and capacity rules. Variable names use entity ids, e.g.
``start[bre-cert-1|ue1|b3]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from ortools.sat.python import cp_model

from rollout.greedy import GreedyPlan
from rollout.index import Index
from rollout.solution import Row

K = TypeVar("K", int, str)


def _name(index: Index, b: int) -> str:
    block = index.blocks[b]
    return f"{index.cohorts[block.cohort].cohort.id}|{block.course}|b{block.number}"


@dataclass
class Variables:
    """The model's variables.

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
    """

    model: cp_model.CpModel
    present: list[cp_model.IntVar] = field(default_factory=list)
    start: list[cp_model.IntVar] = field(default_factory=list)
    start_lit: list[dict[int, cp_model.IntVar]] = field(default_factory=list)
    room_lit: list[dict[str, cp_model.IntVar]] = field(default_factory=list)
    trainer_lit: list[dict[str, cp_model.IntVar]] = field(default_factory=list)
    week: dict[int, cp_model.IntVar] = field(default_factory=dict)

    @classmethod
    def create(cls, model: cp_model.CpModel, index: Index, partial: bool) -> Variables:
        """Create every variable for a model of ``index`` (cohorts that cannot be scheduled stay absent)."""
        v = cls(model)
        for plan in index.cohorts:
            lit = model.new_bool_var(f"present[{plan.cohort.id}]")
            if not plan.possible:
                model.add(lit == 0)
            elif not partial or plan.pinned:
                model.add(lit == 1)
            v.present.append(lit)
        for b, block in enumerate(index.blocks):
            name, present = _name(index, b), v.present[block.cohort]
            starts = block.starts or [0]
            v.start.append(
                model.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start[{name}]")
            )
            v.start_lit.append(v._choice(present, block.starts, f"start[{name}]"))
            if block.starts:  # start is the chosen day; any feasible day when absent
                model.add(
                    v.start[b]
                    == sum(s * lit for s, lit in v.start_lit[b].items()) + starts[0] * (1 - present)
                )
            v.room_lit.append(v._choice(present, block.rooms, f"room[{name}]"))
            for r in index.block_rows[b]:
                row = index.rows[r]
                v.trainer_lit.append(v._choice(present, row.trainers, f"trainer[{name}|d{row.offset + 1}]"))
        return v

    def _choice(self, present: cp_model.IntVar, keys: list[K], name: str) -> dict[K, cp_model.IntVar]:
        """One literal per option (R6 makes exactly one true iff ``present``)."""
        if len(keys) == 1:
            return {keys[0]: present}
        return {k: self.model.new_bool_var(f"{name}={k}") for k in keys}

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

    def hint(self, plan: GreedyPlan, index: Index) -> None:
        """Warm start: hint every choice of a greedy plan (cohorts it left out as absent)."""
        model = self.model
        for c, present in enumerate(self.present):
            model.add_hint(present, c in plan.placed)
        for b in range(len(index.blocks)):
            for s, lit in self.start_lit[b].items():
                if lit is not self.present[index.blocks[b].cohort]:
                    model.add_hint(lit, plan.start.get(b) == s)
            for room, lit in self.room_lit[b].items():
                if lit is not self.present[index.blocks[b].cohort]:
                    model.add_hint(lit, plan.room.get(b) == room)
            if b in plan.start:
                model.add_hint(self.start[b], plan.start[b])
        for r, lits in enumerate(self.trainer_lit):
            for t, lit in lits.items():
                if lit is not self.present[index.blocks[index.rows[r].block].cohort]:
                    model.add_hint(lit, plan.trainer.get(r) == t)

    def extract(self, solver: cp_model.CpSolver, index: Index) -> list[Row]:
        """The plan's rows from a solver solution."""
        rows: list[Row] = []
        for b, block in enumerate(index.blocks):
            cohort = index.cohorts[block.cohort].cohort
            if not solver.boolean_value(self.present[block.cohort]):
                continue
            start = solver.value(self.start[b])
            room = next(k for k, lit in self.room_lit[b].items() if solver.boolean_value(lit))
            for r in index.block_rows[b]:
                row = index.rows[r]
                trainer = next(k for k, lit in self.trainer_lit[r].items() if solver.boolean_value(lit))
                rows.append(
                    Row(
                        index.date(start + row.offset),
                        block.site,
                        room,
                        cohort.id,
                        block.course,
                        block.number,
                        block.first_day + row.offset,
                        row.topic,
                        trainer,
                    )
                )
        return rows
