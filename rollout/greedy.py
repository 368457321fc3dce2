"""A greedy planner: what a planner does by hand, and the CP-SAT model's warm start.

Cohorts in order of their start windows; each block at the earliest start
that its gaps allow, in the first free room that holds the cohort, each day
with the cheapest free qualified trainer (the one already teaching the
cohort's course first). A cohort that does not fit is retried from later
starts, with a bounded number of attempts, then left out. Every rule the
plan must keep is checked as it is built, so a complete greedy plan is a
valid plan. Solver-free.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rollout.index import Block, Index

#: Most block placements tried per cohort before it is left out.
MAX_ATTEMPTS = 400


@dataclass
class GreedyPlan:
    """Chosen start, room and trainers per block of the cohorts placed."""

    start: dict[int, int] = field(default_factory=dict)
    room: dict[int, str] = field(default_factory=dict)
    trainer: dict[int, str] = field(default_factory=dict)  # per row
    placed: set[int] = field(default_factory=set)  # cohorts


class _State:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.room_busy: dict[str, set[int]] = defaultdict(set)
        self.where: dict[str, dict[int, str]] = defaultdict(dict)  # trainer -> day -> site
        self.week_load: dict[tuple[str, int], int] = defaultdict(int)
        far: dict[str, set[str]] = defaultdict(set)
        for pair in index.far_pairs:
            a, b = tuple(pair)
            far[a].add(b)
            far[b].add(a)
        self.far = far
        self.unavailable = {
            t.id: {index.day(d) for d in index.calendar.unavailable(t.id)} for t in index.instance.trainers
        }
        self.closed = {
            r: {index.day(d) for d in index.calendar.room_closed(r)} for r in index.instance.room_site
        }

    def room_for(self, block: Block, s: int) -> str | None:
        days = range(s, s + block.length)
        for room in block.rooms:
            if not any(d in self.room_busy[room] or d in self.closed[room] for d in days):
                return room
        return None

    def trainer_ok(self, t: str, day: int, site: str) -> bool:
        trainer = self.index.instance.trainer_by_id[t]
        where = self.where[t]
        if day in where or day in self.unavailable[t]:
            return False
        if trainer.max_days is not None and len(where) >= trainer.max_days:
            return False
        week = self.index.week_of_day[day]
        if trainer.max_days_per_week is not None and self.week_load[(t, week)] >= trainer.max_days_per_week:
            return False
        return all(where.get(n) in (None, site) or where[n] not in self.far[site] for n in (day - 1, day + 1))

    def book(self, t: str, day: int, site: str) -> None:
        self.where[t][day] = site
        self.week_load[(t, self.index.week_of_day[day])] += 1

    def unbook(self, t: str, day: int) -> None:
        del self.where[t][day]
        self.week_load[(t, self.index.week_of_day[day])] -= 1


def greedy_plan(index: Index) -> GreedyPlan:
    """Place cohorts one by one; cohorts that cannot be placed are left out."""
    state = _State(index)
    plan = GreedyPlan()
    order = sorted(
        (c for c, p in enumerate(index.cohorts) if p.possible),
        key=lambda c: (
            not index.cohorts[c].pinned,
            index.cohorts[c].cohort.start.to,
            -len(index.cohorts[c].blocks),
        ),
    )
    for c in order:
        budget = [MAX_ATTEMPTS]
        if _place(index, state, plan, index.cohorts[c].blocks, 0, None, {}, budget):
            plan.placed.add(c)
    return plan


def _place(
    index: Index,
    state: _State,
    plan: GreedyPlan,
    blocks: list[int],
    k: int,
    prev_end: int | None,
    teachers: dict[str, str],
    budget: list[int],
) -> bool:
    if k == len(blocks):
        return True
    b = blocks[k]
    block = index.blocks[b]
    for s in block.starts:
        if prev_end is not None and (
            s - prev_end < block.min_gap or (block.max_gap is not None and s - prev_end > block.max_gap)
        ):
            continue
        if budget[0] <= 0:
            return False
        budget[0] -= 1
        booked = _try_block(index, state, plan, b, s, teachers)
        if booked is None:
            continue
        if _place(index, state, plan, blocks, k + 1, s + block.length - 1, teachers, budget):
            return True
        _undo_block(index, state, plan, b, s, booked)
    return False


def _try_block(
    index: Index, state: _State, plan: GreedyPlan, b: int, s: int, teachers: dict[str, str]
) -> list[str] | None:
    block = index.blocks[b]
    room = state.room_for(block, s)
    if room is None:
        return None
    booked: list[str] = []
    for r in index.block_rows[b]:
        row = index.rows[r]
        day = s + row.offset
        chosen = _cheapest(index, state, row.trainers, day, block, teachers.get(block.course))
        if chosen is None:
            for j, t in enumerate(booked):
                state.unbook(t, s + j)
            return None
        state.book(chosen, day, block.site)
        booked.append(chosen)
    for r, t in zip(index.block_rows[b], booked, strict=True):
        plan.trainer[r] = t
    teachers.setdefault(block.course, booked[0])
    plan.start[b], plan.room[b] = s, room
    state.room_busy[room].update(range(s, s + block.length))
    return booked


def _cheapest(
    index: Index, state: _State, trainers: list[str], day: int, block: Block, preferred: str | None
) -> str | None:
    inst = index.instance
    best: tuple[float, str] | None = None
    for t in trainers:
        if not state.trainer_ok(t, day, block.site):
            continue
        trainer = inst.trainer_by_id[t]
        away = trainer.home != block.site
        cost = trainer.day_rate + (
            inst.settings.cost_per_night + inst.trip_cost(t, block.site) / block.length if away else 0
        )
        if t == preferred:
            cost -= inst.weights.trainer_changes + 10**6
        if best is None or cost < best[0]:
            best = (cost, t)
    return best[1] if best else None


def _undo_block(index: Index, state: _State, plan: GreedyPlan, b: int, s: int, booked: list[str]) -> None:
    block = index.blocks[b]
    for j, t in enumerate(booked):
        state.unbook(t, s + j)
    room = plan.room.pop(b)
    plan.start.pop(b)
    state.room_busy[room].difference_update(range(s, s + block.length))
    for r in index.block_rows[b]:
        plan.trainer.pop(r, None)
