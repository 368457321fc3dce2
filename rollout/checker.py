"""The executable specification: an independent check of a plan (spec sections 3–5).

:func:`check` tests every hard rule R1–R14 on a :class:`~rollout.solution.Result`
and recomputes the terms O1–O5; ``rollout check`` prints its :func:`format_report`.
It shares no code with the model (never ``rollout.cpsat``, ``rollout.index`` or
``rollout.solve``): one ``check_r<n>_<name>`` per rule, listed in :data:`CHECKS`.
A row whose ids do not resolve, or whose block and day do not fit its course, is
reported once under the closest rule and skipped by the rules: no content raises
(:mod:`rollout.check_context`). The terms are recomputed by :mod:`rollout.recompute`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import pairwise

from rollout.calendar import Calendar, iso_week
from rollout.check_context import CheckContext, Report, Violation, as_tuple, row_problem, status_of, what
from rollout.instance import Instance, Pin
from rollout.recompute import compute_terms, group_by, span, weighted_objective
from rollout.rules import HARD_RULES, TERM_NAMES, Rule
from rollout.solution import Result, Row, Terms

# ------------------------------------------------------------------ hard rules


def _not_working(ctx: CheckContext, site: str, day: date) -> str:
    h = ctx.inst.horizon
    if not h.start <= day <= h.end:
        return f"outside the horizon {h.start} to {h.end}"
    if day.weekday() not in ctx.inst.settings.weekday_numbers:
        return f"a {day:%A}, not a working weekday"
    holiday = ctx.cal.public_holidays(site).get(day)
    return f"public holiday ({holiday})" if holiday else f"site {site} is closed"


def check_r1_working_days(ctx: CheckContext) -> Iterator[Violation]:
    """Every row's date is a working day at its site (R1)."""
    for r in ctx.rows:
        if not ctx.cal.is_working_day(r.site, r.date):
            yield Violation(Rule.R1, f"{what(r)} at {r.site}: {_not_working(ctx, r.site, r.date)}")


def check_r2_blocks(ctx: CheckContext) -> Iterator[Violation]:
    """A block's days are consecutive calendar days in topic order, each its topic (R2)."""
    for (cid, course_id, b), rows in ctx.by_block.items():
        days = ctx.inst.course_by_id[course_id].days
        for r in rows:
            if r.topic != days[r.day - 1]:
                yield Violation(Rule.R2, f"{what(r)} teaches {r.topic}, not {days[r.day - 1]}")
        first: dict[int, Row] = {}
        for r in rows:
            first.setdefault(r.day, r)
        for x, y in pairwise(sorted(first.values(), key=lambda r: r.day)):
            if (y.date - x.date).days != y.day - x.day:
                yield Violation(
                    Rule.R2,
                    f"{cid} {course_id} block {b}: day {x.day} on {x.date} "
                    f"and day {y.day} on {y.date} are not consecutive",
                )


def _gap(rule: Rule, what: str, gap: int, low: int, high: int | None) -> Iterator[Violation]:
    if gap < low or (high is not None and gap > high):
        allowed = f"{low} to {high}" if high is not None else f"at least {low}"
        yield Violation(rule, f"{what}: {gap} days apart, allowed {allowed}")


def check_r3_block_gaps(ctx: CheckContext) -> Iterator[Violation]:
    """Consecutive blocks of a course are min_gap_days..max_gap_days apart (R3)."""
    for (cid, course_id), rows in ctx.by_course.items():
        course = ctx.inst.course_by_id[course_id]
        spans = {b: span(g) for b, g in group_by(rows, lambda r: r.block).items()}
        for b in range(1, len(course.blocks)):
            if b in spans and b + 1 in spans:
                last, first = spans[b][1], spans[b + 1][0]
                what = f"{cid} {course_id} block {b} ends {last}, block {b + 1} starts {first}"
                yield from _gap(Rule.R3, what, (first - last).days, course.min_gap_days, course.max_gap_days)


