"""The hard rules, one ``add_<rule>()`` per family.

Some rules are decided before search, by the domains :class:`rollout.index.Index`
computes (``DOMAIN_RULES`` says where); the others are constraints added here,
in the order of ``HARD_RULES``, the single place that decides what goes in
the model.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable

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
    for c, plan in enumerate(index.cohorts):
        for prev, nxt in zip(plan.blocks, plan.blocks[1:], strict=False):
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
    for b, block in enumerate(index.blocks):
        present = v.present[block.cohort]
        choices = [v.start_lit[b], v.room_lit[b]] + [v.trainer_lit[r] for r in index.block_rows[b]]
        for lits in choices:
            if len(lits) != 1 or next(iter(lits.values())) is not present:
                model.add(sum(lits.values()) == present)


def add_r7_rooms(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R7 Rooms: a room is open on every day of its block and holds one row a date.

    Rooms at the site that hold the cohort are the only options (Index); the
    same room serves a whole block (one choice per block).
    """
    per_room: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    for b, block in enumerate(index.blocks):
        for room, lit in v.room_lit[b].items():
            per_room[room].append(
                model.new_optional_fixed_size_interval_var(
                    v.start[b], block.length, lit, f"room-use[{room}|{b}]"
                )
            )
            closed = {index.day(d) for d in index.calendar.room_closed(room)}
            for s, start_lit in v.start_lit[b].items():
                if any(s + j in closed for j in range(block.length)):
                    model.add_bool_or([start_lit.Not(), lit.Not()])
    for intervals in per_room.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)


def add_r9_availability(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R9 Availability: a trainer teaches no day in their ``unavailable`` dates.

    Allowed sites are decided in Index (only allowed trainers are options).
    """
    for r, row in enumerate(index.rows):
        for t, lit in v.trainer_lit[r].items():
            away = {index.day(d) for d in index.calendar.unavailable(t)}
            for s, start_lit in v.start_lit[row.block].items():
                if s + row.offset in away:
                    model.add_bool_or([start_lit.Not(), lit.Not()])


def _trainer_days(index: Index, v: Variables) -> dict[str, list[tuple[int, cp_model.IntVar]]]:
    """Per trainer: (row, literal) of every row they may teach."""
    out: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for r, lits in enumerate(v.trainer_lit):
        for t, lit in lits.items():
            out[t].append((r, lit))
    return out


def add_r10_one_place_a_day(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R10 One place a day: a trainer has at most one row a date."""
    for t, options in _trainer_days(index, v).items():
        intervals = [
            model.new_optional_fixed_size_interval_var(
                v.start[index.rows[r].block] + index.rows[r].offset, 1, lit, f"teach[{t}|{r}]"
            )
            for r, lit in options
        ]
        if len(intervals) > 1:
            model.add_no_overlap(intervals)


def add_r11_overnight_travel(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R11 Overnight travel: no rows on consecutive days at two sites too far apart.

    For trainers who may teach at both sites of a far pair, a literal
    ``at[t|site|day]`` is implied by every row they would teach there that
    day; on consecutive days a trainer is at most at one site of each far pair.
    """
    far: dict[str, set[str]] = defaultdict(set)
    for pair in index.far_pairs:
        a, b = tuple(pair)
        far[a].add(b)
        far[b].add(a)
    for t, options in _trainer_days(index, v).items():
        sites = {index.blocks[index.rows[r].block].site for r, _ in options}
        relevant = {s for s in sites if far[s] & sites}
        if not relevant:
            continue
        at: dict[tuple[str, int], cp_model.IntVar] = {}
        for r, lit in options:
            row = index.rows[r]
            site = index.blocks[row.block].site
            if site not in relevant:
                continue
            for s, start_lit in v.start_lit[row.block].items():
                key = (site, s + row.offset)
                if key not in at:
                    at[key] = model.new_bool_var(f"at[{t}|{site}|{key[1]}]")
                model.add_bool_or([start_lit.Not(), lit.Not(), at[key]])
        by_day: dict[int, list[tuple[str, cp_model.IntVar]]] = defaultdict(list)
        for (site, day), lit in at.items():
            by_day[day].append((site, lit))
        for day, here in by_day.items():
            if len(here) > 1:
                model.add_at_most_one(lit for _, lit in here)
            for site, lit in here:
                nxt = [other for s2, other in by_day.get(day + 1, []) if s2 in far[site]]
                if nxt:
                    model.add(lit + sum(nxt) <= 1)


def add_r12_workload(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """R12 Workload: at most max_days rows, and max_days_per_week in any ISO week.

    The weekly limit is a cumulative over week numbers: each row the trainer
    teaches is a unit interval at its ISO-week index, capacity max_days_per_week.
    """
    for t, options in _trainer_days(index, v).items():
        trainer = index.instance.trainer_by_id[t]
        if trainer.max_days is not None and len(options) > trainer.max_days:
            model.add(sum(lit for _, lit in options) <= trainer.max_days)
        cap = trainer.max_days_per_week
        if cap is None or cap >= 7:
            continue
        weeks: dict[int, int] = defaultdict(int)
        for r, _ in options:
            for day in index.row_days(r):
                weeks[index.week_of_day[day]] += 1
        if max(weeks.values(), default=0) <= cap:
            continue
        intervals = [
            model.new_optional_fixed_size_interval_var(v.week_of_row(index, r), 1, lit, f"week-load[{t}|{r}]")
            for r, lit in options
        ]
        model.add_cumulative(intervals, [1] * len(intervals), cap)


def add_symmetry_breaking(model: cp_model.CpModel, index: Index, v: Variables) -> None:
    """Identical cohorts (one ``count`` spec, no pins) start in id order; present ones first."""
    for group in index.symmetry_groups:
        for a, b in itertools.pairwise(group):
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
