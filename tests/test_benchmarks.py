"""Tests of the benchmark harness (benchmarks/): trace reading, the report, one real run on tiny."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))  # the harness is scripts, not a package
harness = importlib.import_module("harness")
report = importlib.import_module("report")
tracefile = importlib.import_module("tracefile")

#: A trace as ``rollout solve --trace`` writes it (gap and plans left out: the harness does not read them),
#: a blank line, and a last line cut off by a kill.
TRACE = """\
{"event": "plan", "seconds": 0.5, "objective": 1000, "bound": null, "detail": ""}
{"event": "model", "seconds": 0.6, "objective": 1000, "bound": null, "detail": "10 variables, 20 constraints"}
{"event": "bound", "seconds": 2.0, "objective": 1000, "bound": 600.0, "detail": ""}
{"event": "plan", "seconds": 9.9, "objective": 900, "bound": 600.0, "detail": ""}

{"event": "bound", "seconds": 10.0, "objective": 900, "bound": 700.0, "detail": ""}
{"event": "plan", "seconds": 10.1, "objective": 850, "bound": 700.0, "detail": ""}
{"event": "bound", "seconds": 59.0, "objective": 850, "bound": 800.0, "detail": ""}
{"event": "plan", "seconds": 61.0, "objective": 820, "bound": 800.0, "detail": ""}
{"event": "done", "status": "feasible", "seconds": 120.0, "objective": 820, "bound": 800.0, "plans": 4}
{"event": "pl
"""


def _tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Every table of a markdown text, by the ``##`` heading above it, as rows of {column: cell}."""
    tables: dict[str, list[dict[str, str]]] = {}
    heading, head = "", None
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading, head = line[3:], None
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if head is None:
                head = cells
            elif not all(set(c) <= set("-:") for c in cells):
                tables.setdefault(heading, []).append(dict(zip(head, cells, strict=True)))
        else:
            head = None
    return tables


def test_trace_standing_at_marks() -> None:
    """Tests that the standing at a mark is the last plan and last bound by then, "-" outside."""
    curve = tracefile.parse_trace(TRACE)
    assert curve.first_plan == 0.5
    assert curve.first_plan_after_model == 9.9
    assert curve.model == "10 variables, 20 constraints"
    assert (curve.status, curve.objective, curve.bound) == ("feasible", 820, 800.0)
    at10 = curve.at(10, time_limit=120)
    assert (at10.objective, at10.bound) == (900, 700.0)  # the plan at 10.1 s is not yet found
    assert at10.gap == pytest.approx(200 / 900)
    at60 = curve.at(60, time_limit=120)
    assert (at60.objective, at60.bound) == (850, 800.0)
    assert curve.at(300, time_limit=120) is None  # beyond the time limit
    assert curve.at(0.4, time_limit=120) is None  # before any plan
    assert curve.at(1.0, time_limit=120) == tracefile.Standing(1000, None)


def test_missing_trace_is_an_empty_curve(tmp_path: Path) -> None:
    """Tests that a solve that crashed before tracing reads as a curve with nothing in it."""
    curve = tracefile.read_trace(tmp_path / "none.jsonl")
    assert (curve.first_plan, curve.model, curve.status, curve.at(10, 300)) == (None, None, None, None)


def test_failed_check_is_loud() -> None:
    """Tests that a failed check is bold in the tables and listed under FAILURES."""
    run = report.Run("feasible", 100, 1.0, 2.0, 50.0, "FAIL", "out/x-cpsat.log")
    greedy = report.Run("feasible", 120, 0.1, 0.5, 40.0, "pass", "out/x-greedy.log")
    outcome = report.Outcome("x", "x.yaml", report.Size(1, 1, 1, 5), run, tracefile.Curve(()), greedy)
    text = report.render("python benchmarks/run.py", [], [], 300, [outcome])
    assert not run.ok and greedy.ok
    assert "## FAILURES" in text and "out/x-cpsat.log" in text
    assert _tables(text)["CP-SAT"][0]["check"] == "**FAIL**"


def test_unknown_instance_is_refused(tmp_path: Path) -> None:
    """Tests that --only with an unknown name stops before running anything."""
    with pytest.raises(SystemExit, match="no such instance"):
        harness.main(["--only", "nowhere", "--work", str(tmp_path), "--out", str(tmp_path / "R.md")])
    assert not (tmp_path / "R.md").exists()


def test_harness_on_tiny(tmp_path: Path) -> None:
    """Tests that a run on tiny writes a report where both plans pass and the ratio is a number."""
    out = tmp_path / "RESULTS.md"
    out.write_text("# old\n\n## Notes\n\nA human note.\n", encoding="utf-8")
    argv = [
        "--only",
        "tiny",
        "--time-limit",
        "5",
        "--workers",
        "1",
        "--work",
        str(tmp_path),
        "--out",
        str(out),
    ]
    assert harness.main(argv) == 0
    text = out.read_text(encoding="utf-8")
    tables = _tables(text)
    (row,) = (r for r in tables["Greedy baseline"] if r["instance"] == "`tiny`")
    assert row["check"] == "pass" and row["greedy check"] == "pass"
    assert 0 < float(row["ratio"]) <= 1  # CP-SAT starts from the greedy plan
    (cpsat,) = tables["CP-SAT"]
    assert cpsat["check"] == "pass" and cpsat["final status"] == "optimal"
    (size,) = tables["Instances"]
    assert (size["cohorts"], size["teaching days"]) == ("5", "20")
    assert "A human note." in text and "(to be written by the engineer)" not in text
    assert "Partial run" in text
    assert (tmp_path / "out" / "tiny-cpsat.jsonl").is_file()


def test_tampered_plan_fails_its_check(tmp_path: Path) -> None:
    """Tests that the harness reports FAIL when ``rollout check`` finds a violation (a day deleted)."""
    tiny = ROOT / "instances" / "tiny.yaml"
    folder = tmp_path / "tiny-greedy"
    run = harness.solve(tiny, folder, 120, "--solver", "greedy", "--quiet", "--seed", "1")
    assert (run.status, run.check) == ("feasible", "pass")
    timetable = folder / "timetable.csv"
    lines = timetable.read_text(encoding="utf-8").splitlines(keepends=True)
    timetable.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    assert harness.check(tiny, folder, tmp_path / "check.log") == "FAIL"
