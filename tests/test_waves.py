"""Tests of planning in waves: a committed plan's bookings are fixed, and hold across both plans."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.changes import apply_changes, parse_changes
from rollout.checker import check
from rollout.cli import cli
from rollout.io import load_instance, read_solution
from rollout.rules import Rule
from rollout.solve import SolveParams, solve

ROOT = Path(__file__).parent.parent
TINY = ROOT / "instances" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny_plan():
    return load_instance(TINY), read_solution(ROOT / "solutions" / "tiny")


def test_checker_sees_bookings_across_plans(tiny_plan) -> None:
    """Tests that the same plan committed under itself double-books every room and trainer day (R7, R10)."""
    inst, plan = tiny_plan
    alone = check(inst, plan)
    assert alone.ok
    report = check(inst, plan, committed=plan.rows)
    rules = Counter(v.rule for v in report.violations)
    assert rules[Rule.R7] == len(plan.rows) and rules[Rule.R10] == len(plan.rows)
    assert all("(committed)" in v.message for v in report.violations if v.rule in (Rule.R7, Rule.R10))


@pytest.mark.parametrize("solver", ["greedy", "cpsat"])
def test_second_wave_avoids_the_first(tiny_plan, solver) -> None:
    """Tests that a plan made around a committed cohort's days uses none of its rooms or trainer days."""
    inst, plan = tiny_plan
    first = [r for r in plan.rows if r.cohort == "idf-module-1"]
    rest = apply_changes(inst, parse_changes([{"cohort_cancelled": {"cohort": "idf-module-1"}}]))
    wave = solve(rest, SolveParams(time_limit=20, workers=1, seed=2, solver=solver, committed=tuple(first)))
    assert wave.status.has_plan
    report = check(rest, wave, committed=first)
    assert report.ok, report.violations
    assert not {(r.trainer, r.date) for r in wave.rows} & {(r.trainer, r.date) for r in first}
    assert not {(r.room, r.date) for r in wave.rows} & {(r.room, r.date) for r in first}


def test_committed_days_count_toward_max_days(tiny_plan) -> None:
    """Tests that a trainer's committed days, even outside the horizon, use up their max_days (R12).

    The busiest trainer teaches d days of the plan; the same d days a year
    earlier are committed and max_days is 2d − 1, so d − 1 days are left:
    the plan alone breaks R12 across both, a new plan must not.
    """
    inst, plan = tiny_plan
    busiest, days = Counter(r.trainer for r in plan.rows).most_common(1)[0]
    change = {"trainer_changed": {"trainer": busiest, "max_days": 2 * days - 1}}
    limited = apply_changes(inst, parse_changes([change]))
    last_year = [
        replace(r, date=r.date.replace(year=r.date.year - 1)) for r in plan.rows if r.trainer == busiest
    ]
    wave = solve(limited, SolveParams(time_limit=20, workers=1, seed=2, committed=tuple(last_year)))
    assert wave.status.has_plan
    assert check(limited, wave, committed=last_year).ok
    assert sum(r.trainer == busiest for r in wave.rows) <= days - 1
    report = check(limited, plan, committed=last_year)
    expected = f"{busiest} has {2 * days} rows ({days} of them committed)"
    assert any(v.rule is Rule.R12 and expected in v.message for v in report.violations)


def test_pilot_committed_under_national(tmp_path) -> None:
    """Tests that the national wave solved around the committed pilot keeps every limit across both."""
    pilot = ROOT / "solutions" / "pilot-march-2015"
    national = ROOT / "instances" / "national-s2-2015.yaml"
    before = check(load_instance(national), read_solution(ROOT / "solutions" / "national-s2-2015"))
    assert before.ok
    out = tmp_path / "wave"
    args = ["solve", str(national), "--committed", str(pilot), "-o", str(out), "--solver", "greedy", "-q"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert read_solution(out).committed == (str(pilot),)
    checked = CliRunner().invoke(cli, ["check", str(national), str(out), "--committed", str(pilot)])
    assert checked.exit_code == 0, checked.output
    recorded = CliRunner().invoke(cli, ["check", str(national), str(out)])
    assert recorded.exit_code == 0 and "(recorded in solution.json)" in recorded.output
    doc = (out / "solution.json").read_text(encoding="utf-8").replace(str(pilot), str(tmp_path / "gone"))
    (out / "solution.json").write_text(doc, encoding="utf-8")
    reminder = CliRunner().invoke(cli, ["check", str(national), str(out)])
    assert "give them with --committed" in reminder.output
    inst, pilot_rows, wave_rows = load_instance(national), read_solution(pilot).rows, read_solution(out).rows
    total = Counter(r.trainer for r in [*pilot_rows, *wave_rows])
    assert all(total[t.id] <= t.max_days for t in inst.trainers if t.max_days is not None)
