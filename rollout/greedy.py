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

from rollout.assignment import Assignment
from rollout.index import Block, Index

#: Most block placements tried per cohort before it is left out.
MAX_ATTEMPTS = 400
#: Passes of the squeaky wheel: cohorts left out move to the front of the order and all is replanned.
MAX_PASSES = 8


class _State:
    def __init__(self, index: Index, careful: bool = False) -> None:
        self.index = index
        self.careful = careful
        self.room_busy: dict[str, set[int]] = defaultdict(set)
        self.where: dict[str, dict[int, str]] = defaultdict(dict)  # trainer -> day -> site
        self.week_load: dict[tuple[str, int], int] = defaultdict(int)
        self.far = index.far
        self.unavailable = {
            t.id: {index.day(d) for d in index.calendar.unavailable(t.id)} for t in index.instance.trainers
        }
        self.closed = {
            r: {index.day(d) for d in index.calendar.room_closed(r)} | index.room_booked[r]
            for r in index.instance.room_site
        }
        for t, booked in index.booked.items():  # committed plans' rows: R10, R11 and R12 count them
            for day, site in booked:
                self.where[t][day] = site
                if (week := index.week_index(day)) is not None:
                    self.week_load[(t, week)] += 1

    def take(self, plan: Assignment) -> None:
        """Book every room day and trainer day of ``plan``."""
        for b, s in plan.start.items():
            block = self.index.blocks[b]
            self.room_busy[plan.room[b]].update(range(s, s + block.length))
            for r in self.index.block_rows[b]:
                self.book(plan.trainer[r], s + self.index.rows[r].offset, block.site)

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


def greedy_plan(
    index: Index, cohorts: set[int] | None = None, fixed: Assignment | None = None, careful: bool = False
) -> Assignment:
    """Place cohorts one by one; cohorts that cannot be placed are left out.

    Pinned cohorts go first, then by the end of their start window, shorter
    cohorts first. When some cohort does not fit, it moves to the front and
    the whole plan is made again (the "squeaky wheel"), up to ``MAX_PASSES``
    times; the plan placing the most cohorts, then the cheapest, is kept.
    Only ``cohorts`` are planned (all when None), around the rooms and
    trainer days that ``fixed`` already takes.

    ``careful`` makes the warm start of the optimiser rather than the
    baseline: a block's starts are tried cheapest first (school-holiday
    days, and delay for a cohort's first block), and one trainer for the
    whole block is preferred when that costs less than the changes of
    trainer it saves.
    """
    possible = [c for c, p in enumerate(index.cohorts) if p.possible and (cohorts is None or c in cohorts)]
    order = sorted(
        possible,
        key=lambda c: (
            not index.cohorts[c].pinned,
            index.cohorts[c].cohort.start.to,
            len(index.cohorts[c].blocks),
        ),
    )
    best: Assignment | None = None
    for _ in range(MAX_PASSES):
        plan = _one_pass(index, order, fixed, careful)
        if best is None or (-len(plan.placed), _cost(index, plan)) < (-len(best.placed), _cost(index, best)):
            best = plan
        left = [c for c in order if c not in plan.placed]
        if not left:
            break
        pinned = [c for c in order if index.cohorts[c].pinned]
        order = (
            pinned
            + [c for c in left if c not in pinned]
            + [c for c in order if c in plan.placed and c not in pinned]
        )
    return best or Assignment()


def _cost(index: Index, plan: Assignment) -> int:
    return plan.terms(index).weighted(index.instance.weights)


def _one_pass(index: Index, order: list[int], fixed: Assignment | None, careful: bool) -> Assignment:
    state = _State(index, careful)
    if fixed is not None:
        state.take(fixed)
    plan = Assignment()
    for c in order:
        budget = [MAX_ATTEMPTS]
        if _place(index, state, plan, index.cohorts[c].blocks, 0, None, {}, budget):
            plan.placed.add(c)
    return plan


