"""Why is there no plan: stage 1 findings, stage 2 minimal cores, verified fixes, left-out reasons.

Each infeasible instance is ``instances/tiny.yaml`` with one edit in code.
A test asserts that the diagnosis names the real cause (rule id and ids)
and that its top fix, applied, gives a plan that ``rollout.checker.check``
passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from rollout.checker import check
from rollout.cli import cli
from rollout.cpsat.search import LEFT_OUT
from rollout.infeasibility import Diagnosis, diagnose, focused
from rollout.instance import Instance
from rollout.io.instance_file import dump_instance, parse_instance
from rollout.solution import Status
from rollout.solve import SolveParams, solve

PARAMS = SolveParams(time_limit=20, workers=1, seed=1)
Data = dict[str, Any]


def _edit(tiny: Instance, change: Callable[[Data], object]) -> Instance:
    data = dump_instance(tiny)
    change(data)
    return parse_instance(data)


def _by_id(items: list[Data], key: str) -> Data:
    return next(x for x in items if x["id"] == key)


def _assert_top_fix_works(inst: Instance, diag: Diagnosis) -> None:
    assert diag.feasible is False
    top = diag.fixes[0]
    assert top.verified is True, [f.text + " " + f.outcome for f in diag.fixes]
    changed = top.change(inst)
    result = solve(changed, PARAMS)
    assert result.status.has_plan and not result.unscheduled
    report = check(changed, result)
    assert report.ok, report.violations
    assert result.objective == report.terms.weighted(changed.weights)  # type: ignore[union-attr]


def _text(diag: Diagnosis) -> str:
    return "\n".join([f.line() for f in diag.findings] + diag.core + [diag.summary])


def _no_interview(data: Data) -> None:
    for t in data["trainers"]:
        t["skills"] = [s for s in t["skills"] if s != "interview"]


def test_topic_no_trainer_has(tiny: Instance) -> None:
    """Tests that a topic no trainer has is named with R8, and giving it to a trainer makes a plan."""
    inst = _edit(tiny, _no_interview)
    diag = diagnose(inst, 30, seed=1)
    assert [f.rules for f in diag.findings] == [("R8",)]
    assert "`interview`" in diag.findings[0].text and "cen-ue" in diag.findings[0].text
    assert diag.fixes[0].kind == "skill"
    _assert_top_fix_works(inst, diag)


def test_trainer_days_short_for_a_skill_at_a_site(tiny: Instance) -> None:
    """Tests that more days of `context` at idf than t01's max_days is found before search (R12) and fixed."""
    # context at idf: 3 cohorts need a day each; only t01 has it there (t03 may teach only at cen).
    inst = _edit(tiny, lambda d: _by_id(d["trainers"], "t01").update(max_days=2))
    diag = diagnose(inst, 30, seed=1)
    assert len(diag.findings) == 1 and "R12" in diag.findings[0].rules
    text = diag.findings[0].text
    assert "`context`" in text and "idf" in text and "t01" in text and "1 day short" in text
    fix_texts = [f.text for f in diag.fixes]
    assert "raise t01's max_days from 2 to 3 (R12)" in fix_texts
    assert "allow trainer t03 at idf (R9)" in fix_texts
    _assert_top_fix_works(inst, diag)


def test_no_room_large_enough(tiny: Instance) -> None:
    """Tests that a cohort larger than every room of its site is named (R7); a room of its size fixes it."""
    inst = _edit(tiny, lambda d: _by_id(d["cohorts"], "cen-module").update(learners=20))
    diag = diagnose(inst, 30, seed=1)
    assert [f.rules for f in diag.findings] == [("R7",)]
    assert "cen" in diag.findings[0].text and "20 learners" in diag.findings[0].text
    assert diag.fixes[0].text == "add a room of 20 seats at cen (R7)"
    _assert_top_fix_works(inst, diag)


def test_window_too_short_for_the_course_shape(tiny: Instance) -> None:
    """Tests that an end_by before the earliest end of the course chain is found (R3/R5) and fixed."""
    # idf-path: module-cep 12-14 Oct, ue-short 15-16 Oct then, 6 days later, 22-23 Oct at the earliest.
    inst = _edit(tiny, lambda d: _by_id(d["cohorts"], "idf-path").update(end_by="2015-10-21"))
    diag = diagnose(inst, 30, seed=1)
    assert len(diag.findings) == 1 and {"R3", "R5"} <= set(diag.findings[0].rules)
    assert "idf-path" in diag.findings[0].text and "2015-10-23" in diag.findings[0].text
    assert diag.fixes[0].text == "extend idf-path's end_by by 2 days to 2015-10-23 (R5)"
    _assert_top_fix_works(inst, diag)


