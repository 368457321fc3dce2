"""The hard rules, one ``add_<rule>()`` per family.

Some rules are decided before search, by the domains :class:`rollout.index.Index`
computes (``DOMAIN_RULES`` says where); the others are constraints added here,
in the order of ``HARD_RULES``, the single place that decides what goes in
the model.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from rollout.cpsat.variables import Variables
from rollout.index import Index
from rollout.rules import Rule

AddRule = Callable[[cp_model.CpModel, Index, Variables], None]


def add_r3_block_gaps(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R3 Block gaps: consecutive blocks of one course lie min_gap_days..max_gap_days apart.

    (first date of the next block) − (last date of the previous) in
    [max(1, min_gap_days), max_gap_days]; the 1 also keeps R13.
    """
    _add_gaps(model, index, v, same_course=True)


def add_r4_course_order(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R4 Course order: courses follow in order, course_gap.min_days..max_days apart."""
    _add_gaps(model, index, v, same_course=False)


def _add_gaps(model: cp_model.CpModel, index: Index, v: Variables, same_course: bool) -> None:
    for c in v.scope.cohorts:
        plan = index.cohorts[c]
        for prev, nxt in itertools.pairwise(plan.blocks):
            pb, nb = index.blocks[prev], index.blocks[nxt]
            if (pb.course == nb.course) != same_course:
                continue
            gap = v.start[nxt] - v.start[prev] - (pb.length - 1)
            model.add(gap >= nb.min_gap).only_enforce_if(v.present[c])
            if nb.max_gap is not None:
                model.add(gap <= nb.max_gap).only_enforce_if(v.present[c])


def add_r6_completeness(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R6 Completeness: a scheduled cohort has one start per block, one room, one trainer a day.

    Every choice is exactly one option when the cohort is present, none when
    absent: a cohort is scheduled entirely or not at all.
    """
    for b in v.start:
        present = v.present[index.blocks[b].cohort]
        choices: list[Mapping[Any, cp_model.IntVar]] = [v.start_lit[b], v.room_lit[b]]
        choices += [v.trainer_lit[r] for r in index.block_rows[b]]
        for lits in choices:
            if len(lits) != 1 or next(iter(lits.values())) is not present:
                model.add_exactly_one([*lits.values(), present.Not()])


def add_r7_rooms(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R7 Rooms: a room is open on every day of its block and holds one row a date.

    Rooms at the site that hold the cohort are the only options (Index); the
    same room serves a whole block (one choice per block). Rooms the fixed
    background plan or a committed plan uses on some days are busy then.
    """
    per_room: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    for b, rooms in v.room_lit.items():
        block = index.blocks[b]
        for room, lit in rooms.items():
            per_room[room].append(
                model.new_optional_fixed_size_interval_var(
                    v.start[b], block.length, lit, f"room-use[{room}|{b}]"
                )
            )
            closed = {index.day(d) for d in index.calendar.room_closed(room)} | index.room_booked[room]
            for s, start_lit in v.start_lit[b].items():
                if any(s + j in closed for j in range(block.length)):
                    model.add_bool_or([start_lit.Not(), lit.Not()])
    fixed = v.scope.fixed
    for b, room in fixed.room.items():
        if room in per_room:
            per_room[room].append(
                model.new_fixed_size_interval_var(fixed.start[b], index.blocks[b].length, "")
            )
    for intervals in per_room.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)


def add_r9_availability(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R9 Availability: a trainer teaches no day in their ``unavailable`` dates.

    Allowed sites are decided in Index (only allowed trainers are options).
    Days a committed plan books them are excluded here too (R10 across plans).
    """
    away = {
        t.id: {index.day(d) for d in index.calendar.unavailable(t.id)} | {d for d, _ in index.booked[t.id]}
        for t in index.instance.trainers
    }
    for r, lits in v.trainer_lit.items():
        row = index.rows[r]
        for t, lit in lits.items():
            for s, start_lit in v.start_lit[row.block].items():
                if s + row.offset in away[t]:
                    model.add_bool_or([start_lit.Not(), lit.Not()])


@dataclass
class _TrainerOptions:
    """What one trainer may teach in the scope, and what the background already gives them."""

    rows: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)  # (row, literal)
    fixed: list[tuple[int, str]] = field(default_factory=list)  # (day, site) of background rows


def _trainer_options(index: Index, v: Variables) -> dict[str, _TrainerOptions]:
    """Per trainer with at least one option in the scope: options, background and committed rows."""
    out: dict[str, _TrainerOptions] = defaultdict(_TrainerOptions)
    for r, lits in v.trainer_lit.items():
        for t, lit in lits.items():
            out[t].rows.append((r, lit))
    for r, day, t in v.scope.fixed_rows(index):
        if t in out:
            out[t].fixed.append((day, index.blocks[index.rows[r].block].site))
    for t, opts in out.items():
        opts.fixed += index.booked.get(t, [])
    return out


def add_r10_one_place_a_day(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R10 One place a day: a trainer has at most one row a date."""
    for t, opts in _trainer_options(index, v).items():
        intervals = [
            model.new_optional_fixed_size_interval_var(v.day_of_row(index, r), 1, lit, f"teach[{t}|{r}]")
            for r, lit in opts.rows
        ]
        intervals += [model.new_fixed_size_interval_var(day, 1, "") for day, _ in opts.fixed]
        if len(intervals) > 1:
            model.add_no_overlap(intervals)


def add_r11_overnight_travel(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R11 Overnight travel: no rows on consecutive days at two sites too far apart.

    For each trainer and site A with far sites F(A) among their options, one
    cumulative of capacity 2 holds each row at A as a two-day interval
    [d, d + 2) of demand 1 and each row at F(A) as a one-day interval of
    demand 2. Two rows at A on consecutive days load 2 (allowed); a row at A
    on d and one at F(A) on d + 1 load 3 (forbidden); R10 keeps every other
    overlap out. The reverse order is the cumulative of the other site.
    """
    for t, opts in _trainer_options(index, v).items():
        at: dict[str, list[tuple[int, cp_model.IntVar | None]]] = defaultdict(list)
        for r, row_lit in opts.rows:
            at[index.blocks[index.rows[r].block].site].append((r, row_lit))
        for day, site in opts.fixed:
            at[site].append((day, None))
        for site, here in at.items():
            far = [x for other in index.far.get(site, ()) for x in at.get(other, ())]
            if not far or all(lit is None for _, lit in here + far):
                continue
            intervals, demands = [], []
            for items, size, demand in ((here, 2, 1), (far, 1, 2)):
                for key, lit in items:
                    if lit is None:
                        intervals.append(model.new_fixed_size_interval_var(key, size, ""))
                    else:
                        intervals.append(
                            model.new_optional_fixed_size_interval_var(
                                v.day_of_row(index, key), size, lit, f"travel[{t}|{site}|{key}]"
                            )
                        )
                    demands.append(demand)
            model.add_cumulative(intervals, demands, 2)


def add_r12_workload(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R12 Workload: at most max_days rows, and max_days_per_week in any ISO week.

    The weekly limit is a cumulative over week numbers: each row the trainer
    teaches is a unit interval at its ISO-week index, capacity
    max_days_per_week; the background's rows load their weeks as fixed
    intervals.
    """
    for t, opts in _trainer_options(index, v).items():
        trainer = index.instance.trainer_by_id[t]
        if trainer.max_days is not None and len(opts.rows) + len(opts.fixed) > trainer.max_days:
            model.add(sum(lit for _, lit in opts.rows) <= trainer.max_days - len(opts.fixed))
        cap = trainer.max_days_per_week
        if cap is None or cap >= 7:
            continue
        weeks: dict[int, int] = defaultdict(int)
        for r, _ in opts.rows:
            for day in index.row_days(r):
                weeks[index.week_of_day[day]] += 1
        used: dict[int, int] = defaultdict(int)
        for day, _ in opts.fixed:
            if (w := index.week_index(day)) is not None:  # committed rows may lie outside the horizon
                used[w] += 1
        if all(n + used[w] <= cap for w, n in weeks.items()):
            continue
        intervals = [
            model.new_optional_fixed_size_interval_var(v.week_of_row(index, r), 1, lit, f"week-load[{t}|{r}]")
            for r, lit in opts.rows
        ]
        demands = [1] * len(intervals)
        for w, n in used.items():
            intervals.append(model.new_fixed_size_interval_var(w, 1, ""))
            demands.append(n)
        model.add_cumulative(intervals, demands, cap)


def add_symmetry_breaking(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """Identical cohorts (one ``count`` spec, no pins) start in id order; present ones first.

    Only cohorts of the scope are ordered among themselves: swapping two of
    them gives an equivalent plan whatever the background.
    """
    for group in index.symmetry_groups:
        members = [c for c in group if c in v.present]
        for a, b in itertools.pairwise(members):
            first_a, first_b = index.cohorts[a].blocks[0], index.cohorts[b].blocks[0]
            model.add_implication(v.present[b], v.present[a])
            model.add(v.start[first_a] <= v.start[first_b]).only_enforce_if(v.present[b])


#: Rules decided before search by the domains of :class:`rollout.index.Index`.
DOMAIN_RULES: dict[Rule, str] = {
    Rule.R1: "a block's start days are those where every day of the block is a working day at its site",
    Rule.R2: "a row's date is its block's start plus its offset; topics come from the course",
    Rule.R5: "the first block starts within start; every block ends on or before end_by",
    Rule.R8: "only trainers with the row's topic in their skills are options",
    Rule.R13: "blocks of a cohort follow each other at least one day apart (R3/R4 minimum gap ≥ 1)",
    Rule.R14: "a pin fixes its block's start, room and trainer, and its cohort is scheduled",
}

#: The constraint families, in the order they are added.
HARD_RULES: tuple[tuple[Rule, AddRule], ...] = (
    (Rule.R3, add_r3_block_gaps),
    (Rule.R4, add_r4_course_order),
    (Rule.R6, add_r6_completeness),
    (Rule.R7, add_r7_rooms),
    (Rule.R9, add_r9_availability),
    (Rule.R10, add_r10_one_place_a_day),
    (Rule.R11, add_r11_overnight_travel),
    (Rule.R12, add_r12_workload),
)