def check_r4_course_order(ctx: CheckContext) -> Iterator[Violation]:
    """A cohort takes its courses in the listed order, course_gap apart (R4)."""
    gap = ctx.inst.settings.course_gap
    for cid in ctx.by_cohort:
        for prev, nxt in pairwise(ctx.inst.cohort_by_id[cid].courses):
            if (cid, prev) in ctx.by_course and (cid, nxt) in ctx.by_course:
                last, first = span(ctx.by_course[cid, prev])[1], span(ctx.by_course[cid, nxt])[0]
                what = f"{cid} ends {prev} {last} and starts {nxt} {first}"
                yield from _gap(Rule.R4, what, (first - last).days, gap.min_days, gap.max_days)


def check_r5_window(ctx: CheckContext) -> Iterator[Violation]:
    """A cohort's first row is within start, its last on or before end_by (R5)."""
    for cid, rows in ctx.by_cohort.items():
        cohort = ctx.inst.cohort_by_id[cid]
        first, last = span(rows)
        if first not in cohort.start:
            yield Violation(
                Rule.R5,
                f"{cid} starts {first}, outside its start window {cohort.start.from_} to {cohort.start.to}",
            )
        if cohort.end_by is not None and last > cohort.end_by:
            yield Violation(Rule.R5, f"{cid} ends {last}, after its end_by {cohort.end_by}")


def _r6_rows(ctx: CheckContext) -> Iterator[Violation]:
    for r in ctx.rows:
        cohort = ctx.inst.cohort_by_id[r.cohort]
        if r.course not in cohort.courses:
            yield Violation(Rule.R6, f"{what(r)}: the cohort takes only {', '.join(cohort.courses)}")
        if r.site != cohort.site:
            yield Violation(Rule.R6, f"{what(r)} is at {r.site}, not the cohort's {cohort.site}")
    for cid in sorted(ctx.scheduled):
        for course_id in ctx.inst.cohort_by_id[cid].courses:
            n = len(ctx.inst.course_by_id[course_id].days)
            by_day = group_by(ctx.by_course.get((cid, course_id), []), lambda r: r.day)
            missing = ", ".join(str(d) for d in range(1, n + 1) if d not in by_day)
            if missing:
                yield Violation(Rule.R6, f"{cid} {course_id} has no row for day {missing}")
            for d, rows in sorted(by_day.items()):
                if len(rows) > 1:
                    on = ", ".join(str(r.date) for r in rows)
                    yield Violation(Rule.R6, f"{cid} {course_id} day {d} has {len(rows)} rows: {on}")


def _r6_unscheduled(ctx: CheckContext) -> Iterator[Violation]:
    listed: set[str] = set()
    for u in as_tuple(ctx.result.unscheduled):
        cid, reason = getattr(u, "cohort", None), getattr(u, "reason", None)
        if not isinstance(cid, str) or cid not in ctx.inst.cohort_by_id:
            yield Violation(Rule.R6, f"unscheduled.csv lists unknown cohort {cid!r}")
            continue
        if cid in listed:
            yield Violation(Rule.R6, f"unscheduled.csv lists {cid} twice")
        if cid in ctx.scheduled:
            yield Violation(Rule.R6, f"unscheduled.csv lists {cid}, which has rows")
        if (site := getattr(u, "site", None)) != ctx.inst.cohort_by_id[cid].site:
            yield Violation(Rule.R6, f"unscheduled.csv puts {cid} at {site!r}, not at its site")
        if not isinstance(reason, str) or not reason.strip():
            yield Violation(Rule.R6, f"unscheduled.csv gives no reason for {cid}")
        listed.add(cid)
    status = status_of(ctx.result.status)
    if status is not None and not status.has_plan:
        return  # no plan to complete: _mismatches checks that the folder holds none
    for c in ctx.inst.cohort_list:
        if c.id in ctx.scheduled:
            continue
        if not ctx.inst.settings.partial:
            yield Violation(Rule.R6, f"{c.id} has no rows, but partial is false: schedule it")
        elif c.id not in listed:
            yield Violation(Rule.R6, f"{c.id} has no rows and is not listed in unscheduled.csv")


