"""The whole-instance pass: every reference resolves, every id is unique.

Runs after the field validators of :mod:`rollout.instance`; each problem is a
(location, message) pair that :mod:`rollout.io` turns into a line of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rollout.errors import Loc, did_you_mean, format_loc

if TYPE_CHECKING:
    from rollout.instance import Instance


class ReferenceChecker:
    """The whole-instance pass: every reference resolves, every id is unique."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst

    def run(self) -> Iterator[tuple[Loc, str]]:
        yield from self._duplicates()
        yield from self._courses()
        yield from self._sites()
        yield from self._trainers()
        yield from self._travel()
        yield from self._cohorts()
        yield from self._pins()

    @staticmethod
    def _unknown(kind: str, value: str, known: Any) -> str:
        return f"unknown {kind} '{value}'{did_you_mean(value, known)}"

    def _duplicates(self) -> Iterator[tuple[Loc, str]]:
        inst = self.inst
        groups: list[tuple[str, list[tuple[Loc, str]]]] = [
            ("course", [(("courses", i, "id"), c.id) for i, c in enumerate(inst.courses)]),
            ("site", [(("sites", i, "id"), s.id) for i, s in enumerate(inst.sites)]),
            (
                "room",
                [
                    (("sites", i, "rooms", j, "id"), r.id)
                    for i, s in enumerate(inst.sites)
                    for j, r in enumerate(s.rooms)
                ],
            ),
            ("trainer", [(("trainers", i, "id"), t.id) for i, t in enumerate(inst.trainers)]),
            ("cohort", [(("cohorts", c.spec_index, "id"), c.id) for c in inst.cohort_list]),
        ]
        for kind, entries in groups:
            seen: dict[str, Loc] = {}
            for loc, value in entries:
                if value in seen:
                    first = seen[value]
                    yield (
                        loc,
                        f"duplicate {kind} id '{value}' (first at {format_loc(first)}): ids must be unique",
                    )
                else:
                    seen[value] = loc

    def _courses(self) -> Iterator[tuple[Loc, str]]:
        topics = self.inst.topics
        for i, course in enumerate(self.inst.courses):
            for b, block in enumerate(course.blocks):
                for d, topic in enumerate(block):
                    if topic not in topics:
                        yield ("courses", i, "blocks", b, d), self._unknown("topic", topic, topics)

    def _sites(self) -> Iterator[tuple[Loc, str]]:
        from rollout.calendar import subdivision_problem

        country = self.inst.settings.country
        problem = subdivision_problem(country, None)
        if problem:
            yield ("settings", "country"), problem
            return
        for i, site in enumerate(self.inst.sites):
            if site.holidays is not None:
                problem = subdivision_problem(country, site.holidays)
                if problem:
                    yield ("sites", i, "holidays"), problem

    def _trainers(self) -> Iterator[tuple[Loc, str]]:
        inst = self.inst
        for i, t in enumerate(inst.trainers):
            if t.home not in inst.site_by_id:
                yield ("trainers", i, "home"), self._unknown("site", t.home, inst.site_by_id)
            for k, topic in enumerate(t.skills):
                if topic not in inst.topics:
                    yield ("trainers", i, "skills", k), self._unknown("topic", topic, inst.topics)
            for k, sid in enumerate(t.sites or []):
                if sid not in inst.site_by_id:
                    yield ("trainers", i, "sites", k), self._unknown("site", sid, inst.site_by_id)

    def _travel(self) -> Iterator[tuple[Loc, str]]:
        inst = self.inst
        seen: dict[frozenset[str], int] = {}
        for i, t in enumerate(inst.travel):
            for key, sid in (("from", t.from_), ("to", t.to)):
                if sid not in inst.site_by_id:
                    yield ("travel", i, key), self._unknown("site", sid, inst.site_by_id)
            pair = frozenset((t.from_, t.to))
            if t.from_ == t.to:
                yield ("travel", i), f"travel from '{t.from_}' to itself: remove the entry"
            elif pair in seen:
                yield (
                    ("travel", i),
                    (
                        f"second entry for the pair {t.from_}–{t.to} (first at travel[{seen[pair]}]): "
                        "keep one, it holds in both directions"
                    ),
                )
            else:
                seen[pair] = i

    def _cohorts(self) -> Iterator[tuple[Loc, str]]:
        inst = self.inst
        h = inst.horizon
        for i, spec in enumerate(inst.cohorts):
            if spec.site not in inst.site_by_id:
                yield ("cohorts", i, "site"), self._unknown("site", spec.site, inst.site_by_id)
            for k, cid in enumerate(spec.courses):
                if cid not in inst.course_by_id:
                    yield ("cohorts", i, "courses", k), self._unknown("course", cid, inst.course_by_id)
                elif cid in spec.courses[:k]:
                    yield (
                        ("cohorts", i, "courses", k),
                        f"course '{cid}' is listed twice: a cohort takes a course once",
                    )
            if spec.start is not None and (spec.start.from_ < h.start or spec.start.to > h.end):
                yield (
                    ("cohorts", i, "start"),
                    (
                        f"start window {spec.start.from_}..{spec.start.to} is not inside the horizon "
                        f"{h.start}..{h.end}: move the window or widen the horizon"
                    ),
                )
            if spec.end_by is not None:
                first = spec.start.from_ if spec.start else h.start
                if spec.end_by < first:
                    yield (
                        ("cohorts", i, "end_by"),
                        (f"end_by {spec.end_by} is before the first possible start {first}"),
                    )

    def _pins(self) -> Iterator[tuple[Loc, str]]:
        inst = self.inst
        seen: dict[tuple[str, str, int], int] = {}
        for i, pin in enumerate(inst.pinned):
            cohort = inst.cohort_by_id.get(pin.cohort)
            if cohort is None:
                yield ("pinned", i, "cohort"), self._unknown("cohort", pin.cohort, inst.cohort_by_id)
                continue
            if pin.course not in cohort.courses:
                yield (
                    ("pinned", i, "course"),
                    (
                        f"cohort '{pin.cohort}' does not take course '{pin.course}'"
                        f"{did_you_mean(pin.course, cohort.courses)}; it takes {', '.join(cohort.courses)}"
                    ),
                )
            elif pin.course in inst.course_by_id:
                n = len(inst.course_by_id[pin.course].days)
                if pin.day > n:
                    yield (
                        ("pinned", i, "day"),
                        f"course '{pin.course}' has {n} days; day {pin.day} does not exist",
                    )
            if not inst.horizon.start <= pin.date <= inst.horizon.end:
                yield ("pinned", i, "date"), f"date {pin.date} is outside the horizon"
            if pin.room is not None and pin.room not in inst.room_site:
                yield ("pinned", i, "room"), self._unknown("room", pin.room, inst.room_site)
            if pin.trainer is not None and pin.trainer not in inst.trainer_by_id:
                yield ("pinned", i, "trainer"), self._unknown("trainer", pin.trainer, inst.trainer_by_id)
            key = (pin.cohort, pin.course, pin.day)
            if key in seen:
                yield (
                    ("pinned", i),
                    f"day {pin.day} of {pin.course} for {pin.cohort} is pinned twice "
                    f"(first at pinned[{seen[key]}])",
                )
            else:
                seen[key] = i
