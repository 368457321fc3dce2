"""Layer 6: the command line, through Click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.cli import cli
from tests.conftest import INSTANCES

TINY = str(INSTANCES / "tiny.yaml")


@pytest.mark.parametrize("command", [[], ["solve"], ["check"], ["validate"]])
def test_every_command_has_help(command: list[str]) -> None:
    """Tests that every command answers --help."""
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_solve_then_check(tmp_path: Path) -> None:
    """Tests that solve writes a folder (exit 0) that check accepts (exit 0)."""
    runner = CliRunner()
    out = tmp_path / "sol"
    solved = runner.invoke(cli, ["solve", TINY, "-o", str(out), "--workers", "1", "--seed", "1", "-q"])
    assert solved.exit_code == 0, solved.output
    assert {p.name for p in out.iterdir()} == {"timetable.csv", "unscheduled.csv", "solution.json"}
    checked = runner.invoke(cli, ["check", TINY, str(out)])
    assert checked.exit_code == 0, checked.output


def test_check_catches_a_broken_plan(tmp_path: Path) -> None:
    """Tests that check exits 1 with a rule id when a row is moved onto a Sunday."""
    runner = CliRunner()
    out = tmp_path / "sol"
    runner.invoke(cli, ["solve", TINY, "-o", str(out), "--workers", "1", "-q"])
    lines = (out / "timetable.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = "2015-10-18" + lines[1][10:]
    (out / "timetable.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = runner.invoke(cli, ["check", TINY, str(out)])
    assert checked.exit_code == 1 and "R1" in checked.output


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    """Tests that a bad instance gives exit 2 and a message naming the file, not a traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon: {start: 2015-01-02, end: 2015-01-01}\n", encoding="utf-8")
    for command in (["validate", str(bad)], ["solve", str(bad), "-o", str(tmp_path / "o")]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2 and str(bad) in result.output
        assert "Traceback" not in result.output


def test_refuses_to_overwrite_a_foreign_folder(tmp_path: Path) -> None:
    """Tests that solve never overwrites a folder that is not a solution folder."""
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious", encoding="utf-8")
    result = CliRunner().invoke(cli, ["solve", TINY, "-o", str(keep), "--workers", "1", "-q"])
    assert result.exit_code == 2 and (keep / "notes.txt").read_text(encoding="utf-8") == "precious"


def test_infeasible_exits_3(tmp_path: Path) -> None:
    """Tests that a proven-infeasible instance exits 3 and writes a header-only timetable."""
    text = (INSTANCES / "tiny.yaml").read_text(encoding="utf-8").replace("learners: ", "learners: 9")
    bad = tmp_path / "big.yaml"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["solve", str(bad), "-o", str(out), "--workers", "1", "-q"])
    assert result.exit_code == 3, result.output
    assert len((out / "timetable.csv").read_text(encoding="utf-8").splitlines()) == 1
