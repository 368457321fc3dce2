"""The instance format of spec section 2, as pydantic models.

Field validators catch what one value can tell (types, signs, id syntax, a
range whose end is before its start); :meth:`Instance.reference_problems`
then checks the whole instance at once (unknown and duplicate ids, windows
outside the horizon, pins). Loading from a file lives in :mod:`rollout.io`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from rollout.errors import Loc

#: Largest integer an instance may hold (weights, rates, capacities, days): generous, and
#: small enough that Σ weight × term stays far inside the solver's 64-bit integers.
MAX_INT = 1_000_000
#: Longest horizon, in days (ten years), and most cohorts one ``count`` stands for.
MAX_HORIZON_DAYS = 3660
MAX_COUNT = 10_000

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
NonNegInt = Annotated[int, Field(ge=0, le=MAX_INT)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class DateRange(_Model):
    """An inclusive range of dates, written ``{from: D, to: D}``."""

    from_: date = Field(alias="from")
    to: date

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.to < self.from_:
            raise ValueError(f"range ends ({self.to}) before it starts ({self.from_}): swap them")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.from_ <= day <= self.to

    @property
    def days(self) -> int:
        """How many dates the range holds."""
        return (self.to - self.from_).days + 1


def _date_item_kind(value: Any) -> str:
    return "range" if isinstance(value, dict | DateRange) else "date"


#: One item of a date set: a date, or a range ``{from: D, to: D}``.
DateItem = Annotated[
    Annotated[date, Tag("date")] | Annotated[DateRange, Tag("range")],
    Discriminator(_date_item_kind),
]
DateSet = list[DateItem]


def date_range(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    return [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)]


def expand_dates(items: DateSet, within: tuple[date, date] | None = None) -> frozenset[date]:
    """Every date of a date set; only those ``within`` (first, last) when given."""
    low, high = within or (date.min, date.max)
    out: set[date] = set()
    for item in items:
        if isinstance(item, DateRange):
            out.update(date_range(max(item.from_, low), min(item.to, high)))
        elif low <= item <= high:
            out.add(item)
    return frozenset(out)


class Horizon(_Model):
    """The planning period; every teaching day lies inside it."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"horizon ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days >= MAX_HORIZON_DAYS:
            raise ValueError(
                f"horizon {self.start} to {self.end} is longer than {MAX_HORIZON_DAYS} days: "
                "plan a rollout of at most ten years"
            )
        return self

    def dates(self) -> list[date]:
        """Every date of the horizon, in order."""
        return date_range(self.start, self.end)


class CourseGap(_Model):
    """Days between the last date of a course and the first of the next (R4)."""

    min_days: NonNegInt = 1
    max_days: NonNegInt = 90

    @model_validator(mode="after")
    def _ordered(self) -> CourseGap:
        if self.max_days < self.min_days:
            raise ValueError(f"max_days ({self.max_days}) is below min_days ({self.min_days})")
        return self


#: The default working days: Monday to Friday.
_WORKWEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class Settings(_Model):
    """Calendar, travel and cost settings; every key optional."""

    country: str = "FR"
    working_days: list[Weekday] = Field(default_factory=lambda: list(_WORKWEEK))
    max_overnight_travel_hours: Annotated[float, Field(ge=0, le=MAX_INT, allow_inf_nan=False)] = 4.0
    travel_speed_kmh: Annotated[float, Field(gt=0, le=MAX_INT, allow_inf_nan=False)] = 160
    travel_overhead_hours: Annotated[float, Field(ge=0, le=MAX_INT, allow_inf_nan=False)] = 1.0
    cost_per_km: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = 0.20
    cost_per_night: NonNegInt = 110
    course_gap: CourseGap = Field(default_factory=CourseGap)
    partial: bool = False

    @model_validator(mode="after")
    def _working_days(self) -> Settings:
        if not self.working_days:
            raise ValueError("working_days is empty: list at least one weekday (mon…sun)")
        dup = [d for d, n in Counter(self.working_days).items() if n > 1]
        if dup:
            raise ValueError(f"working_days lists {dup[0]!r} twice")
        return self

    @property
    def weekday_numbers(self) -> frozenset[int]:
        """Working weekdays as ``date.weekday()`` numbers (Monday is 0)."""
        return frozenset(WEEKDAYS.index(d) for d in self.working_days)


class Weights(_Model):
    """Weight of each objective term O1–O5; non-negative integers."""

    unscheduled: NonNegInt = 100000
    cost: NonNegInt = 1
    trainer_changes: NonNegInt = 300
    school_holiday_days: NonNegInt = 100
    delay_days: NonNegInt = 5


class Course(_Model):
    """A course: blocks of consecutive teaching days, each day a topic."""

    id: Id
    name: str | None = None
    hours_per_day: Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)]
    blocks: Annotated[list[Annotated[list[Id], Field(min_length=1)]], Field(min_length=1)]
    min_gap_days: NonNegInt = 1
    max_gap_days: NonNegInt | None = None

    @model_validator(mode="after")
    def _gaps(self) -> Course:
        if self.max_gap_days is not None and self.max_gap_days < self.min_gap_days:
            raise ValueError(
                f"max_gap_days ({self.max_gap_days}) is below min_gap_days ({self.min_gap_days})"
            )
        return self

    @property
    def days(self) -> list[str]:
        """The topic of every day of the course, in order."""
        return [topic for block in self.blocks for topic in block]


class Room(_Model):
    """A room of a site."""

    id: Id
    capacity: NonNegInt
    closed: DateSet = Field(default_factory=list)


class Site(_Model):
    """A teaching site, its calendar and its rooms."""

    id: Id
    name: str | None = None
    region: str | None = None
    city: str | None = None
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    holidays: str | None = None
    school_zone: str | None = None
    closed: DateSet = Field(default_factory=list)
    rooms: Annotated[list[Room], Field(min_length=1)]


