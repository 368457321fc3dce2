"""What every command shares: consoles, exit codes, loading input with clear errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from rollout.errors import InputError
from rollout.instance import Instance
from rollout.io import load_instance, read_solution
from rollout.solution import Result, Row

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