def test_trainer_not_allowed_at_the_only_site(tiny: Instance) -> None:
    """Tests that no trainer with `context` allowed at cen is named (R8/R9), fixed by allowing one there."""

    def change(data: Data) -> None:
        _by_id(data["trainers"], "t01")["sites"] = ["idf"]
        _by_id(data["trainers"], "t03")["sites"] = ["idf"]

    inst = _edit(tiny, change)
    diag = diagnose(inst, 30, seed=1)
    assert [f.rules for f in diag.findings] == [("R8", "R9")]
    assert "`context`" in diag.findings[0].text and "cen" in diag.findings[0].text
    assert diag.fixes[0].kind == "sites" and "at cen" in diag.fixes[0].text
    _assert_top_fix_works(inst, diag)


def test_pin_that_breaks_a_rule(tiny: Instance) -> None:
    """Tests that a pin naming a trainer without the day's topic is named (R14); dropping it fixes it."""
    pin = {"cohort": "cen-ue", "course": "ue-short", "day": 1, "date": "2015-10-14", "trainer": "t01"}
    inst = _edit(tiny, lambda d: d.update(pinned=[pin]))
    diag = diagnose(inst, 30, seed=1)
    assert [f.rules for f in diag.findings] == [("R14",)]
    assert "pinned[0]" in diag.findings[0].text and "t01" in diag.findings[0].text
    assert diag.fixes[0].text == "drop pinned[0] (cen-ue) (R14)"
    _assert_top_fix_works(inst, diag)


def _crowded_cen(data: Data) -> None:
    # cen has one room: cen-module (3 days from 19 or 20 Oct) and cen-ue (2 days from 19-21 Oct) overlap.
    _by_id(data["cohorts"], "cen-module").update(start={"from": "2015-10-19", "to": "2015-10-20"})
    _by_id(data["cohorts"], "cen-module")["end_by"] = "2015-10-23"
    _by_id(data["cohorts"], "cen-ue").update(start={"from": "2015-10-19", "to": "2015-10-21"})


def test_minimal_core_of_windows_and_rooms(tiny: Instance) -> None:
    """Tests that two windows and one room at cen, each harmless alone, form the minimal core (R5, R7)."""
    inst = _edit(tiny, _crowded_cen)
    diag = diagnose(inst, 30, seed=1)
    assert diag.findings == [] and diag.proven_minimal
    assert sorted(line.split(":")[0] for line in diag.core) == ["R5", "R5", "R6", "R6", "R7"]
    assert "cen-module" in diag.summary and "cen-ue" in diag.summary and "rooms of cen" in diag.summary
    kinds = {f.kind for f in diag.fixes if f.verified}
    assert kinds == {"window", "room"}
    _assert_top_fix_works(inst, diag)


def test_the_core_is_searched_where_cohorts_are_left_out(tiny: Instance) -> None:
    """Tests that stage 2 looks first among the cohorts of the sites the greedy planner cannot fill.

    The cut instance keeps cen's cohorts only; its conflict is one of the
    whole instance, and the diagnosis says where it looked.
    """
    inst = _edit(tiny, _crowded_cen)
    focus = focused(inst)
    assert focus is not None
    sub, sites = focus
    assert sites == ["cen"] and {c.id for c in sub.cohort_list} == {"cen-module", "cen-ue"}
    diag = diagnose(inst, 30, seed=1)
    assert any("searched among the 2 cohorts at cen" in note for note in diag.notes)
    assert focused(tiny) is None  # every cohort placed: nothing to focus on


def test_max_days_too_low_in_the_core(tiny: Instance) -> None:
    """Tests that a max_days only the calendar makes too low is found by stage 2 (R12, R5, R9)."""

    def change(data: Data) -> None:
        # t01 (max_days 3) teaches `context` to the 3 idf cohorts; t03, the other `context` trainer,
        # may teach only at cen and is away from 19 Oct, when cen-module's window opens: the
        # day counts add up (stage 1 passes) but t01 would need a 4th day at cen.
        _by_id(data["trainers"], "t01")["max_days"] = 3
        _by_id(data["trainers"], "t03")["unavailable"] = [{"from": "2015-10-19", "to": "2015-11-20"}]

    inst = _edit(tiny, change)
    diag = diagnose(inst, 30, seed=1)
    assert diag.findings == [] and diag.proven_minimal
    assert "R12: t01 teaches at most 3 days (max_days)" in diag.core
    assert "R5: cen-module starts between 2015-10-19 and 2015-11-06" in diag.core
    assert "R9: t03 teaches only at cen" in diag.core
    assert "t01 (`context`, `cep`, `pathways`) reaches max_days 3 on" in diag.summary
    verified = [f.text for f in diag.fixes if f.verified]
    assert (
        "raise t01's max_days from 3 to 4 (R12)" in verified and "allow trainer t03 at idf (R9)" in verified
    )
    _assert_top_fix_works(inst, diag)