def check_r6_completeness(ctx: CheckContext) -> Iterator[Violation]:
    """A scheduled cohort has one row per course day at its site; others are listed (R6)."""
    yield from _r6_rows(ctx)
    yield from _r6_unscheduled(ctx)


def _double_bookings(
    rows: Iterable[Row], kind: str, rule: Rule, committed: Iterable[Row] = ()
) -> Iterator[Violation]:
    """Two rows of one room (trainer, cohort) on a date; a committed row counts, two never alone."""
    tagged = [(r, False) for r in rows] + [(r, True) for r in committed]
    for (who, day), group in group_by(tagged, lambda x: (getattr(x[0], kind), x[0].date)).items():
        if len(group) > 1 and not all(theirs for _, theirs in group):
            listed = ", ".join(
                f"{r.cohort} {r.course} day {r.day}{' (committed)' if theirs else ''}" for r, theirs in group
            )
            yield Violation(rule, f"{kind} {who} has {len(group)} rows on {day}: {listed}")


def check_r7_rooms(ctx: CheckContext) -> Iterator[Violation]:
    """A row's room is at its site, large enough, open; one per block, one row a date (R7)."""
    inst = ctx.inst
    for r in ctx.rows:
        room, home = inst.room_by_id[r.room], inst.room_site[r.room]
        learners = inst.cohort_by_id[r.cohort].learners
        if home != r.site:
            yield Violation(Rule.R7, f"{what(r)} at {r.site} is in room {r.room} of {home}")
        if room.capacity < learners:
            yield Violation(
                Rule.R7,
                f"{what(r)}: room {r.room} holds {room.capacity}, the cohort has {learners} learners",
            )
        if r.date in ctx.cal.room_closed(r.room):
            yield Violation(Rule.R7, f"{what(r)}: room {r.room} is closed that date")
    for (cid, course_id, b), rows in ctx.by_block.items():
        rooms = sorted({r.room for r in rows})
        if len(rooms) > 1:
            yield Violation(Rule.R7, f"{cid} {course_id} block {b} uses rooms {', '.join(rooms)}")
    yield from _double_bookings(ctx.rows, "room", Rule.R7, ctx.committed)


def check_r8_skills(ctx: CheckContext) -> Iterator[Violation]:
    """The trainer has the row's topic in skills (R8)."""
    for r in ctx.rows:
        if r.topic not in ctx.inst.trainer_by_id[r.trainer].skills:
            yield Violation(Rule.R8, f"{what(r)}: trainer {r.trainer} lacks skill {r.topic}")


def check_r9_availability(ctx: CheckContext) -> Iterator[Violation]:
    """The trainer is available that date and allowed at the site (R9)."""
    for r in ctx.rows:
        allowed = ctx.inst.trainer_by_id[r.trainer].sites
        if r.date in ctx.cal.unavailable(r.trainer):
            yield Violation(Rule.R9, f"{what(r)}: trainer {r.trainer} is unavailable that date")
        if allowed is not None and r.site not in allowed:
            yield Violation(
                Rule.R9,
                f"{what(r)}: trainer {r.trainer} may not teach at {r.site} (only at {', '.join(allowed)})",
            )


def check_r10_one_place_a_day(ctx: CheckContext) -> Iterator[Violation]:
    """A trainer has at most one row a date (R10)."""
    yield from _double_bookings(ctx.rows, "trainer", Rule.R10, ctx.committed)


