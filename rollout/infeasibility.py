"""Why is there no plan, and what to change: the two stages and the ranked, verified fixes.

:func:`diagnose` runs stage 1 (:func:`rollout.diagnosis.stage1`, arithmetic
before any search); when it proves nothing, it checks that the instance has
no plan and runs stage 2 (:mod:`rollout.cpsat.core`, a minimal set of
conflicting requirements). Each member of the minimal set, relaxed alone in
a plan that breaks it as little as possible, sizes one fix; every fix is
then verified by re-solving the real instance with that one change
(:func:`rollout.fixes.verify`) and the fixes are ranked, verified and
easiest first. :func:`render` prints it all in the planner's words.

Solver code is imported lazily, as :mod:`rollout.solve` does.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rollout.diagnosis import Finding, stage1
from rollout.fixes import (
    Fix,
    add_room,
    allow_sites,
    drop_pin,
    extend_window,
    move_pin,
    raise_max_days,
    raise_weekly,
    rank,
    verify,
)
from rollout.index import Index
from rollout.instance import Instance
from rollout.solution import Row

if TYPE_CHECKING:
    from rollout.cpsat.core import CoreModel, Group, Relaxed


@dataclass
class Diagnosis:
    """What :func:`diagnose` found.

    Attributes
    ----------
    feasible
        True: a plan exists; False: proven infeasible; None: not known in time.
    findings
        Stage 1: capacity findings.
    core
        Stage 2: the minimal set of conflicting requirements, one line each.
    proven_minimal
        Whether every member of ``core`` was shown necessary in time.
    summary
        Stage 2 in one sentence of plain words.
    fixes
        Candidate changes, ranked: verified first, easiest first.
    """

    instance: str
    feasible: bool | None
    findings: list[Finding] = field(default_factory=list)
    core: list[str] = field(default_factory=list)
    proven_minimal: bool = True
    summary: str = ""
    fixes: list[Fix] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def diagnose(
    inst: Instance,
    time_limit: float = 60.0,
    seed: int = 0,
    committed: Sequence[Row] = (),
    known_infeasible: bool = False,
) -> Diagnosis:
    """Say why ``inst`` has no plan and which single changes give it one.

    Parameters
    ----------
    time_limit
        Seconds for the whole diagnosis, roughly: the feasibility check,
        the core, sizing the fixes and verifying them share it.
    known_infeasible
        Skip the feasibility check (a solve just proved there is no plan).
    """
    started = time.perf_counter()

    def left() -> float:
        return max(0.5, time_limit - (time.perf_counter() - started))

    index = Index(inst, committed=committed)
    diag = Diagnosis(inst.name, None, stage1(index))
    fixes = [f for finding in diag.findings for f in finding.fixes]
    if diag.findings and not inst.settings.partial:
        diag.feasible = False
    else:
        if not known_infeasible:
            from rollout.solve import SolveParams, solve

            result = solve(
                inst,
                SolveParams(time_limit=left() / 3, workers=1, seed=seed, gap=1.0, committed=tuple(committed)),
            )
            if result.status.has_plan:
                diag.feasible = True
                diag.seconds = time.perf_counter() - started
                return diag
        fixes += _stage2(inst, diag, committed, left() * 0.6, seed)
    per_fix = min(10.0, max(2.0, time_limit / 10))
    verify(inst, fixes, per_fix, seed, committed, budget=left())
    diag.fixes = rank(fixes)
    diag.seconds = time.perf_counter() - started
    return diag


def _stage2(
    inst: Instance, diag: Diagnosis, committed: Sequence[Row], seconds: float, seed: int
) -> list[Fix]:
    from rollout.cpsat.core import CoreModel

    started = time.perf_counter()
    found = None
    focus = focused(inst, committed)
    if focus is not None:  # the conflict among fewer cohorts holds for all of them
        sub, sites = focus
        core_model = CoreModel.build(sub, committed)
        found = core_model.minimal_core(seconds * 0.3, seed)
        if found is not None:
            n = len(sub.cohort_list)
            diag.notes.append(
                f"searched among the {n} cohorts at {', '.join(sites)}, where the greedy planner "
                f"could not place every cohort (of {len(inst.cohort_list)})"
            )
    if found is None:
        core_model = CoreModel.build(inst, committed)
        spend = seconds * 0.6 - (time.perf_counter() - started)
        found = core_model.minimal_core(spend, seed)
    if found is None:
        diag.notes.append(f"no conflicting set of requirements was proven within {seconds * 0.6:.0f} s")
        return []
    diag.feasible = False
    groups, diag.proven_minimal = found
    diag.core = [f"{g.rule}: {g.text}" for g in groups]
    per = max(0.5, (seconds - (time.perf_counter() - started)) / max(1, len(groups)))
    relaxed = {id(g): core_model.relax(g, per, seed) for g in groups if g.kind != "cohort"}
    diag.summary = summary(core_model, groups, relaxed)
    fixes: list[Fix] = []
    for g in groups:
        if (r := relaxed.get(id(g))) is not None:
            fixes += fixes_from(core_model, g, r)
        elif g.kind == "pin":
            fixes.append(Fix("pin", "R14", f"drop pinned[{g.subject}] (R14)", drop_pin(int(g.subject))))
    return fixes


def focused(inst: Instance, committed: Sequence[Row] = ()) -> tuple[Instance, list[str]] | None:
    """The instance cut down to the sites where the greedy planner leaves cohorts out.

    Requirements that conflict among fewer cohorts conflict among all of
    them, so a minimal set found there is one of the whole instance; it is
    found in a model a fraction of the size. None when the greedy planner
    places every cohort, or the cut would keep every cohort.
    """
    from rollout.greedy import greedy_plan
    from rollout.io import dump_instance, parse_instance

    index = Index(inst, committed=committed)
    plan = greedy_plan(index, careful=True)
    sites = sorted({p.cohort.site for c, p in enumerate(index.cohorts) if c not in plan.placed})
    data = dump_instance(inst)
    data["cohorts"] = [spec for spec in data["cohorts"] if spec["site"] in sites]
    kept = {c.id for c in inst.cohort_list if c.site in sites}
    if not sites or len(kept) == len(inst.cohort_list):
        return None
    data["pinned"] = [pin for pin in data["pinned"] if pin["cohort"] in kept]
    return parse_instance(data, inst.name), sites


def fixes_from(core: CoreModel, g: Group, r: Relaxed) -> list[Fix]:
    """The change that relaxing group ``g`` needs in the relaxed plan ``r``."""
    inst, index = core.original, core.index
    if g.kind == "window":
        c = inst.cohort_by_id[g.subject]
        early, late, over = (r.values[f"{k}|{c.id}"] for k in ("early", "late", "over"))
        parts, change = [], {}
        if early:
            change["start_from"] = index.date(index.day(c.start.from_) - early)
            parts.append(f"start.from earlier by {_days(early)} to {change['start_from']}")
        if late:
            change["start_to"] = index.date(index.day(c.start.to) + late)
            parts.append(f"start.to by {_days(late)} to {change['start_to']}")
        if over and c.end_by is not None:
            change["end_by"] = index.date(index.day(c.end_by) + over)
            parts.append(f"end_by by {_days(over)} to {change['end_by']}")
        if not parts:
            return []
        text = f"extend {c.id}'s {' and '.join(parts)} (R5)"
        return [Fix("window", "R5", text, extend_window(c.id, **change), early + late + over)]
    trainer = inst.trainer_by_id.get(g.subject)
    if g.kind == "max_days" and trainer is not None and trainer.max_days is not None:
        n = r.values[f"days|{g.subject}"]
        text = f"raise {g.subject}'s max_days from {trainer.max_days} to {n} (R12)"
        return [Fix("max_days", "R12", text, raise_max_days(g.subject, n), n - trainer.max_days)]
    if g.kind == "weekly" and trainer is not None and trainer.max_days_per_week is not None:
        n = r.values[f"week|{g.subject}"]
        text = f"raise {g.subject}'s max_days_per_week from {trainer.max_days_per_week} to {n} (R12)"
        return [Fix("weekly", "R12", text, raise_weekly(g.subject, n), n - trainer.max_days_per_week)]
    if g.kind == "sites" and trainer is not None and trainer.sites is not None:
        used = sorted(
            {
                index.blocks[index.rows[row].block].site
                for row, t in r.plan.trainer.items()
                if t == g.subject and index.blocks[index.rows[row].block].site not in trainer.sites
            }
        )
        text = f"allow trainer {g.subject} at {', '.join(used)} (R9)"
        return [Fix("sites", "R9", text, allow_sites(g.subject, used), len(used))] if used else []
    if g.kind == "rooms":
        extra = [
            b
            for b, room in r.plan.room.items()
            if room not in inst.room_site and index.blocks[b].site == g.subject
        ]
        seats = max((inst.cohort_list[index.blocks[b].cohort].learners for b in extra), default=0)
        text = f"add a room of {seats} seats at {g.subject} (R7)"
        return [Fix("room", "R7", text, add_room(g.subject, seats), seats)] if extra else []
    if g.kind == "pin":
        i = int(g.subject)
        out = [Fix("pin", "R14", f"drop pinned[{i}] (R14)", drop_pin(i), 2)]
        pin = inst.pinned[i]
        day = _pinned_day(core, r, i)
        if day is not None and day != pin.date:
            out.append(
                Fix(
                    "pin",
                    "R14",
                    f"move pinned[{i}] ({pin.cohort} day {pin.day}) to {day} (R14)",
                    move_pin(i, day),
                    1,
                )
            )
        return out
    return []


def _pinned_day(core: CoreModel, r: Relaxed, i: int) -> date | None:
    """The date the relaxed plan gives the pinned day, if its cohort is placed."""
    index, pin = core.index, core.original.pinned[i]
    c = core.original.cohort_list.index(core.original.cohort_by_id[pin.cohort])
    if c not in r.plan.placed:
        return None
    for b in index.cohorts[c].blocks:
        block = index.blocks[b]
        if block.course == pin.course and block.first_day <= pin.day < block.first_day + block.length:
            return index.date(r.plan.start[b] + pin.day - block.first_day)
    return None


def summary(core: CoreModel, groups: list[Group], relaxed: dict[int, Relaxed | None]) -> str:
    """The minimal set in one sentence: who cannot do what, and what stands in the way."""
    inst, index = core.original, core.index
    subjects = [g for g in groups if g.kind == "window"] or [g for g in groups if g.kind == "cohort"][:1]
    head = []
    for g in subjects:
        c = inst.cohort_by_id[g.subject]
        r = relaxed.get(id(g))
        if g.kind == "window" and r is not None and r.values.get(f"over|{c.id}") and c.end_by:
            pos = inst.cohort_list.index(c)
            late = [
                index.blocks[b].course
                for b in index.cohorts[pos].blocks
                if index.date(r.plan.start[b] + index.blocks[b].length - 1) > c.end_by
            ]
            head.append(
                f"{c.id} cannot take {late[0] if late else c.courses[-1]} before its end_by {c.end_by}"
            )
        elif g.kind == "window" and r is not None and r.values.get(f"early|{c.id}"):
            head.append(f"{c.id} cannot start on or after {c.start.from_}")
        elif g.kind == "window":
            head.append(f"{c.id} cannot start by {c.start.to}")
        else:
            head.append(f"{c.id} cannot be scheduled")
    why = []
    named = {g.subject for g in subjects}
    others = [g.subject for g in groups if g.kind == "cohort" and g.subject not in named]
    if others:
        why.append(f"with {', '.join(others)} scheduled too")
    topics = {
        t
        for g in subjects
        for course in inst.cohort_by_id[g.subject].courses
        for t in inst.course_by_id[course].days
    }
    for g in groups:
        r = relaxed.get(id(g))
        trainer = inst.trainer_by_id.get(g.subject)
        if g.kind == "max_days" and trainer is not None:
            skills = ", ".join(f"`{s}`" for s in trainer.skills if s in topics)
            when = _reaches(core, r, g.subject, trainer.max_days or 0) if r is not None else None
            why.append(
                f"{g.subject} ({skills}) reaches max_days {trainer.max_days}"
                + (f" on {when}" if when else "")
            )
        elif g.kind == "weekly" and trainer is not None:
            why.append(f"{g.subject} may teach at most {trainer.max_days_per_week} days a week")
        elif g.kind == "sites" and trainer is not None:
            why.append(f"{g.subject} may teach only at {', '.join(trainer.sites or [])}")
        elif g.kind == "rooms":
            why.append(f"the rooms of {g.subject} are taken on those dates")
        elif g.kind == "pin":
            why.append(g.text)
    if len(subjects) > 1 and all(g.kind == "window" for g in subjects):
        ids = [g.subject for g in subjects]
        head = [f"{', '.join(ids[:-1])} and {ids[-1]} cannot all be planned within their windows (R5)"]
    return "; ".join(head) + (": " + ", ".join(why) if why else "")


def _reaches(core: CoreModel, r: Relaxed, trainer: str, limit: int) -> str | None:
    """The date of ``trainer``'s ``limit``-th teaching day in the relaxed plan."""
    index = core.index
    days = sorted(
        [
            r.plan.start[index.rows[row].block] + index.rows[row].offset
            for row, t in r.plan.trainer.items()
            if t == trainer
        ]
        + [d for d, _ in index.booked.get(trainer, [])]
    )
    return str(index.date(days[limit - 1])) if 0 < limit <= len(days) else None


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def render(diag: Diagnosis) -> list[str]:
    """The diagnosis as printed lines."""
    if diag.feasible:
        return []
    lines = [
        f"no plan for {diag.instance}: why, and what to change"
        if diag.feasible is False
        else f"{diag.instance}: no plan found, and no conflict proven in time"
    ]
    if diag.findings:
        lines.append("capacity, before any search:")
        lines += [f"  - {f.line()}" for f in diag.findings]
    if diag.core:
        minimal = "minimal" if diag.proven_minimal else "small (not proven minimal in time)"
        lines.append(f"a {minimal} set of requirements that cannot all hold ({len(diag.core)}):")
        lines += [f"  - {line}" for line in diag.core]
        if diag.summary:
            lines.append(f"in words: {diag.summary}")
    lines += [f"note: {n}" for n in diag.notes]
    if diag.fixes:
        lines.append("fixes, easiest first (each re-solved with that one change):")
        lines += [f"  {k}. {f.text} — {f.outcome}" for k, f in enumerate(diag.fixes, start=1)]
    return lines
