"""A plan as one pandas DataFrame with everything a coordinator reads: the base of every export.

Exports read only a solution folder and its instance: :func:`plan_frame`
joins the contract's rows with the instance's names, cities, regions,
hours, times and time zones, once, so every export shows the same facts.

Times are indicative (the contract plans days, not hours): a teaching day
starts at :data:`DAY_START`, and days longer than four hours have a
one-hour lunch break, so a 7-hour day runs 09:00–17:00. Each site's time
zone comes from its coordinates (``timezonefinder``): overseas sites are
not in Europe/Paris.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache

import pandas as pd
from timezonefinder import TimezoneFinder

from rollout.calendar import iso_week
from rollout.instance import Instance
from rollout.solution import TIMETABLE_COLUMNS, Result

#: When a teaching day starts, local time at the site.
DAY_START = time(9, 0)
#: Lunch break added to days longer than this many hours.
LUNCH_AFTER_HOURS = 4.0

#: Columns of :func:`plan_frame`, after the contract's own.
FRAME_COLUMNS = (
    *TIMETABLE_COLUMNS,
    "weekday",
    "iso_week",
    "site_name",
    "city",
    "region",
    "timezone",
    "course_name",
    "topic_label",
    "trainer_name",
    "trainer_home",
    "learners",
    "hours",
    "start_time",
    "end_time",
)


@cache
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def site_timezone(lat: float, lon: float) -> str:
    """IANA time zone at a site's coordinates (UTC where the map has none, e.g. at sea)."""
    return _finder().timezone_at(lat=lat, lng=lon) or "UTC"


def day_times(hours: float) -> tuple[time, time]:
    """Indicative start and end of a teaching day of ``hours`` hours."""
    start = datetime.combine(datetime.min, DAY_START)
    lunch = timedelta(hours=1) if hours > LUNCH_AFTER_HOURS else timedelta(0)
    return DAY_START, (start + timedelta(hours=hours) + lunch).time()


def plan_frame(inst: Instance, result: Result) -> pd.DataFrame:
    """One row per teaching day, in the contract's order, with every readable column of FRAME_COLUMNS."""
    cohorts = {c.id: c for c in inst.cohort_list}
    zones = {s.id: site_timezone(s.lat, s.lon) for s in inst.sites}
    records = []
    for row in sorted(result.rows, key=lambda r: r.sort_key()):
        site = inst.site_by_id[row.site]
        course = inst.course_by_id[row.course]
        trainer = inst.trainer_by_id[row.trainer]
        start, end = day_times(course.hours_per_day)
        year, week = iso_week(row.date)
        records.append(
            (
                row.date,
                row.site,
                row.room,
                row.cohort,
                row.course,
                row.block,
                row.day,
                row.topic,
                row.trainer,
                row.date.strftime("%A"),
                f"{year}-W{week:02d}",
                site.name or site.id,
                site.city or "",
                site.region or "",
                zones[row.site],
                course.name or course.id,
                inst.topics.get(row.topic, row.topic),
                trainer.name or trainer.id,
                trainer.home,
                cohorts[row.cohort].learners if row.cohort in cohorts else None,
                course.hours_per_day,
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
            )
        )
    return pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS))
