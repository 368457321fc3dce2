"""``rollout explain``: why a plan costs what it costs, or why an instance has no plan.

On a solution folder: the objective term by term, the trainers, cohorts and
sites that cost most and why, and the trips of O2 (:mod:`rollout.breakdown`);
``breakdown.csv`` and ``trips.csv`` are written next to the plan. On an
instance file: the infeasibility diagnosis of :mod:`rollout.cli.diagnosis`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from rollout.breakdown import BY, NO_TRAINER, RULE_OF, Breakdown, Line, breakdown, euros
from rollout.check_context import row_problem
from rollout.cli.common import (
    EXIT_OK,
    err,
    fail,
    instance_of_plan,
    load_plan,
    out,
    seed_option,
    time_limit_option,
    workers_option,
)
from rollout.instance import Instance
from rollout.recompute import Trip
from rollout.solution import Result
from rollout.solve import default_workers

#: How each term's value reads: a unit, singular and plural.
UNITS: dict[str, tuple[str, str]] = {
    "unscheduled": ("cohort", "cohorts"),
    "trainer_changes": ("change", "changes"),
    "school_holiday_days": ("day", "days"),
    "delay_days": ("day", "days"),
}


def amount(term: str, value: int) -> str:
    """A term's value in its unit: ``€12,430``, ``3 days``."""
    if term == "cost":
        return euros(value)
    one, many = UNITS[term]
    return f"{value:,} {one if value == 1 else many}"


@click.command("explain")
@click.argument("target", type=click.Path())
@click.option(
    "--instance",
    type=click.Path(dir_okay=False, exists=True),
    help="The plan's instance [default: instances/<name>.yaml].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    help="Folder for breakdown.csv and trips.csv [default: the solution folder].",
)
@click.option(
    "--top", type=click.IntRange(min=1), default=5, show_default=True, help="Contributors shown per split."
)
@time_limit_option(help="Seconds of search for an instance's diagnosis.")
@workers_option("Search workers for an instance's diagnosis")
@seed_option("Random seed of the diagnosis.")
def explain_command(
    target: str,
    instance: str | None,
    output: str | None,
    top: int,
    time_limit: float,
    workers: int | None,
    seed: int,
) -> None:
    """Say why a plan costs what it costs, or why an instance has no plan.

    TARGET a solution folder: each term O1–O5 with its weight, the trainers,
    cohorts and sites that cost most and why, and every trip away from home;
    writes breakdown.csv and trips.csv into the folder (or -o FOLDER).
    TARGET an instance file: why it is infeasible and what to change.
    """
    if Path(target).is_dir():
        explain_plan(target, instance, output, top)
    else:
        if not Path(target).is_file():
            fail(f"{target}: no such solution folder or instance file")
        from rollout.cli.diagnosis import explain_instance

        explain_instance(target, time_limit, workers or default_workers(), seed)


def explain_plan(folder: str, instance: str | None, output: str | None, top: int) -> None:
    """Print the breakdown of the plan in ``folder``, write its CSV files and exit 0."""
    from rollout.exports.breakdown_files import write_breakdown

    result = load_plan(folder)
    inst = instance_of_plan(folder, result, instance)
    if not result.status.has_plan:
        fail(f"{folder}: status {result.status.value}, no plan to explain; run rollout explain INSTANCE_FILE")
    for n, row in enumerate(result.rows, start=1):
        if (problem := row_problem(inst, n, row)) is not None:
            fail(f"{folder}/timetable.csv: {problem.message}; run rollout check to see every problem")
    b = breakdown(inst, result)
    _warn_stale(folder, result, b)
    print_breakdown(inst, result, b, top)
    target = Path(output) if output else Path(folder)
    try:
        written = write_breakdown(b, inst, target)
    except OSError as exc:
        fail(f"{target}: cannot write breakdown.csv there ({exc.strerror}); choose another -o FOLDER")
    for path in written:
        out.print(f"written    {path}")
    sys.exit(EXIT_OK)


