"""Layers 2 and 4: rule-decided optima on tiny instances, and end-to-end solves checked independently."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout import SolveParams, Status, solve
from rollout.checker import check
from rollout.cpsat.constraints import DOMAIN_RULES, HARD_RULES
from rollout.io import load_instance, parse_instance, read_solution, write_solution
from rollout.rules import HARD_RULES as ALL_RULES
from tests.conftest import INSTANCES, PARAMS


def _base(**over: object) -> dict:  # type: ignore[type-arg]
    data: dict = {  # type: ignore[type-arg]
        "name": "unit",
        "horizon": {"start": "2015-11-02", "end": "2015-11-13"},
        "topics": {"a": "A", "b": "B"},
        "courses": [{"id": "c", "hours_per_day": 7, "blocks": [["a", "b"]]}],
        "sites": [{"id": "s", "lat": 48.85, "lon": 2.35, "rooms": [{"id": "r", "capacity": 10}]}],
        "trainers": [{"id": "t", "home": "s", "skills": ["a", "b"], "day_rate": 100}],
        "cohorts": [{"id": "k", "site": "s", "learners": 8, "courses": ["c"]}],
    }
    data.update(over)
    return data


def _solve_checked(data: dict):  # type: ignore[no-untyped-def,type-arg]
    inst = parse_instance(data)
    result = solve(inst, PARAMS)
    if result.status.has_plan:
        report = check(inst, result)
        assert report.ok, report
    return inst, result


def test_every_rule_is_modelled() -> None:
    """Tests that every hard rule is either a constraint family or a domain of the index."""
    modelled = {rule for rule, _ in HARD_RULES} | set(DOMAIN_RULES)
    assert modelled == set(ALL_RULES)


def test_r1_holiday_delays_start() -> None:
    """Tests that R1 moves a 2-day block off 11 November: Mon 9 + Tue 10 is the earliest run.

    Horizon from Mon 2 Nov with start window from Wed 11: the 11th is a holiday, so
    Thu 12 + Fri 13 is the earliest block; delay = 1 day (O5), cost 2 × 100.
    """
    data = _base()
    data["cohorts"][0]["start"] = {"from": "2015-11-11", "to": "2015-11-13"}
    _, result = _solve_checked(data)
    assert result.status is Status.OPTIMAL
    assert [r.date.isoformat() for r in sorted(result.rows)] == ["2015-11-12", "2015-11-13"]
    assert result.terms.delay_days == 1 and result.terms.cost == 200


def test_r7_capacity_makes_it_infeasible() -> None:
    """Tests that a cohort no room can hold is infeasible with an R7 reason."""
    data = _base()
    data["cohorts"][0]["learners"] = 11
    _, result = _solve_checked(data)
    assert result.status is Status.INFEASIBLE
    assert any("R7" in note for note in result.notes)


def test_partial_leaves_the_cohort_out_with_a_reason() -> None:
    """Tests that with partial: true an unplaceable cohort is unscheduled (O1 = 1), the rest planned."""
    data = _base(settings={"partial": True})
    data["cohorts"].append({"id": "big", "site": "s", "learners": 30, "courses": ["c"]})
    _, result = _solve_checked(data)
    assert result.status is Status.OPTIMAL and result.terms.unscheduled == 1
    assert [u.cohort for u in result.unscheduled] == ["big"] and "R7" in result.unscheduled[0].reason


def test_r10_one_trainer_serialises_cohorts() -> None:
    """Tests that R10 forces two cohorts with one trainer onto different days: delays 0 and 2.

    Two count cohorts, one trainer, rooms for both: the second block starts Wed 4 Nov
    (O5 = 0 + 2), never on the same dates.
    """
    data = _base()
    data["cohorts"][0]["count"] = 2
    data["sites"][0]["rooms"].append({"id": "r2", "capacity": 10})
    _, result = _solve_checked(data)
    assert result.status is Status.OPTIMAL and result.terms.delay_days == 2


def test_r9_unavailability_prefers_the_other_trainer() -> None:
    """Tests that R9 hands the first days to the dearer trainer when the cheap one is away."""
    data = _base()
    data["trainers"].append({"id": "u", "home": "s", "skills": ["a", "b"], "day_rate": 500})
    data["trainers"][0]["unavailable"] = [{"from": "2015-11-02", "to": "2015-11-06"}]
    data["weights"] = {"delay_days": 1000}
    _, result = _solve_checked(data)
    assert {r.trainer for r in result.rows} == {"u"}


def test_r14_pin_is_kept() -> None:
    """Tests that a pinned day lands on its date, room and trainer."""
    data = _base(pinned=[{"cohort": "k", "course": "c", "day": 2, "date": "2015-11-10", "trainer": "t"}])
    _, result = _solve_checked(data)
    day2 = next(r for r in result.rows if r.day == 2)
    assert day2.date.isoformat() == "2015-11-10" and day2.trainer == "t"


@pytest.mark.parametrize("name", ["tiny", "pilot-march-2015"])
def test_sample_plans_pass_the_checker(name: str, tmp_path: Path) -> None:
    """Tests that a sample solves to a plan that passes the checker after a round trip through disk."""
    inst = load_instance(INSTANCES / f"{name}.yaml")
    result = solve(inst, SolveParams(time_limit=30, workers=1, seed=1))
    assert result.status.has_plan
    write_solution(result, inst, tmp_path / "sol")
    back = read_solution(tmp_path / "sol")
    report = check(inst, back)
    assert report.ok, report
    assert report.terms == result.terms


def test_tiny_is_reproducible(tmp_path: Path) -> None:
    """Tests that two solves of tiny.yaml with --workers 1 --seed 1 write identical timetables."""
    inst = load_instance(INSTANCES / "tiny.yaml")
    texts = []
    for k in range(2):
        result = solve(inst, SolveParams(time_limit=30, workers=1, seed=1))
        folder = write_solution(result, inst, tmp_path / f"s{k}")
        texts.append((folder / "timetable.csv").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
