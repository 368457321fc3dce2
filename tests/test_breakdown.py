"""Tests of the cost breakdown (issue 4, item 3): every term O1–O5 by trainer, cohort and site.

The hand-made instance below has two sites 109 km apart on one meridian
(47.0 N and 47.98 N at 2.0 E: 6371 × 0.98 × π / 180 = 108.97 km, rounded to
109), so a round trip costs round(2 × 109 × 0.25) = round(54.5) = 54 euros
(half to even), and a night 100 euros.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from rollout.breakdown import BY, NO_TRAINER, breakdown
from rollout.checker import check, compute_terms
from rollout.cli import cli
from rollout.exports.breakdown_files import (
    BREAKDOWN_COLUMNS,
    TRIPS_COLUMNS,
    breakdown_csv,
    trips_csv,
    write_breakdown,
)
from rollout.io import load_instance, parse_instance, read_solution
from rollout.solution import Result, Row, Status, Terms
from tests.conftest import INSTANCES, ROOT

SAMPLES = ("tiny", "pilot-march-2015", "national-s2-2015")

INSTANCE_YAML = """
name: breakdown-test
horizon: {start: 2015-10-05, end: 2015-11-27}
settings: {cost_per_km: 0.25, cost_per_night: 100, partial: true}
topics: {ctx: Context, cep: CEP}
courses:
  - {id: intro, hours_per_day: 7, blocks: [[ctx, cep]]}
sites:
  - {id: par, name: Paris, lat: 47.0, lon: 2.0, school_zone: C, rooms: [{id: par-1, capacity: 20}]}
  - {id: orl, name: Orléans, lat: 47.98, lon: 2.0, rooms: [{id: orl-1, capacity: 20}]}
trainers:
  - {id: t1, name: Claire Martin, home: par, skills: [ctx, cep], day_rate: 500}
  - {id: t2, name: "=Bad", home: orl, skills: [cep], day_rate: 400}
school_holidays:
  - {zone: C, name: Toussaint, from: 2015-10-17, to: 2015-11-01}
cohorts:
  - {id: orl-a, site: orl, learners: 10, courses: [intro], start: {from: 2015-10-05, to: 2015-10-16}}
  - {id: par-b, site: par, learners: 10, courses: [intro], start: {from: 2015-10-15, to: 2015-10-30}}
  - {id: par-c, site: par, learners: 10, courses: [intro], start: {from: 2015-10-05, to: 2015-10-30}}