def _warn_stale(folder: str, result: Result, b: Breakdown) -> None:
    """Say when solution.json's terms are not those of the rows (the breakdown follows the rows)."""
    if result.terms is None or result.terms == b.terms:
        return
    given, rows = result.terms.as_dict(), b.terms.as_dict()
    for name in (k for k in rows if rows[k] != given[k]):
        err.print(
            f"note: {folder}/solution.json says {RULE_OF[name]} {name} {given[name]:,}, "
            f"its rows give {rows[name]:,}; the breakdown follows the rows (run rollout check)"
        )


def print_breakdown(inst: Instance, result: Result, b: Breakdown, top: int) -> None:
    """The objective per term, the top contributors of each term, and the trips."""
    terms = Table(title=f"{inst.name}: objective {b.objective:,} = Σ weight × term", title_justify="left")
    for column in ("", "term", "value", "weight", "= objective", "share"):
        terms.add_column(column, justify="left" if column in ("", "term") else "right")
    for name, value in b.terms.as_dict().items():
        weighted = value * b.weights[name]
        share = f"{100 * weighted / b.objective:.1f} %" if b.objective else "-"
        terms.add_row(
            RULE_OF[name], name, amount(name, value), f"{b.weights[name]:,}", f"{weighted:,}", share
        )
    out.print(terms)
    for name, value in b.terms.as_dict().items():
        if value:
            out.print(_top_table(name, value, b, top))
    _print_trips(inst, b.trips, top)


def _top_table(term: str, value: int, b: Breakdown, top: int) -> Table:
    table = Table(
        title=f"{RULE_OF[term]} {term} {amount(term, value)}: who costs most, and why",
        title_justify="left",
    )
    for column, justify in (("by", "left"), ("who", "left"), ("amount", "right"), ("why", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for by in BY:
        lines = [ln for ln in b.split(term, by) if ln.key != NO_TRAINER]  # O1, O5: no trainer's
        for ln in lines[:top]:
            table.add_row(by, _who(ln), amount(term, ln.value), ln.detail)
        if len(lines) > top:
            rest = sum(ln.value for ln in lines[top:])
            table.add_row(by, f"{len(lines) - top} more", amount(term, rest), "see breakdown.csv")
    return table


def _who(ln: Line) -> str:
    """``t07 (Claire Martin)``, ``bre-cert-1 at Cnam Bretagne``, ``bre (Cnam Bretagne)``."""
    if ln.key == NO_TRAINER:
        return ln.name
    if ln.by == "cohort":
        return f"{ln.key} at {ln.name}"
    return ln.key if ln.name == ln.key else f"{ln.key} ({ln.name})"


def _print_trips(inst: Instance, trips: tuple[Trip, ...], top: int) -> None:
    if not trips:
        out.print("Trips (O2): none — every trainer teaches at home, no travel or nights are paid.")
        return
    total = sum(t.total for t in trips)
    table = Table(
        title=f"Trips (O2): {len(trips)} blocks taught away from home, {euros(total)} of travel and nights",
        title_justify="left",
    )
    for column in ("trainer", "from → to", "dates", "days", "km", "travel", "nights", "total"):
        table.add_column(column, justify="left" if column in ("trainer", "from → to", "dates") else "right")
    for t in sorted(trips, key=lambda t: (-t.total, t.trainer, t.first))[:top]:
        name = inst.trainer_by_id[t.trainer].name
        table.add_row(
            f"{t.trainer} ({name})" if name else t.trainer,
            f"{t.home} → {' '.join(t.sites)}",
            f"{t.first.isoformat()} to {t.last.isoformat()}" if t.last != t.first else t.first.isoformat(),
            str(t.rows),
            f"{t.km:,}",
            euros(t.travel),
            euros(t.nights),
            euros(t.total),
        )
    if len(trips) > top:
        table.caption = f"{len(trips) - top} more trips in trips.csv"
    out.print(table)