def check_r11_overnight_travel(ctx: CheckContext) -> Iterator[Violation]:
    """Rows at site A on d and B ≠ A on d + 1 need travel_hours(A, B) within the limit (R11)."""
    limit = ctx.inst.settings.max_overnight_travel_hours
    sites = ctx.inst.site_by_id
    for tid, tagged in _with_committed(ctx).items():
        by_day = group_by(tagged, lambda x: x[0].date.toordinal())
        pairs = [(x, y) for x in tagged for y in by_day.get(x[0].date.toordinal() + 1, [])]
        for (a, a_theirs), (b, b_theirs) in pairs:
            if (a_theirs and b_theirs) or a.site not in sites or b.site not in sites:
                continue
            if a.site != b.site and (hours := ctx.inst.travel_hours(a.site, b.site)) > limit:
                yield Violation(
                    Rule.R11,
                    f"trainer {tid} teaches at {a.site} on {a.date} and at "
                    f"{b.site} on {b.date}: {hours:.2f} h of travel, over "
                    f"the {limit:g} h allowed",
                )


def check_r12_workload(ctx: CheckContext) -> Iterator[Violation]:
    """A trainer has at most max_days rows, and max_days_per_week in any ISO week (R12)."""
    for tid, tagged in _with_committed(ctx).items():
        t = ctx.inst.trainer_by_id[tid]
        n_theirs = sum(theirs for _, theirs in tagged)
        extra = f" ({n_theirs} of them committed)" if n_theirs else ""
        if t.max_days is not None and len(tagged) > t.max_days:
            yield Violation(Rule.R12, f"trainer {tid} has {len(tagged)} rows{extra}, max_days {t.max_days}")
        weekly = t.max_days_per_week
        own_weeks = {iso_week(r.date) for r, theirs in tagged if not theirs}
        for (year, week), n in sorted(Counter(iso_week(r.date) for r, _ in tagged).items()):
            if weekly is not None and n > weekly and (year, week) in own_weeks:
                yield Violation(
                    Rule.R12,
                    f"trainer {tid} has {n} rows in ISO week {year}-W{week:02d}, max_days_per_week {weekly}",
                )


def _with_committed(ctx: CheckContext) -> dict[str, list[tuple[Row, bool]]]:
    """Per trainer with rows in the plan: its rows, then the committed plans' rows (tagged True)."""
    out = {tid: [(r, False) for r in rows] for tid, rows in ctx.by_trainer.items()}
    for r in ctx.committed:
        if r.trainer in out:
            out[r.trainer].append((r, True))
    return out


def check_r13_one_place_per_cohort(ctx: CheckContext) -> Iterator[Violation]:
    """A cohort has at most one row a date (R13)."""
    yield from _double_bookings(ctx.rows, "cohort", Rule.R13)


def _pin_matches(pin: Pin, r: Row) -> bool:
    return r.date == pin.date and pin.room in (None, r.room) and pin.trainer in (None, r.trainer)


def check_r14_pins(ctx: CheckContext) -> Iterator[Violation]:
    """Every pinned entry is in the plan: cohort, course, day, date, room, trainer (R14)."""
    index = group_by(ctx.rows, lambda r: (r.cohort, r.course, r.day))
    for i, pin in enumerate(ctx.inst.pinned):
        found = index.get((pin.cohort, pin.course, pin.day), [])
        if any(_pin_matches(pin, r) for r in found):
            continue
        wanted = (
            f"{pin.cohort} {pin.course} day {pin.day} on {pin.date}"
            + (f" in room {pin.room}" if pin.room else "")
            + (f" with trainer {pin.trainer}" if pin.trainer else "")
        )
        had = "; ".join(f"on {r.date} in room {r.room} with trainer {r.trainer}" for r in found)
        yield Violation(
            Rule.R14,
            f"pinned[{i}] {wanted} is not in the plan" + (f" (it has that day {had})" if had else ""),
        )


#: Every hard rule and its check, in rule order: the single list :func:`check` runs.
CHECKS: tuple[tuple[Rule, Callable[[CheckContext], Iterator[Violation]]], ...] = (
    (Rule.R1, check_r1_working_days),
    (Rule.R2, check_r2_blocks),
    (Rule.R3, check_r3_block_gaps),
    (Rule.R4, check_r4_course_order),
    (Rule.R5, check_r5_window),
    (Rule.R6, check_r6_completeness),
    (Rule.R7, check_r7_rooms),
    (Rule.R8, check_r8_skills),
    (Rule.R9, check_r9_availability),
    (Rule.R10, check_r10_one_place_a_day),
    (Rule.R11, check_r11_overnight_travel),
    (Rule.R12, check_r12_workload),
    (Rule.R13, check_r13_one_place_per_cohort),
    (Rule.R14, check_r14_pins),
)

