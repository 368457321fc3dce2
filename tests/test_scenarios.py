"""Tests of what-if scenarios and robustness: files, both back ends, folders checked, reruns skipped."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.changes import apply_changes, load_changes
from rollout.checker import check
from rollout.cli import cli
from rollout.errors import InputError
from rollout.io import load_instance, read_solution
from rollout.scenarios import load_scenarios
from rollout.scenarios.backends import DaskCluster
from rollout.scenarios.robustness import draw_disruptions
from rollout.scenarios.run import VARIANT_FILE, ScenarioRun, run_scenarios
from rollout.solve import SolveParams, solve

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "instances" / "tiny.yaml"
TINY_PLAN = ROOT / "solutions" / "tiny"

#: Base + 2 written variants + a family of 2 (trainers of Centre removed in turn) + a weights family of 1.
SCENARIO = """\
base: {base}
variants:
  - name: no-room-idf-2-week1
    changes:
      - room_closed: {{room: idf-2, dates: [{{from: 2015-10-12, to: 2015-10-16}}]}}
  - name: extra-cohort
    changes:
      - cohort_added: {{id: cen-extra, site: cen, learners: 8, courses: [module-cep],
                       start: {{from: 2015-10-26, to: 2015-11-06}}}}
families:
  - trainers_removed: {{match: "t0*", home: cen}}
  - weights: {{grid: {{delay_days: [50]}}}}
