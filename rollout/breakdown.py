"""Why a plan costs what it costs: each term O1–O5 split by cohort, by trainer and by site.

Solver-free. Built on :func:`rollout.recompute.contributions`, the checker's own
per-item shares of the terms (spec section 4), so for every term and every
split the lines sum to the term the checker recomputes: there is no second
formula. ``rollout explain FOLDER`` prints it and writes it as
``breakdown.csv`` and ``trips.csv`` (:mod:`rollout.exports.breakdown_files`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rollout.calendar import Calendar
from rollout.instance import Instance
from rollout.recompute import Contribution, Trip, contributions, o2_trips
from rollout.rules import TERM_NAMES
from rollout.solution import Result, Terms

#: The splits of every term, in the order they are printed and written.
BY: tuple[str, ...] = ("trainer", "cohort", "site")
#: The key of the share of O1 and O5 split by trainer: they are a cohort's, no trainer's.
NO_TRAINER = "(none)"  # no id has parentheses
#: Rule id of every term name (``cost`` → ``O2``).
RULE_OF: dict[str, str] = {name: rule.value for rule, name in TERM_NAMES.items()}


@dataclass(frozen=True)
class Line:
    """One key's share of one term: a line of ``breakdown.csv``.

    Attributes
    ----------
    rule, term
        The term's id and name (``O2``, ``cost``).
    by, key, name
        The split (``trainer``, ``cohort`` or ``site``), the id and its readable name.
    value, weight
        The share of the term and the term's weight in the instance.
    detail
        Why, in the planner's words: days × rate, trips, holiday days, delay.
    """

    rule: str
    term: str
    by: str
    key: str
    name: str
    value: int
    weight: int
    detail: str

    @property
    def weighted(self) -> int:
        """value × weight: the share of the objective."""
        return self.value * self.weight


@dataclass(frozen=True)
class Breakdown:
    """A plan's terms, every key's share of each, and the trips of O2."""

    terms: Terms
    weights: dict[str, int]
    lines: tuple[Line, ...]
    trips: tuple[Trip, ...]

    @property
    def objective(self) -> int:
        """Σ weight × term."""
        return sum(self.weights[k] * v for k, v in self.terms.as_dict().items())

    def split(self, term: str, by: str) -> list[Line]:
        """The lines of ``term`` split ``by``, largest first."""
        return [ln for ln in self.lines if ln.term == term and ln.by == by]

    def total(self, term: str, by: str) -> int:
        """Σ of the split: equals the term."""
        return sum(ln.value for ln in self.split(term, by))


def breakdown(inst: Instance, result: Result, calendar: Calendar | None = None) -> Breakdown:
    """Split every term of ``result``'s plan by trainer, cohort and site.

    Parameters
    ----------
    inst
        The plan's instance; every id of the rows must resolve in it
        (``rollout check`` names rows that do not).
    result
        The plan. Cohorts of ``inst`` without rows count for O1, as the checker counts them.
    calendar
        The instance's calendar, when already built.

    Returns
    -------
    Breakdown
        Lines that contribute nothing are left out; every split sums to its term.
    """
    rows = list(result.rows)
    scheduled = {r.cohort for r in rows}
    left = [c.id for c in inst.cohort_list if c.id not in scheduled]
    parts = contributions(inst, rows, left, calendar)
    trips = o2_trips(inst, rows)
    totals = dict.fromkeys(TERM_NAMES.values(), 0)
    for p in parts:
        totals[p.term] += p.value
    weights = {name: getattr(inst.weights, name) for name in TERM_NAMES.values()}
    explain = _Explainer(inst, trips)
    lines: list[Line] = []
    for term in TERM_NAMES.values():
        for by in BY:
            keyed: dict[str, list[Contribution]] = defaultdict(list)
            for p in parts:
                if p.term == term:
                    keyed[_KEYS[by](p)].append(p)
            found = []
            for key, items in keyed.items():
                if value := sum(p.value for p in items):
                    name, why = explain.name(by, key), explain.detail(term, by, key, items)
                    found.append(Line(RULE_OF[term], term, by, key, name, value, weights[term], why))
            lines.extend(sorted(found, key=lambda ln: (-ln.value, ln.key)))
    return Breakdown(Terms(**totals), weights, tuple(lines), tuple(trips))


_KEYS: dict[str, Callable[[Contribution], str]] = {
    "trainer": lambda p: p.trainer or NO_TRAINER,
    "cohort": lambda p: p.cohort,
    "site": lambda p: p.site,
}


def euros(amount: int) -> str:
    """``€12,430``."""
    return f"€{amount:,}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _listed(items: Iterable[str], most: int = 3) -> str:
    """``a, b, c`` or ``a, b, c…`` when there are more than ``most``."""
    unique = list(dict.fromkeys(items))
    return ", ".join(unique[:most]) + ("…" if len(unique) > most else "")


class _Explainer:
    """Names and reasons in the planner's words."""

    def __init__(self, inst: Instance, trips: Sequence[Trip]) -> None:
        self.inst, self.trips = inst, trips

    def name(self, by: str, key: str) -> str:
        """The readable name of a key: a trainer's or a site's name; for a cohort, its site's name."""
        if by == "trainer":
            known = self.inst.trainer_by_id.get(key)
            return (known.name or key) if known else "no trainer"
        if by == "site":
            return self.site(key)
        cohort = self.inst.cohort_by_id.get(key)
        return self.site(cohort.site) if cohort else key

    def site(self, key: str) -> str:
        known = self.inst.site_by_id.get(key)
        return (known.name or key) if known else key

    def detail(self, term: str, by: str, key: str, items: list[Contribution]) -> str:
        """Why ``key`` has its share of ``term``."""
        if by == "trainer" and key == NO_TRAINER:
            return f"{RULE_OF[term]} counts cohorts, not trainers"
        reason: Callable[[str, str, list[Contribution]], str] = getattr(self, f"_{term}")
        return reason(by, key, items)

    def _unscheduled(self, by: str, key: str, items: list[Contribution]) -> str:
        if by == "cohort":
            return "not scheduled"
        return f"not scheduled: {_listed(p.cohort for p in items)}"

    def _cost(self, by: str, key: str, items: list[Contribution]) -> str:
        days = [p for p in items if p.part == "day_rate"]
        rates = sum(p.value for p in days)
        if by == "trainer":
            rate = self.inst.trainer_by_id[key].day_rate
            text = f"{_plural(len(days), 'day')} × {euros(rate)} = {euros(rates)}"
        else:
            staff = _listed(p.trainer or "" for p in days)
            text = f"{_plural(len(days), 'day')} ({euros(rates)} day rates, {staff})"
        mine = [t for t in self.trips if _trip_key(t, by) == key]
        if mine:
            travel, nights = sum(t.travel for t in mine), sum(t.nights for t in mine)
            legs = _listed(f"{self.site(t.home)} to {', '.join(map(self.site, t.sites))}" for t in mine)
            who = "" if by == "trainer" else f" by {_listed(t.trainer for t in mine)}"
            text += (
                f", {_plural(len(mine), 'trip')}{who} from {legs} "
                f"({euros(travel)} travel, {_plural(sum(t.rows for t in mine), 'night')} {euros(nights)})"
            )
        return text

    def _trainer_changes(self, by: str, key: str, items: list[Contribution]) -> str:
        if by == "trainer":
            joined = _listed(p.cohort for p in items)
            return f"joins {_plural(len(items), 'course')} after another trainer: {joined}"
        if by == "cohort":
            staff = _listed(p.trainer or "" for p in items)
            return f"{_plural(len(items), 'change')}: {staff} {'takes' if len(items) == 1 else 'take'} over"
        return f"{_plural(len(items), 'change')} in {_listed(p.cohort for p in items)}"

    def _school_holiday_days(self, by: str, key: str, items: list[Contribution]) -> str:
        zones = _listed(f"zone {self.inst.site_by_id[p.site].school_zone}" for p in items)
        where = "" if by == "site" else f" at {_listed(self.site(p.site) for p in items)}"
        return f"{_plural(len(items), 'teaching day')} in {zones} school holidays{where}"

    def _delay_days(self, by: str, key: str, items: list[Contribution]) -> str:
        if by == "cohort":
            opens = self.inst.cohort_by_id[key].start.from_
            return f"starts {_plural(items[0].value, 'day')} after its window opens on {opens.isoformat()}"
        late = sorted((p for p in items if p.value), key=lambda p: (-p.value, p.cohort))
        return f"{_plural(len(late), 'late cohort')}: " + _listed(f"{p.cohort} +{p.value} d" for p in late)


def _trip_key(trip: Trip, by: str) -> str:
    return trip.trainer if by == "trainer" else trip.cohort if by == "cohort" else trip.sites[0]
