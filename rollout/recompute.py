"""The checker's own recomputation of the terms O1–O5 from a plan's rows (spec section 4).

Part of the executable specification (:mod:`rollout.checker`): it reads rows
and the instance only, and shares no code with the planners, which compute
their terms from the index (:mod:`rollout.assignment`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from rollout.calendar import Calendar
from rollout.instance import Instance
from rollout.rules import TERM_NAMES
from rollout.solution import Row, Terms

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def group_by(rows: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Rows (or any items) by ``key``, in their order."""
    out: dict[K, list[T]] = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return dict(out)


def span(rows: Iterable[Row]) -> tuple[date, date]:
    """First and last date of ``rows``."""
    dates = [r.date for r in rows]
    return min(dates), max(dates)


@dataclass(frozen=True)
class Trip:
    """O2's travel part of one (trainer, cohort, course, block) taught away from home.

    ``sites`` are the block's sites other than the trainer's home (one in a
    plan that keeps R6); ``km`` and ``travel`` sum over them, ``travel``
    being round(2 × km(home, site) × ``cost_per_km``) per site; ``nights``
    is ``cost_per_night`` × the trainer's rows in the block.
    """

    trainer: str
    cohort: str
    course: str
    block: int
    home: str
    sites: tuple[str, ...]
    first: date
    last: date
    rows: int
    km: int
    travel: int
    nights: int

    @property
    def total(self) -> int:
        """Travel and nights, in euros."""
        return self.travel + self.nights


def o2_trips(inst: Instance, rows: Iterable[Row]) -> list[Trip]:
    """The trips of O2: every (trainer, cohort, course, block) with a row away from the trainer's home."""
    s, trips = inst.settings, []
    for (tid, cohort, course, block), group in group_by(rows, _block_key).items():
        home = inst.trainer_by_id[tid].home
        if away := tuple(sorted({r.site for r in group} - {home})):
            first, last = span(group)
            km = [inst.km(home, site) for site in away]
            travel = sum(round(2 * k * s.cost_per_km) for k in km)
            nights = s.cost_per_night * len(group)
            trips.append(
                Trip(tid, cohort, course, block, home, away, first, last, len(group), sum(km), travel, nights)
            )
    return trips


def _block_key(r: Row) -> tuple[str, str, str, int]:
    return (r.trainer, r.cohort, r.course, r.block)


@dataclass(frozen=True)
class Contribution:
    """One item's share of a term of spec section 4.

    Attributes
    ----------
    term
        The term's name (``cost``…, see :data:`rollout.rules.TERM_NAMES`).
    part
        What the item is: ``unscheduled`` (O1, a cohort), ``day_rate`` (O2, a
        row), ``travel`` and ``nights`` (O2, a trip), ``change`` (O3, a
        trainer who joins a course after its first trainer), ``holiday`` (O4,
        a row) or ``delay`` (O5, a cohort).
    trainer
        The trainer it is due to; ``None`` for O1 and O5, which are no trainer's.
    """

    term: str
    part: str
    value: int
    cohort: str
    site: str
    trainer: str | None


def contributions(
    inst: Instance,
    rows: Iterable[Row],
    unscheduled_cohort_ids: Iterable[str],
    calendar: Calendar | None = None,
) -> list[Contribution]:
    """Every item's share of the terms O1–O5; they sum to :func:`compute_terms` term by term."""
    cal, plan = calendar or Calendar(inst), list(rows)
    out = [
        Contribution("unscheduled", "unscheduled", 1, c, _home_site(inst, c), None)
        for c in sorted(set(unscheduled_cohort_ids))
    ]
    for r in plan:
        out.append(
            Contribution(
                "cost", "day_rate", inst.trainer_by_id[r.trainer].day_rate, r.cohort, r.site, r.trainer
            )
        )
    for t in o2_trips(inst, plan):
        out.append(Contribution("cost", "travel", t.travel, t.cohort, t.sites[0], t.trainer))
        out.append(Contribution("cost", "nights", t.nights, t.cohort, t.sites[0], t.trainer))
    for (cohort, _), group in group_by(plan, lambda r: (r.cohort, r.course)).items():
        firsts = {tid: span(g)[0] for tid, g in group_by(group, lambda r: r.trainer).items()}
        for tid in sorted(firsts, key=lambda t: (firsts[t], t))[1:]:
            out.append(Contribution("trainer_changes", "change", 1, cohort, group[0].site, tid))
    out.extend(
        Contribution("school_holiday_days", "holiday", 1, r.cohort, r.site, r.trainer)
        for r in plan
        if r.date in cal.school_holidays(r.site)
    )
    for cohort, group in group_by(plan, lambda r: r.cohort).items():
        first = min(group, key=lambda r: r.date)
        delay = (first.date - inst.cohort_by_id[cohort].start.from_).days
        out.append(Contribution("delay_days", "delay", delay, cohort, first.site, None))
    return out


def _home_site(inst: Instance, cohort: str) -> str:
    known = inst.cohort_by_id.get(cohort)
    return known.site if known else ""


def compute_terms(
    inst: Instance,
    rows: Iterable[Row],
    unscheduled_cohort_ids: Iterable[str],
    calendar: Calendar | None = None,
) -> Terms:
    """Recompute the objective terms O1–O5 of spec section 4: the sums of :func:`contributions`.

    Parameters
    ----------
    inst
        The instance.
    rows
        The plan's rows; every id must resolve in ``inst``.
    unscheduled_cohort_ids
        The cohorts without rows; O1 counts the distinct ids.
    calendar
        The instance's calendar, when already built.
    """
    totals = dict.fromkeys(TERM_NAMES.values(), 0)
    for c in contributions(inst, rows, unscheduled_cohort_ids, calendar):
        totals[c.term] += c.value
    return Terms(**totals)


def weighted_objective(inst: Instance, terms: Terms) -> int:
    """Σ weight × term, with the instance's weights."""
    return sum(getattr(inst.weights, name) * getattr(terms, name) for name in TERM_NAMES.values())