class Trainer(_Model):
    """A trainer: home site, skills, limits and availability."""

    id: Id
    name: str | None = None
    home: Id
    skills: list[Id]
    day_rate: NonNegInt = 0
    max_days: NonNegInt | None = None
    max_days_per_week: NonNegInt | None = None
    sites: list[Id] | None = None
    unavailable: DateSet = Field(default_factory=list)


class Travel(_Model):
    """Travel hours between two sites, in either direction."""

    from_: Id = Field(alias="from")
    to: Id
    hours: Annotated[float, Field(ge=0, le=MAX_INT, allow_inf_nan=False)]


class SchoolHoliday(_Model):
    """A school-holiday period of a zone (O4)."""

    zone: str
    name: str | None = None
    from_: date = Field(alias="from")
    to: date

    @model_validator(mode="after")
    def _ordered(self) -> SchoolHoliday:
        if self.to < self.from_:
            raise ValueError(f"period ends ({self.to}) before it starts ({self.from_})")
        return self


class CohortSpec(_Model):
    """A cohort as written; ``count: N`` stands for N identical cohorts."""

    id: Id
    count: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    site: Id
    learners: Annotated[int, Field(ge=1, le=MAX_INT)]
    courses: Annotated[list[Id], Field(min_length=1)]
    start: DateRange | None = None
    end_by: date | None = None


class Pin(_Model):
    """A teaching day fixed by the planner (R14)."""

    cohort: Id
    course: Id
    day: Annotated[int, Field(ge=1, le=MAX_INT)]
    date: date
    room: Id | None = None
    trainer: Id | None = None


@dataclass(frozen=True)
class Cohort:
    """One cohort after ``count`` expansion.

    Attributes
    ----------
    id
        The cohort's id (``<spec id>-<k>`` when the spec has a count).
    spec_index
        Position of the spec in ``cohorts``, for error messages and symmetry.
    start
        The window of the first teaching day (the horizon when not given).
    """

    id: str
    spec_index: int
    site: str
    learners: int
    courses: tuple[str, ...]
    start: DateRange
    end_by: date | None


class Instance(_Model):
    """A whole planning instance (spec section 2).

    Construct through :func:`rollout.io.load_instance`, which also runs
    :meth:`reference_problems` and reports every problem with its place.
    """

    name: Id
    horizon: Horizon
    settings: Settings = Field(default_factory=Settings)
    weights: Weights = Field(default_factory=Weights)
    topics: dict[Id, str]
    courses: list[Course]
    sites: list[Site]
    trainers: list[Trainer]
    travel: list[Travel] = Field(default_factory=list)
    school_holidays: list[SchoolHoliday] = Field(default_factory=list)
    cohorts: list[CohortSpec]
    pinned: list[Pin] = Field(default_factory=list)

    # ----- lookups -------------------------------------------------------------

    @cached_property
    def course_by_id(self) -> dict[str, Course]:
        return {c.id: c for c in self.courses}

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    @cached_property
    def trainer_by_id(self) -> dict[str, Trainer]:
        return {t.id: t for t in self.trainers}

    @cached_property
    def room_site(self) -> dict[str, str]:
        """Site id of every room id."""
        return {r.id: s.id for s in self.sites for r in s.rooms}

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return {r.id: r for s in self.sites for r in s.rooms}

    @cached_property
    def cohort_list(self) -> list[Cohort]:
        """Every cohort, ``count`` expanded, in file order."""
        whole = DateRange(**{"from": self.horizon.start, "to": self.horizon.end})
        out: list[Cohort] = []
        for i, spec in enumerate(self.cohorts):
            ids = [spec.id] if spec.count is None else [f"{spec.id}-{k}" for k in range(1, spec.count + 1)]
            for cid in ids:
                out.append(
                    Cohort(
                        cid,
                        i,
                        spec.site,
                        spec.learners,
                        tuple(spec.courses),
                        spec.start or whole,
                        spec.end_by,
                    )
                )
        return out

    @cached_property
    def cohort_by_id(self) -> dict[str, Cohort]:
        return {c.id: c for c in self.cohort_list}

    # ----- geography (spec section 3, travel_hours and km) -----------------------

    def km(self, a: str, b: str) -> int:
        """Haversine great-circle km between two sites (radius 6371.0), rounded."""
        sa, sb = self.site_by_id[a], self.site_by_id[b]
        return haversine_km(sa.lat, sa.lon, sb.lat, sb.lon)

    @cached_property
    def _travel_table(self) -> dict[frozenset[str], float]:
        return {frozenset((t.from_, t.to)): t.hours for t in self.travel}

    def travel_hours(self, a: str, b: str) -> float:
        """The ``travel`` entry for the pair, else km / speed + overhead."""
        given = self._travel_table.get(frozenset((a, b)))
        if given is not None:
            return given
        s = self.settings
        return self.km(a, b) / s.travel_speed_kmh + s.travel_overhead_hours

    def trip_cost(self, trainer: str, site: str) -> int:
        """O2's fixed part of a block away from home: round(2 × km × cost_per_km)."""
        home = self.trainer_by_id[trainer].home
        if home == site:
            return 0
        return round(2 * self.km(home, site) * self.settings.cost_per_km)

    # ----- whole-instance checks -----------------------------------------------

    def reference_problems(self) -> list[tuple[Loc, str]]:
        """Every cross-reference problem: unknown or duplicate ids, windows, pins."""
        from rollout.references import ReferenceChecker

        return list(ReferenceChecker(self).run())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance on a sphere of radius 6371.0 km, rounded (Python ``round``)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(min(1.0, a))))
