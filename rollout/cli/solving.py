"""``rollout solve``: plan an instance and write its solution folder."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from rollout.cli.common import (
    EXIT_INFEASIBLE,
    EXIT_NO_PLAN,
    committed_option,
    err,
    exit_if_stopped,
    fail_input,
    handling_signals,
    load,
    load_plan,
    out,
    seed_option,
    time_limit_option,
    workers_option,
)
from rollout.errors import InputError
from rollout.instance import Instance
from rollout.io import ensure_replaceable, write_solution
from rollout.progress import ProgressView
from rollout.solution import Result, Status
from rollout.solve import SOLVERS, SolveParams, default_workers, solve
from rollout.stopping import StopRequest


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


@click.command("solve")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(file_okay=False), help="Solution folder [default: solutions/<name>/]."
)
@time_limit_option(None, "Seconds of search [default: 60; none with --work-limit].")
@click.option(
    "--work-limit",
    type=click.FloatRange(min=0),
    default=None,
    help="CP-SAT deterministic work units (about seconds) instead of a time limit: "
    "with --workers 1 and a --seed, two runs write the same plan.",
)
@workers_option()
@seed_option()
@click.option(
    "--solver",
    type=click.Choice(SOLVERS),
    default="cpsat",
    show_default=True,
    help="cpsat: the optimiser; greedy: the hand-planning baseline (no optimisation).",
)
@click.option(
    "--gap",
    type=click.FloatRange(min=0, max=1),
    default=0.0,
    show_default=True,
    help="Stop once the plan is proven within this relative gap of the optimum (0.01 = 1 %).",
)
@click.option(
    "--hint",
    type=click.Path(file_okay=False, exists=True),
    help="Start from the plan in this solution folder (an earlier solve).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress display (for CI and scripts).")
@click.option(
    "--trace",
    type=click.Path(dir_okay=False, writable=True),
    help="Write every progress event (plans, bounds) to this file as JSON lines.",
)
@click.option("--log-search", is_flag=True, help="Print CP-SAT's own search log.")
@click.option("--force", is_flag=True, help="Replace the solution folder if it exists.")
@committed_option(
    "A committed plan (earlier wave) whose trainers' and rooms' days are fixed bookings; repeatable."
)
def solve_command(
    instance: str,
    output: str | None,
    time_limit: float | None,
    work_limit: float | None,
    workers: int | None,
    seed: int,
    solver: str,
    gap: float,
    hint: str | None,
    quiet: bool,
    trace: str | None,
    log_search: bool,
    force: bool,
    committed: tuple[str, ...],
) -> None:
    """Plan INSTANCE and write its solution folder.

    Progress (elapsed time, best objective, proven bound, gap, plans found)
    is shown on stderr; the search stops at --time-limit or once --gap is
    proven.
    """
    inst = load(instance)
    folder = Path(output) if output else Path("solutions") / inst.name
    try:
        ensure_replaceable(folder, force)
    except InputError as exc:
        fail_input(exc)
    hint_rows = load_plan(hint).rows if hint is not None else None
    booked = tuple(row for path in committed for row in load_plan(path).rows)
    if time_limit is None:
        time_limit = 60.0 if work_limit is None else 1e9
    params = SolveParams(
        time_limit=time_limit,
        work_limit=work_limit,
        committed=booked,
        workers=workers or default_workers(),
        seed=seed,
        log_search=log_search,
        solver=solver,
        gap=gap,
        hint=hint_rows,
    )
    if not quiet:
        err.print(
            f"solving {inst.name}: {len(inst.cohort_list)} cohorts, {len(inst.sites)} sites, "
            f"{len(inst.trainers)} trainers; {solver}, "
            + (f"work limit {work_limit:g}" if work_limit is not None else f"time limit {time_limit:g} s")
            + (f", {len(booked)} committed days from {', '.join(committed)}" if committed else "")
        )
    stop = StopRequest()
    with (
        ProgressView(None if quiet else err, Path(trace) if trace else None) as view,
        stopping_on_signals(stop),
    ):
        result = solve(inst, params, on_progress=view, stop=stop)
        result = replace(result, committed=committed)
        view.finish(result.status.value, result.solver.seconds if result.solver else 0.0)
    exit_if_stopped(stop, result, written=False)
    try:
        written = write_solution(result, inst, folder, force=force)
    except InputError as exc:
        fail_input(exc)
    _print_summary(result, written, inst)
    exit_if_stopped(stop, result, written=True)
    if result.status is Status.INFEASIBLE:
        from rollout.cli.diagnosis import print_diagnosis

        print_diagnosis(inst, min(time_limit, 60.0), seed, booked, known_infeasible=True)
        sys.exit(EXIT_INFEASIBLE)
    if result.status is Status.UNKNOWN:
        out.print(
            f"no plan found within the time limit: raise --time-limit, or run `rollout explain {instance}` "
            "to look for requirements that conflict"
        )
        sys.exit(EXIT_NO_PLAN)


@contextmanager
def stopping_on_signals(stop: StopRequest) -> Iterator[None]:
    """While solving, Ctrl-C (SIGINT) and SIGTERM ask the search to stop and keep its best plan.

    A second Ctrl-C aborts at once (the solution folder is written whole or
    not at all, so nothing is left half-written).
    """

    def handle(signum: int, frame: object) -> None:
        if signum == signal.SIGINT and stop.requested:
            raise KeyboardInterrupt
        stop.request(signum)

    with handling_signals(handle):
        yield
