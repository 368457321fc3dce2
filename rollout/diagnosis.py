"""Why is there no plan? Stage 1: capacity arithmetic before any search.

Each :class:`Finding` names the rules at stake, the requirement in the
planner's words with its numbers, and candidate :class:`~rollout.fixes.Fix`
changes. The checks are necessary conditions of a plan, so a finding proves
the instance infeasible (with ``partial: false``):

* a topic that no trainer has (R8);
* days of some topics at some sites that only a few trainers may teach,
  more than those trainers can give: their working days in the weeks the
  rows can fall in, ``max_days``, ``max_days_per_week``, allowed ``sites``
  and ``unavailable`` dates (R8, R9, R10, R12) — Hall's condition on each
  set of eligible trainers;
* a cohort larger than every room of its site (R7);
* a window too short for a course's shape: its blocks, block gaps, course
  gaps and working days (R1, R3, R4, R5);
* a pin that breaks a rule (R14 against R1, R5, R7, R8, R9).

Stage 2 (:mod:`rollout.cpsat.core`) finds a minimal set of conflicting
requirements when this arithmetic finds nothing. Nothing here imports a
solver.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rollout.fixes import (
    Fix,
    add_room,
    allow_sites,
    drop_pin,
    extend_window,
    give_skill,
    raise_max_days,
    raise_weekly,
)
from rollout.index import Index


@dataclass
class Finding:
    """One requirement that cannot hold, found before search.

    Attributes
    ----------
    rules
        Spec rule ids at stake (``R7``…).
    text
        The requirement and its numbers, in planner words.
    entities
        Ids of the cohorts, trainers, sites and topics named.
    fixes
        Candidate changes, each to be verified.
    """

    rules: tuple[str, ...]
    text: str
    entities: tuple[str, ...] = ()
    fixes: list[Fix] = field(default_factory=list)

    def line(self) -> str:
        return f"{'/'.join(self.rules)}: {self.text}"


def _few(ids: list[str], n: int = 4) -> str:
    ids = sorted(dict.fromkeys(ids))
    return ", ".join(ids[:n]) + (f" and {len(ids) - n} more" if len(ids) > n else "")


def stage1(index: Index) -> list[Finding]:
    """Every capacity finding of ``index``, most basic first."""
    missing = _missing_topics(index)
    out = list(missing.values())
    out += _static_findings(index, set(missing))
    out += _staff_findings(index)
    return out


# ----- R8: a topic no trainer has ---------------------------------------------------


def _missing_topics(index: Index) -> dict[str, Finding]:
    inst = index.instance
    have = {s for t in inst.trainers for s in t.skills}
    needs: dict[str, list[int]] = defaultdict(list)
    for row in index.rows:
        if row.topic not in have:
            needs[row.topic].append(index.blocks[row.block].cohort)
    out = {}
    for topic, cohorts in needs.items():
        ids = [index.cohorts[c].cohort.id for c in cohorts]
        sites = sorted({index.cohorts[c].cohort.site for c in cohorts})
        fixes = [
            Fix("skill", "R8", f"give topic `{topic}` to trainer {t.id} (R8)", give_skill(t.id, topic))
            for t in inst.trainers
            if t.sites is None or set(sites) <= set(t.sites)
        ]
        out[topic] = Finding(
            ("R8",),
            f"no trainer has topic `{topic}` in skills, and {len(cohorts)} teaching days need it "
            f"(cohorts {_few(ids)})",
            (topic, *ids),
            fixes,
        )
    return out


# ----- per cohort: rooms, trainers allowed at the site, window, pins ----------------


def _static_findings(index: Index, missing: set[str]) -> list[Finding]:
    out: list[Finding] = []
    rooms_short: dict[str, list[int]] = defaultdict(list)
    nobody: dict[tuple[str, str], list[int]] = defaultdict(list)
    for c, plan in enumerate(index.cohorts):
        if plan.possible:
            continue
        pinned = [r for r in plan.reasons if r.startswith("pinned[")]
        for reason in pinned:
            i = int(re.match(r"pinned\[(\d+)\]", reason).group(1))  # type: ignore[union-attr]
            out.append(
                Finding(
                    ("R14",),
                    reason,
                    (plan.cohort.id,),
                    [Fix("pin", "R14", f"drop pinned[{i}] ({plan.cohort.id}) (R14)", drop_pin(i), 1)],
                )
            )
        blocked = False
        for b in plan.blocks:
            block = index.blocks[b]
            if not block.rooms:
                rooms_short[block.site].append(c)
                blocked = True
            for r in index.block_rows[b]:
                if not index.rows[r].trainers:
                    blocked = True
                    if index.rows[r].topic not in missing:
                        nobody[(index.rows[r].topic, block.site)].append(c)
        if not blocked and not pinned:
            out.append(_window_finding(index, c))
    for site, cohorts in rooms_short.items():
        out.append(_room_finding(index, site, sorted(set(cohorts))))
    for (topic, site), cohorts in nobody.items():
        out.append(_nobody_finding(index, topic, site, sorted(set(cohorts))))
    return out


def _room_finding(index: Index, site: str, cohorts: list[int]) -> Finding:
    s = index.instance.site_by_id[site]
    largest = max(r.capacity for r in s.rooms)
    need = max(index.cohorts[c].cohort.learners for c in cohorts)
    ids = [index.cohorts[c].cohort.id for c in cohorts]
    return Finding(
        ("R7",),
        f"no room at {site} holds {need} learners (cohorts {_few(ids)}); its largest room holds {largest}",
        (site, *ids),
        [Fix("room", "R7", f"add a room of {need} seats at {site} (R7)", add_room(site, need), need)],
    )


def _nobody_finding(index: Index, topic: str, site: str, cohorts: list[int]) -> Finding:
    inst = index.instance
    ids = [index.cohorts[c].cohort.id for c in cohorts]
    skilled = [t for t in inst.trainers if topic in t.skills]
    fixes = []
    for t in skilled:
        if t.sites is not None and site not in t.sites:
            fixes.append(
                Fix("sites", "R9", f"allow trainer {t.id} at {site} (R9)", allow_sites(t.id, [site]))
            )
        elif t.max_days == 0:
            fixes.append(
                Fix("max_days", "R12", f"raise {t.id}'s max_days from 0 (R12)", raise_max_days(t.id, 20))
            )
        elif t.max_days_per_week == 0:
            fixes.append(
                Fix("weekly", "R12", f"raise {t.id}'s max_days_per_week from 0 (R12)", raise_weekly(t.id, 5))
            )
    why = ", ".join(
        f"{t.id} may teach only at {', '.join(t.sites)}"
        if t.sites is not None and site not in t.sites
        else f"{t.id} has a limit of 0 days"
        for t in skilled
    )
    return Finding(
        ("R8", "R9"),
        f"no trainer with topic `{topic}` may teach at {site} ({_site_words(index, site)}), "
        f"needed by cohorts {_few(ids)}: {why}",
        (topic, site, *ids, *(t.id for t in skilled)),
        fixes,
    )


def _site_words(index: Index, site: str) -> str:
    s = index.instance.site_by_id[site]
    return s.region or s.name or s.id


def earliest_end(index: Index, c: int, first: int) -> tuple[int, int] | None:
    """Earliest (first start, last day) of cohort ``c`` from day ``first``, ignoring windows and limits.

    Every block's days are working days at the site, a room that holds the
    cohort is open and each day has an eligible trainer free (R1, R7, R9);
    blocks follow their minimum gaps (R3, R4). None when nothing fits.
    """
    plan = index.cohorts[c]
    cal = index.calendar
    working = {index.day(d) for d in cal.working_days(plan.cohort.site)}
    day, first_start = first, None
    for b in plan.blocks:
        block = index.blocks[b]
        if first_start is not None:
            day += block.min_gap
        while day + block.length <= index.n_days and not _fits(index, b, day, working):
            day += 1
        if day + block.length > index.n_days:
            return None
        first_start = day if first_start is None else first_start
        day += block.length - 1
    assert first_start is not None
    return first_start, day


def _fits(index: Index, b: int, s: int, working: set[int]) -> bool:
    block = index.blocks[b]
    days = [s + j for j in range(block.length)]
    if not all(d in working for d in days):
        return False
    dates = [index.date(d) for d in days]
    if not any(not any(d in index.calendar.room_closed(r) for d in dates) for r in block.rooms):
        return False
    return all(
        any(dates[j] not in index.calendar.unavailable(t) for t in index.rows[r].trainers)
        for j, r in enumerate(index.block_rows[b])
    )


def _window_finding(index: Index, c: int) -> Finding:
    plan = index.cohorts[c]
    cohort = plan.cohort
    courses = ", ".join(cohort.courses)
    shape = sum(index.blocks[b].length for b in plan.blocks)
    text = (
        f"{cohort.id} cannot fit {courses} ({len(plan.blocks)} blocks, {shape} teaching days, with their "
        f"block and course gaps) in its window: first day {cohort.start.from_} to {cohort.start.to}"
        + (f", last day by {cohort.end_by}" if cohort.end_by else "")
    )
    fixes: list[Fix] = []
    found = earliest_end(index, c, index.day(cohort.start.from_))
    if found is None:
        text += f"; it does not fit before the horizon ends ({index.instance.horizon.end})"
    else:
        start, last = found
        start_to = index.date(start) if index.date(start) > cohort.start.to else None
        end_by = index.date(last) if cohort.end_by is not None and index.date(last) > cohort.end_by else None
        text += f"; its earliest plan runs from {index.date(start)} to {index.date(last)}"
        parts, size = [], 0
        if start_to is not None:
            n = (start_to - cohort.start.to).days
            parts.append(f"start.to by {n} day{'s' if n != 1 else ''} to {start_to}")
            size += n
        if end_by is not None and cohort.end_by is not None:
            n = (end_by - cohort.end_by).days
            parts.append(f"end_by by {n} day{'s' if n != 1 else ''} to {end_by}")
            size += n
        if parts:
            fixes.append(
                Fix(
                    "window",
                    "R5",
                    f"extend {cohort.id}'s {' and '.join(parts)} (R5)",
                    extend_window(cohort.id, start_to=start_to, end_by=end_by),
                    size,
                )
            )
    return Finding(("R1", "R3", "R4", "R5"), text, (cohort.id,), fixes)


# ----- Hall's condition: trainer-days available versus demanded ---------------------


@dataclass
class _Supply:
    days: int
    limit: str  # what binds: "max_days", "weekly" or "calendar"


def _supply(index: Index, trainer: str, days: set[int]) -> _Supply:
    """Most days ``trainer`` can teach among ``days`` (R9 dates, R10, R12 limits, committed days)."""
    t = index.instance.trainer_by_id[trainer]
    away = {index.day(d) for d in index.calendar.unavailable(trainer)}
    booked = index.booked.get(trainer, [])
    away |= {d for d, _ in booked}
    free = [d for d in days if d not in away]
    per_week: dict[int, int] = defaultdict(int)
    for d in free:
        per_week[index.week_of_day[d]] += 1
    used: dict[int, int] = defaultdict(int)
    for d, _ in booked:
        if (w := index.week_index(d)) is not None:
            used[w] += 1
    weekly = sum(
        n if t.max_days_per_week is None else max(0, min(n, t.max_days_per_week - used[w]))
        for w, n in per_week.items()
    )
    best = _Supply(len(free), "calendar")
    if weekly < best.days:
        best = _Supply(weekly, "weekly")
    if t.max_days is not None and t.max_days - len(booked) < best.days:
        best = _Supply(max(0, t.max_days - len(booked)), "max_days")
    return best


def _staff_findings(index: Index) -> list[Finding]:
    rows = [
        r
        for r, row in enumerate(index.rows)
        if row.trainers and index.cohorts[index.blocks[row.block].cohort].possible
    ]
    sets = sorted({frozenset(index.rows[r].trainers) for r in rows}, key=lambda s: (len(s), sorted(s)))
    short: list[frozenset[str]] = []
    out = []
    for group in sets:
        if any(s <= group for s in short):
            continue  # a smaller set is already short: report the smallest
        demand = [r for r in rows if set(index.rows[r].trainers) <= group]
        days = {d for r in demand for d in index.row_days(r)}
        supply = {t: _supply(index, t, days) for t in sorted(group)}
        total = sum(s.days for s in supply.values())
        if len(demand) > total:
            short.append(group)
            out.append(_staff_finding(index, demand, supply, len(demand) - total))
    return out


def _staff_finding(index: Index, demand: list[int], supply: dict[str, _Supply], missing: int) -> Finding:
    inst = index.instance
    topics = sorted({index.rows[r].topic for r in demand})
    sites = sorted({index.blocks[index.rows[r].block].site for r in demand})
    cohorts = sorted({index.cohorts[index.blocks[index.rows[r].block].cohort].cohort.id for r in demand})
    days = sorted({d for r in demand for d in index.row_days(r)})
    where = ", ".join(f"{s} ({_site_words(index, s)})" for s in sites)
    parts = []
    for t, s in supply.items():
        tr = inst.trainer_by_id[t]
        limit = {
            "max_days": f"max_days {tr.max_days}",
            "weekly": f"max_days_per_week {tr.max_days_per_week}",
            "calendar": "free working days",
        }[s.limit]
        parts.append(f"{t} {s.days} ({limit})")
    text = (
        f"the {len(demand)} teaching days of {', '.join(f'`{x}`' for x in topics)} at {where} "
        f"(cohorts {_few(cohorts)}), between {index.date(days[0])} and {index.date(days[-1])}, can only "
        f"be taught by {', '.join(supply)}, who can give at most {sum(s.days for s in supply.values())}: "
        f"{'; '.join(parts)} — {missing} day{'s' if missing > 1 else ''} short"
    )
    fixes: list[Fix] = []
    for t, s in supply.items():
        tr = inst.trainer_by_id[t]
        if s.limit == "max_days" and tr.max_days is not None:
            n = tr.max_days + missing
            fixes.append(
                Fix(
                    "max_days",
                    "R12",
                    f"raise {t}'s max_days from {tr.max_days} to {n} (R12)",
                    raise_max_days(t, n),
                    missing,
                )
            )
        if s.limit == "weekly" and tr.max_days_per_week is not None:
            n = min(7, tr.max_days_per_week + 1)
            fixes.append(
                Fix(
                    "weekly",
                    "R12",
                    f"raise {t}'s max_days_per_week from {tr.max_days_per_week} to {n} (R12)",
                    raise_weekly(t, n),
                    n - tr.max_days_per_week,
                )
            )
    for tr in inst.trainers:
        if tr.id in supply or not set(topics) & set(tr.skills):
            continue
        if tr.sites is not None and not set(sites) <= set(tr.sites):
            extra = [s for s in sites if s not in tr.sites]
            fixes.append(
                Fix(
                    "sites",
                    "R9",
                    f"allow trainer {tr.id} at {', '.join(extra)} (R9)",
                    allow_sites(tr.id, extra),
                    len(extra),
                )
            )
    return Finding(("R8", "R9", "R12"), text, (*topics, *sites, *cohorts, *supply), fixes)
