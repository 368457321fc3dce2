"""``rollout replan``: a new plan after changes, moving as few teaching days as possible."""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import click
import yaml

from rollout.cli.common import (
    EXIT_INFEASIBLE,
    EXIT_NO_PLAN,
    committed_option,
    committed_plans,
    err,
    exit_if_stopped,
    fail_input,
    load,
    out,
    plan_to_change,
    seed_option,
    time_limit_option,
    workers_option,
)
from rollout.cli.solving import stopping_on_signals
from rollout.errors import InputError
from rollout.io import dump_instance, ensure_replaceable, safe_cell, write_solution
from rollout.replan import CHANGE_COLUMNS, Replan, replan
from rollout.solution import Result, Status
from rollout.solve import SolveParams, default_workers
from rollout.stopping import StopRequest


def changes_csv(outcome: Replan) -> str:
    """The text of ``changes.csv``: each changed teaching day, before and after."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CHANGE_COLUMNS)
    writer.writerows([safe_cell(cell) for cell in change.cells()] for change in outcome.changed)
    return buf.getvalue()


def instance_yaml(outcome: Replan, source: str) -> str:
    """The changed instance, with the rows before --today pinned: ``rollout check`` checks against it."""
    header = f"# The instance of this plan: {source} after the changes, rows before --today pinned (R14).\n"
    return header + yaml.safe_dump(
        dump_instance(outcome.instance), sort_keys=False, allow_unicode=True, width=110
    )


def _print_summary(before: Result, outcome: Replan, folder: Path) -> None:
    result = outcome.result
    out.print(f"status     {result.status.value}")
    for note in result.notes:
        out.print(f"  - {note}")
    if not result.status.has_plan or result.terms is None:
        return
    kinds = Counter(c.change for c in outcome.changed)
    detail = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    detail = f" ({detail})" if detail else ""
    out.print(f"changed    {len(outcome.changed)} of {len(before.rows)} teaching days{detail}")
    out.print(
        f"kept       {outcome.frozen} days before --today as they were; {outcome.scope} cohorts re-planned"
    )
    old = before.terms.as_dict() if before.terms is not None else {}
    out.print(f"objective  {before.objective or 0:,} -> {result.objective:,}")
    for name, value in result.terms.as_dict().items():
        was = old.get(name)
        delta = f"  {value - was:+,}" if was is not None and value != was else ""
        out.print(f"  {name:<20} {value:>10,}{delta}")
    if result.solver is not None:
        out.print(f"time       {result.solver.seconds:.1f} s")
    out.print(f"written    {folder} (with changes.csv and instance.yaml)")


@click.command("replan")
@click.argument("instance", type=click.Path(dir_okay=False))
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--changes",
    "changes_path",
    type=click.Path(dir_okay=False),
    required=True,
    help="YAML list of changes (trainer_unavailable, room_closed, cohort_cancelled, …).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Teaching days before this date have happened: they are kept as they are.",
)
@click.option("-o", "--output", type=click.Path(file_okay=False), required=True, help="New solution folder.")
@time_limit_option()
@workers_option()
@seed_option()
@click.option("--force", is_flag=True, help="Replace the output folder if it exists.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines (for CI and scripts).")
@committed_option("A committed plan whose bookings stay fixed [default: those the plan in FOLDER records].")
def replan_command(
    instance: str,
    folder: str,
    changes_path: str,
    today: object,
    output: str,
    time_limit: float,
    workers: int | None,
    seed: int,
    force: bool,
    quiet: bool,
    committed: tuple[str, ...],
) -> None:
    """Re-plan the plan in FOLDER after the changes in CHANGES, moving as few teaching days as possible.

    The new plan keeps every day before --today, re-plans only the cohorts
    the changes touch (more only if needed), and minimises first the
    cohorts left out, then the days changed, then the objective. It writes
    the new folder with changes.csv (each day moved, retimed or re-staffed:
    before and after) and instance.yaml (the instance after the changes, to
    check the plan against).
    """
    from rollout.changes import load_changes

    inst = load(instance)
    before = plan_to_change(folder, inst, instance)
    try:
        changes = load_changes(changes_path)
        ensure_replaceable(output, force)
    except InputError as exc:
        fail_input(exc)
    day = today.date() if today is not None else None  # type: ignore[attr-defined]
    booked, folders, line = committed_plans(committed, before.committed)
    if line:
        out.print(line)
    params = SolveParams(
        time_limit=time_limit, workers=workers or default_workers(), seed=seed, committed=tuple(booked)
    )
    stop = StopRequest()
    with stopping_on_signals(stop):
        try:
            outcome = replan(
                inst,
                before,
                changes,
                today=day,
                params=params,
                stop=stop,
                changes_file=changes_path,
                on_step=None if quiet else lambda line: err.print(f"replan: {line}"),
            )
        except InputError as exc:
            fail_input(exc)
    outcome = replace(outcome, result=replace(outcome.result, committed=folders))
    exit_if_stopped(stop, outcome.result, written=False)
    extra = {"changes.csv": changes_csv(outcome), "instance.yaml": instance_yaml(outcome, instance)}
    try:
        written = write_solution(outcome.result, outcome.instance, output, force=force, extra=extra)
    except InputError as exc:
        fail_input(exc)
    _print_summary(before, outcome, written)
    exit_if_stopped(stop, outcome.result, written=True)
    if outcome.result.status is Status.INFEASIBLE:
        out.print("no plan keeps the days before --today under these changes")
        sys.exit(EXIT_INFEASIBLE)
    if outcome.result.status is Status.UNKNOWN:
        out.print("no plan found within the time limit: raise --time-limit")
        sys.exit(EXIT_NO_PLAN)
