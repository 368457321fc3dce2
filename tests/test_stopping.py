"""Stopping a solve with Ctrl-C or SIGTERM: the best plan so far is written whole, and checked.

The solves run as real processes (``python -m rollout``) and get real
signals once their first plan is traced.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rollout.checker import check
from rollout.io import load_instance, read_solution
from rollout.stopping import StopRequest
from tests.conftest import INSTANCES, ROOT

NATIONAL = INSTANCES / "national-s2-2015.yaml"


def _first_plan(trace: Path, process: subprocess.Popen[bytes], within: float = 60.0) -> None:
    """Wait until the trace holds a plan event (the process is then searching)."""
    end = time.monotonic() + within
    while time.monotonic() < end and process.poll() is None:
        if trace.exists() and any(
            json.loads(line).get("event") == "plan"
            for line in trace.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ):
            return
        time.sleep(0.2)
    raise AssertionError("no plan traced before the signal")


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_search_and_keeps_the_best_plan(signum: int, status: int, tmp_path: Path) -> None:
    """Tests that SIGINT/SIGTERM during a 120 s national solve end it within seconds, with the
    exit status 128 + signal, a complete solution folder, and a plan the checker accepts."""
    folder, trace = tmp_path / "plan", tmp_path / "trace.jsonl"
    args = ["solve", str(NATIONAL), "-o", str(folder), "--time-limit", "120", "--workers", "1", "-q"]
    process = subprocess.Popen(
        [sys.executable, "-m", "rollout", *args, "--trace", str(trace)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _first_plan(trace, process)
        time.sleep(1.0)
        sent = time.monotonic()
        process.send_signal(signum)
        out, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == status, out.decode()
    assert time.monotonic() - sent < 30, "the search did not stop promptly"
    assert b"best plan found so far is written" in out
    result = read_solution(folder)
    assert result.status.has_plan
    report = check(load_instance(NATIONAL), result)
    assert report.ok, report


def test_a_stop_request_reaches_late_listeners() -> None:
    """Tests that a listener added after the request is told at once, and can stop listening."""
    stop, calls = StopRequest(), []
    stop.request(signal.SIGTERM)
    forget = stop.listen(lambda: calls.append("now"))
    assert calls == ["now"] and stop.name == "SIGTERM"
    forget()
    stop.request(signal.SIGINT)
    assert calls == ["now"] and stop.signal == signal.SIGTERM, "the first signal is kept"


def test_a_signal_before_any_plan_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that SIGINT arriving before the first plan exits 130, says so, and writes no folder.

    The signal is real and goes through the command's own handler: the solve
    sends it to this process as it starts, before the greedy plan.
    """
    import os

    from click.testing import CliRunner

    import rollout.cli.solving as solving
    from rollout.cli import cli

    real_solve = solving.solve

    def interrupted_solve(*args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signal.SIGINT)
        return real_solve(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(solving, "solve", interrupted_solve)
    out = tmp_path / "never"
    args = ["solve", str(INSTANCES / "tiny.yaml"), "-o", str(out), "--workers", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 130, result.output
    assert "stopped by SIGINT before any plan was found: nothing written" in result.output
    assert not out.exists()
