"""Changes to an instance that may make it feasible, each verified by re-solving.

A :class:`Fix` is one change a planner can make to the instance file
(extend a cohort's window, raise a trainer's ``max_days``, allow a trainer
at a site, add a room, give a trainer a skill, move or drop a pin), with the
rule it relaxes and its size. :func:`verify` re-solves the real instance
with that one change; :func:`rank` puts verified fixes first, easiest first.

Nothing here imports a solver: verification goes through
:func:`rollout.solve.solve`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rollout.instance import DateRange, Instance, Room
from rollout.solution import Row

#: How hard each kind of change is for a planner, easiest first (the ranking's first key).
KIND_ORDER: tuple[str, ...] = ("window", "max_days", "weekly", "sites", "skill", "room", "pin")


@dataclass
class Fix:
    """One change to the instance, in the planner's words.

    Attributes
    ----------
    kind
        One of :data:`KIND_ORDER`.
    rule
        The rule the change relaxes (``R5``, ``R12``…).
    text
        What to change, e.g. ``raise t07's max_days from 20 to 24 (R12)``.
    change
        The instance with the change made.
    size
        How big the change is (days, seats, a count): smaller is easier.
    verified
        True when a re-solve with the change found a plan; False when it
        proved none; None when not tried or out of time.
    outcome
        What the re-solve found, in words.
    """

    kind: str
    rule: str
    text: str
    change: Callable[[Instance], Instance]
    size: int = 1
    verified: bool | None = None
    outcome: str = "not verified"

    def key(self) -> tuple[int, int, int, str]:
        """Ranking key: verified first, then the kind's ease, then the size."""
        order = {True: 0, None: 1, False: 2}[self.verified]
        return order, KIND_ORDER.index(self.kind), self.size, self.text


# ----- instance edits -------------------------------------------------------------


def rebuilt(inst: Instance, **update: object) -> Instance:
    """A fresh, validated instance with top-level fields replaced (no cached lookups carried over)."""
    data = {name: getattr(inst, name) for name in Instance.model_fields}
    data.update(update)
    return Instance.model_validate(data)


def _trainer_edit(inst: Instance, trainer: str, **update: object) -> Instance:
    trainers = [t.model_copy(update=update) if t.id == trainer else t for t in inst.trainers]
    return rebuilt(inst, trainers=trainers)


def _spec_of(inst: Instance, cohort: str) -> int:
    return inst.cohort_by_id[cohort].spec_index


def extend_window(
    cohort: str, start_from: date | None = None, start_to: date | None = None, end_by: date | None = None
) -> Callable[[Instance], Instance]:
    """Widen a cohort's window (its spec's, so ``count`` siblings get it too): R5."""

    def change(inst: Instance) -> Instance:
        i = _spec_of(inst, cohort)
        spec = inst.cohorts[i]
        window = inst.cohort_by_id[cohort].start
        lo = min(window.from_, start_from) if start_from else window.from_
        hi = max(window.to, start_to) if start_to else window.to
        last = spec.end_by
        if end_by is not None and last is not None:
            last = max(last, end_by)
        new = spec.model_copy(update={"start": DateRange(**{"from": lo, "to": hi}), "end_by": last})
        return rebuilt(inst, cohorts=[new if k == i else s for k, s in enumerate(inst.cohorts)])

    return change


def raise_max_days(trainer: str, days: int) -> Callable[[Instance], Instance]:
    """Set a trainer's ``max_days`` (R12)."""
    return lambda inst: _trainer_edit(inst, trainer, max_days=days)


def raise_weekly(trainer: str, days: int) -> Callable[[Instance], Instance]:
    """Set a trainer's ``max_days_per_week`` (R12)."""
    return lambda inst: _trainer_edit(inst, trainer, max_days_per_week=days)


