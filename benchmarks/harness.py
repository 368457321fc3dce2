"""Run the benchmark: each instance solved by CP-SAT and by the greedy baseline, every plan checked.

Everything goes through the ``rollout`` command line in a child process, one
step after another (never two solves at once: they would share the cores),
so the numbers are what a user of the CLI sees. ``os.wait4`` gives each
child's own peak memory. :func:`main` writes the report with
:func:`report.render`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from report import Outcome, Run, Size, existing_notes, render
from tracefile import Curve, read_trace

from rollout.io import load_instance, write_text_atomic

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
SAMPLES = ("tiny", "pilot-march-2015", "national-s2-2015")
DEFAULT_SCALES = (1, 3, 10)
DEFAULT_TIME_LIMIT = 300.0
DEFAULT_WORKERS = 2
SEED = 1
#: Statuses of a solution folder that hold a plan to check.
WITH_PLAN = ("optimal", "feasible")
#: Exit statuses of ``rollout solve`` that mean it ran to the end: plan, infeasible, no plan in time.
SOLVE_EXITS = (0, 3, 4)


@dataclass(frozen=True)
class Options:
    """The command line of ``benchmarks/run.py``."""

    time_limit: float
    workers: int
    only: tuple[str, ...]
    scales: tuple[int, ...]
    out: Path
    work: Path
    argv: tuple[str, ...]

    @property
    def command(self) -> str:
        """The command that reproduces this run, from the repository root."""
        return shlex.join(["python", "benchmarks/run.py", *self.argv])

    def departures(self) -> list[str]:
        """How this run differs from the full benchmark (empty for the full one)."""
        found = []
        if self.only:
            found.append(f"only {', '.join(self.only)}")
        if self.scales != DEFAULT_SCALES:
            found.append(f"scales {','.join(map(str, self.scales)) or 'none'}")
        if self.time_limit != DEFAULT_TIME_LIMIT:
            found.append(f"time limit {self.time_limit:g} s")
        if self.workers != DEFAULT_WORKERS:
            found.append(f"workers {self.workers}")
        return found


def _scales(text: str) -> tuple[int, ...]:
    try:
        scales = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scales {text!r}: give integers separated by commas") from None
    if any(k < 1 for k in scales):
        raise argparse.ArgumentTypeError(f"--scales {text!r}: every K must be at least 1")
    return scales


def parse_args(argv: Sequence[str]) -> Options:
    """Parse the command line; argparse exits with status 2 on bad options."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Solve every benchmark instance with CP-SAT and the greedy baseline, check every "
        "plan and write the results as markdown.",
    )
    parser.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="CP-SAT seconds per instance [300]."
    )
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="CP-SAT workers [2].")
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="Run this instance only (repeatable)."
    )
    parser.add_argument(
        "--scales",
        type=_scales,
        default=DEFAULT_SCALES,
        help="K of the generated national-xK instances, comma-separated [1,3,10].",
    )
    parser.add_argument(
        "--out", type=Path, default=BENCHMARKS / "RESULTS.md", help="Report [benchmarks/RESULTS.md]."
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=BENCHMARKS,
        help="Folder for generated instances (WORK/instances) and solutions and traces (WORK/out) "
        "[benchmarks].",
    )
    args = parser.parse_args(list(argv))
    if args.time_limit <= 0 or args.workers < 1:
        parser.error("--time-limit must be positive and --workers at least 1")
    return Options(
        args.time_limit,
        args.workers,
        tuple(args.only),
        args.scales,
        args.out.resolve(),
        args.work.resolve(),
        tuple(argv),
    )


def instances(opts: Options) -> list[tuple[str, Path, int | None]]:
    """Name, file and scale (None for a sample) of every instance to run, in order."""
    found: list[tuple[str, Path, int | None]] = [(n, ROOT / "instances" / f"{n}.yaml", None) for n in SAMPLES]
    found += [(f"national-x{k}", opts.work / "instances" / f"national-x{k}.yaml", k) for k in opts.scales]
    if not opts.only:
        return found
    unknown = sorted(set(opts.only) - {name for name, _, _ in found})
    if unknown:
        known = ", ".join(name for name, _, _ in found)
        raise SystemExit(f"error: --only {', '.join(unknown)}: no such instance (known: {known})")
    return [item for item in found if item[0] in opts.only]


