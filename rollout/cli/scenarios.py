"""``rollout scenarios`` and ``rollout robustness``: many solves of one instance, compared.

Both run their solves on local processes (``--jobs N`` at a time) or on a
Dask cluster (``--dask ADDRESS``, ``--dask local``), write each output as
it finishes, and keep what finished when stopped by Ctrl-C (exit 130) or
SIGTERM (143).
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import yaml

from rollout.cli.common import (
    EXIT_VIOLATIONS,
    err,
    fail,
    fail_input,
    handling_signals,
    load,
    load_plan,
    out,
    plan_to_change,
    seed_option,
    time_limit_option,
    workers_option,
)
from rollout.errors import InputError
from rollout.io import dump_instance, ensure_replaceable, write_solution, write_text_atomic
from rollout.scenarios.backends import Backend, Tally, make_backend, run_all
from rollout.scenarios.report import Figures, failed_figures, table, write_comparison
from rollout.scenarios.robustness import (
    Profile,
    ReplanOutcome,
    ReplanTask,
    draw_disruptions,
    profile,
    replan_disruption,
)
from rollout.scenarios.robustness import csv_text as robustness_csv
from rollout.scenarios.run import ScenarioRun, TallyView, run_scenarios
from rollout.scenarios.spec import load_scenarios
from rollout.solution import Result
from rollout.solve import default_workers


class Interrupted(Exception):
    """Ctrl-C or SIGTERM reached the command."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """While running, SIGINT and SIGTERM raise :class:`Interrupted` (finished outputs are kept)."""

    def handle(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    with handling_signals(handle):
        yield


def open_backend(jobs: int, dask: str | None) -> Backend:
    """The back end, or exit 2 when a Dask scheduler cannot be reached."""
    try:
        return make_backend(jobs, dask)
    except (OSError, TimeoutError) as exc:
        fail(f"--dask {dask}: cannot reach the Dask scheduler ({exc}): start it with `dask scheduler`")
    except ValueError as exc:
        fail(f"--dask {dask}: {exc}")


def backend_options(f: Any) -> Any:
    """The options every multi-solve command shares."""
    for option in reversed(
        [
            time_limit_option(help="Seconds of search per solve."),
            click.option(
                "--jobs",
                type=click.IntRange(min=1),
                default=None,
                help="Solves at a time: local processes, or workers of --dask local "
                f"[default: {default_workers()}].",
            ),
            click.option(
                "--dask",
                metavar="ADDRESS",
                help="Run on a Dask cluster: a scheduler's address (tcp://host:8786), or 'local'.",
            ),
            workers_option("CP-SAT search workers per solve", default=1),
            seed_option(),
            click.option("-q", "--quiet", is_flag=True, help="No progress display (for CI and scripts)."),
        ]
    ):
        f = option(f)
    return f


_CHECK = {True: "OK", False: "FAILED", None: "-"}


def _print_table(lines: list[dict[str, Any]]) -> None:
    out.print(
        f"{'variant':<28} {'status':<10} {'objective':>12} {'Δ vs base':>10} {'cost':>10} "
        f"{'€/learner':>9} {'unsched.':>8} {'gap':>7} {'seconds':>7}  check"
    )
    for line in lines:
        delta = line["delta_objective_pct"]
        left = len(line["unscheduled_cohorts"].split(";")) if line["unscheduled_cohorts"] else 0
        gap = "-" if line["gap"] is None else f"{100 * line['gap']:.1f} %"
        out.print(
            f"{line['variant']:<28} {line['status']:<10} {_n(line['objective']):>12} "
            f"{'' if delta is None else f'{delta:+.2f} %':>10} {_n(line['cost']):>10} "
            f"{_n(line['cost_per_learner']):>9} {left:>8} {gap:>7} "
            f"{line['solve_seconds']:>7.1f}  {_CHECK[line['check_ok']]}"
        )


def _writable(folders: Iterable[Path]) -> None:
    """Exit 2 before any solve if an output folder exists and is no solution folder."""
    for folder in folders:
        try:
            ensure_replaceable(folder, force=True)
        except InputError as exc:
            fail_input(exc)


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


@click.command("scenarios")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder of the results."
)
@click.option(
    "--hint",
    type=click.Path(file_okay=False, exists=True),
    help="Start every variant from the plan in this solution folder (e.g. the base, solved longer).",
)
@backend_options
def scenarios_command(
    file: str,
    output: str,
    hint: str | None,
    time_limit: float,
    jobs: int | None,
    dask: str | None,
    workers: int,
    seed: int,
    quiet: bool,
) -> None:
    """Solve the base and every variant of a scenario FILE, and compare them.

    Writes a solution folder per variant (OUTPUT/<variant>/, checked by the
    checker), OUTPUT/scenarios.csv and OUTPUT/scenarios.html. A rerun skips
    the variants already solved for the same instance data and settings.
    Exit status: 0 every variant solved and checked, 1 a variant failed or
    its plan broke a rule, 2 bad input, 130/143 stopped (finished variants kept).
    """
    try:
        scenarios = load_scenarios(file)
    except InputError as exc:
        fail_input(exc)
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        fail(f"{output} is a file, not a folder: choose another -o path")
    _writable(folder / v.name for v in scenarios.variants)
    hint_rows = load_plan(hint).rows if hint is not None else None
    jobs = jobs or default_workers()
    run = ScenarioRun({}, {})
    stopped: Interrupted | None = None
    if not quiet:
        err.print(f"{file}: base {scenarios.base.name} and {len(scenarios.variants) - 1} variants")
    started = time.perf_counter()
    with interrupt_on_signals():
        try:
            with open_backend(jobs, dask) as backend:
                run_scenarios(
                    scenarios,
                    folder,
                    backend,
                    time_limit=time_limit,
                    workers=workers,
                    seed=seed,
                    hint=hint_rows,
                    console=None if quiet else err,
                    run=run,
                )
        except Interrupted as exc:
            stopped = exc
        rows: list[Figures] = []
        for v in scenarios.variants:
            if v.name in run.figures:
                rows.append(run.figures[v.name])
            elif v.name in run.failed:
                rows.append(failed_figures(v, run.failed[v.name]))
        info = {
            "file": file,
            "base": scenarios.base.name,
            "backend": run.backend,
            "time_limit": time_limit,
            "workers": workers,
            "seed": seed,
        }
        csv_path, html_path = write_comparison(rows, folder, info)
    lines = table(rows)
    _print_table(lines)
    solved = [r for r in rows if r.status != "failed"]
    out.print(f"written    {csv_path}, {html_path} and a solution folder per variant")
    now = len(run.figures) - len(run.skipped)
    out.print(
        f"solved     {now} variants, {len(run.skipped)} skipped (already solved for the same inputs), "
        f"{len(run.failed)} failed"
    )
    overhead = run.overhead()
    per = f"; back-end overhead {overhead:.2f} s per variant" if overhead is not None else ""
    out.print(
        f"time       {time.perf_counter() - started:.1f} s in all, {run.seconds:.1f} s solving on "
        f"{run.backend}{per}"
    )
    if stopped is not None:
        missing = len(scenarios.variants) - len(solved)
        out.print(
            f"stopped by {stopped}: {len(solved)} variants kept, {missing} not solved (a rerun solves them)"
        )
        sys.exit(128 + stopped.signum)
    if run.failed or any(r.check_ok is False for r in solved):
        sys.exit(EXIT_VIOLATIONS)


@click.command("robustness")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--samples", type=click.IntRange(min=1), required=True, help="Disruptions to draw and re-plan.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    help="Folder for robustness.csv and a re-planned folder per sample [default: robustness/<name>/].",
)
@backend_options
def robustness_command(
    instance: str,
    folder: str,
    samples: int,
    output: str | None,
    time_limit: float,
    jobs: int | None,
    dask: str | None,
    workers: int,
    seed: int,
    quiet: bool,
) -> None:
    """How fragile is the plan in FOLDER? Draw disruptions, re-plan each with minimal change.

    Draws --samples disruptions, deterministic for --seed, the kinds in turn:
    a trainer unavailable for a week in which they teach, a room closed on a
    day it is used, a cohort growing past its room. Each is re-planned
    (fewest changed rows first, then the objective) and checked; prints the
    distribution of rows changed, cost and objective increase (min, median,
    p90, max), the infeasible cases and the disruptions that hurt most, and
    writes robustness.csv. Exit status: 0 done, 1 a new plan broke a rule
    or a re-plan failed, 2 bad input, 130/143 stopped (finished samples kept).
    """
    inst = load(instance)
    plan = plan_to_change(folder, inst, instance)
    target = Path(output) if output else Path("robustness") / inst.name
    if target.exists() and not target.is_dir():
        fail(f"{target} is a file, not a folder: choose another -o path")
    disruptions = draw_disruptions(inst, plan, samples, seed)
    _writable(target / d.sample for d in disruptions)
    data = dump_instance(inst)
    tasks = {d.sample: ReplanTask(d, data, plan, time_limit, workers, seed) for d in disruptions}
    outcomes: list[ReplanOutcome] = []
    failed: dict[str, str] = {}
    stopped: Interrupted | None = None
    tally = Tally(total=len(tasks), slots=1)
    started = time.perf_counter()

    with interrupt_on_signals():
        try:
            with open_backend(jobs or default_workers(), dask) as backend:
                tally.slots = backend.slots
                with TallyView(None if quiet else err, tally, "disruptions") as view:

                    def finished(name: str, o: ReplanOutcome) -> None:
                        extra = {"disruption.yaml": yaml.safe_dump([o.disruption.change], allow_unicode=True)}
                        write_solution(o.result, o.instance, target / name, force=True, extra=extra)
                        outcomes.append(o)
                        changed = "-" if o.rows_changed is None else o.rows_changed
                        view.event(
                            f"{name}: {o.disruption.text}: {o.result.status.value}, {changed} rows changed"
                        )

                    def failure(name: str, exc: BaseException) -> None:
                        failed[name] = f"{type(exc).__name__}: {exc}"
                        view.event(f"{name}: failed: {failed[name]}")

                    run_all(backend, replan_disruption, tasks, finished, failure, tally)
        except Interrupted as exc:
            stopped = exc
        write_text_atomic(target / "robustness.csv", robustness_csv(outcomes))
    _print_profile(profile(outcomes), plan)
    out.print(f"written    {target / 'robustness.csv'} and a re-planned folder per sample")
    out.print(f"time       {time.perf_counter() - started:.1f} s")
    if stopped is not None:
        out.print(f"stopped by {stopped}: {len(outcomes)} of {len(tasks)} samples kept")
        sys.exit(128 + stopped.signum)
    if failed or any(o.check_ok is False for o in outcomes):
        sys.exit(EXIT_VIOLATIONS)


def _print_profile(p: Profile, plan: Result) -> None:
    share = f"{100 * p.infeasible / p.samples:.0f} %" if p.samples else "-"
    out.print(
        f"robustness of {plan.instance} (objective {_n(plan.objective)}): "
        f"{p.samples} disruptions re-planned, {p.infeasible} infeasible ({share})"
    )
    out.print(f"  {'':<24} {'min':>9} {'median':>9} {'p90':>9} {'max':>9}")
    for name, stats in p.stats.items():
        cells = " ".join(f"{v:>9,.0f}" for v in stats) if stats else f"{'-':>9}"
        out.print(f"  {name:<24} {cells}")
    for kind, (n, infeasible, median) in p.by_kind.items():
        rows = "-" if median is None else f"{median:g}"
        out.print(f"  {kind:<24} {n} drawn, {infeasible} infeasible, median {rows} rows changed")
    if p.worst:
        out.print("hurt most:")
        for o in p.worst:
            if not o.result.status.has_plan:
                what = f"{o.result.status.value}: {o.note}"
            elif o.infeasible:
                what = f"{len(o.result.unscheduled)} cohorts unscheduled"
            else:
                what = f"{o.rows_changed} rows changed, cost {o.cost_increase:+,} €"
            out.print(f"  {o.disruption.sample}  {o.disruption.text}: {what}")