def test_feasible_instance_says_so(tiny: Instance) -> None:
    """Tests that the diagnosis of a feasible instance says a plan exists."""
    diag = diagnose(tiny, 20, seed=1)
    assert diag.feasible is True and diag.fixes == []


def test_left_out_cohort_gets_a_specific_reason(tiny: Instance) -> None:
    """Tests that with partial: true the cohort left out gets the conflict at cen (R5, R7), not LEFT_OUT."""

    def change(data: Data) -> None:
        _crowded_cen(data)
        data["settings"]["partial"] = True

    inst = _edit(tiny, change)
    result = solve(inst, PARAMS)
    assert result.status is Status.OPTIMAL and result.terms is not None and result.terms.unscheduled == 1
    assert check(inst, result).ok
    (left,) = result.unscheduled
    assert left.reason != LEFT_OUT
    assert "R7 cen has only its rooms" in left.reason and f"R5 {left.cohort}" in left.reason


@pytest.mark.parametrize("command", ["solve", "explain"])
def test_cli_exits_3_and_prints_the_diagnosis(tiny: Instance, tmp_path: Any, command: str) -> None:
    """Tests that solve and explain INSTANCE exit 3 and print the fixes of an infeasible instance."""
    import yaml

    path = tmp_path / "crowded.yaml"
    path.write_text(yaml.safe_dump(dump_instance(_edit(tiny, _crowded_cen)), allow_unicode=True))
    args = ["--workers", "1", "--seed", "1", "--time-limit", "20"]
    if command == "solve":
        args += ["-q", "-o", str(tmp_path / "out")]
    run = CliRunner().invoke(cli, [command, str(path), *args])
    assert run.exit_code == 3, run.output
    assert "a minimal set of requirements that cannot all hold (5)" in run.output
    # cen-module (12 learners) and cen-ue (10) clash in cen's one room: the smaller goes to a new room.
    assert "add a room of 10 seats at cen (R7) — verified" in run.output


def test_cli_explain_feasible_instance(tmp_path: Any) -> None:
    """Tests that rollout explain on a feasible instance exits 0 and says a plan exists."""
    from tests.conftest import INSTANCES

    run = CliRunner().invoke(
        cli, ["explain", str(INSTANCES / "tiny.yaml"), "--workers", "1", "--time-limit", "20"]
    )
    assert run.exit_code == 0, run.output
    assert "feasible: a plan exists" in run.output


def test_national_instance_with_no_plan_is_proven_and_diagnosed() -> None:
    """Tests that a national instance with no plan is proven infeasible and its conflict found.

    Bretagne's rooms are closed until 25 October, so its four module cohorts
    must start that week; bre-3 is closed then too, and two rooms cannot hold
    three 3-day modules in a 5-day week. The greedy planner leaves one out,
    so the search falls back to one whole model, which proves there is no
    plan; the diagnosis finds the conflict among Bretagne's cohorts.
    """
    from rollout.changes import apply_changes, parse_changes
    from rollout.io import load_instance
    from tests.conftest import INSTANCES

    inst = load_instance(INSTANCES / "national-s2-2015.yaml")
    closed = [{"from": "2015-09-01", "to": "2015-10-25"}]
    changes = [{"room_closed": {"room": r.id, "dates": closed}} for r in inst.site_by_id["bre"].rooms]
    practice = {"from": "2015-10-26", "to": "2015-11-06"}
    changes.append({"window_changed": {"cohort": "bre-practice", "start": practice, "end_by": "2016-02-26"}})
    crowded = apply_changes(inst, parse_changes(changes))
    assert solve(crowded, SolveParams(time_limit=60, workers=1, seed=1)).status is Status.INFEASIBLE
    diag = diagnose(crowded, 60, seed=1, known_infeasible=True)
    assert diag.feasible is False and diag.proven_minimal
    assert [line.split(":")[0] for line in diag.core] == ["R6", "R5"] * 3 + ["R7"]
    assert all("bre-module" in line for line in diag.core[:6]) and "bre has only its rooms" in diag.core[6]
    assert any("searched among the 7 cohorts at bre" in note for note in diag.notes)
    assert any(f.verified and f.text.startswith("add a room of 14 seats at bre") for f in diag.fixes)
