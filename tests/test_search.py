"""The search: greedy baseline, R11 with a fixed background, part-by-part solving, hints.

Every plan a test produces goes through the independent checker.
"""

from __future__ import annotations

from rollout import SolveParams, Status, solve
from rollout.assignment import Assignment, assignment_from_rows
from rollout.checker import check, compute_terms
from rollout.cpsat import search
from rollout.cpsat.model import Model, run
from rollout.cpsat.variables import Scope
from rollout.greedy import greedy_plan
from rollout.index import Index
from rollout.instance import Instance
from rollout.io import load_instance, parse_instance
from rollout.partition import partition
from tests.conftest import INSTANCES, PARAMS
from tests.test_solve import _base


def _far_apart() -> dict:  # type: ignore[type-arg]
    """Paris and Marseille (6 h apart), one trainer, one-day course; a cohort at each site.

    The Paris cohort must run on Mon 2 Nov; the Marseille one may start from
    Tue 3 Nov. R11 forbids Paris on Monday then Marseille on Tuesday.
    """
    return _base(
        horizon={"start": "2015-11-02", "end": "2015-11-06"},
        courses=[{"id": "c", "hours_per_day": 7, "blocks": [["a"]]}],
        sites=[
            {"id": "par", "lat": 48.85, "lon": 2.35, "rooms": [{"id": "p1", "capacity": 10}]},
            {"id": "mrs", "lat": 43.30, "lon": 5.37, "rooms": [{"id": "m1", "capacity": 10}]},
        ],
        travel=[{"from": "par", "to": "mrs", "hours": 6.0}],
        trainers=[{"id": "t", "home": "par", "skills": ["a"], "day_rate": 100}],
        cohorts=[
            {
                "id": "kp",
                "site": "par",
                "learners": 8,
                "courses": ["c"],
                "start": {"from": "2015-11-02", "to": "2015-11-02"},
            },
            {
                "id": "km",
                "site": "mrs",
                "learners": 8,
                "courses": ["c"],
                "start": {"from": "2015-11-03", "to": "2015-11-06"},
            },
        ],
    )


def _checked(inst: Instance, result) -> None:  # type: ignore[no-untyped-def]
    report = check(inst, result)
    assert report.ok, report


def test_r11_keeps_a_night_between_far_sites() -> None:
    """Tests that R11 moves the Marseille day from Tuesday to Wednesday (one day of delay, O5)."""
    inst = parse_instance(_far_apart())
    result = solve(inst, PARAMS)
    _checked(inst, result)
    assert result.status is Status.OPTIMAL
    day = {r.cohort: r.date.isoformat() for r in result.rows}
    assert day == {"kp": "2015-11-02", "km": "2015-11-04"}
    assert result.terms.delay_days == 1


def test_r11_holds_against_a_fixed_background() -> None:
    """Tests that a part re-planned around a fixed plan keeps R11 with the fixed rows (Scope.fixed)."""
    inst = parse_instance(_far_apart())
    index = Index(inst)
    paris, marseille = (
        next(c for c, p in enumerate(index.cohorts) if p.cohort.id == k) for k in ("kp", "km")
    )
    fixed = greedy_plan(index, {paris})
    assert fixed.placed == {paris}
    outcome = run(Model.build(index, Scope([marseille], fixed)), 10, 1, 1)
    assert outcome.status is Status.OPTIMAL and outcome.plan is not None
    block = index.cohorts[marseille].blocks[0]
    assert index.date(outcome.plan.start[block]).isoformat() == "2015-11-04"


def test_greedy_solver_plans_pass_the_checker() -> None:
    """Tests that --solver greedy gives a complete, checked plan of the pilot with no bound."""
    inst = load_instance(INSTANCES / "pilot-march-2015.yaml")
    result = solve(inst, SolveParams(solver="greedy", seed=1))
    assert result.status is Status.FEASIBLE and result.bound is None
    assert result.solver is not None and result.solver.name == "greedy"
    _checked(inst, result)


def test_assignment_terms_equal_the_checkers_on_the_national_sample() -> None:
    """Tests that the planners' terms (Assignment.terms) and the checker's agree on a big plan."""
    inst = load_instance(INSTANCES / "national-s2-2015.yaml")
    index = Index(inst)
    plan = greedy_plan(index)
    assert len(plan.placed) == len(index.cohorts)
    rows = plan.rows(index)
    assert plan.terms(index) == compute_terms(inst, rows, [])


