"""The checker's own recomputation of the terms O1–O5 from a plan's rows (spec section 4).

Part of the executable specification (:mod:`rollout.checker`): it reads rows
and the instance only, and shares no code with the planners, which compute
their terms from the index (:mod:`rollout.assignment`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from typing import TypeVar

from rollout.calendar import Calendar
from rollout.instance import Instance
from rollout.rules import TERM_NAMES
from rollout.solution import Row, Terms

K = TypeVar("K", bound=Hashable)


def group_by(rows: Iterable[Row], key: Callable[[Row], K]) -> dict[K, list[Row]]:
    """Rows by ``key``, in their order."""
    out: dict[K, list[Row]] = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return dict(out)


def span(rows: Iterable[Row]) -> tuple[date, date]:
    """First and last date of ``rows``."""
    dates = [r.date for r in rows]
    return min(dates), max(dates)


def _o2_cost(inst: Instance, rows: list[Row]) -> int:
    """Day rates, plus a round trip and a night per row for each block taught away from home."""
    s, total = inst.settings, sum(inst.trainer_by_id[r.trainer].day_rate for r in rows)
    blocks = group_by(rows, lambda r: (r.trainer, r.cohort, r.course, r.block))
    for (tid, *_), group in blocks.items():
        home = inst.trainer_by_id[tid].home
        away = sorted({r.site for r in group} - {home})
        if away:
            total += sum(round(2 * inst.km(home, site) * s.cost_per_km) for site in away)
            total += s.cost_per_night * len(group)
    return total


def compute_terms(
    inst: Instance,
    rows: Iterable[Row],
    unscheduled_cohort_ids: Iterable[str],
    calendar: Calendar | None = None,
) -> Terms:
    """Recompute the objective terms O1–O5 of spec section 4.

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
    cal, plan = calendar or Calendar(inst), list(rows)
    courses = group_by(plan, lambda r: (r.cohort, r.course)).values()
    cohorts = group_by(plan, lambda r: r.cohort).items()
    return Terms(
        unscheduled=len(set(unscheduled_cohort_ids)),
        cost=_o2_cost(inst, plan),
        trainer_changes=sum(len({r.trainer for r in g}) - 1 for g in courses),
        school_holiday_days=sum(r.date in cal.school_holidays(r.site) for r in plan),
        delay_days=sum((span(g)[0] - inst.cohort_by_id[c].start.from_).days for c, g in cohorts),
    )


def weighted_objective(inst: Instance, terms: Terms) -> int:
    """Σ weight × term, with the instance's weights."""
    return sum(getattr(inst.weights, name) * getattr(terms, name) for name in TERM_NAMES.values())
