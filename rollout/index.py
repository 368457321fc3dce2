"""The solver-free integer view of an instance.

Dates become day numbers (0 is the horizon's first date), ids become
positions, and everything the calendar and the rules decide before any
search is settled here: the start days where a whole block fits (R1, R5,
R3/R4 bounds), the rooms that can hold a cohort (R7), the trainers who may
teach a day (R8, R9, R12), the site pairs too far apart for consecutive
days (R11), and the pins (R14). A cohort that cannot be scheduled at all
gets its reasons here, in the planner's words.

Nothing in this module imports a solver.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from rollout.calendar import Calendar, iso_week
from rollout.instance import Cohort, Instance
from rollout.solution import Row

log = logging.getLogger("rollout")


@dataclass
class Block:
    """One block of one course of one cohort.

    Attributes
    ----------
    cohort
        Position of the cohort in :attr:`Index.cohorts`.
    course_pos
        Position of the course in the cohort's course list.
    number
        1-based block number within the course.
    first_day
        1-based course day number of the block's first day.
    starts
        Feasible start day numbers (sorted): every day of the block is a
        working day at the site and inside the window bounds.
    rooms
        Ids of the rooms of the site that hold the cohort.
    """

    cohort: int
    course: str
    course_pos: int
    number: int
    first_day: int
    topics: tuple[str, ...]
    site: str
    starts: list[int]
    rooms: list[str]
    min_gap: int = 0  # from the previous block of the cohort (R3/R4, at least 1 for R13)
    max_gap: int | None = None

    @property
    def length(self) -> int:
        return len(self.topics)


@dataclass
class DayRow:
    """One teaching day to staff: block position, offset in the block, eligible trainers."""

    block: int
    offset: int
    topic: str
    trainers: list[str]


@dataclass
class CohortPlan:
    """A cohort's blocks in teaching order, and why it cannot be scheduled (if so)."""

    cohort: Cohort
    blocks: list[int]
    reasons: list[str] = field(default_factory=list)
    pinned: bool = False

    @property
    def possible(self) -> bool:
        return not self.reasons