def allow_sites(trainer: str, sites: Iterable[str]) -> Callable[[Instance], Instance]:
    """Add sites to a trainer's ``sites`` (R9)."""
    extra = list(sites)

    def change(inst: Instance) -> Instance:
        t = inst.trainer_by_id[trainer]
        allowed = None if t.sites is None else [*t.sites, *(s for s in extra if s not in t.sites)]
        return _trainer_edit(inst, trainer, sites=allowed)

    return change


def give_skill(trainer: str, topic: str) -> Callable[[Instance], Instance]:
    """Add a topic to a trainer's ``skills`` (R8)."""

    def change(inst: Instance) -> Instance:
        t = inst.trainer_by_id[trainer]
        return _trainer_edit(inst, trainer, skills=[*t.skills, topic])

    return change


def new_room_id(inst: Instance, site: str) -> str:
    """An unused room id at ``site``: ``<site>-new``, ``<site>-new2``…"""
    n, rid = 1, f"{site}-new"
    while rid in inst.room_site:
        n += 1
        rid = f"{site}-new{n}"
    return rid


def add_room(site: str, seats: int) -> Callable[[Instance], Instance]:
    """Add a room of ``seats`` places at ``site`` (R7)."""

    def change(inst: Instance) -> Instance:
        sites = [
            s.model_copy(update={"rooms": [*s.rooms, Room(id=new_room_id(inst, site), capacity=seats)]})
            if s.id == site
            else s
            for s in inst.sites
        ]
        return rebuilt(inst, sites=sites)

    return change


def drop_pin(i: int) -> Callable[[Instance], Instance]:
    """Remove ``pinned[i]`` (R14)."""
    return lambda inst: rebuilt(inst, pinned=[p for k, p in enumerate(inst.pinned) if k != i])


def move_pin(i: int, day: date) -> Callable[[Instance], Instance]:
    """Move ``pinned[i]`` to another date, keeping its room and trainer (R14)."""
    return lambda inst: rebuilt(
        inst, pinned=[p.model_copy(update={"date": day}) if k == i else p for k, p in enumerate(inst.pinned)]
    )


def days_after(first: date, last: date) -> int:
    """Calendar days from ``first`` to ``last`` (0 when not later)."""
    return max(0, (last - first).days)


def plus(d: date, days: int) -> date:
    return d + timedelta(days=days)


# ----- verification and ranking ---------------------------------------------------


def verify(
    inst: Instance,
    fixes: Sequence[Fix],
    seconds: float,
    seed: int,
    committed: Sequence[Row] = (),
    budget: float | None = None,
) -> None:
    """Re-solve ``inst`` with each fix alone (one worker, ``seconds`` each), recording the outcome.

    Stops trying once ``budget`` seconds are spent; the fixes left keep
    ``verified`` None.
    """
    from rollout.solve import SolveParams, solve

    started = time.perf_counter()
    for fix in fixes:
        if budget is not None and time.perf_counter() - started > budget:
            break
        try:
            changed = fix.change(inst)
        except ValueError as exc:  # the change itself is not a valid instance
            fix.verified, fix.outcome = False, f"not applicable: {exc}"
            continue
        # gap 1.0: the first plan found settles it (verification asks for a plan, not the best one)
        params = SolveParams(time_limit=seconds, workers=1, seed=seed, gap=1.0, committed=tuple(committed))
        result = solve(changed, params)
        if result.status.has_plan and not result.unscheduled:
            fix.verified, fix.outcome = True, f"verified: a plan exists (objective {result.objective:,})"
        elif result.status.value == "infeasible":
            fix.verified, fix.outcome = False, "not enough alone: still no plan"
        else:
            fix.outcome = f"not verified: no plan found in {seconds:g} s"


def rank(fixes: Iterable[Fix]) -> list[Fix]:
    """Distinct fixes (by text), verified first, easiest first."""
    seen: dict[str, Fix] = {}
    for fix in fixes:
        seen.setdefault(fix.text, fix)
    return sorted(seen.values(), key=Fix.key)