"""
INSTANCE = parse_instance(yaml.safe_load(INSTANCE_YAML))
D = date.fromisoformat
PLAN = (
    Row(D("2015-10-12"), "orl", "orl-1", "orl-a", "intro", 1, 1, "ctx", "t1"),
    Row(D("2015-10-13"), "orl", "orl-1", "orl-a", "intro", 1, 2, "cep", "t2"),
    Row(D("2015-10-19"), "par", "par-1", "par-b", "intro", 1, 1, "ctx", "t1"),
    Row(D("2015-10-20"), "par", "par-1", "par-b", "intro", 1, 2, "cep", "t1"),
)
# O1 1: par-c has no rows; it is par's, no trainer's.
# O2 2054: day rates t1 3 × 500 + t2 1 × 400 = 1900; one trip: t1 (home par)
#    teaches orl-a intro block 1 at orl on 12 Oct, 109 km away: travel 54 +
#    1 night × 100 = 154. By trainer t1 1500 + 154 = 1654, t2 400; by cohort
#    orl-a 500 + 400 + 154 = 1054, par-b 1000; by site orl 1054, par 1000.
# O3 1: orl-a intro has t1 (from 12 Oct) then t2 (13 Oct): the change is t2's.
# O4 2: par is zone C, Toussaint 17 Oct–1 Nov holds 19 and 20 Oct (t1, par-b).
# O5 11: orl-a 12 Oct − 5 Oct = 7, par-b 19 Oct − 15 Oct = 4; no trainer's.
TERMS = Terms(unscheduled=1, cost=2054, trainer_changes=1, school_holiday_days=2, delay_days=11)
# Default weights: 100000 × 1 + 1 × 2054 + 300 × 1 + 100 × 2 + 5 × 11 = 102609.
OBJECTIVE = 102609
EXPECTED = {
    ("unscheduled", "trainer"): {NO_TRAINER: 1},
    ("unscheduled", "cohort"): {"par-c": 1},
    ("unscheduled", "site"): {"par": 1},
    ("cost", "trainer"): {"t1": 1654, "t2": 400},
    ("cost", "cohort"): {"orl-a": 1054, "par-b": 1000},
    ("cost", "site"): {"orl": 1054, "par": 1000},
    ("trainer_changes", "trainer"): {"t2": 1},
    ("trainer_changes", "cohort"): {"orl-a": 1},
    ("trainer_changes", "site"): {"orl": 1},
    ("school_holiday_days", "trainer"): {"t1": 2},
    ("school_holiday_days", "cohort"): {"par-b": 2},
    ("school_holiday_days", "site"): {"par": 2},
    ("delay_days", "trainer"): {NO_TRAINER: 11},
    ("delay_days", "cohort"): {"orl-a": 7, "par-b": 4},
    ("delay_days", "site"): {"orl": 7, "par": 4},
}


def hand_plan() -> Result:
    """The hand-made plan, with its terms."""
    return Result("breakdown-test", Status.FEASIBLE, PLAN, objective=OBJECTIVE, terms=TERMS)


def test_hand_made_plan_splits_as_derived() -> None:
    """Tests that the hand-made plan's breakdown is the one derived by hand, and the checker agrees."""
    b = breakdown(INSTANCE, hand_plan())
    assert b.terms == TERMS == compute_terms(INSTANCE, PLAN, ["par-c"])
    assert b.objective == OBJECTIVE
    for (term, by), want in EXPECTED.items():
        assert {ln.key: ln.value for ln in b.split(term, by)} == want, (term, by)
        assert all(ln.weighted == ln.value * getattr(INSTANCE.weights, term) for ln in b.split(term, by))
    assert "3 days × €500 = €1,500, 1 trip from Paris to Orléans (€54 travel, 1 night €100)" in [
        ln.detail for ln in b.split("cost", "trainer")
    ]


def test_hand_made_trip() -> None:
    """Tests that the one O2 trip has its km and euros, and trips.csv writes it whole."""
    b = breakdown(INSTANCE, hand_plan())
    [trip] = b.trips
    assert (trip.trainer, trip.home, trip.sites, trip.first, trip.last) == (
        "t1",
        "par",
        ("orl",),
        PLAN[0].date,
        PLAN[0].date,
    )
    assert (trip.rows, trip.km, trip.travel, trip.nights, trip.total) == (1, 109, 54, 100, 154)
    lines = trips_csv(b, INSTANCE).splitlines()
    assert lines == [
        ",".join(TRIPS_COLUMNS),
        "t1,Claire Martin,orl-a,intro,1,par,orl,2015-10-12,2015-10-12,1,109,54,100,154",
    ]


def test_formula_cells_are_neutralised() -> None:
    """Tests that a trainer named '=Bad' is written as text, not as a spreadsheet formula."""
    records = list(csv.DictReader(io.StringIO(breakdown_csv(breakdown(INSTANCE, hand_plan())))))
    assert {r["name"] for r in records if r["key"] == "t2"} == {"'=Bad"}
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in records for cell in r.values())


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_breakdowns_sum_to_the_terms(name: str) -> None:
    """Tests that every split of every term of a sample plan sums to its solution.json term."""
    inst = load_instance(INSTANCES / f"{name}.yaml")
    result = read_solution(ROOT / "solutions" / name)
    b = breakdown(inst, result)
    assert result.terms is not None and b.terms == result.terms
    assert b.objective == result.objective
    for term, value in result.terms.as_dict().items():
        for by in BY:
            assert b.total(term, by) == value, (term, by)
    trips_cost = sum(t.total for t in b.trips)
    day_rates = sum(inst.trainer_by_id[r.trainer].day_rate for r in result.rows)
    assert day_rates + trips_cost == result.terms.cost