def _place(
    index: Index,
    state: _State,
    plan: Assignment,
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
    starts = block.starts
    if state.careful:
        starts = sorted(starts, key=lambda s: (_date_cost(index, b, s, k == 0), s))
    for s in starts:
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


def _date_cost(index: Index, b: int, s: int, first: bool) -> int:
    """Weighted school-holiday days of a block from ``s``, plus the delay for a cohort's first block."""
    w, block = index.instance.weights, index.blocks[b]
    holidays = index.school_days[block.site]
    cost = w.school_holiday_days * sum(1 for j in range(block.length) if s + j in holidays)
    if first:
        cost += w.delay_days * (s - index.day(index.cohorts[block.cohort].cohort.start.from_))
    return cost


def _day_cost(index: Index, t: str, block: Block) -> float:
    inst = index.instance
    trainer = inst.trainer_by_id[t]
    if trainer.home == block.site:
        return trainer.day_rate
    return trainer.day_rate + inst.settings.cost_per_night + inst.trip_cost(t, block.site) / block.length


def _one_trainer(
    index: Index, state: _State, b: int, s: int, teachers: dict[str, str]
) -> tuple[float, str] | None:
    """The cheapest trainer free on every day of the block, and its cost (a change counts its weight)."""
    block = index.blocks[b]
    rows = [index.rows[r] for r in index.block_rows[b]]
    common = set(rows[0].trainers).intersection(*(row.trainers for row in rows[1:]))
    current = teachers.get(block.course)
    best: tuple[float, str] | None = None
    for t in sorted(common):
        booked = 0
        for row in rows:
            if not state.trainer_ok(t, s + row.offset, block.site):
                break
            state.book(t, s + row.offset, block.site)
            booked += 1
        for row in rows[:booked]:
            state.unbook(t, s + row.offset)
        if booked < len(rows):
            continue
        change = index.instance.weights.trainer_changes if current not in (None, t) else 0
        cost = _day_cost(index, t, block) * len(rows) + change
        if best is None or cost < best[0]:
            best = (cost, t)
    return best


def _split_cost(index: Index, block: Block, booked: list[str], teachers: dict[str, str]) -> float:
    """Cost of a block staffed day by day: day costs plus a change per trainer new to the course."""
    current = teachers.get(block.course)
    new = {t for t in booked if t != current}
    changes = len(new) - (1 if current is None and new else 0)
    return sum(_day_cost(index, t, block) for t in booked) + changes * index.instance.weights.trainer_changes


def _try_block(
    index: Index, state: _State, plan: Assignment, b: int, s: int, teachers: dict[str, str]
) -> list[str] | None:
    block = index.blocks[b]
    room = state.room_for(block, s)
    if room is None:
        return None
    whole = _one_trainer(index, state, b, s, teachers) if state.careful else None
    booked: list[str] = []
    for r in index.block_rows[b]:
        row = index.rows[r]
        day = s + row.offset
        chosen = _cheapest(index, state, row.trainers, day, block, teachers.get(block.course))
        if chosen is None:
            break
        state.book(chosen, day, block.site)
        booked.append(chosen)
    complete = len(booked) == block.length
    if whole is not None and (not complete or whole[0] < _split_cost(index, block, booked, teachers)):
        complete, booked = True, _rebook(state, block, s, booked, whole[1])
    if not complete:
        for j, t in enumerate(booked):
            state.unbook(t, s + j)
        return None
    return _commit(index, state, plan, b, s, room, booked, teachers)


def _rebook(state: _State, block: Block, s: int, booked: list[str], trainer: str) -> list[str]:
    """Replace the days booked so far by ``trainer`` on every day of the block."""
    for j, t in enumerate(booked):
        state.unbook(t, s + j)
    for j in range(block.length):
        state.book(trainer, s + j, block.site)
    return [trainer] * block.length


def _commit(
    index: Index,
    state: _State,
    plan: Assignment,
    b: int,
    s: int,
    room: str,
    booked: list[str],
    teachers: dict[str, str],
) -> list[str]:
    """Record a block whose trainer days are booked: its start, room and trainers."""
    block = index.blocks[b]
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


def _undo_block(index: Index, state: _State, plan: Assignment, b: int, s: int, booked: list[str]) -> None:
    block = index.blocks[b]
    for j, t in enumerate(booked):
        state.unbook(t, s + j)
    room = plan.room.pop(b)
    plan.start.pop(b)
    state.room_busy[room].difference_update(range(s, s + block.length))
    for r in index.block_rows[b]:
        plan.trainer.pop(r, None)
