"""Why is there no plan? Stage 2: a minimal set of conflicting requirements.

The model is built by :meth:`rollout.cpsat.model.Model.build` on a *relaxed*
copy of the instance — every window widened to the horizon, ``max_days``,
``max_days_per_week`` and trainers' ``sites`` lifted, pins dropped,
``partial: true``, and one extra virtual room per site as large as its
largest cohort — so the hard rules that stay (R1–R4, R6, R8 skills, R9
dates, R10, R11, R13) are exactly those of a normal solve. Each original
requirement is then re-imposed here, on the model's variables, under one
assumption literal per *requirement group*:

* ``cohort``: the cohort is scheduled (R6, ``partial: false``);
* ``window``: its first day within ``start``, its last by ``end_by`` (R5);
* ``max_days`` and ``weekly``: a trainer's limits (R12);
* ``sites``: a trainer teaches only at their ``sites`` (R9);
* ``rooms``: a site has only its own rooms (R7);
* ``pin``: one pinned entry holds (R14).

CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a conflicting
set, shrunk to a minimal one by deletion (a member is left out when the
rest is still infeasible). Relaxing one member at a time, with its
violation minimised, gives the size of each fix.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from rollout.assignment import Assignment
from rollout.cpsat.model import Model, tune
from rollout.cpsat.variables import Scope
from rollout.index import Index
from rollout.instance import CohortSpec, Instance, Room
from rollout.solution import Row

Expr = cp_model.LinearExprT


def relaxed_instance(inst: Instance) -> Instance:
    """The instance with windows, limits and sites lifted, no pins, partial, a spare room per site.

    Cohorts keep their order (one spec each, so no ``count`` symmetry), so
    cohort, block and row positions match the original index.
    """
    from rollout.fixes import new_room_id, rebuilt

    cohorts = [
        CohortSpec(id=c.id, site=c.site, learners=c.learners, courses=list(c.courses))
        for c in inst.cohort_list
    ]
    largest: dict[str, int] = defaultdict(lambda: 1)
    for c in inst.cohort_list:
        largest[c.site] = max(largest[c.site], c.learners)
    sites = [
        s.model_copy(update={"rooms": [*s.rooms, Room(id=new_room_id(inst, s.id), capacity=largest[s.id])]})
        for s in inst.sites
    ]
    trainers = [
        t.model_copy(update={"max_days": None, "max_days_per_week": None, "sites": None})
        for t in inst.trainers
    ]
    settings = inst.settings.model_copy(update={"partial": True})
    return rebuilt(inst, cohorts=cohorts, sites=sites, trainers=trainers, pinned=[], settings=settings)


@dataclass
class Group:
    """One requirement of the original instance, re-imposed under an assumption literal."""

    kind: str  # cohort, window, max_days, weekly, sites, rooms, pin
    subject: str  # a cohort, trainer or site id, or the pin's position
    rule: str
    text: str
    lit: cp_model.IntVar
    amount: Expr  # how far a plan breaks it (0 when it holds)


@dataclass
class CoreModel:
    """A model of the relaxed instance with the original requirements as assumption groups."""

    original: Instance
    built: Model
    groups: list[Group] = field(default_factory=list)
    extra: dict[str, cp_model.IntVar] = field(default_factory=dict)

    @property
    def index(self) -> Index:
        return self.built.index

    @classmethod
    def build(
        cls,
        inst: Instance,
        committed: Sequence[Row] = (),
        cohorts: list[int] | None = None,
        fixed: Assignment | None = None,
        bookings: Index | None = None,
    ) -> CoreModel:
        """Build the relaxed model of ``cohorts`` (all by default) around ``fixed``, with every group.

        ``bookings``: an index of ``inst`` whose committed bookings to take
        (instead of ``committed`` rows).
        """
        relaxed = relaxed_instance(inst)
        index = Index(relaxed, committed=committed)
        if bookings is not None:
            index.booked, index.room_booked = bookings.booked, bookings.room_booked
        scope = Scope(
            cohorts if cohorts is not None else list(range(len(index.cohorts))), fixed or Assignment()
        )
        built = Model.build(index, scope)
        built.model.clear_objective()  # type: ignore[no-untyped-call]
        core = cls(inst, built)
        core._add_groups(inst)
        return core

    # ----- the groups -----------------------------------------------------------------

    def _add(
        self,
        kind: str,
        subject: str,
        rule: str,
        text: str,
        amount: Expr,
        limit: int = 0,
        when: cp_model.IntVar | None = None,
    ) -> Group:
        """A group: ``amount <= limit`` under a new assumption literal (and ``when``, if given)."""
        m = self.built.model
        lit = m.new_bool_var(f"assume[{kind}|{subject}]")
        if not isinstance(amount, int):
            m.add(amount <= limit).only_enforce_if([lit] if when is None else [lit, when])
        group = Group(kind, subject, rule, text, lit, amount)
        self.groups.append(group)
        return group

    def _add_groups(self, inst: Instance) -> None:
        v, index = self.built.vars, self.index
        for c in v.scope.cohorts:
            cohort = inst.cohort_list[c]
            self._add(
                "cohort", cohort.id, "R6", f"{cohort.id} is scheduled (partial: false)", 1 - v.present[c]
            )
            self._window(c)
        options: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for r, lits in v.trainer_lit.items():
            for t, lit in lits.items():
                options[t].append((r, lit))
        background: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for r, day, t in v.scope.fixed_rows(index):
            background[t].append((day, index.blocks[index.rows[r].block].site))
        for t, booked in index.booked.items():
            background[t] += booked
        for trainer in inst.trainers:
            if trainer.id in options:
                self._trainer(trainer.id, options[trainer.id], background[trainer.id])
        # A block in a site's spare room breaks "only its rooms" by its cohort's learners, so the
        # least broken plan puts the smallest cohorts there and the room to add is the smallest.
        by_site: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
        real = set(inst.room_site)
        for b, choice in v.room_lit.items():
            learners = index.cohorts[index.blocks[b].cohort].cohort.learners
            for room, room_lit in choice.items():
                if room not in real:
                    by_site[index.blocks[b].site].append(learners * room_lit)
        for site, spare in by_site.items():
            rooms = ", ".join(f"{r.id} ({r.capacity} seats)" for r in inst.site_by_id[site].rooms)
            self._add("rooms", site, "R7", f"{site} has only its rooms: {rooms}", sum(spare))
        for i in range(len(inst.pinned)):
            self._pin(i)

    def _window(self, c: int) -> None:
        m, v, index = self.built.model, self.built.vars, self.index
        cohort = self.original.cohort_list[c]
        blocks = index.cohorts[c].blocks
        h = self.original.horizon
        whole = cohort.start.from_ <= h.start and cohort.start.to >= h.end
        if whole and cohort.end_by is None:
            return
        first, last = blocks[0], blocks[-1]
        span = index.n_days
        early = m.new_int_var(0, span, f"early[{cohort.id}]")
        late = m.new_int_var(0, span, f"late[{cohort.id}]")
        over = m.new_int_var(0, span, f"over[{cohort.id}]")
        m.add(early >= index.day(cohort.start.from_) - v.start[first])
        m.add(late >= v.start[first] - index.day(cohort.start.to))
        if cohort.end_by is not None:
            m.add(over >= v.start[last] + index.blocks[last].length - 1 - index.day(cohort.end_by))
        else:
            m.add(over == 0)
        self.extra[f"early|{cohort.id}"], self.extra[f"late|{cohort.id}"] = early, late
        self.extra[f"over|{cohort.id}"] = over
        text = f"{cohort.id} starts between {cohort.start.from_} and {cohort.start.to}" + (
            f" and ends by {cohort.end_by}" if cohort.end_by else ""
        )
        self._add("window", cohort.id, "R5", text, early + late + over, when=v.present[c])

    def _trainer(
        self, t: str, opts: list[tuple[int, cp_model.IntVar]], background: list[tuple[int, str]]
    ) -> None:
        m, v, index = self.built.model, self.built.vars, self.index
        trainer = self.original.trainer_by_id[t]
        if trainer.max_days is not None:
            total = m.new_int_var(0, len(opts) + len(background), f"days[{t}]")
            m.add(total == sum(lit for _, lit in opts) + len(background))
            self.extra[f"days|{t}"] = total
            self._add(
                "max_days",
                t,
                "R12",
                f"{t} teaches at most {trainer.max_days} days (max_days)",
                total,
                trainer.max_days,
            )
        cap = trainer.max_days_per_week
        if cap is not None and cap < 7:
            load = m.new_int_var(0, 7, f"week-cap[{t}]")
            intervals = [
                m.new_optional_fixed_size_interval_var(v.week_of_row(index, r), 1, lit, f"week-load[{t}|{r}]")
                for r, lit in opts
            ]
            demands = [1] * len(intervals)
            used: dict[int, int] = defaultdict(int)
            for day, _ in background:
                if (w := index.week_index(day)) is not None:
                    used[w] += 1
            for w, n in used.items():
                intervals.append(m.new_fixed_size_interval_var(w, 1, ""))
                demands.append(n)
            m.add_cumulative(intervals, demands, load)
            self.extra[f"week|{t}"] = load
            self._add(
                "weekly", t, "R12", f"{t} teaches at most {cap} days a week (max_days_per_week)", load, cap
            )
        if trainer.sites is not None:
            outside = [lit for r, lit in opts if index.blocks[index.rows[r].block].site not in trainer.sites]
            if outside:
                self._add("sites", t, "R9", f"{t} teaches only at {', '.join(trainer.sites)}", sum(outside))

    def _pin(self, i: int) -> None:
        m, v, index = self.built.model, self.built.vars, self.index
        pin = self.original.pinned[i]
        c = next(k for k, p in enumerate(index.cohorts) if p.cohort.id == pin.cohort)
        if c not in v.present:
            return
        b = next(
            x
            for x in index.cohorts[c].blocks
            if index.blocks[x].course == pin.course
            and index.blocks[x].first_day <= pin.day < index.blocks[x].first_day + index.blocks[x].length
        )
        j = pin.day - index.blocks[b].first_day
        start = index.day(pin.date) - j
        text = f"pinned[{i}]: {pin.cohort} {pin.course} day {pin.day} on {pin.date}" + "".join(
            f", {k} {x}" for k, x in (("room", pin.room), ("trainer", pin.trainer)) if x is not None
        )
        group = self._add("pin", str(i), "R14", text, 0)
        needs = [v.present[c], v.start_lit[b].get(start)]
        if pin.room is not None:
            needs.append(v.room_lit[b].get(pin.room))
        if pin.trainer is not None:
            needs.append(v.trainer_lit[index.block_rows[b][j]].get(pin.trainer))
        for lit in needs:
            if lit is None:
                m.add_bool_or([group.lit.Not()])
            else:
                m.add_implication(group.lit, lit)

    # ----- solving --------------------------------------------------------------------

    def solve(
        self, assumed: Sequence[Group], seconds: float, seed: int, minimise: Expr | None = None
    ) -> tuple[str, cp_model.CpSolver]:
        """Solve with ``assumed`` groups imposed: ``infeasible``, ``feasible`` or ``unknown``."""
        m = self.built.model
        m.clear_assumptions()
        m.add_assumptions([g.lit for g in assumed])
        if minimise is not None:
            m.minimize(minimise)
        else:
            m.clear_objective()  # type: ignore[no-untyped-call]
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        tune(solver.parameters)
        code = solver.solve(m)
        if code == cp_model.INFEASIBLE:
            return "infeasible", solver
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "feasible", solver
        return "unknown", solver

    def minimal_core(
        self, seconds: float, seed: int, per_solve: float = 10.0
    ) -> tuple[list[Group], bool] | None:
        """A minimal conflicting set of groups, and whether it is proven minimal.

        None when the groups together are not proven infeasible in time.
        """
        deadline = time.perf_counter() + seconds

        def left() -> float:
            return min(per_solve, deadline - time.perf_counter())

        status, solver = self.solve(self.groups, left(), seed)
        if status != "infeasible":
            return None
        core = self._sufficient(solver, self.groups)
        order = {
            k: i for i, k in enumerate(("pin", "sites", "weekly", "max_days", "rooms", "window", "cohort"))
        }
        proven = True
        for g in sorted(core, key=lambda g: order[g.kind]):
            if g not in core:
                continue
            if left() <= 0.05:
                proven = False
                break
            trial = [x for x in core if x is not g]
            status, solver = self.solve(trial, left(), seed)
            if status == "infeasible":
                core = self._sufficient(solver, trial)
            elif status == "unknown":
                proven = False
        return core, proven

    def _sufficient(self, solver: cp_model.CpSolver, among: list[Group]) -> list[Group]:
        chosen = set(solver.sufficient_assumptions_for_infeasibility())
        picked = [g for g in among if g.lit.index in chosen]
        return picked or list(among)

    def relax(self, group: Group, seconds: float, seed: int) -> Relaxed | None:
        """A plan keeping every group but ``group``, broken as little as can be; None if none in time."""
        others = [g for g in self.groups if g is not group]
        status, solver = self.solve(
            others, seconds, seed, None if isinstance(group.amount, int) else group.amount
        )
        if status != "feasible":
            return None
        plan = self.built.vars.extract(solver, self.index)
        return Relaxed(plan, {k: int(solver.value(x)) for k, x in self.extra.items()})


@dataclass
class Relaxed:
    """A plan of the relaxed instance, and the values of the groups' measures (``days|t07``, ``over|c``…)."""

    plan: Assignment
    values: dict[str, int]


