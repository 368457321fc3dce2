"""Tests of the independent plan checker: a hand-made violation per rule, every term by hand.

The instance below has two sites 109 km apart on one meridian (47.0 N and
47.98 N at 2.0 E: 6371 × 0.98 × π / 180 = 108.97 km, rounded to 109), so a
round trip costs 2 × 109 × 0.25 = 54.5 euros, which Python's ``round`` makes
54 (half to even), and overnight travel takes 109 / 160 + 1 = 1.68 h.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from rollout.checker import (
    CHECKS,
    Report,
    Violation,
    check,
    compute_terms,
    format_report,
    weighted_objective,
)
from rollout.cli import cli
from rollout.instance import Instance
from rollout.io import parse_instance, read_solution, write_solution
from rollout.rules import HARD_RULES, Rule
from rollout.solution import Result, Row, Status, Terms, Unscheduled

INSTANCE_YAML = """
name: checker-test
horizon: {start: 2015-10-05, end: 2015-11-27}
settings:
  cost_per_km: 0.25
  cost_per_night: 100
  course_gap: {min_days: 1, max_days: 30}
topics: {ctx: Context, cep: CEP, int: Interview}
courses:
  - {id: intro, hours_per_day: 7, blocks: [[ctx, cep]]}
  - {id: unit, hours_per_day: 6, blocks: [[int, int], [int]], min_gap_days: 3, max_gap_days: 10}
sites:
  - id: par
    lat: 47.0
    lon: 2.0
    school_zone: C
    rooms: [{id: par-1, capacity: 20}, {id: par-2, capacity: 14}]
  - id: orl
    lat: 47.98
    lon: 2.0
    rooms: [{id: orl-1, capacity: 12, closed: [2015-10-14]}]
trainers:
  - {id: t1, home: par, skills: [ctx, cep, int], day_rate: 500, max_days: 10,
     max_days_per_week: 4}
  - {id: t2, home: orl, skills: [cep, int], day_rate: 400, sites: [orl, par]}
  - {id: t3, home: par, skills: [int], day_rate: 300, sites: [par],
     unavailable: [{from: 2015-10-20, to: 2015-10-23}]}
school_holidays:
  - {zone: C, name: Toussaint, from: 2015-10-17, to: 2015-11-01}
cohorts:
  - {id: par-a, site: par, learners: 15, courses: [intro, unit],
     start: {from: 2015-10-05, to: 2015-10-09}}
  - {id: orl-b, count: 1, site: orl, learners: 10, courses: [intro],
     start: {from: 2015-10-05, to: 2015-11-13}, end_by: 2015-11-20}
pinned:
  - {cohort: par-a, course: intro, day: 1, date: 2015-10-06, room: par-1, trainer: t1}
"""

D = date.fromisoformat
# Row positions in PLAN, for the edits of each test.
A_INTRO_1, A_INTRO_2, A_UNIT_1, A_UNIT_2, A_UNIT_3, B_INTRO_1, B_INTRO_2 = range(7)
PLAN: tuple[Row, ...] = (
    Row(D("2015-10-06"), "par", "par-1", "par-a", "intro", 1, 1, "ctx", "t1"),
    Row(D("2015-10-07"), "par", "par-1", "par-a", "intro", 1, 2, "cep", "t1"),
    Row(D("2015-10-12"), "par", "par-1", "par-a", "unit", 1, 1, "int", "t2"),
    Row(D("2015-10-13"), "par", "par-1", "par-a", "unit", 1, 2, "int", "t2"),
    Row(D("2015-10-19"), "par", "par-1", "par-a", "unit", 2, 3, "int", "t3"),
    Row(D("2015-10-12"), "orl", "orl-1", "orl-b-1", "intro", 1, 1, "ctx", "t1"),
    Row(D("2015-10-13"), "orl", "orl-1", "orl-b-1", "intro", 1, 2, "cep", "t1"),
)
# O1 0: both cohorts scheduled.
# O2 3608: day rates t1 4 × 500 + t2 2 × 400 + t3 1 × 300 = 3100; away from home
#    t2 (home orl) in par-a unit block 1 at par: 54 + 2 nights × 100 = 254, and
#    t1 (home par) in orl-b-1 intro block 1 at orl: 54 + 2 × 100 = 254; 3100 + 508.
# O3 1: par-a intro {t1}, par-a unit {t2, t3}, orl-b-1 intro {t1}: 0 + 1 + 0.
# O4 1: par is zone C, Toussaint 17 Oct-1 Nov holds 19 Oct; orl has no zone.
# O5 8: par-a 6 Oct - 5 Oct = 1, orl-b-1 12 Oct - 5 Oct = 7.
BASE_TERMS = Terms(unscheduled=0, cost=3608, trainer_changes=1, school_holiday_days=1, delay_days=8)
# Default weights: 1 × 3608 + 300 × 1 + 100 × 1 + 5 × 8 = 4048.
BASE_OBJECTIVE = 4048


def make_instance(patch: Callable[[dict[str, Any]], None] | None = None) -> Instance:
    """The test instance, after ``patch`` edits its data."""
    data = yaml.safe_load(INSTANCE_YAML)
    if patch is not None:
        patch(data)
    return parse_instance(copy.deepcopy(data))


INSTANCE = make_instance()


def edited(
    rows: tuple[Row, ...] = PLAN, drop: tuple[int, ...] = (), **edits: dict[str, Any]
) -> tuple[Row, ...]:
    """``rows`` with rows ``drop`` removed and each ``r<i>=changes`` applied to row i."""
    out = [dataclasses.replace(r, **edits.get(f"r{i}", {})) for i, r in enumerate(rows)]
    return tuple(r for i, r in enumerate(out) if i not in drop)


def result_of(rows: tuple[Row, ...] = PLAN, **fields: Any) -> Result:
    """A result holding ``rows``, with the base plan's terms and objective unless given."""
    base: dict[str, Any] = {
        "instance": "checker-test",
        "status": Status.OPTIMAL,
        "objective": BASE_OBJECTIVE,
        "terms": BASE_TERMS,
    }
    return Result(rows=rows, **{**base, **fields})


