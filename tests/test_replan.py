"""Tests of re-planning with minimal change: only what has to move moves, and the new plan is valid."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.changes import parse_changes
from rollout.checker import check
from rollout.cli import cli
from rollout.errors import InputError
from rollout.io import load_instance, read_solution
from rollout.replan import diff_rows, from_today, replan
from rollout.solution import Status
from rollout.solve import SolveParams

ROOT = Path(__file__).parent.parent
PARAMS = SolveParams(time_limit=60, workers=1, seed=1)


def _unavailable(trainer: str, first: str, last: str):
    return parse_changes(
        [{"trainer_unavailable": {"trainer": trainer, "dates": [{"from": first, "to": last}]}}]
    )


def _load(name: str):
    return load_instance(ROOT / "instances" / f"{name}.yaml"), read_solution(ROOT / "solutions" / name)


@pytest.mark.parametrize("who", ["busiest", "nat-01"])
def test_national_trainer_out_for_four_weeks(who: str) -> None:
    """Tests that a trainer away four weeks in November moves exactly their days there, no other.

    Every row the trainer teaches from 2 to 27 November must change (date or
    trainer), so their number is a lower bound on the rows changed; reaching
    it proves the re-plan minimal. Rows before --today stay as they were.
    The national trainers (nat-*) cost more than the regional ones and teach
    nothing in the sample plan: taking nat-01 out moves nothing; the busiest
    trainer of those weeks is the telling case.
    """
    inst, plan = _load("national-s2-2015")
    first, last = dt.date(2015, 11, 2), dt.date(2015, 11, 27)
    trainer = who
    if who == "busiest":
        trainer = max(
            {r.trainer for r in plan.rows},
            key=lambda t: sum(r.trainer == t and first <= r.date <= last for r in plan.rows),
        )
    forced = {
        (r.cohort, r.course, r.block, r.day)
        for r in plan.rows
        if r.trainer == trainer and first <= r.date <= last
    }
    today = dt.date(2015, 10, 26)
    outcome = replan(inst, plan, _unavailable(trainer, str(first), str(last)), today=today, params=PARAMS)
    assert outcome.result.status is Status.FEASIBLE
    report = check(outcome.instance, outcome.result)
    assert report.ok, report.violations
    changed = {(c.cohort, c.course, c.block, c.day) for c in outcome.changed}
    assert changed == forced and (len(forced) >= 5 if who == "busiest" else not forced)
    assert outcome.frozen == sum(r.date < today for r in plan.rows)
    assert all(c.before is not None and c.before.date >= today for c in outcome.changed)


def test_a_change_that_moves_nothing() -> None:
    """Tests that a trainer added (or one away when they teach nothing) keeps the plan as it is."""
    inst, plan = _load("pilot-march-2015")
    idle = next(t.id for t in inst.trainers if t.id not in {r.trainer for r in plan.rows})
    changes = [
        *_unavailable(idle, "2015-03-02", "2015-06-30"),
        *parse_changes([{"trainer_added": {"id": "new-t", "home": inst.sites[0].id, "skills": ["cep"]}}]),
    ]
    outcome = replan(inst, plan, changes, params=PARAMS)
    assert outcome.changed == () and outcome.scope == 0
    assert sorted(outcome.result.rows, key=lambda r: r.sort_key()) == sorted(
        plan.rows, key=lambda r: r.sort_key()
    )
    assert check(outcome.instance, outcome.result).ok


def test_cancel_add_and_grow() -> None:
    """Tests that a cancelled cohort's days go, an added one's come, and a grown cohort gets a room."""
    inst, plan = _load("tiny")
    added = {"id": "cen-extra", "site": "cen", "learners": 6, "courses": ["module-cep"]}
    changes = parse_changes(
        [
            {"cohort_cancelled": {"cohort": "idf-module-2"}},
            {"cohort_added": added},
            {"learners_changed": {"cohort": "idf-module-1", "learners": 20}},
        ]
    )
    outcome = replan(inst, plan, changes, params=PARAMS)
    assert outcome.result.status is Status.FEASIBLE
    assert check(outcome.instance, outcome.result).ok
    kinds = {(c.cohort, c.change) for c in outcome.changed}
    assert ("idf-module-2", "removed") in kinds and ("cen-extra", "added") in kinds
    rooms = {r.room for r in outcome.result.rows if r.cohort == "idf-module-1"}
    assert all(outcome.instance.room_by_id[room].capacity >= 20 for room in rooms)


def test_days_before_today_are_kept() -> None:
    """Tests that --today pins the past: a started cohort cannot be cancelled, past absences are ignored."""
    inst, plan = _load("tiny")
    started = min(plan.rows, key=lambda r: r.date)
    today = started.date + dt.timedelta(days=1)
    with pytest.raises(InputError, match=f"cohort {started.cohort} has teaching days before --today"):
        replan(inst, plan, parse_changes([{"cohort_cancelled": {"cohort": started.cohort}}]), today=today)
    past = _unavailable(started.trainer, str(started.date), str(started.date))
    assert from_today(past[0], today) is None
    outcome = replan(inst, plan, past, today=today, params=PARAMS)
    assert outcome.changed == () and outcome.frozen >= 1


def test_diff_names_each_kind() -> None:
    """Tests that a row's change is named by what differs: date, room, trainer."""
    _, plan = _load("tiny")
    row = plan.rows[0]
    moved = row.__class__(**{**row.__dict__, "room": "elsewhere", "trainer": "someone"})
    assert [c.change for c in diff_rows([row], [moved])] == ["moved+re-staffed"]
    assert [c.change for c in diff_rows([row], [])] == ["removed"]


