"""A short, solver-free summary of an instance (``rollout validate``)."""

from __future__ import annotations

from rollout.calendar import Calendar, iso_week
from rollout.instance import Instance


def trainer_capacity(inst: Instance, calendar: Calendar, trainer_id: str) -> int:
    """Most days a trainer could teach: working weekdays not unavailable, capped by R12 limits."""
    trainer = inst.trainer_by_id[trainer_id]
    weekdays = inst.settings.weekday_numbers
    away = calendar.unavailable(trainer_id)
    free = [d for d in calendar.horizon if d.weekday() in weekdays and d not in away]
    if trainer.max_days_per_week is not None:
        per_week: dict[tuple[int, int], int] = {}
        for d in free:
            per_week[iso_week(d)] = per_week.get(iso_week(d), 0) + 1
        days = sum(min(n, trainer.max_days_per_week) for n in per_week.values())
    else:
        days = len(free)
    return days if trainer.max_days is None else min(days, trainer.max_days)


def instance_summary(inst: Instance) -> tuple[list[tuple[str, str]], list[tuple[str, int, int]]]:
    """Headline counts, and per topic (demanded days, trainer-days available).

    Trainer-days per topic add up the capacity of every trainer with the
    skill; a trainer with several skills counts in each, so it is an upper
    bound, not a partition.
    """
    calendar = Calendar(inst)
    cohorts = inst.cohort_list
    demand: dict[str, int] = {topic: 0 for topic in inst.topics}
    for cohort in cohorts:
        for course_id in cohort.courses:
            for topic in inst.course_by_id[course_id].days:
                demand[topic] += 1
    capacity = {t.id: trainer_capacity(inst, calendar, t.id) for t in inst.trainers}
    available = {
        topic: sum(capacity[t.id] for t in inst.trainers if topic in t.skills) for topic in inst.topics
    }
    rows = [
        ("horizon", f"{inst.horizon.start} to {inst.horizon.end}"),
        ("sites", str(len(inst.sites))),
        ("rooms", str(sum(len(s.rooms) for s in inst.sites))),
        ("trainers", str(len(inst.trainers))),
        ("cohorts", f"{len(cohorts)} (from {len(inst.cohorts)} entries)"),
        ("courses", str(len(inst.courses))),
        ("teaching days demanded", str(sum(demand.values()))),
        ("pins", str(len(inst.pinned))),
        ("partial", str(inst.settings.partial).lower()),
    ]
    return rows, [(topic, demand[topic], available[topic]) for topic in inst.topics]