class Index:
    """Integer view of an instance, with domains tightened by the calendar.

    Parameters
    ----------
    instance
        A validated instance.
    calendar
        Its calendar (built when not given).
    committed
        Rows of committed plans (earlier waves): fixed bookings of this
        instance's trainers and rooms. ``booked`` (trainer -> (day, site))
        and ``room_booked`` (room -> days) hold them; their days may lie
        outside the horizon.
    """

    def __init__(
        self, instance: Instance, calendar: Calendar | None = None, committed: Sequence[Row] = ()
    ) -> None:
        self.instance = instance
        self.calendar = calendar or Calendar(instance)
        self.origin: date = instance.horizon.start
        self.n_days = len(self.calendar.horizon)
        self.booked: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.room_booked: dict[str, set[int]] = defaultdict(set)
        for r in committed:
            if r.trainer in instance.trainer_by_id:
                self.booked[r.trainer].append((self.day(r.date), r.site))
            if r.room in instance.room_site:
                self.room_booked[r.room].add(self.day(r.date))
        self.blocks: list[Block] = []
        self.rows: list[DayRow] = []
        self.block_rows: list[list[int]] = []
        self.cohorts: list[CohortPlan] = []
        self._build()

    # ----- conversions ----------------------------------------------------------

    def day(self, d: date) -> int:
        """Day number of a date."""
        return (d - self.origin).days

    def date(self, day: int) -> date:
        """Date of a day number."""
        return self.origin + timedelta(days=day)

    @cached_property
    def week_of_day(self) -> list[int]:
        """Consecutive ISO-week index (0 = the horizon's first week) of every day number."""
        weeks: dict[tuple[int, int], int] = {}
        out = []
        for d in range(self.n_days):
            out.append(weeks.setdefault(iso_week(self.date(d)), len(weeks)))
        return out

    def week_index(self, day: int) -> int | None:
        """ISO-week index of any day number (a committed row's too); None outside the horizon's weeks."""
        if 0 <= day < self.n_days:
            return self.week_of_day[day]
        for edge in (0, self.n_days - 1):
            if iso_week(self.date(day)) == iso_week(self.date(edge)):
                return self.week_of_day[edge]
        return None

    # ----- construction ---------------------------------------------------------

    def _build(self) -> None:
        inst = self.instance
        for pos, cohort in enumerate(inst.cohort_list):
            plan = CohortPlan(cohort, [])
            for course_pos, course_id in enumerate(cohort.courses):
                course = inst.course_by_id[course_id]
                first_day = 1
                for number, topics in enumerate(course.blocks, start=1):
                    if number == 1 and course_pos == 0:
                        gap_min, gap_max = 0, None
                    elif number == 1:
                        cg = inst.settings.course_gap
                        gap_min, gap_max = max(1, cg.min_days), cg.max_days
                    else:
                        gap_min, gap_max = max(1, course.min_gap_days), course.max_gap_days
                    block = Block(
                        pos,
                        course_id,
                        course_pos,
                        number,
                        first_day,
                        tuple(topics),
                        cohort.site,
                        [],
                        [],
                        gap_min,
                        gap_max,
                    )
                    plan.blocks.append(len(self.blocks))
                    self.blocks.append(block)
                    first_day += len(topics)
            self.cohorts.append(plan)
        for b, block in enumerate(self.blocks):
            self.block_rows.append([])
            for j, topic in enumerate(block.topics):
                self.block_rows[b].append(len(self.rows))
                self.rows.append(DayRow(b, j, topic, []))
        for plan in self.cohorts:
            self._domains(plan)

    def _domains(self, plan: CohortPlan) -> None:
        """Tighten one cohort's start days, rooms and trainers; record reasons."""
        cohort = plan.cohort
        working = {self.day(d) for d in self.calendar.working_days(cohort.site)}
        lo, hi = self.day(cohort.start.from_), self.day(cohort.start.to)
        last = self.day(cohort.end_by) if cohort.end_by else self.n_days - 1
        last = min(last, self.n_days - 1)
        for k, b in enumerate(plan.blocks):
            block = self.blocks[b]
            block.rooms = self._rooms(block, plan)
            for r in self.block_rows[b]:
                self.rows[r].trainers = self._trainers(self.rows[r], block)
            first = lo if k == 0 else lo + 1
            top = hi if k == 0 else last
            block.starts = [
                s
                for s in range(first, min(top, last - block.length + 1) + 1)
                if all(s + j in working for j in range(block.length)) and self._staffable(b, s)
            ]
        self._apply_pins(plan)
        self._propagate(plan)
        self._explain(plan)

    def _rooms(self, block: Block, plan: CohortPlan) -> list[str]:
        site = self.instance.site_by_id[block.site]
        return [r.id for r in site.rooms if r.capacity >= plan.cohort.learners]

    def _trainers(self, row: DayRow, block: Block) -> list[str]:
        return [
            t.id
            for t in self.instance.trainers
            if row.topic in t.skills
            and (t.sites is None or block.site in t.sites)
            and t.max_days != 0
            and t.max_days_per_week != 0
        ]

    def _staffable(self, b: int, s: int) -> bool:
        """Some eligible room is open, and every day has an available trainer, from start ``s``."""
        block = self.blocks[b]
        days = [self.date(s + j) for j in range(block.length)]
        if not any(not any(d in self.calendar.room_closed(r) for d in days) for r in block.rooms):
            return False
        return all(
            any(days[j] not in self.calendar.unavailable(t) for t in self.rows[r].trainers)
            for j, r in enumerate(self.block_rows[b])
        )

    def _apply_pins(self, plan: CohortPlan) -> None:
        """R14: a pin fixes its block's start, and its room and trainer when given."""
        inst = self.instance
        for i, pin in enumerate(inst.pinned):
            if pin.cohort != plan.cohort.id:
                continue
            plan.pinned = True
            b = next(
                x
                for x in plan.blocks
                if self.blocks[x].course == pin.course
                and self.blocks[x].first_day <= pin.day < self.blocks[x].first_day + self.blocks[x].length
            )
            block = self.blocks[b]
            j = pin.day - block.first_day
            start = self.day(pin.date) - j
            where = f"pinned[{i}] ({pin.cohort} {pin.course} day {pin.day} on {pin.date})"
            if start not in block.starts:
                plan.reasons.append(
                    f"{where} cannot hold: block {block.number} cannot run from {self.date(start)} "
                    "(R1 working days, R5 window or R9 trainer availability)"
                )
            block.starts = [start]
            if pin.room is not None:
                if pin.room not in block.rooms:
                    plan.reasons.append(
                        f"{where}: room {pin.room} is not at {block.site} or holds fewer "
                        f"than {plan.cohort.learners} learners (R7)"
                    )
                block.rooms = [pin.room]
            if pin.trainer is not None:
                row = self.rows[self.block_rows[b][j]]
                if pin.trainer not in row.trainers:
                    plan.reasons.append(
                        f"{where}: trainer {pin.trainer} lacks skill {row.topic} or may "
                        f"not teach at {block.site} (R8/R9)"
                    )
                row.trainers = [pin.trainer]

    def _propagate(self, plan: CohortPlan) -> None:
        """Shrink start days along the cohort's chain of gaps (R3, R4, R13) to a fixpoint."""
        blocks = [self.blocks[b] for b in plan.blocks]
        changed = True
        while changed and all(bl.starts for bl in blocks):
            changed = False
            for prev, nxt in itertools.pairwise(blocks):
                end_lo, end_hi = prev.starts[0] + prev.length - 1, prev.starts[-1] + prev.length - 1
                lo = end_lo + nxt.min_gap
                hi = end_hi + nxt.max_gap if nxt.max_gap is not None else None
                kept = [s for s in nxt.starts if s >= lo and (hi is None or s <= hi)]
                lo_b = nxt.starts[0] - (nxt.max_gap if nxt.max_gap is not None else 10**9) - prev.length + 1
                hi_b = nxt.starts[-1] - nxt.min_gap - prev.length + 1 if kept else -1
                kept_prev = [s for s in prev.starts if lo_b <= s <= hi_b]
                if kept != nxt.starts or kept_prev != prev.starts:
                    nxt.starts, prev.starts, changed = kept, kept_prev, True

    def _explain(self, plan: CohortPlan) -> None:
        cohort = plan.cohort
        for b in plan.blocks:
            block = self.blocks[b]
            what = f"{block.course} block {block.number}"
            if not block.rooms:
                cap = max(r.capacity for r in self.instance.site_by_id[block.site].rooms)
                plan.reasons.append(
                    f"no room at {block.site} holds {cohort.learners} learners (largest: {cap}) (R7)"
                )
            for r in self.block_rows[b]:
                if not self.rows[r].trainers:
                    plan.reasons.append(
                        f"no trainer with skill {self.rows[r].topic} may teach at {block.site} (R8, R9, R12)"
                    )
            if not block.starts and not plan.reasons:
                plan.reasons.append(
                    f"{what} finds no dates: between {cohort.start.from_} and "
                    f"{cohort.end_by or self.instance.horizon.end} there is no run of working days "
                    "that respects the window, the block gaps and staff availability (R1, R3, R4, R5)"
                )
        plan.reasons = list(dict.fromkeys(plan.reasons))

    # ----- derived facts --------------------------------------------------------

    def row_days(self, r: int) -> list[int]:
        """Possible day numbers of a row."""
        row = self.rows[r]
        return [s + row.offset for s in self.blocks[row.block].starts]

    @cached_property
    def far_pairs(self) -> frozenset[frozenset[str]]:
        """Site pairs whose travel exceeds ``max_overnight_travel_hours`` (R11)."""
        inst = self.instance
        limit = inst.settings.max_overnight_travel_hours
        ids = [s.id for s in inst.sites]
        return frozenset(
            frozenset((a, b))
            for i, a in enumerate(ids)
            for b in ids[i + 1 :]
            if inst.travel_hours(a, b) > limit
        )

    @cached_property
    def far(self) -> dict[str, frozenset[str]]:
        """Per site: the sites too far for a trainer to teach at the next day (R11)."""
        out: dict[str, set[str]] = {s.id: set() for s in self.instance.sites}
        for pair in self.far_pairs:
            a, b = tuple(pair)
            out[a].add(b)
            out[b].add(a)
        return {site: frozenset(others) for site, others in out.items()}

    @cached_property
    def school_days(self) -> dict[str, frozenset[int]]:
        """School-holiday day numbers of every site (O4)."""
        return {
            s.id: frozenset(
                self.day(d) for d in self.calendar.school_holidays(s.id) if 0 <= self.day(d) < self.n_days
            )
            for s in self.instance.sites
        }

    @cached_property
    def symmetry_groups(self) -> list[list[int]]:
        """Interchangeable cohorts: expanded from one ``count`` spec, none pinned."""
        groups: dict[int, list[int]] = {}
        for pos, plan in enumerate(self.cohorts):
            if self.instance.cohorts[plan.cohort.spec_index].count and not plan.pinned:
                groups.setdefault(plan.cohort.spec_index, []).append(pos)
        return [g for g in groups.values() if len(g) > 1]

    def demand(self) -> dict[str, int]:
        """Teaching days demanded per topic."""
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.topic] = out.get(row.topic, 0) + 1
        return out
