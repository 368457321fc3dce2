"""The ``rollout`` command line: a thin layer over the library.

Exit status: 0 a plan was written (or the check passed), 1 ``check`` found
violations, 2 bad input, 3 proven infeasible, 4 no plan found in time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from rollout import __version__
from rollout.errors import InputError
from rollout.instance import Instance
from rollout.io import load_instance, read_solution, write_solution
from rollout.solution import Result, Status
from rollout.solve import SolveParams, default_workers, solve

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_PLAN = 0, 1, 2, 3, 4

err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)


def _fail_input(exc: InputError) -> NoReturn:
    for line in exc.lines():
        click.echo(f"error: {line}", err=True)
    n = len(exc.problems)
    click.echo(f"{n} problem{'s' if n != 1 else ''} in {exc.file}; nothing was written.", err=True)
    sys.exit(EXIT_INPUT)


def _load(path: str) -> Instance:
    try:
        return load_instance(path)
    except InputError as exc:
        _fail_input(exc)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rollout")
@click.option("-v", "--verbose", is_flag=True, help="Log what the tool does (model size, steps).")
def cli(verbose: bool) -> None:
    """Plan national training rollouts: dates, rooms and trainers for every cohort.

    Exit status: 0 success, 1 check found violations, 2 bad input,
    3 proven infeasible, 4 no plan found within the time limit.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )


@cli.command()
@click.argument("instance", type=click.Path(dir_okay=False))
def validate(instance: str) -> None:
    """Check INSTANCE for every problem at once and summarise it."""
    from rollout.summary import instance_summary

    inst = _load(instance)
    rows, capacity = instance_summary(inst)
    out.print(f"{instance}: valid instance '{inst.name}'")
    for label, value in rows:
        out.print(f"  {label:<26} {value}")
    table = Table(
        "topic",
        "demanded",
        "trainer-days",
        "ratio",
        title="Trainer-days available per skill",
        title_justify="left",
    )
    for topic, demanded, available in capacity:
        ratio = f"{available / demanded:.2f}" if demanded else "-"
        table.add_row(topic, str(demanded), str(available), ratio)
    out.print(table)


def _progress_printer(quiet: bool) -> Callable[[Any], None] | None:
    if quiet:
        return None

    def show(p: Any) -> None:
        gap = abs(p.objective - p.bound) / abs(p.objective) * 100 if p.objective else 0.0
        err.print(
            f"  {p.seconds:7.1f} s   plan {p.plans:<4} objective {p.objective:>12,.0f}   "
            f"bound {p.bound:>12,.0f}   gap {gap:6.2f} %"
        )

    return show


def _print_summary(result: Result, folder: Path, inst: Instance) -> None:
    info = result.solver
    out.print(f"status     {result.status.value}")
    for note in result.notes:
        out.print(f"  - {note}")
    if result.status.has_plan and result.terms is not None:
        gap = f"{result.gap * 100:.2f} %" if result.gap is not None else "-"
        bound = f"{result.bound:,.0f}" if result.bound is not None else "-"
        out.print(f"objective  {result.objective:,}   bound {bound}   gap {gap}")
        for name, value in result.terms.as_dict().items():
            weight = getattr(inst.weights, name)
            out.print(f"  {name:<20} {value:>10,}  × {weight:<7} = {value * weight:>12,}")
        sites = len({r.site for r in result.rows})
        cohorts = len({r.cohort for r in result.rows})
        out.print(
            f"rows       {len(result.rows)} teaching days, {cohorts} cohorts, {sites} sites"
            f"{f', {len(result.unscheduled)} cohorts unscheduled' if result.unscheduled else ''}"
        )
    if info is not None:
        out.print(f"time       {info.seconds:.1f} s ({info.workers} workers, seed {info.seed})")
    out.print(f"written    {folder}")


@cli.command("solve")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(file_okay=False), help="Solution folder [default: solutions/<name>/]."
)
@click.option(
    "--time-limit", type=click.FloatRange(min=0), default=60.0, show_default=True, help="Seconds of search."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help=f"Parallel search workers [default: {default_workers()}].",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
@click.option("--log-search", is_flag=True, help="Print CP-SAT's own search log.")
def solve_command(
    instance: str,
    output: str | None,
    time_limit: float,
    workers: int | None,
    seed: int,
    quiet: bool,
    log_search: bool,
) -> None:
    """Plan INSTANCE and write its solution folder."""
    inst = _load(instance)
    folder = Path(output) if output else Path("solutions") / inst.name
    params = SolveParams(
        time_limit=time_limit, workers=workers or default_workers(), seed=seed, log_search=log_search
    )
    if not quiet:
        err.print(
            f"solving {inst.name}: {len(inst.cohort_list)} cohorts, {len(inst.sites)} sites, "
            f"{len(inst.trainers)} trainers; time limit {time_limit:g} s"
        )
    result = solve(inst, params, on_plan=_progress_printer(quiet))
    try:
        written = write_solution(result, inst, folder)
    except InputError as exc:
        _fail_input(exc)
    _print_summary(result, written, inst)
    if result.status is Status.INFEASIBLE:
        sys.exit(EXIT_INFEASIBLE)
    if result.status is Status.UNKNOWN:
        out.print("no plan found within the time limit: raise --time-limit")
        sys.exit(EXIT_NO_PLAN)


@cli.command()
@click.argument("instance", type=click.Path(dir_okay=False))
@click.argument("folder", type=click.Path(file_okay=False))
def check(instance: str, folder: str) -> None:
    """Check the plan in FOLDER against every rule of INSTANCE, independently of the solver."""
    from rollout.checker import check as check_plan
    from rollout.checker import format_report

    inst = _load(instance)
    try:
        result = read_solution(folder)
    except InputError as exc:
        _fail_input(exc)
    report = check_plan(inst, result)
    for line in format_report(report):
        out.print(line)
    sys.exit(EXIT_OK if report.ok else EXIT_VIOLATIONS)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="rollout")