def run(rows: tuple[Row, ...], inst: Instance = INSTANCE, **fields: Any) -> Report:
    """The checker's report on ``rows``."""
    return check(inst, result_of(rows, **fields))


def rules(report: Report) -> set[Rule]:
    """The rule ids the report names."""
    return {v.rule for v in report.violations}


def messages(report: Report) -> str:
    """Every violation, one line each."""
    return "\n".join(str(v) for v in report.violations)


# ------------------------------------------------------------------ the valid plan


def test_valid_plan_passes() -> None:
    """Tests that the hand-made plan breaks no rule and its terms are those derived by hand."""
    report = run(PLAN)
    assert report.violations == ()
    assert report.terms == BASE_TERMS
    assert report.term_mismatches == ()
    assert report.ok
    assert format_report(report)[-1].startswith("OK")


def test_checks_cover_every_hard_rule() -> None:
    """Tests that CHECKS lists one check per hard rule, in rule order, each named for it."""
    assert [rule for rule, _ in CHECKS] == list(HARD_RULES)
    for rule, fn in CHECKS:
        assert fn.__name__.startswith(f"check_{rule.value.lower()}_")
        assert f"({rule.value})" in (inspect.getdoc(fn) or "").splitlines()[0]


def test_checker_imports_no_model_code() -> None:
    """Tests that the checker shares no code with the model."""
    source = Path(inspect.getfile(check)).read_text(encoding="utf-8")
    for module in ("rollout.cpsat", "rollout.index", "rollout.solve", "ortools"):
        assert f"import {module}" not in source and f"from {module}" not in source


# --------------------------------------------------------------- one rule at a time


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        (edited(r4={"date": D("2015-10-18")}), "Sunday"),
        (edited(r5={"date": D("2015-11-11")}, r6={"date": D("2015-11-12")}), "Armistice"),
    ],
)
def test_r1_working_days(rows: tuple[Row, ...], needle: str) -> None:
    """Tests that a row on a weekend or public holiday breaks R1 alone."""
    report = run(rows)
    assert rules(report) == {Rule.R1}
    assert needle in messages(report)


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        (edited(r1={"date": D("2015-10-08")}), "not consecutive"),
        (edited(r6={"topic": "ctx"}), "teaches ctx, not cep"),
    ],
)
def test_r2_blocks(rows: tuple[Row, ...], needle: str) -> None:
    """Tests that a gap inside a block, or a wrong topic, breaks R2 alone."""
    report = run(rows)
    assert rules(report) == {Rule.R2}
    assert needle in messages(report)


@pytest.mark.parametrize("changes", [{"block": 1}, {"day": 4}, {"block": 0}])
def test_r2_block_and_day_fit_the_course(changes: dict[str, int]) -> None:
    """Tests that a block or day number that does not fit the course is reported under R2."""
    report = run(edited(r4=changes))
    assert Rule.R2 in rules(report)
    assert "par-a unit has no row for day 3" in messages(report)