def left_out_reasons(index: Index, plan: Assignment, seconds: float, seed: int) -> dict[int, str]:
    """Why each cohort that ``plan`` leaves out (and the index found no reason for) does not fit (R6).

    Each is required on top of the plan, the other cohorts fixed as
    background, with its window, the limits and sites of its trainers and
    its site's rooms as groups; the minimal conflicting set says why. Stops
    after ``seconds``; cohorts not reached are left out of the answer.
    """
    deadline = time.perf_counter() + seconds
    out: dict[int, str] = {}
    for c, p in enumerate(index.cohorts):
        remaining = deadline - time.perf_counter()
        if c in plan.placed or not p.possible:
            continue
        if remaining < 0.2:
            break
        core = CoreModel.build(index.instance, cohorts=[c], fixed=plan, bookings=index)
        status, solver = core.solve(core.groups, min(2.0, remaining), seed)
        if status == "feasible":
            first = core.built.vars.start[p.blocks[0]]
            out[c] = (
                f"it fits around the other cohorts' plan (from {index.date(solver.value(first))}), but "
                f"adding it costs more than weights.unscheduled ({index.instance.weights.unscheduled:,}) "
                "or the search ended before finding that plan: raise the weight or --time-limit"
            )
            continue
        if status != "infeasible":
            continue
        found = core.minimal_core(deadline - time.perf_counter(), seed, per_solve=2.0)
        groups = [g for g in found[0] if g.kind != "cohort"] if found is not None else []
        if found is not None and not groups:
            out[c] = (
                "no dates, room and trainers are free for it around the other cohorts' plan, even with "
                "its window, the trainers' limits and sites lifted (R1, R7, R9, R10, R11)"
            )
        elif groups:
            out[c] = "it does not fit around the other cohorts' plan while these hold: " + "; ".join(
                f"{g.rule} {g.text}" for g in groups
            )
    return out
