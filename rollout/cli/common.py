"""What every command shares: consoles, exit codes, loading input with clear errors."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console

from rollout.errors import InputError
from rollout.instance import Instance
from rollout.io import load_instance, read_solution
from rollout.solution import Result, Row
from rollout.solve import default_workers
from rollout.stopping import StopRequest

#: A function a Click decorator decorates.
F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_PLAN = 0, 1, 2, 3, 4

err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)


def fail_input(exc: InputError) -> NoReturn:
    """Print every problem of ``exc`` and exit 2."""
    for line in exc.lines():
        click.echo(f"error: {line}", err=True)
    n = len(exc.problems)
    click.echo(f"{n} problem{'s' if n != 1 else ''} in {exc.file}; nothing was written.", err=True)
    sys.exit(EXIT_INPUT)


def fail(message: str) -> NoReturn:
    """Print one usage error and exit 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_INPUT)


def load(path: str) -> Instance:
    """The instance at ``path``, or exit 2 with every problem in it."""
    try:
        return load_instance(path)
    except InputError as exc:
        fail_input(exc)


def load_plan(folder: str, instance: Instance | None = None) -> Result:
    """The plan in a solution folder, or exit 2 with every problem in it (ids unknown to ``instance`` too)."""
    try:
        return read_solution(folder, instance)
    except InputError as exc:
        fail_input(exc)


def find_instance(folder: Path, name: str) -> Path | None:
    """The instance a solution folder was made for: its own instance.yaml (re-plans), else
    instances/<name>.yaml here or beside the folder's parent."""
    if (own := folder / "instance.yaml").exists():
        return own
    for root in (Path.cwd(), folder.resolve().parent.parent):
        for suffix in (".yaml", ".yml", ".json"):
            if (candidate := root / "instances" / f"{name}{suffix}").exists():
                return candidate
    return None


def instance_of_plan(folder: str, result: Result, instance: str | None) -> Instance:
    """The instance a plan was made for: ``--instance`` or found by name; exit 2 if it does not match."""
    source = Path(instance) if instance else find_instance(Path(folder), result.instance)
    if source is None:
        fail(f"{folder}: instance '{result.instance}' not found in instances/: give it with --instance FILE")
    inst = load(str(source))
    if inst.name != result.instance:
        fail(f"{source} is instance '{inst.name}', the plan is of '{result.instance}'")
    return inst


def committed_plans(
    given: tuple[str, ...], recorded: tuple[str, ...]
) -> tuple[list[Row], tuple[str, ...], str]:
    """The rows of committed plans: those given (``--committed``), else those a plan records.

    Returns the rows, the folders used and a line saying which (empty when none).
    """
    folders = given or tuple(f for f in recorded if Path(f).is_dir())
    rows = [row for folder in folders for row in load_plan(folder).rows]
    if folders:
        source = "" if given else " (recorded in solution.json)"
        return rows, folders, f"with {len(rows)} committed days from {', '.join(folders)}{source}"
    if recorded:
        return (
            [],
            (),
            (
                f"note: this plan was made around committed plans ({', '.join(recorded)}) that are not found "
                "here: give them with --committed to check the bookings across plans"
            ),
        )
    return [], (), ""


def plan_to_change(folder: str, inst: Instance, instance: str) -> Result:
    """The plan in ``folder``, which must be a plan of ``inst``; exit 2 otherwise."""
    plan = load_plan(folder)
    if plan.instance != inst.name:
        fail(f"{folder} is a plan of instance '{plan.instance}', not of {instance} ('{inst.name}')")
    if not plan.status.has_plan:
        fail(f"{folder} holds no plan ({plan.status.value}): solve the instance first")
    return plan


def time_limit_option(default: float | None = 60.0, help: str = "Seconds of search.") -> Callable[[F], F]:
    """``--time-limit S``."""
    return click.option(
        "--time-limit",
        type=click.FloatRange(min=0),
        default=default,
        show_default=default is not None,
        help=help,
    )


def workers_option(help: str = "Parallel search workers", default: int | None = None) -> Callable[[F], F]:
    """``--workers N`` (default: one per core)."""
    shown = default if default is not None else default_workers()
    return click.option(
        "--workers", type=click.IntRange(min=1), default=default, help=f"{help} [default: {shown}]."
    )


def seed_option(help: str = "Random seed.") -> Callable[[F], F]:
    """``--seed S``."""
    return click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help=help)


def committed_option(help: str) -> Callable[[F], F]:
    """``--committed FOLDER``, repeatable: committed plans (earlier waves)."""
    return click.option(
        "--committed", type=click.Path(file_okay=False, exists=True), multiple=True, help=help
    )


def exit_if_stopped(stop: StopRequest, result: Result, written: bool) -> None:
    """After a solve or re-plan stopped by a signal: say what was kept and exit 128 + signal.

    Before writing (``written`` false) it exits only when there is no plan:
    then nothing is written. After writing, the best plan so far is there.
    """
    if stop.signal is None:
        return
    if not written and not result.status.has_plan:
        out.print(f"stopped by {stop.name} before any plan was found: nothing written")
        sys.exit(128 + stop.signal)
    if written:
        out.print(f"stopped by {stop.name}: the best plan found so far is written")
        sys.exit(128 + stop.signal)


@contextmanager
def handling_signals(handle: Callable[[int, object], None]) -> Iterator[None]:
    """Call ``handle`` on SIGINT and SIGTERM while in the block; the previous handlers after."""
    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
