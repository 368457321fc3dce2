"""Commands on solution folders: check a plan, export it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rollout.cli.common import (
    EXIT_OK,
    EXIT_VIOLATIONS,
    committed_option,
    committed_plans,
    fail,
    instance_of_plan,
    load,
    load_plan,
    out,
)

#: Formats of ``rollout export``: a folder of files, or one file with this suffix.
EXPORTS = {"csv": None, "xlsx": ".xlsx", "ics": None, "html": ".html"}


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--to", "fmt", type=click.Choice([*EXPORTS, "all"]), required=True, help="What to write.")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Folder (csv, ics, all) or file (xlsx, html) [default: exports/<name>/].",
)
@click.option(
    "--instance",
    type=click.Path(dir_okay=False, exists=True),
    help="The plan's instance [default: instances/<name>.yaml].",
)
@click.option("--excel-fr", is_flag=True, help="CSV for French Excel: ';', UTF-8 with BOM, dd/mm/yyyy.")
def export_command(folder: str, fmt: str, output: str | None, instance: str | None, excel_fr: bool) -> None:
    """Write the plan in FOLDER the way coordinators read it.

    csv: views by site, trainer, room and region; xlsx: one workbook (summary,
    timetable, a calendar grid per region, trainer load); ics: a calendar per
    trainer and per site; html: one self-contained report (timelines, load,
    map, searchable table). Only the solution folder and its instance are read.
    """
    from rollout.exports.calendars import write_calendars
    from rollout.exports.report import write_report
    from rollout.exports.tables import write_csv_views
    from rollout.exports.workbook import write_workbook

    result = load_plan(folder)
    inst = instance_of_plan(folder, result, instance)
    base = Path(output) if output else Path("exports") / inst.name
    formats = list(EXPORTS) if fmt == "all" else [fmt]
    for name in formats:
        suffix = EXPORTS[name]
        if suffix is None:
            target = base / name if fmt == "all" or not output else base
        else:
            target = base / f"{inst.name}{suffix}" if fmt == "all" or not output else base
            if target.suffix != suffix:
                fail(f"-o {target}: a {name} file must end in {suffix}")
        if name == "csv":
            written = write_csv_views(inst, result, target, excel_fr=excel_fr)
        elif name == "xlsx":
            written = [write_workbook(inst, result, target)]
        elif name == "ics":
            written = write_calendars(inst, result, target)
        else:
            written = [write_report(inst, result, target)]
        where = target if suffix else f"{target}/ ({len(written)} files)"
        out.print(f"written    {where}")


@click.command()
@click.argument("instance", type=click.Path(dir_okay=False))
@click.argument("folder", type=click.Path(file_okay=False))
@committed_option("A committed plan the plan was made around: its bookings count in R7, R10–R12; repeatable.")
def check(instance: str, folder: str, committed: tuple[str, ...]) -> None:
    """Check the plan in FOLDER against every rule of INSTANCE, independently of the solver.

    With --committed, rooms and trainers booked by committed plans (earlier
    waves) count too: no double booking and the limits hold across all.
    Without it, the committed plans the plan records are used when found.
    """
    from rollout.checker import check as check_plan
    from rollout.checker import format_report

    inst = load(instance)
    result = load_plan(folder, inst)
    booked, _, line = committed_plans(committed, result.committed)
    if line:
        out.print(line)
    report = check_plan(inst, result, committed=booked)
    for line in format_report(report):
        out.print(line)
    sys.exit(EXIT_OK if report.ok else EXIT_VIOLATIONS)