def test_cli_replan_writes_a_checked_folder(tmp_path) -> None:
    """Tests that `rollout replan` writes the plan, changes.csv and instance.yaml, and the plan checks."""
    changes = tmp_path / "changes.yaml"
    changes.write_text(
        "- trainer_unavailable: {trainer: t01, dates: [{from: 2015-10-20, to: 2015-10-30}]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "new"
    args = [
        "replan",
        str(ROOT / "instances/tiny.yaml"),
        str(ROOT / "solutions/tiny"),
        "--changes",
        str(changes),
    ]
    result = CliRunner().invoke(cli, [*args, "-o", str(out), "--workers", "1", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "changed" in result.output and "teaching days" in result.output
    with open(out / "changes.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["trainer_before"] != "t01" or r["change"] != "moved" for r in rows)
    checked = CliRunner().invoke(cli, ["check", str(out / "instance.yaml"), str(out)])
    assert checked.exit_code == 0, checked.output
    again = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("- trainer_unavailable: {trainer: t99, dates: [2015-10-20]}\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, [*args[:4], str(bad), "-o", str(tmp_path / "x")])
    assert (
        refused.exit_code == 2
        and "bad.yaml:1: [0].trainer_unavailable: unknown trainer 't99'" in refused.output
    )
    pilot = str(ROOT / "solutions/pilot-march-2015")
    other = CliRunner().invoke(cli, ["replan", args[1], pilot, *args[3:], "-o", str(tmp_path / "y")])
    assert other.exit_code == 2 and "is a plan of instance 'pilot-march-2015'" in other.output


def test_a_replan_with_no_plan_is_proven_infeasible(tmp_path) -> None:
    """Tests that when no plan keeps the past under the changes, re-planning says so (exit 3).

    In tiny, t01 is the only trainer for some topics at idf; away from 20
    October to 2 November with the days before 17 October kept, the idf
    cohorts cannot finish: a fresh solve of the pinned instance agrees.
    """
    inst, plan = _load("tiny")
    changes = _unavailable("t01", "2015-10-20", "2015-11-02")
    outcome = replan(inst, plan, changes, today=dt.date(2015, 10, 17), params=PARAMS)
    assert outcome.result.status is Status.INFEASIBLE and not outcome.result.rows
    from rollout.solve import solve

    assert solve(outcome.instance, PARAMS).status is Status.INFEASIBLE
    path = tmp_path / "changes.yaml"
    path.write_text(
        "- trainer_unavailable: {trainer: t01, dates: [{from: 2015-10-20, to: 2015-11-02}]}\n",
        encoding="utf-8",
    )
    args = ["replan", str(ROOT / "instances/tiny.yaml"), str(ROOT / "solutions/tiny"), "--changes", str(path)]
    result = CliRunner().invoke(
        cli, [*args, "--today", "2015-10-17", "-o", str(tmp_path / "new"), "--workers", "1"]
    )
    assert result.exit_code == 3 and "no plan keeps the days before --today" in result.output