@pytest.mark.parametrize(("day", "gap"), [("2015-10-15", 2), ("2015-10-26", 13)])
def test_r3_block_gaps(day: str, gap: int) -> None:
    """Tests that blocks closer than min_gap_days or further than max_gap_days break R3 alone."""
    report = run(edited(r4={"date": D(day)}))
    assert rules(report) == {Rule.R3}
    assert f"{gap} days apart, allowed 3 to 10" in messages(report)


@pytest.mark.parametrize("gap", [{"min_days": 6, "max_days": 30}, {"min_days": 1, "max_days": 4}])
def test_r4_course_gap(gap: dict[str, int]) -> None:
    """Tests that courses 5 days apart break R4 alone when course_gap excludes 5."""
    inst = make_instance(lambda d: d["settings"].update(course_gap=gap))
    report = run(PLAN, inst)
    assert rules(report) == {Rule.R4}
    assert "par-a ends intro 2015-10-07 and starts unit 2015-10-12: 5 days apart" in (messages(report))


def test_r4_course_order() -> None:
    """Tests that taking a cohort's courses in the wrong order breaks R4."""
    swapped = edited(r0={"date": D("2015-10-26")}, r1={"date": D("2015-10-27")})
    assert Rule.R4 in rules(run(swapped))


def test_r5_window() -> None:
    """Tests that a start after the start window, or an end after end_by, breaks R5 alone."""
    late = run(edited(r5={"date": D("2015-11-16")}, r6={"date": D("2015-11-17")}))
    assert rules(late) == {Rule.R5}
    assert "orl-b-1 starts 2015-11-16, outside its start window" in messages(late)
    inst = make_instance(lambda d: d["cohorts"][1].update(end_by="2015-10-12"))
    early = run(PLAN, inst)
    assert rules(early) == {Rule.R5}
    assert "after its end_by 2015-10-12" in messages(early)


def test_r6_missing_day() -> None:
    """Tests that a scheduled cohort missing one course day breaks R6 alone."""
    report = run(edited(drop=(A_UNIT_3,)))
    assert rules(report) == {Rule.R6}
    assert "par-a unit has no row for day 3" in messages(report)


def test_r6_every_cohort_without_partial() -> None:
    """Tests that an unscheduled cohort breaks R6 when partial is false."""
    report = run(edited(drop=(B_INTRO_1, B_INTRO_2)))
    assert rules(report) == {Rule.R6}
    assert "orl-b-1 has no rows" in messages(report)


@pytest.mark.parametrize(
    ("rows", "listed", "needle"),
    [
        (PLAN[:5], (), "orl-b-1 has no rows and is not listed"),
        (PLAN[:5], (Unscheduled("orl-b-1", "orl", " "),), "gives no reason for orl-b-1"),
        (PLAN, (Unscheduled("orl-b-1", "orl", "no trainer"),), "lists orl-b-1, which has rows"),
        (PLAN, (Unscheduled("nobody", "orl", "x"),), "lists unknown cohort 'nobody'"),
        (PLAN[:5], (Unscheduled("orl-b-1", "par", "x"),), "puts orl-b-1 at 'par', not at its site"),
    ],
)
def test_r6_unscheduled_list(rows: tuple[Row, ...], listed: tuple[Unscheduled, ...], needle: str) -> None:
    """Tests that with partial true each cohort is scheduled or listed with a reason (R6)."""
    inst = make_instance(lambda d: d["settings"].update(partial=True))
    report = run(rows, inst, unscheduled=listed)
    assert rules(report) == {Rule.R6}
    assert needle in messages(report)


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ((*PLAN, PLAN[A_UNIT_3]), "par-a unit day 3 has 2 rows"),
        (edited(r5={"site": "par", "room": "par-2"}), "is at par, not the cohort's orl"),
        (
            (*PLAN, dataclasses.replace(PLAN[B_INTRO_1], course="unit", topic="int", date=D("2015-10-26"))),
            "the cohort takes only intro",
        ),
    ],
)
def test_r6_rows_of_the_cohort(rows: tuple[Row, ...], needle: str) -> None:
    """Tests that duplicate rows, rows at another site and extra courses break R6."""
    report = run(rows)
    assert Rule.R6 in rules(report)
    assert needle in messages(report)


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        (edited(r4={"room": "par-2"}), "room par-2 holds 14, the cohort has 15 learners"),
        (edited(r5={"room": "par-1"}, r6={"room": "par-1"}), "is in room par-1 of par"),
        (edited(r5={"date": D("2015-10-14")}, r6={"date": D("2015-10-15")}), "orl-1 is closed"),
        (edited(r3={"room": "par-2"}), "par-a unit block 1 uses rooms par-1, par-2"),
    ],
)
def test_r7_rooms(rows: tuple[Row, ...], needle: str) -> None:
    """Tests that a small, foreign or closed room, or two rooms in a block, break R7 alone."""
    report = run(rows)
    assert rules(report) == {Rule.R7}
    assert needle in messages(report)