"""
NAMES = ["base", "no-room-idf-2-week1", "extra-cohort", "without-t03", "without-t04", "weights-delay_days50"]


def _scenario(tmp_path: Path, text: str = SCENARIO) -> Path:
    path = tmp_path / "what-if.yaml"
    path.write_text(text.format(base=os.path.relpath(TINY, tmp_path)), encoding="utf-8")
    return path


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _assert_folders_pass_the_checker(file: Path, out: Path) -> None:
    for v in load_scenarios(file).variants:
        result = read_solution(out / v.name)
        if result.status.has_plan:
            report = check(v.instance, result)
            assert report.ok, (v.name, report.violations, report.term_mismatches)


def test_families_expand_into_variants(tmp_path) -> None:
    """Tests that families expand into named variants whose instances carry the changes."""
    text = SCENARIO + "  - learners: {{factors: [1.2], sites: [idf]}}\n  - later_start: {{days: [7]}}\n"
    scenarios = load_scenarios(_scenario(tmp_path, text))
    by_name = {v.name: v for v in scenarios.variants}
    assert list(by_name) == [*NAMES, "learners-x1.2", "later-7d"]
    assert "t03" not in by_name["without-t03"].instance.trainer_by_id
    assert by_name["weights-delay_days50"].instance.weights.delay_days == 50
    grown = by_name["learners-x1.2"].instance
    assert grown.cohort_by_id["idf-module-2"].learners == 17  # ceil(14 × 1.2)
    assert grown.cohort_by_id["cen-ue"].learners == 10  # Centre is not in `sites`
    assert len(grown.cohorts) == len(scenarios.base.cohorts)  # the count spec stays whole
    later = by_name["later-7d"].instance
    assert (later.horizon.end - scenarios.base.horizon.end).days == 7
    assert (
        later.cohort_by_id["cen-ue"].start.from_ - scenarios.base.cohort_by_id["cen-ue"].start.from_
    ).days == 7


def test_bad_edit_exits_2_with_its_place(tmp_path) -> None:
    """Tests that an unknown room in a variant and an unknown weight in a family are named by place."""
    path = _scenario(tmp_path, SCENARIO.replace("room_closed: {{room: idf-2,", "room_closed: {{room: idf-9,"))
    with pytest.raises(InputError, match=r":5: variants\[0\].changes\[0\].room_closed: unknown room 'idf-9'"):
        load_scenarios(path)
    result = CliRunner().invoke(cli, ["scenarios", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "variants[0].changes[0].room_closed" in result.output
    assert not (tmp_path / "out").exists()
    path = _scenario(tmp_path, SCENARIO.replace("delay_days: [50]", "delays: [50]"))
    with pytest.raises(InputError, match=r"families\[1\].weights.grid: unknown weight 'delays'"):
        load_scenarios(path)
    path = _scenario(tmp_path, SCENARIO.replace('match: "t0*"', 'match: "x*"'))
    with pytest.raises(InputError, match=r"families\[0\].trainers_removed: no trainer matches"):
        load_scenarios(path)


def test_scenarios_on_local_processes_then_rerun_skips(tmp_path) -> None:
    """Tests that local processes solve every variant, each folder passes the checker, a rerun skips all."""
    path, out = _scenario(tmp_path), tmp_path / "out"
    args = ["scenarios", str(path), "-o", str(out), "--jobs", "2", "--time-limit", "20", "--workers", "1"]
    result = CliRunner().invoke(cli, [*args, "--seed", "1", "-q"])
    assert result.exit_code == 0, result.output
    rows = _csv(out / "scenarios.csv")
    assert [r["variant"] for r in rows] == NAMES
    assert all(r["status"] == "optimal" and r["check_ok"] == "True" for r in rows)
    direct = solve(load_scenarios(path).base, SolveParams(time_limit=20, workers=1, seed=1))
    assert int(rows[0]["objective"]) == direct.objective and rows[0]["delta_objective"] == "0"
    removed = {r["variant"]: r for r in rows}["without-t03"]
    assert int(removed["delta_objective"]) == int(removed["objective"]) - direct.objective >= 0
    _assert_folders_pass_the_checker(path, out)
    assert "<svg" in (out / "scenarios.html").read_text(encoding="utf-8")

    stamps = {n: (out / n / VARIANT_FILE).stat().st_mtime_ns for n in NAMES}
    again = CliRunner().invoke(cli, [*args, "--seed", "1"])
    assert again.exit_code == 0 and "solved     0 variants, 6 skipped" in again.output
    assert {n: (out / n / VARIANT_FILE).stat().st_mtime_ns for n in NAMES} == stamps
    assert [r["objective"] for r in _csv(out / "scenarios.csv")] == [r["objective"] for r in rows]


def test_scenarios_on_a_dask_cluster(tmp_path) -> None:
    """Tests that a Dask LocalCluster solves every variant, folders pass the checker, a new seed re-solves."""
    path, out = _scenario(tmp_path), tmp_path / "out"
    scenarios = load_scenarios(path)
    with DaskCluster("local", jobs=2, processes=False) as backend:
        run = run_scenarios(scenarios, out, backend, time_limit=20, workers=1, seed=1)
        assert list(run.figures) == NAMES and not run.failed
        assert all(f.status == "optimal" and f.check_ok for f in run.figures.values())
        _assert_folders_pass_the_checker(path, out)
        stored = json.loads((out / "extra-cohort" / VARIANT_FILE).read_text(encoding="utf-8"))
        assert stored["figures"]["objective"] == run.figures["extra-cohort"].objective
        again = run_scenarios(scenarios, out, backend, time_limit=20, workers=1, seed=1)
        assert again.skipped == NAMES and again.figures == run.figures
        reseeded = run_scenarios(scenarios, out, backend, time_limit=20, workers=1, seed=2)
        hint = read_solution(TINY_PLAN).rows
        hinted = run_scenarios(scenarios, out, backend, time_limit=20, workers=1, seed=2, hint=hint)
    assert reseeded.skipped == [] and len(reseeded.figures) == len(NAMES)
    assert hinted.skipped == [] and all(f.check_ok for f in hinted.figures.values())
    # every variant of tiny solves to optimality: a hint changes the start, not the optimum
    assert {n: f.objective for n, f in hinted.figures.items()} == {
        n: f.objective for n, f in run.figures.items()
    }


def test_robustness_on_both_back_ends(tmp_path) -> None:
    """Tests that 3 drawn disruptions re-plan alike on local processes and a Dask cluster, each checked."""
    args = ["robustness", str(TINY), str(TINY_PLAN), "--samples", "3", "--seed", "5", "--time-limit", "20"]
    tables = []
    for name, backend in (("local", []), ("dask", ["--dask", "local"])):
        out = tmp_path / name
        result = CliRunner().invoke(
            cli, [*args, *backend, "--jobs", "2", "--workers", "1", "-o", str(out), "-q"]
        )
        assert result.exit_code == 0, result.output
        assert "3 disruptions re-planned" in result.output and "p90" in result.output
        rows = _csv(out / "robustness.csv")
        assert [r["kind"] for r in rows] == ["trainer_week", "room_day", "cohort_growth"]
        for r in rows:
            new = read_solution(out / r["sample"])
            if new.status.has_plan:
                changed = load_changes(out / r["sample"] / "disruption.yaml")
                assert r["check_ok"] == "True" and check(apply_changes(load_instance(TINY), changed), new).ok
        tables.append([{k: v for k, v in r.items() if k != "seconds"} for r in rows])
    assert tables[0] == tables[1]
    inst, plan = load_instance(TINY), read_solution(TINY_PLAN)
    assert [d.text for d in draw_disruptions(inst, plan, 3, 5)] == [r["disruption"] for r in tables[0]]


def test_output_folder_of_another_kind_is_refused(tmp_path) -> None:
    """Tests that a variant folder holding other files is refused with exit 2 before any solve."""
    out = tmp_path / "out"
    (out / "base").mkdir(parents=True)
    (out / "base" / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["scenarios", str(_scenario(tmp_path)), "-o", str(out), "-q"])
    assert result.exit_code == 2 and "holds no solution.json" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["base"]


class _CtrlCAfterFirst(DaskCluster):
    """A local Dask cluster on which Ctrl-C arrives once the first task has finished."""

    def as_completed(self, futures):
        iterator = super().as_completed(futures)
        yield next(iterator)
        raise KeyboardInterrupt


def test_interrupted_run_keeps_finished_variants(tmp_path) -> None:
    """Tests that Ctrl-C keeps the variant finished before it, and the rerun solves only the others."""
    path, out = _scenario(tmp_path), tmp_path / "out"
    scenarios = load_scenarios(path)
    with _CtrlCAfterFirst("local", jobs=1, processes=False) as backend:
        run = ScenarioRun({}, {})
        with pytest.raises(KeyboardInterrupt):
            run_scenarios(scenarios, out, backend, time_limit=20, workers=1, seed=1, run=run)
    assert len(run.figures) == 1
    (kept,) = run.figures
    assert check(scenarios.variants[NAMES.index(kept)].instance, read_solution(out / kept)).ok
    with DaskCluster("local", jobs=2, processes=False) as backend:
        rerun = run_scenarios(scenarios, out, backend, time_limit=20, workers=1, seed=1)
    assert rerun.skipped == [kept] and list(rerun.figures) == NAMES
