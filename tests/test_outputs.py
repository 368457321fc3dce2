"""Tests that solution folders are written whole or not at all, and never replaced without --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.cli import cli
from rollout.errors import InputError
from rollout.io import load_instance, read_solution, write_solution
from rollout.solve import SolveParams, solve

TINY = Path(__file__).parent.parent / "instances" / "tiny.yaml"


@pytest.fixture(scope="module")
def plan():
    inst = load_instance(TINY)
    return inst, solve(inst, SolveParams(time_limit=10, workers=1, seed=1, solver="greedy"))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_existing_folder_needs_force(tmp_path) -> None:
    """Tests that solve refuses an existing solution folder before solving, and replaces it with --force."""
    out = tmp_path / "sol"
    args = ["solve", str(TINY), "-o", str(out), "--solver", "greedy", "-q"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    before = _snapshot(out)
    (out / "solution.json").write_text((out / "solution.json").read_text() + " ", encoding="utf-8")
    edited = _snapshot(out)
    again = CliRunner().invoke(cli, args[:-1])  # without -q: a solve would announce itself
    assert again.exit_code == 2
    assert "already holds a solution" in again.output and "--force" in again.output
    assert "solving" not in again.output  # refused before any search
    assert _snapshot(out) == edited
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0
    after = _snapshot(out)
    assert after.keys() == before.keys() and after["timetable.csv"] == before["timetable.csv"]
    assert after["solution.json"] != edited["solution.json"]  # replaced, not kept


def test_a_crash_while_writing_keeps_the_old_folder(tmp_path, plan, monkeypatch) -> None:
    """Tests that a failure half-way through writing leaves the previous folder whole and no debris."""
    inst, result = plan
    folder = write_solution(result, inst, tmp_path / "sol")
    before = _snapshot(folder)
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # after the first file, before the rename
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        write_solution(result, inst, folder, force=True)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert _snapshot(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == ["sol"]


def test_folder_rules(tmp_path, plan) -> None:
    """Tests that a file, or a folder of other files, is never replaced, even with force."""
    inst, result = plan
    file = tmp_path / "notes.txt"
    file.write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="is a file"):
        write_solution(result, inst, file, force=True)
    other = tmp_path / "photos"
    other.mkdir()
    (other / "a.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(InputError, match=r"holds no solution\.json"):
        write_solution(result, inst, other, force=True)
    assert file.read_text(encoding="utf-8") == "mine" and (other / "a.jpg").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert read_solution(write_solution(result, inst, empty)).rows == result.rows


def test_output_path_is_where_asked(tmp_path, plan, monkeypatch) -> None:
    """Tests that a relative -o with '..' resolves against the working folder and lands exactly there."""
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    result = CliRunner().invoke(
        cli, ["solve", str(TINY), "-o", "../out/plan", "--solver", "greedy", "-q"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert (tmp_path / "a" / "out" / "plan" / "timetable.csv").exists()
    assert sorted(p.name for p in (tmp_path / "a" / "out").iterdir()) == ["plan"]


def test_a_kill_between_the_renames_is_recoverable(tmp_path, plan) -> None:
    """Tests that a plan left aside by a kill between the two renames is named, with the fix.

    Replacing a folder renames the old one aside, then the new one in; a
    kill in between leaves the old plan whole under `.NAME.old-*`.
    """
    inst, result = plan
    folder = write_solution(result, inst, tmp_path / "sol")
    folder.rename(tmp_path / ".sol.old-abc123")  # the state a kill between the renames leaves
    with pytest.raises(
        InputError, match=r"interrupted write left the plan in .*\.sol\.old-abc123: rename it back"
    ):
        read_solution(tmp_path / "sol")
    (tmp_path / ".sol.old-abc123").rename(tmp_path / "sol")
    assert read_solution(tmp_path / "sol").rows == result.rows


def test_plan_files_have_a_size_limit(tmp_path, plan, monkeypatch) -> None:
    """Tests that a timetable.csv over the size limit is refused before it is read, naming the file."""
    import rollout.io.solution_folder as solution_folder

    inst, result = plan
    folder = write_solution(result, inst, tmp_path / "sol")
    monkeypatch.setattr(solution_folder, "MAX_PLAN_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"timetable\.csv: is \d+ bytes, over the 100"):
        read_solution(folder)