def test_r8_skills() -> None:
    """Tests that a trainer without the day's topic breaks R8 alone."""
    report = run(edited(r1={"trainer": "t3"}))
    assert rules(report) == {Rule.R8}
    assert "trainer t3 lacks skill cep" in messages(report)


def test_r9_availability() -> None:
    """Tests that an unavailable trainer, or one outside its sites, breaks R9 alone."""
    away = run(edited(r4={"date": D("2015-10-20")}))
    assert rules(away) == {Rule.R9}
    assert "trainer t3 is unavailable" in messages(away)
    inst = make_instance(lambda d: d["trainers"][1].update(sites=["orl"]))
    barred = run(PLAN, inst)
    assert rules(barred) == {Rule.R9}
    assert "trainer t2 may not teach at par" in messages(barred)


def test_r10_one_place_a_day() -> None:
    """Tests that a trainer with two rows on a date breaks R10 alone."""
    report = run(edited(r2={"trainer": "t1"}))
    assert rules(report) == {Rule.R10}
    assert "trainer t1 has 2 rows on 2015-10-12: orl-b-1 intro day 1, par-a unit day 1" in (messages(report))


def test_r11_overnight_travel() -> None:
    """Tests that par on one day and orl the next (1.68 h) breaks R11 alone under a 1.5 h limit."""
    rows = edited(r5={"date": D("2015-10-08")}, r6={"date": D("2015-10-09")})
    assert run(rows).violations == ()
    inst = make_instance(lambda d: d["settings"].update(max_overnight_travel_hours=1.5))
    report = run(rows, inst)
    assert rules(report) == {Rule.R11}
    assert "trainer t1 teaches at par on 2015-10-07 and at orl on 2015-10-08: 1.68 h" in (messages(report))


@pytest.mark.parametrize(("limits", "count"), [({"max_days": 3}, 1), ({"max_days_per_week": 1}, 2)])
def test_r12_workload(limits: dict[str, int], count: int) -> None:
    """Tests that t1's 4 rows, 2 a week, break R12 alone under lower limits."""
    inst = make_instance(lambda d: d["trainers"][0].update(limits))
    report = run(PLAN, inst)
    assert rules(report) == {Rule.R12}
    assert len(report.violations) == count


def test_r13_one_place_per_cohort() -> None:
    """Tests that a cohort with two rows on a date breaks R13 (and double-books the room, R7)."""
    report = run(edited(r4={"date": D("2015-10-13")}))
    assert {Rule.R13, Rule.R7} <= rules(report)
    assert "cohort par-a has 2 rows on 2015-10-13" in messages(report)
    assert "room par-1 has 2 rows on 2015-10-13" in messages(report)


@pytest.mark.parametrize(
    ("pin", "needle"),
    [
        ({"trainer": "t2"}, "with trainer t2 is not in the plan (it has that day on 2015-10-06"),
        ({"date": "2015-10-05"}, "par-a intro day 1 on 2015-10-05 in room par-1"),
    ],
)
def test_r14_pins(pin: dict[str, str], needle: str) -> None:
    """Tests that a pinned entry the plan does not hold breaks R14 alone."""
    inst = make_instance(lambda d: d["pinned"][0].update(pin))
    report = run(PLAN, inst)
    assert rules(report) == {Rule.R14}
    assert needle in messages(report)


# ----------------------------------------------------------- rows that do not read


