"""A plan in the index's integers: a start, a room and trainers for every block placed.

Every planner in ``rollout`` produces an :class:`Assignment` (the greedy
baseline, the CP-SAT model, the decomposition), and this module turns it into
the contract's rows and terms. The terms are computed here from the index,
independently of any solver, so a plan's ``solution.json`` is consistent
with its rows whichever planner made it (``rollout check`` recomputes them
once more, with code of its own).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rollout.index import Index
from rollout.solution import Row, Terms


@dataclass
class Assignment:
    """Chosen start, room and trainers of the blocks of the cohorts placed.

    Attributes
    ----------
    start, room
        Per block position: start day number and room id.
    trainer
        Per row position: trainer id.
    placed
        Positions of the cohorts scheduled (every block of each is assigned).
    """

    start: dict[int, int] = field(default_factory=dict)
    room: dict[int, str] = field(default_factory=dict)
    trainer: dict[int, str] = field(default_factory=dict)
    placed: set[int] = field(default_factory=set)

    def update(self, other: Assignment) -> None:
        """Take every choice of ``other`` (its cohorts replace these cohorts' choices)."""
        self.start.update(other.start)
        self.room.update(other.room)
        self.trainer.update(other.trainer)
        self.placed |= other.placed

    def drop(self, index: Index, cohorts: set[int]) -> None:
        """Forget every choice of ``cohorts``."""
        for c in cohorts:
            for b in index.cohorts[c].blocks:
                self.start.pop(b, None)
                self.room.pop(b, None)
                for r in index.block_rows[b]:
                    self.trainer.pop(r, None)
        self.placed -= cohorts

    def rows(self, index: Index) -> list[Row]:
        """The plan's rows, in the contract's order."""
        out: list[Row] = []
        for c in sorted(self.placed):
            cohort = index.cohorts[c].cohort
            for b in index.cohorts[c].blocks:
                block, start = index.blocks[b], self.start[b]
                for r in index.block_rows[b]:
                    row = index.rows[r]
                    out.append(
                        Row(
                            index.date(start + row.offset),
                            block.site,
                            self.room[b],
                            cohort.id,
                            block.course,
                            block.number,
                            block.first_day + row.offset,
                            row.topic,
                            self.trainer[r],
                        )
                    )
        return sorted(out, key=Row.sort_key)

    def terms(self, index: Index, cohorts: Iterable[int] | None = None) -> Terms:
        """O1–O5 of this plan, or of the share of ``cohorts`` in it."""
        inst = index.instance
        night = inst.settings.cost_per_night
        cost = changes = school = delay = 0
        chosen = set(range(len(index.cohorts)) if cohorts is None else cohorts)
        for c in self.placed & chosen:
            plan = index.cohorts[c]
            per_course: dict[str, set[str]] = defaultdict(set)
            for b in plan.blocks:
                block, start = index.blocks[b], self.start[b]
                away: dict[str, int] = defaultdict(int)
                for r in index.block_rows[b]:
                    t = self.trainer[r]
                    cost += inst.trainer_by_id[t].day_rate
                    per_course[block.course].add(t)
                    if inst.trainer_by_id[t].home != block.site:
                        away[t] += 1
                    if start + index.rows[r].offset in index.school_days[block.site]:
                        school += 1
                cost += sum(inst.trip_cost(t, block.site) + night * n for t, n in away.items())
            changes += sum(len(ts) - 1 for ts in per_course.values())
            delay += self.start[plan.blocks[0]] - index.day(plan.cohort.start.from_)
        unscheduled = len(chosen - self.placed)
        return Terms(unscheduled, cost, changes, school, delay)


def assignment_from_rows(index: Index, rows: list[Row]) -> tuple[Assignment, list[str]]:
    """Read an earlier plan's rows back into an assignment of this index (for ``--hint``).

    Rows that do not fit the index (unknown cohort, course or day; a date
    where the block cannot start) are skipped and described; a cohort is
    ``placed`` only when every one of its blocks and rows was read.
    """
    by_id = {plan.cohort.id: c for c, plan in enumerate(index.cohorts)}
    out, skipped = Assignment(), []
    for row in rows:
        c = by_id.get(row.cohort)
        block = None
        if c is not None:
            block = next(
                (
                    b
                    for b in index.cohorts[c].blocks
                    if index.blocks[b].course == row.course and index.blocks[b].number == row.block
                ),
                None,
            )
        offset = row.day - index.blocks[block].first_day if block is not None else -1
        if block is None or not 0 <= offset < index.blocks[block].length:
            skipped.append(f"{row.cohort} {row.course} day {row.day}: not in this instance")
            continue
        start = index.day(row.date) - offset
        if start not in index.blocks[block].starts:
            skipped.append(f"{row.cohort} {row.course} day {row.day}: {row.date} is no longer possible")
            continue
        out.start[block], out.room[block] = start, row.room
        out.trainer[index.block_rows[block][offset]] = row.trainer
    for c, plan in enumerate(index.cohorts):
        if plan.blocks and all(
            b in out.start and all(r in out.trainer for r in index.block_rows[b]) for b in plan.blocks
        ):
            out.placed.add(c)
    return out, skipped
