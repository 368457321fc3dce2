"""Tests that a solve with one worker, a seed and a work limit repeats byte for byte across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _solve(instance: str, out: Path, hash_seed: str, *extra: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}  # different string hashing in each process
    args = [sys.executable, "-m", "rollout", "solve", str(ROOT / "instances" / instance), "-o", str(out)]
    args += ["--workers", "1", "--seed", "7", "-q", *extra]
    subprocess.run(args, check=True, env=env, capture_output=True, timeout=600)


def _without_timing(folder: Path) -> dict[str, object]:
    doc = json.loads((folder / "solution.json").read_text(encoding="utf-8"))
    doc["solver"].pop("seconds")
    return doc


@pytest.mark.parametrize("instance", ["tiny.yaml", "pilot-march-2015.yaml"])
def test_work_limit_repeats_exactly(tmp_path, instance) -> None:
    """Tests that two processes with --workers 1 --seed 7 --work-limit write identical folders.

    Only solution.json's solver.seconds may differ (timing lives there alone).
    """
    first, second = tmp_path / "first", tmp_path / "second"
    _solve(instance, first, "1", "--work-limit", "2")
    _solve(instance, second, "2", "--work-limit", "2")
    for name in ("timetable.csv", "unscheduled.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert _without_timing(first) == _without_timing(second)
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