@pytest.mark.parametrize(
    ("changes", "rule", "needle"),
    [
        ({"trainer": "t9"}, Rule.R8, "unknown trainer 't9'"),
        ({"room": "zz-1"}, Rule.R7, "unknown room 'zz-1'"),
        ({"cohort": "nobody"}, Rule.R6, "unknown cohort 'nobody'"),
        ({"site": "mars"}, Rule.R6, "unknown site 'mars'"),
        ({"topic": "cepp"}, Rule.R2, "unknown topic 'cepp'"),
        ({"course": "ue9"}, Rule.R6, "unknown course 'ue9'"),
        ({"date": "2015-10-19"}, Rule.R6, "row 5 cannot be read"),
    ],
)
def test_unreadable_rows_are_reported_and_skipped(changes: dict[str, Any], rule: Rule, needle: str) -> None:
    """Tests that a row with an unknown id or a bad type is reported under its rule, not raised."""
    report = run(edited(r4=changes))
    assert rule in rules(report)
    assert needle in messages(report)


def test_check_never_raises_on_garbage() -> None:
    """Tests that rows, statuses and lists of the wrong kind are reported, never raised."""
    garbage: Any = [
        None,
        {"date": "x"},
        Row(D("9999-12-31"), "par", "par-1", "par-a", "intro", 1, 1, "ctx", "t1"),
    ]
    bad_status: Any = "done"
    not_a_list: Any = "x"
    report = check(
        INSTANCE,
        Result("checker-test", bad_status, rows=garbage, unscheduled=not_a_list, objective=not_a_list),
    )
    assert not report.ok
    assert report.terms is None
    assert "status: 'done' is not one of optimal, feasible, infeasible, unknown" in (report.term_mismatches)
    assert "R6 row 1 cannot be read: None" in format_report(report)
    assert format_report(report)[-1].startswith("FAILED")
    as_text: Any = "optimal"
    assert check(INSTANCE, result_of(PLAN, status=as_text)).ok


# -------------------------------------------------------------------------- terms


def terms_of(rows: tuple[Row, ...], unscheduled: tuple[str, ...] = ()) -> Terms:
    """The recomputed terms of ``rows`` in the test instance."""
    return compute_terms(INSTANCE, rows, unscheduled)


def test_o1_unscheduled() -> None:
    """Tests that O1 counts the unscheduled cohorts and a partial plan passes with them listed."""
    inst = make_instance(lambda d: d["settings"].update(partial=True))
    # Without orl-b-1: cost 1000 + 800 + 300 + 254 = 2354, changes 1, holiday 1, delay 1;
    # objective 100000 × 1 + 2354 + 300 + 100 + 5 = 102759.
    terms = Terms(unscheduled=1, cost=2354, trainer_changes=1, school_holiday_days=1, delay_days=1)
    listed = (Unscheduled("orl-b-1", "orl", "no trainer for ctx that week"),)
    report = run(PLAN[:5], inst, unscheduled=listed, terms=terms, objective=102759)
    assert report.ok, format_report(report)
    assert terms_of(PLAN[:5], ("orl-b-1", "orl-b-1")).unscheduled == 1


def test_o2_cost_rounds_half_to_even_and_counts_nights() -> None:
    """Tests that O2 adds day rates, round(2 × km × cost_per_km) and a night per row away."""
    assert terms_of(PLAN).cost == 3608
    assert terms_of(PLAN[A_INTRO_1:A_UNIT_1]).cost == 1000  # t1 at home: day rates only
    # t2 away for 2 days: 800 + round(54.5) = 54 (not 55) + 2 × 100.
    assert terms_of(PLAN[A_UNIT_1:A_UNIT_3]).cost == 1054
    # t2 away in two blocks: 3 × 400 + (54 + 200) + (54 + 100).
    assert terms_of(edited(PLAN[A_UNIT_1:B_INTRO_1], r2={"trainer": "t2"})).cost == 1608


def test_o3_trainer_changes() -> None:
    """Tests that O3 counts distinct trainers − 1 per (cohort, course)."""
    assert terms_of(PLAN).trainer_changes == 1
    assert terms_of(edited(r4={"trainer": "t2"})).trainer_changes == 0
    assert terms_of(edited(r1={"trainer": "t2"})).trainer_changes == 2


def test_o4_school_holiday_days() -> None:
    """Tests that O4 counts rows in the site zone's school holidays from the instance."""
    assert terms_of(PLAN).school_holiday_days == 1
    # orl has no zone: its rows in Toussaint count nothing.
    assert (
        terms_of(edited(r5={"date": D("2015-10-19")}, r6={"date": D("2015-10-20")})).school_holiday_days == 1
    )
    assert terms_of(edited(r2={"date": D("2015-10-16")})).school_holiday_days == 1
    assert (
        terms_of(edited(r2={"date": D("2015-10-19")}, r3={"date": D("2015-10-20")})).school_holiday_days == 3
    )


