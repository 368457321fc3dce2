"""Solve every variant of a scenario file: one task per variant, its folder written as it finishes.

:func:`solve_variant` is the task: an instance's data and solve settings in
(by value), the plan and the checker's verdict out. It runs the same on a
local process and on a Dask worker. The client writes each variant's
solution folder (as ``rollout solve`` does, atomically) with a
``variant.json`` beside it holding the variant's figures and the content
hash of its inputs (instance data + solve settings + rollout version); a
rerun skips every variant whose folder holds the same hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from rollout import __version__
from rollout.checker import check
from rollout.io import dump_instance, parse_instance, write_solution
from rollout.scenarios.backends import Backend, Tally, run_all, stop_on_signals
from rollout.scenarios.report import Figures, figures
from rollout.scenarios.spec import Scenarios, Variant
from rollout.solution import Result, Row
from rollout.solve import SolveParams, solve

#: The file beside each variant's solution files: its figures and the hash of its inputs.
VARIANT_FILE = "variant.json"


@dataclass(frozen=True)
class SolveTask:
    """One variant to solve, by value: the instance's data, the solve settings and a plan to start from."""

    name: str
    instance: dict[str, Any]
    time_limit: float
    workers: int
    seed: int
    hint: tuple[Row, ...] | None = None

    @property
    def key(self) -> str:
        """Content hash of everything the plan depends on (sha256, hex)."""
        text = json.dumps(
            {
                "instance": self.instance,
                "time_limit": self.time_limit,
                "workers": self.workers,
                "seed": self.seed,
                "hint": None if self.hint is None else [astuple(r) for r in self.hint],
                "rollout": __version__,
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SolveOutcome:
    """What a task gives back: the plan, the checker's verdict and the task's own wall time."""

    result: Result
    check_ok: bool | None
    violations: tuple[str, ...]
    seconds: float


def solve_variant(task: SolveTask) -> SolveOutcome:
    """Solve one variant and check its plan; the same function on every back end.

    A result with no plan (infeasible, unknown) has nothing to check:
    ``check_ok`` is then None.
    """
    started = time.perf_counter()
    inst = parse_instance(task.instance, task.name)
    hint = None
    if (
        task.hint is not None
    ):  # rows of cohorts the variant still has; the solve skips those that no longer fit
        hint = tuple(r for r in task.hint if r.cohort in inst.cohort_by_id)
    params = SolveParams(time_limit=task.time_limit, workers=task.workers, seed=task.seed, hint=hint)
    with stop_on_signals() as stop, _quiet_hint_skips():
        result = solve(inst, params, stop=stop)
    if not result.status.has_plan:
        return SolveOutcome(result, None, (), time.perf_counter() - started)
    report = check(inst, result)
    lines = tuple(str(v) for v in report.violations[:20]) + report.term_mismatches[:20]
    return SolveOutcome(result, report.ok, lines, time.perf_counter() - started)


class _HintSkips(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("hint row skipped")


@contextmanager
def _quiet_hint_skips() -> Iterator[None]:
    """A hint from the base skips rows a variant changed, as expected: not worth a warning per row."""
    log, quiet = logging.getLogger("rollout"), _HintSkips()
    log.addFilter(quiet)
    try:
        yield
    finally:
        log.removeFilter(quiet)


def stored_figures(folder: Path, key: str) -> Figures | None:
    """The figures of a variant already solved in ``folder`` for the same inputs, else None."""
    try:
        doc = json.loads((folder / VARIANT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("key") != key or not (folder / "solution.json").is_file():
        return None
    try:
        return Figures(**doc["figures"])
    except (KeyError, TypeError):
        return None


class TallyView:
    """Progress on stderr: variants done, running, waiting, failed and skipped."""

    def __init__(self, console: Console | None, tally: Tally, what: str = "variants") -> None:
        self.console, self.tally, self.what = console, tally, what
        self._started = time.perf_counter()
        self._live: Live | None = None

    def line(self) -> str:
        t = self.tally
        skipped = f", {t.skipped} skipped (already solved)" if t.skipped else ""
        seconds = time.perf_counter() - self._started
        return (
            f"{seconds:7.1f} s   {self.what}: {t.done + t.skipped}/{t.total} done, "
            f"{t.running} running, {t.waiting} waiting, {t.failed} failed{skipped}"
        )

    def __rich__(self) -> Text:
        return Text(self.line())

    def __enter__(self) -> TallyView:
        if self.console is not None and self.console.is_terminal:
            self._live = Live(self, console=self.console, refresh_per_second=4)
            self._live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.__exit__(kind, exc, tb)

    def event(self, message: str) -> None:
        """One finished task: printed above the live line, or as a line of its own."""
        if self.console is None:
            return
        if self._live is not None:
            self._live.console.print(message)
        else:
            self.console.print(f"{message}   [{self.line().strip()}]")


@dataclass
class ScenarioRun:
    """The outcome of a run: figures per variant in file order, and the run's wall time.

    ``seconds`` is the wall time from the first task submitted to the last
    one written; ``skipped`` the variants already solved for the same inputs.
    """

    figures: dict[str, Figures]
    failed: dict[str, str]
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    backend: str = ""
    slots: int = 1

    def overhead(self) -> float | None:
        """Back-end time per variant solved now beyond its solve: (wall × slots − Σ solve) / variants."""
        solved = [f for name, f in self.figures.items() if name not in self.skipped]
        if not solved:
            return None
        return (self.seconds * self.slots - sum(f.solve_seconds for f in solved)) / len(solved)


def run_scenarios(
    scenarios: Scenarios,
    out: Path,
    backend: Backend,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: tuple[Row, ...] | None = None,
    console: Console | None = None,
    run: ScenarioRun | None = None,
) -> ScenarioRun:
    """Solve the base and every variant not already solved in ``out``; write each folder as it finishes.

    ``run`` (filled as variants finish) keeps what was done when an
    interruption (Ctrl-C) ends the run early: the caller still writes the
    comparison of the variants finished. ``hint`` (an earlier plan's rows,
    e.g. the base solved longer) starts every variant from that plan, less
    the rows the variant no longer allows.
    """
    started = time.perf_counter()
    run = run if run is not None else ScenarioRun({}, {})
    run.backend, run.slots = backend.description, backend.slots
    by_name = {v.name: v for v in scenarios.variants}
    tasks: dict[str, SolveTask] = {}
    tally = Tally(total=len(by_name), slots=backend.slots)
    for v in scenarios.variants:
        task = SolveTask(v.name, dump_instance(v.instance), time_limit, workers, seed, hint)
        found = stored_figures(out / v.name, task.key)
        if found is not None:
            run.figures[v.name] = found
            tally.skipped += 1
            run.skipped.append(v.name)
        else:
            tasks[v.name] = task

    with TallyView(console, tally) as view:

        def finished(name: str, outcome: SolveOutcome) -> None:
            variant, task = by_name[name], tasks[name]
            row = figures(variant, outcome.result, outcome.check_ok, outcome.seconds, outcome.violations)
            write_solution(
                outcome.result, variant.instance, out / name, force=True, extra=_extra(task, variant, row)
            )
            run.figures[name] = row
            view.event(_event(row))

        def failed(name: str, exc: BaseException) -> None:
            run.failed[name] = f"{type(exc).__name__}: {exc}"
            view.event(f"{name}: failed: {run.failed[name]}")

        try:
            run_all(backend, solve_variant, tasks, finished, failed, tally)
        finally:
            run.seconds = time.perf_counter() - started
    run.figures = {v.name: run.figures[v.name] for v in scenarios.variants if v.name in run.figures}
    return run


def _extra(task: SolveTask, variant: Variant, row: Figures) -> dict[str, str]:
    doc = {
        "variant": variant.name,
        "key": task.key,
        "changes": [c.describe() for c in variant.changes],
        "solve": {
            "time_limit": task.time_limit,
            "workers": task.workers,
            "seed": task.seed,
            "hint_rows": None if task.hint is None else len(task.hint),
        },
        "figures": row.as_dict(),
    }
    return {VARIANT_FILE: json.dumps(doc, indent=2, ensure_ascii=False) + "\n"}


def _event(row: Figures) -> str:
    objective = f"objective {row.objective:,}" if row.objective is not None else "no plan"
    check_text = {True: "check OK", False: "CHECK FAILED", None: "nothing to check"}[row.check_ok]
    return f"{row.variant}: {row.status}, {objective}, {row.solve_seconds:.1f} s, {check_text}"