# ---------------------------------------------------------------------- report


def _mismatches(inst: Instance, result: Result, n_rows: int, terms: Terms | None) -> Iterator[str]:
    if result.instance != inst.name:
        yield f"instance: solution.json is for {result.instance!r}, not {inst.name!r}"
    status = status_of(result.status)
    if status is None:
        yield f"status: {result.status!r} is not one of optimal, feasible, infeasible, unknown"
    elif terms is None:
        if n_rows:
            yield f"status: {status.value} means no plan, but the timetable has {n_rows} rows"
        if result.objective is not None or result.terms is not None:
            yield f"status: {status.value} means no plan, but objective or terms are not null"
    elif result.terms is None or result.objective is None:
        yield f"status: {status.value} has a plan, but objective or terms are null"
    if terms is None or result.terms is None or result.objective is None:
        return
    for rule, name in TERM_NAMES.items():
        given, want = getattr(result.terms, name, None), getattr(terms, name)
        if given != want:
            yield f"{rule.value} {name}: solution.json says {given}, recomputed {want}"
    if result.objective != (want := weighted_objective(inst, terms)):
        yield f"objective: solution.json says {result.objective}, Σ weight × term is {want}"


def check(
    inst: Instance, result: Result, calendar: Calendar | None = None, committed: Sequence[Row] = ()
) -> Report:
    """Test every hard rule on a result and recompute its terms (spec section 5).

    Parameters
    ----------
    inst
        The instance the plan was made for.
    result
        The plan, as :func:`rollout.io.read_solution` returns it; no content makes this raise.
    calendar
        The instance's calendar, when already built.
    committed
        Rows of committed plans the plan was made around (``--committed``):
        rooms and trainers they book count in R7, R10, R11 and R12.

    Returns
    -------
    Report
        Violations in rule order, the recomputed terms and every mismatch with ``solution.json``.
    """
    cal, raw = calendar or Calendar(inst), as_tuple(result.rows)
    problems = [(row, row_problem(inst, n, row)) for n, row in enumerate(raw, start=1)]
    violations = [p for _, p in problems if p is not None]
    rows = [row for row, p in problems if p is None]
    named = {c for c in (getattr(r, "cohort", None) for r in raw) if isinstance(c, str)}
    ctx = CheckContext(inst, cal, result, rows, named & inst.cohort_by_id.keys(), committed)
    for _rule, run in CHECKS:
        violations.extend(run(ctx))
    order = {rule: i for i, rule in enumerate(HARD_RULES)}
    violations.sort(key=lambda v: order[v.rule])
    terms = None
    if (status := status_of(result.status)) is not None and status.has_plan:
        left = [c.id for c in inst.cohort_list if c.id not in ctx.scheduled]
        terms = compute_terms(inst, ctx.rows, left, cal)
    return Report(tuple(violations), terms, tuple(_mismatches(inst, result, len(raw), terms)))


def format_report(report: Report) -> list[str]:
    """The lines ``rollout check`` prints: violations, mismatches, terms, then a summary."""
    lines = [str(v) for v in report.violations] + list(report.term_mismatches)
    if report.terms is not None:
        terms = ", ".join(f"{k} {v}" for k, v in report.terms.as_dict().items())
        lines.append(f"recomputed terms: {terms}")
    if report.ok:
        return [*lines, "OK: every rule holds and the terms match solution.json"]
    counts = Counter(v.rule.value for v in report.violations)
    per_rule = ", ".join(f"{rule} ×{n}" for rule, n in counts.items())
    return [
        *lines,
        f"FAILED: {len(report.violations)} violation(s)"
        + (f" ({per_rule})" if per_rule else "")
        + f", {len(report.term_mismatches)} mismatch(es) with solution.json",
    ]