def test_rows_read_back_into_the_same_assignment() -> None:
    """Tests that assignment_from_rows inverts Assignment.rows (the --hint path)."""
    inst = load_instance(INSTANCES / "pilot-march-2015.yaml")
    index = Index(inst)
    plan = greedy_plan(index)
    again, skipped = assignment_from_rows(index, plan.rows(index))
    assert not skipped
    assert (again.start, again.room, again.trainer, again.placed) == (
        plan.start,
        plan.room,
        plan.trainer,
        plan.placed,
    )


def test_hint_from_an_earlier_plan_is_never_worse(tiny: Instance) -> None:
    """Tests that a solve hinted with an optimal plan returns a plan as good, checked."""
    first = solve(tiny, PARAMS)
    again = solve(tiny, SolveParams(time_limit=30, workers=1, seed=2, hint=first.rows))
    _checked(tiny, again)
    assert again.objective == first.objective


def test_partition_covers_every_cohort_once() -> None:
    """Tests that parts are disjoint, cover all cohorts, and keep the sites of a local trainer together."""
    inst = load_instance(INSTANCES / "national-s2-2015.yaml")
    index = Index(inst)
    parts = partition(index, target=300)
    assert sorted(c for p in parts for c in p) == list(range(len(index.cohorts)))
    assert len(parts) > 1
    part_of_site = {}
    for k, part in enumerate(parts):
        for c in part:
            part_of_site.setdefault(index.cohorts[c].cohort.site, set()).add(k)
    assert all(len(ks) == 1 for ks in part_of_site.values()), "a site's cohorts are split"


def test_solving_by_parts_gives_a_checked_plan_and_a_valid_bound(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Tests the part-by-part search on the pilot, cut small: a checked plan, no worse than greedy."""
    inst = load_instance(INSTANCES / "pilot-march-2015.yaml")
    monkeypatch.setattr(search, "MONOLITHIC_ROWS", 0)
    monkeypatch.setattr(search, "PART_ROWS", 20)
    result = solve(inst, SolveParams(time_limit=20, workers=1, seed=1))
    assert result.status.has_plan
    _checked(inst, result)
    assert result.bound is not None and 0 < result.bound <= result.objective
    greedy = solve(inst, SolveParams(solver="greedy"))
    assert result.objective <= greedy.objective


def test_gap_stops_the_search_once_proven(tiny: Instance) -> None:
    """Tests that --gap 1.0 (100 %) ends a solve as soon as a plan and any bound exist."""
    result = solve(tiny, SolveParams(time_limit=30, workers=1, seed=1, gap=1.0))
    assert result.status.has_plan
    _checked(tiny, result)


def test_fixed_background_is_left_untouched() -> None:
    """Tests that Assignment.drop/update replace exactly one part's choices."""
    inst = load_instance(INSTANCES / "tiny.yaml")
    index = Index(inst)
    plan = greedy_plan(index)
    part = {0}
    rest = Assignment()
    rest.update(plan)
    rest.drop(index, part)
    assert 0 not in rest.placed and all(index.blocks[b].cohort != 0 for b in rest.start)
    rest.update(greedy_plan(index, part, rest))
    assert rest.placed == plan.placed


def test_relaxation_bound_is_below_every_plan(tiny: Instance) -> None:
    """Tests that the index's bound never exceeds a proven optimum or a greedy plan (a valid bound)."""
    from rollout.bounds import relaxation_bound

    optimum = solve(tiny, PARAMS)
    assert optimum.status is Status.OPTIMAL
    assert relaxation_bound(Index(tiny)) <= optimum.objective
    for name in ("pilot-march-2015", "national-s2-2015"):
        index = Index(load_instance(INSTANCES / f"{name}.yaml"))
        plan = greedy_plan(index)
        assert relaxation_bound(index) <= plan.terms(index).weighted(index.instance.weights)


def test_hint_guides_the_search_by_parts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Tests that a hinted part-by-part solve (hints guide its first round) gives a checked plan."""
    inst = load_instance(INSTANCES / "pilot-march-2015.yaml")
    earlier = solve(inst, SolveParams(time_limit=15, workers=1, seed=1))
    monkeypatch.setattr(search, "MONOLITHIC_ROWS", 0)
    monkeypatch.setattr(search, "PART_ROWS", 40)
    hinted = solve(inst, SolveParams(time_limit=15, workers=1, seed=1, hint=earlier.rows))
    _checked(inst, hinted)
    greedy = solve(inst, SolveParams(solver="greedy"))
    assert hinted.objective is not None and hinted.objective <= greedy.objective