def test_o5_delay_days() -> None:
    """Tests that O5 sums each scheduled cohort's first date − start.from."""
    assert terms_of(PLAN).delay_days == 8
    assert terms_of(edited(r5={"date": D("2015-10-19")}, r6={"date": D("2015-10-20")})).delay_days == 1 + 14
    assert terms_of(PLAN[B_INTRO_1:]).delay_days == 7


def test_weighted_objective() -> None:
    """Tests that the objective is Σ weight × term with the instance's weights."""
    assert weighted_objective(INSTANCE, BASE_TERMS) == BASE_OBJECTIVE


# ------------------------------------------------------------ solution.json checks


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        (
            {"terms": dataclasses.replace(BASE_TERMS, cost=3609)},
            "O2 cost: solution.json says 3609, recomputed 3608",
        ),
        ({"objective": 4000}, "objective: solution.json says 4000, Σ weight × term is 4048"),
        (
            {"status": Status.INFEASIBLE, "objective": None, "terms": None},
            "infeasible means no plan, but the timetable has 7 rows",
        ),
        ({"status": Status.UNKNOWN}, "objective or terms are not null"),
        ({"terms": None}, "optimal has a plan, but objective or terms are null"),
        ({"instance": "other"}, "solution.json is for 'other'"),
    ],
)
def test_solution_json_mismatches(fields: dict[str, Any], needle: str) -> None:
    """Tests that a term, objective, status or name disagreeing with the plan is reported."""
    report = run(PLAN, **fields)
    assert report.violations == ()
    assert not report.ok
    assert any(needle in m for m in report.term_mismatches), report.term_mismatches
    assert needle in "\n".join(format_report(report))


def test_format_report_lists_violations_then_summary() -> None:
    """Tests that each violation prints with its rule id and the summary counts them by rule."""
    report = run(edited(r1={"trainer": "t3"}, r4={"date": D("2015-10-18")}))
    lines = format_report(report)
    assert lines[0].startswith("R1 par-a unit block 2 day 3 on 2015-10-18 at par")
    assert lines[1].startswith("R8 ")
    assert lines[-1].startswith("FAILED: 2 violation(s) (R1 ×1, R8 ×1)")
    assert str(Violation(Rule.R10, "x")) == "R10 x"


# ----------------------------------------------------------------------- from disk


def test_round_trip_through_a_solution_folder(tmp_path: Path) -> None:
    """Tests that a plan written by write_solution and read back by read_solution passes."""
    folder = write_solution(result_of(PLAN), INSTANCE, tmp_path / "solution")
    report = check(INSTANCE, read_solution(folder))
    assert report.ok, format_report(report)
    assert report.terms == BASE_TERMS


def test_cli_check_exit_status(tmp_path: Path) -> None:
    """Tests that `rollout check` exits 0 on the valid plan and non-zero on a broken one."""
    instance = tmp_path / "checker-test.yaml"
    instance.write_text(INSTANCE_YAML, encoding="utf-8")
    good = write_solution(result_of(PLAN), INSTANCE, tmp_path / "good")
    bad = write_solution(result_of(edited(r1={"trainer": "t3"})), INSTANCE, tmp_path / "bad")
    ok = CliRunner().invoke(cli, ["check", str(instance), str(good)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output
    broken = CliRunner().invoke(cli, ["check", str(instance), str(bad)])
    assert broken.exit_code != 0
    assert "R8 par-a intro block 1 day 2 on 2015-10-07: trainer t3 lacks skill cep" in broken.output


def test_a_folder_with_no_plan_checks_clean(tmp_path: Path) -> None:
    """Tests that `rollout check` accepts an infeasible folder holding no plan, and refuses one with rows.

    With ``partial: false`` every cohort lacks rows, but there is no plan to
    complete (docs/decisions.md): only the folder's consistency is checked.
    """
    from rollout.changes import apply_changes, parse_changes
    from rollout.io import load_instance
    from rollout.solve import SolveParams, solve

    root = Path(__file__).parent.parent
    inst = load_instance(root / "instances" / "tiny.yaml")
    crowded = apply_changes(
        inst, parse_changes([{"learners_changed": {"cohort": "idf-path", "learners": 500}}])
    )
    result = solve(crowded, SolveParams(time_limit=5, workers=1, seed=1))
    assert result.status is Status.INFEASIBLE
    assert check(crowded, result).ok
    with_rows = dataclasses.replace(result, rows=read_solution(root / "solutions" / "tiny").rows[:1])
    assert not check(crowded, with_rows).ok
