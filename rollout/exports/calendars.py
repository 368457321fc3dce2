"""iCalendar files for trainers and sites: one event per teaching day, in the site's own time zone.

:func:`write_calendars` writes ``trainer-<id>.ics`` for every trainer and
``site-<id>.ics`` for every site that teaches at least one day of the plan
(RFC 5545 requires a calendar to hold at least one component, so people
and places without a teaching day get no file). The files are built with
the ``icalendar`` library, never by hand, and stay within RFC 5545 (plus the
widely read ``X-WR-CALNAME`` and RFC 7986 ``NAME``) so that Outlook, Google
Calendar and Apple Calendar import them.

Each event is one teaching day at the indicative times of
:func:`rollout.exports.frame.day_times`, with ``TZID`` set to the site's
IANA zone from the plan frame and a matching ``VTIMEZONE`` in the file:
a day in Saint-Denis de La Réunion starts at 09:00 ``Indian/Reunion``,
not at 09:00 in Paris.

An event's ``UID`` is ``<cohort>-<course>-d<day>@rollout``: stable across
re-plans, so importing a newer plan updates the day instead of adding a
copy. The same teaching day has the same ``UID`` in the trainer's file and
in the site's file, since it is the same event.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from icalendar import Calendar, Event

from rollout import __version__
from rollout.instance import Instance
from rollout.io import write_text_atomic
from rollout.solution import Result

from .frame import plan_frame

log = logging.getLogger("rollout")

#: PRODID of every calendar (RFC 5545 section 3.7.3).
PRODID = f"-//rollout//rollout {__version__}//EN"
#: VTIMEZONE rules cover the horizon widened by this margin on both sides.
TIMEZONE_MARGIN = timedelta(days=31)


def event_uid(cohort: str, course: str, day: int) -> str:
    """Stable UID of a teaching day: ``<cohort>-<course>-d<day>@rollout``."""
    return f"{cohort}-{course}-d{day}@rollout"


def _local(day: date, hhmm: str, zone: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZoneInfo(zone))


def _location(row: pd.Series) -> str:
    return ", ".join(part for part in (row.site_name, row.room, row.city) if part)


def _description(row: pd.Series) -> str:
    learners = "" if pd.isna(row.learners) else str(int(row.learners))
    return "\n".join(
        (
            f"Course: {row.course_name} ({row.course})",
            f"Cohort: {row.cohort}",
            f"Block: {row.block}",
            f"Day: {row.day} of the course",
            f"Topic: {row.topic_label}",
            f"Trainer: {row.trainer_name} ({row.trainer})",
            f"Learners: {learners}",
            f"Times are indicative: {row.start_time}–{row.end_time} {row.timezone}.",
        )
    )


def day_event(row: pd.Series, stamp: datetime) -> Event:
    """One VEVENT for one row of :func:`~rollout.exports.frame.plan_frame`.

    Parameters
    ----------
    row
        A row of the plan frame (one teaching day).
    stamp
        The ``DTSTAMP``, an aware datetime (written in UTC).

    Returns
    -------
    Event
        The event, with local ``DTSTART``/``DTEND`` in the site's zone.
    """
    return Event.new(
        uid=event_uid(row.cohort, row.course, int(row.day)),
        stamp=stamp.astimezone(UTC),
        start=_local(row.date, row.start_time, row.timezone),
        end=_local(row.date, row.end_time, row.timezone),
        summary=f"{row.course_name} — {row.cohort} (day {row.day}: {row.topic_label})",
        location=_location(row),
        description=_description(row),
    )


def build_calendar(
    name: str, uid: str, rows: pd.DataFrame, stamp: datetime, span: tuple[date, date]
) -> Calendar:
    """A VCALENDAR with one event per row and the VTIMEZONEs its events use.

    Parameters
    ----------
    name
        Calendar name shown by clients (``X-WR-CALNAME`` and ``NAME``).
    uid
        The calendar's own stable UID (RFC 7986).
    rows
        Rows of the plan frame, one event each.
    stamp
        ``DTSTAMP`` of every event.
    span
        First and last date the VTIMEZONE rules must cover.

    Returns
    -------
    Calendar
        The calendar, ready for ``to_ical()``.
    """
    cal = Calendar.new(name=name, uid=uid, prodid=PRODID, method="PUBLISH", calscale="GREGORIAN")
    for _, row in rows.iterrows():
        cal.add_component(day_event(row, stamp))
    cal.add_missing_timezones(span[0] - TIMEZONE_MARGIN, span[1] + TIMEZONE_MARGIN)
    return cal


def _write(path: Path, cal: Calendar) -> Path:
    write_text_atomic(path, cal.to_ical().decode("utf-8"))
    return path


def _groups(frame: pd.DataFrame, key: str) -> list[tuple[Hashable, pd.DataFrame]]:
    return list(frame.groupby(key, sort=True)) if len(frame) else []


def write_calendars(
    inst: Instance, result: Result, out_dir: Path, *, stamp: datetime | None = None
) -> list[Path]:
    """Write one ``.ics`` per trainer and one per site of a plan.

    Parameters
    ----------
    inst
        The instance the plan was made for.
    result
        The plan (a :class:`~rollout.solution.Result`); without rows nothing
        is written.
    out_dir
        Folder for ``trainer-<id>.ics`` and ``site-<id>.ics``; created if
        missing. Files are written atomically; files of trainers or sites
        no longer in the plan are left as they are.
    stamp
        ``DTSTAMP`` of every event; the current UTC time by default. Pass a
        fixed value for byte-identical files across runs.

    Returns
    -------
    list[Path]
        The files written: trainers first, then sites, each sorted by id.
    """
    frame = plan_frame(inst, result)
    stamp = stamp or datetime.now(UTC)
    span = (inst.horizon.start, inst.horizon.end)
    out_dir = Path(out_dir)
    written = []
    for trainer_id, rows in _groups(frame, "trainer"):
        trainer = inst.trainer_by_id[str(trainer_id)]
        name = f"{trainer.name or trainer.id} — {inst.name}"
        cal = build_calendar(name, f"trainer-{trainer.id}-{inst.name}@rollout", rows, stamp, span)
        written.append(_write(out_dir / f"trainer-{trainer.id}.ics", cal))
    for site_id, rows in _groups(frame, "site"):
        site = inst.site_by_id[str(site_id)]
        name = f"{site.name or site.id} — {inst.name}"
        cal = build_calendar(name, f"site-{site.id}-{inst.name}@rollout", rows, stamp, span)
        written.append(_write(out_dir / f"site-{site.id}.ics", cal))
    log.info("wrote %d calendars to %s", len(written), out_dir)
    return written