def shown(path: Path) -> str:
    """``path`` relative to the repository root when inside it, for readable commands."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def rollout(*args: str | Path) -> list[str]:
    """A ``rollout`` command line run by this interpreter."""
    return [sys.executable, "-m", "rollout", *(shown(a) if isinstance(a, Path) else a for a in args)]


@dataclass(frozen=True)
class Child:
    """How a child process ended."""

    exit_code: int
    seconds: float
    peak_mib: float


def measure(command: list[str], log: Path, timeout: float) -> Child:
    """Run ``command`` from the repository root, output to ``log``; kill it after ``timeout`` seconds.

    ``os.wait4`` reaps the child itself, so ``ru_maxrss`` is that child's
    peak resident memory (KiB on Linux), not this harness's.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as fh:
        fh.write(shlex.join(command) + "\n")
        fh.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        watchdog = threading.Timer(timeout, proc.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Child(proc.returncode, seconds, usage.ru_maxrss / 1024)


def read_folder(folder: Path) -> dict[str, Any]:
    """``solution.json`` of a solution folder, or {} when the solve wrote none."""
    path = folder / "solution.json"
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check(instance: Path, folder: Path, log: Path) -> str:
    """``rollout check``: "pass" on exit 0, "FAIL" on violations, "ERROR (exit N)" otherwise."""
    code = measure(rollout("check", instance, folder), log, timeout=3600).exit_code
    return "pass" if code == 0 else "FAIL" if code == 1 else f"ERROR (exit {code})"


def solve(instance: Path, folder: Path, timeout: float, *extra: str | Path) -> Run:
    """``rollout solve`` into ``folder`` (replaced), then ``rollout check`` on its plan when it has one."""
    log = folder.with_name(folder.name + ".log")
    if folder.is_dir():  # a folder left by an earlier run must not pass for this one's
        shutil.rmtree(folder)
    child = measure(rollout("solve", instance, "-o", folder, *extra), log, timeout)
    if child.exit_code not in SOLVE_EXITS:
        status = "killed (timeout)" if child.exit_code < 0 else f"crashed (exit {child.exit_code})"
        return Run(status, None, None, child.seconds, child.peak_mib, "-", shown(log))
    summary = read_folder(folder)
    status = summary.get("status", "no solution.json")
    verdict = "-"
    if status in WITH_PLAN:
        verdict = check(instance, folder, folder.with_name(folder.name + "-check.log"))
    return Run(
        status,
        summary.get("objective") if status in WITH_PLAN else None,
        (summary.get("solver") or {}).get("seconds"),
        child.seconds,
        child.peak_mib,
        verdict,
        shown(log),
    )


def size_of(path: Path) -> Size:
    """Sites, trainers, cohorts (``count`` expanded) and teaching days demanded by ``path``."""
    inst = load_instance(path)
    days = sum(
        len(block)
        for cohort in inst.cohort_list
        for course in cohort.courses
        for block in inst.course_by_id[course].blocks
    )
    return Size(len(inst.sites), len(inst.trainers), len(inst.cohort_list), days)


def machine() -> list[tuple[str, str]]:
    """Date, machine and versions for the report's header."""
    ram = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB RAM"
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("machine", f"{os.cpu_count()} CPUs, {ram}, {platform.system()} {platform.machine()}"),
        ("python", platform.python_version()),
        ("ortools", version("ortools")),
        ("rollout", f"{version('rollout')} (git {commit or '?'})"),
    ]


def say(text: str, end: str = "\n") -> None:
    print(text, end=end, file=sys.stderr, flush=True)


def _brief(run: Run) -> str:
    objective = "-" if run.objective is None else f"{run.objective:,}"
    return f"{run.status}, objective {objective}, {run.wall:.1f} s, {run.peak_mib:.0f} MiB, check {run.check}"


def bench(name: str, path: Path, scale: int | None, opts: Options, step: str) -> Outcome:
    """Every step for one instance, one progress line each on stderr."""
    out = opts.work / "out"
    out.mkdir(parents=True, exist_ok=True)
    if scale is not None and not path.is_file():
        say(f"{step} {name}: generate ×{scale} … ", end="")
        path.parent.mkdir(parents=True, exist_ok=True)
        child = measure(
            rollout("generate", "--scale", str(scale), "--seed", str(SEED), "-o", path),
            out / f"{name}-generate.log",
            timeout=3600,
        )
        if child.exit_code != 0:
            raise SystemExit(f"error: rollout generate failed (exit {child.exit_code}): see {out}")
        say(f"{child.seconds:.1f} s")
    say(f"{step} {name}: size … ", end="")
    size = size_of(path)
    say(f"{size.teaching_days} teaching days, {size.cohorts} cohorts")

    say(f"{step} {name}: cp-sat, time limit {opts.time_limit:g} s, workers {opts.workers} … ", end="")
    trace = out / f"{name}-cpsat.jsonl"
    trace.unlink(missing_ok=True)
    cpsat = solve(
        path,
        out / f"{name}-cpsat",
        2 * opts.time_limit + 600,
        *("--time-limit", f"{opts.time_limit:g}", "--workers", str(opts.workers), "--seed", str(SEED)),
        *("--quiet", "--trace", trace),
    )
    curve: Curve = read_trace(trace)
    say(_brief(cpsat))

    say(f"{step} {name}: greedy … ", end="")
    greedy = solve(
        path, out / f"{name}-greedy", 3600, *("--solver", "greedy", "--quiet", "--seed", str(SEED))
    )
    say(_brief(greedy))
    return Outcome(name, shown(path), size, cpsat, curve, greedy)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 when every step ran and every plan passed its check, else 1."""
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    todo = instances(opts)
    notes = existing_notes(opts.out)
    header = [
        *machine(),
        (
            "settings",
            f"CP-SAT time limit {opts.time_limit:g} s, workers {opts.workers}, seed {SEED}; "
            f"greedy seed {SEED}",
        ),
    ]
    outcomes: list[Outcome] = []
    for k, (name, path, scale) in enumerate(todo, start=1):
        outcomes.append(bench(name, path, scale, opts, f"[{k}/{len(todo)}]"))
        pending = [n for n, _, _ in todo[k:]]
        text = render(opts.command, header, opts.departures(), opts.time_limit, outcomes, pending, notes)
        write_text_atomic(opts.out, text)
    say(f"wrote {shown(opts.out)}")
    failed = [(o.name, label, run) for o in outcomes for label, run in o.runs() if not run.ok]
    for name, label, run in failed:
        say(f"FAILED: {name} {label}: {run.status}, check {run.check} (see {run.log})")
    return 1 if failed else 0