def csv_totals(path: Path) -> dict[tuple[str, str], int]:
    """Σ value of breakdown.csv per (term, by)."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == BREAKDOWN_COLUMNS
        for rec in reader:
            totals[rec["term"], rec["by"]] += int(rec["value"])
    return totals


def test_cli_writes_both_files_and_prints_top_contributors(tmp_path: Path) -> None:
    """Tests that explain FOLDER prints the top contributors, writes both CSVs whole; check still passes."""
    folder = tmp_path / "tiny"
    shutil.copytree(ROOT / "solutions" / "tiny", folder)
    instance = str(INSTANCES / "tiny.yaml")
    (folder / "breakdown.csv").write_text("stale\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(folder), "--instance", instance, "--top", "2"])
    assert result.exit_code == 0, result.output
    inst, plan = load_instance(instance), read_solution(folder)
    b = breakdown(inst, plan)
    for term, by in (("cost", "trainer"), ("cost", "site"), ("delay_days", "cohort")):
        first = b.split(term, by)[0]  # the largest contributor, with its amount
        assert first.key in result.output and f"{first.value:,}" in result.output
    assert "objective 10,755" in result.output and "O2 cost" in result.output
    terms = json.loads((folder / "solution.json").read_text(encoding="utf-8"))["terms"]
    totals = csv_totals(folder / "breakdown.csv")
    assert all(totals[term, by] == value for term, value in terms.items() for by in BY if value)
    assert (folder / "trips.csv").read_text(encoding="utf-8") == trips_csv(b, inst)
    assert sorted(p.name for p in folder.iterdir()) == [
        "breakdown.csv",
        "solution.json",
        "timetable.csv",
        "trips.csv",
        "unscheduled.csv",
    ]
    assert check(inst, read_solution(folder)).ok
    assert CliRunner().invoke(cli, ["check", instance, str(folder)]).exit_code == 0


def test_cli_output_folder(tmp_path: Path) -> None:
    """Tests that -o puts breakdown.csv and trips.csv elsewhere and leaves the solution folder alone."""
    source = ROOT / "solutions" / "pilot-march-2015"
    before = sorted(p.name for p in source.iterdir())
    out = tmp_path / "why"
    result = CliRunner().invoke(cli, ["explain", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["breakdown.csv", "trips.csv"]
    assert sorted(p.name for p in source.iterdir()) == before
    inst, plan = load_instance(INSTANCES / "pilot-march-2015.yaml"), read_solution(source)
    assert plan.terms is not None and csv_totals(out / "breakdown.csv")["cost", "site"] == plan.terms.cost
    written = write_breakdown(breakdown(inst, plan), inst, tmp_path / "again")
    assert [p.read_bytes() for p in written] == [(out / p.name).read_bytes() for p in written]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no/such/place"], "no/such/place: no such solution folder or instance file"),
        (["{empty}"], "solution.json: missing"),
        (["solutions/tiny", "--instance", "instances/pilot-march-2015.yaml"], "the plan is of 'tiny'"),
    ],
)
def test_bad_target_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """Tests that a bad target or instance exits 2 with a message naming it, and writes nothing."""
    monkeypatch.chdir(ROOT)
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [a.replace("{empty}", str(empty)) for a in args]
    result = CliRunner().invoke(cli, ["explain", *args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_plan_with_unknown_rows_exits_2(tmp_path: Path) -> None:
    """Tests that a timetable naming an unknown trainer exits 2 and points to rollout check."""
    folder = tmp_path / "tiny"
    shutil.copytree(ROOT / "solutions" / "tiny", folder)
    text = (folder / "timetable.csv").read_text(encoding="utf-8").replace(",t01,", ",t99,", 1)
    (folder / "timetable.csv").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", str(folder), "--instance", str(INSTANCES / "tiny.yaml")])
    assert result.exit_code == 2
    assert "unknown trainer 't99'" in result.output and "rollout check" in result.output


def test_explain_has_help() -> None:
    """Tests that explain answers --help and names both kinds of target."""
    result = CliRunner().invoke(cli, ["explain", "--help"])
    assert result.exit_code == 0 and "solution folder" in result.output and "instance file" in result.output
