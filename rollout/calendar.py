"""Calendars: working days per site, closures, availability, school holidays.

Public holidays and, by default, school holidays come from the ``holidays``
package (``settings.country``, subdivision ``site.holidays``); nothing here
knows about a particular year or country. Both the model and the checker use
this module, so a working day means the same thing to both.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

import holidays as holidays_lib

from rollout.errors import did_you_mean
from rollout.instance import Instance, date_range, expand_dates

#: School zones whose periods fall back to the ``holidays`` package (spec O4).
PACKAGE_SCHOOL_ZONES = {"A": "Zone A", "B": "Zone B", "C": "Zone C"}


def subdivision_problem(country: str, subdivision: str | None) -> str | None:
    """Why ``country``/``subdivision`` is unknown to the ``holidays`` package, or ``None``."""
    supported = holidays_lib.list_supported_countries()
    if country not in supported:
        return f"unknown country '{country}' for public holidays{did_you_mean(country, supported)}"
    if subdivision is None:
        return None
    subdivs = [str(s) for s in supported[country]]
    if subdivision not in subdivs:
        return (
            f"unknown holidays subdivision '{subdivision}' of {country}"
            f"{did_you_mean(subdivision, subdivs)}; known: {', '.join(subdivs)}"
        )
    return None


def iso_week(day: date) -> tuple[int, int]:
    """ISO (year, week) of a date, as R12 counts weeks."""
    iso = day.isocalendar()
    return iso.year, iso.week


class Calendar:
    """Every date fact of one instance, computed once.

    Parameters
    ----------
    instance
        A validated instance.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.horizon: tuple[date, ...] = tuple(instance.horizon.dates())
        self._years = sorted({d.year for d in self.horizon})
        #: Closures and leave are expanded only within the horizon (a range may span centuries).
        self._bounds = (instance.horizon.start, instance.horizon.end)

    # ----- public holidays and working days (R1) --------------------------------

    def public_holidays(self, site_id: str) -> dict[date, str]:
        """Public holidays of a site's calendar within the horizon, with their names."""
        return dict(self._public_holidays[site_id])

    @cached_property
    def _public_holidays(self) -> dict[str, dict[date, str]]:
        country = self.instance.settings.country
        out: dict[str, dict[date, str]] = {}
        for site in self.instance.sites:
            cal = holidays_lib.country_holidays(country, subdiv=site.holidays, years=self._years)
            out[site.id] = {d: str(n) for d, n in cal.items() if d in self._horizon_set}
        return out

    @cached_property
    def _horizon_set(self) -> frozenset[date]:
        return frozenset(self.horizon)

    @cached_property
    def _working(self) -> dict[str, frozenset[date]]:
        weekdays = self.instance.settings.weekday_numbers
        out: dict[str, frozenset[date]] = {}
        for site in self.instance.sites:
            closed = expand_dates(site.closed, self._bounds)
            hol = self._public_holidays[site.id]
            out[site.id] = frozenset(
                d for d in self.horizon if d.weekday() in weekdays and d not in hol and d not in closed
            )
        return out

    def working_days(self, site_id: str) -> frozenset[date]:
        """Working days at a site: in the horizon, a working weekday, no holiday, not closed."""
        return self._working[site_id]

    def is_working_day(self, site_id: str, day: date) -> bool:
        """Whether ``day`` is a working day at the site (R1)."""
        return day in self._working[site_id]

    # ----- rooms and trainers (R7, R9) ------------------------------------------

    @cached_property
    def _room_closed(self) -> dict[str, frozenset[date]]:
        return {r.id: expand_dates(r.closed, self._bounds) for s in self.instance.sites for r in s.rooms}

    def room_closed(self, room_id: str) -> frozenset[date]:
        """Dates a room is closed (its own closures; the site's count through R1)."""
        return self._room_closed[room_id]

    @cached_property
    def _unavailable(self) -> dict[str, frozenset[date]]:
        return {t.id: expand_dates(t.unavailable, self._bounds) for t in self.instance.trainers}

    def unavailable(self, trainer_id: str) -> frozenset[date]:
        """Dates a trainer cannot teach."""
        return self._unavailable[trainer_id]

    # ----- school holidays (O4) -------------------------------------------------

    @cached_property
    def _school_by_zone(self) -> dict[str, frozenset[date]]:
        given: dict[str, set[date]] = {}
        h = self.instance.horizon
        for period in self.instance.school_holidays:
            given.setdefault(period.zone, set()).update(
                date_range(max(period.from_, h.start), min(period.to, h.end))
            )
        zones = {s.school_zone for s in self.instance.sites if s.school_zone is not None}
        out: dict[str, frozenset[date]] = {}
        for zone in zones:
            if zone in given:
                out[zone] = frozenset(given[zone])
            elif zone in PACKAGE_SCHOOL_ZONES:
                out[zone] = self._package_school_holidays(PACKAGE_SCHOOL_ZONES[zone])
            else:
                out[zone] = frozenset()
        return out

    def _package_school_holidays(self, subdivision: str) -> frozenset[date]:
        country = self.instance.settings.country
        cls = holidays_lib.country_holidays(country, years=[]).__class__
        if "school" not in getattr(cls, "supported_categories", ()):
            return frozenset()
        if subdivision not in [str(s) for s in getattr(cls, "subdivisions", ())]:
            return frozenset()
        cal = holidays_lib.country_holidays(
            country, subdiv=subdivision, years=self._years, categories=("school",)
        )
        return frozenset(cal.keys())

    def school_holidays(self, site_id: str) -> frozenset[date]:
        """School-holiday dates of a site's zone (empty when the site has no zone)."""
        zone = self.instance.site_by_id[site_id].school_zone
        return self._school_by_zone.get(zone, frozenset()) if zone is not None else frozenset()
