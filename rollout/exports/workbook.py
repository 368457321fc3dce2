"""An Excel workbook of a plan, for coordinators who live in spreadsheets.

Sheets, in order:

* **Summary**: instance, status, objective, bound, gap, each term O1–O5
  with its weight and weighted value, counts, unscheduled cohorts with
  their reasons, and the colour legend.
* **Timetable**: :func:`rollout.exports.frame.plan_frame` whole, as an
  Excel Table named ``Timetable`` (filter buttons, banded rows), header
  frozen, dates and times typed.
* **Grid <region>**, one per region in the instance's site order: a date
  a row (every date from the plan's first teaching day to its last, the
  horizon when there is no plan), a room a column (``site / room``), each
  taught cell ``cohort · trainer`` over ``course · day n · topic``, with
  the full names in a comment. Grey: not a working day at that site
  (weekend, public holiday, site or room closure); an empty public-holiday
  cell names the holiday. Yellow: school holidays of the site's zone.
* **Trainer load**: a trainer a row, an ISO week a column (weeks with any
  teaching day), then the total and the limits ``max_days`` and
  ``max_days_per_week``; a count over its limit is red.

Every text cell goes through :func:`rollout.io.safe_cell` (after dropping
control characters XML cannot hold), so no name is ever stored as a
formula. The file is written to a temporary sibling and renamed into place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from rollout.calendar import Calendar
from rollout.exports.frame import FRAME_COLUMNS, plan_frame
from rollout.instance import Instance
from rollout.io import safe_cell
from rollout.io.atomic import save_atomic
from rollout.rules import TERM_NAMES
from rollout.solution import Result, Terms

#: Fill of a date that is not a working day at the site.
OFF_FILL = PatternFill("solid", fgColor="D9D9D9")
#: Fill of a date in the school holidays of the site's zone.
SCHOOL_FILL = PatternFill("solid", fgColor="FFF2CC")
#: Fill of a count over a trainer's limit.
OVER_FILL = PatternFill("solid", fgColor="F4CCCC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"
GRID_DATE_FORMAT = "ddd yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
MAX_SHEET_TITLE = 31
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_TERM_RULE = {name: rule.value for rule, name in TERM_NAMES.items()}


def _text(value: object) -> str:
    """A text cell: no control characters, never a formula."""
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unused sheet title for ``name``: no ``[]:*?/\\``, at most 31 characters.

    ``taken`` holds the casefolded titles already used (Excel compares them
    case-insensitively); the new one is added. Clashes get `` (2)``, `` (3)``…
    """
    clean = ILLEGAL_CHARACTERS_RE.sub("", _BAD_TITLE.sub("-", name)).strip().strip("'") or "Sheet"
    title, k = clean[:MAX_SHEET_TITLE], 2
    while title.casefold() in taken:
        suffix = f" ({k})"
        title, k = clean[: MAX_SHEET_TITLE - len(suffix)].rstrip() + suffix, k + 1
    taken.add(title.casefold())
    return title


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row, col, _text(label))
        cell.font, cell.fill = BOLD, HEADER_FILL


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _summary(ws: Worksheet, inst: Instance, result: Result, frame: pd.DataFrame) -> None:
    has_plan = result.status.has_plan
    info = result.solver
    facts: list[tuple[str, Any, str | None]] = [
        ("Instance", _text(inst.name), None),
        ("Status", result.status.value, None),
        ("Objective", result.objective if has_plan else None, "#,##0"),
        ("Bound", result.bound, "#,##0.##"),
        ("Gap (%)", result.gap, "0.00%"),
        ("Horizon start", inst.horizon.start, DATE_FORMAT),
        ("Horizon end", inst.horizon.end, DATE_FORMAT),
        ("First teaching day", min(frame["date"]) if len(frame) else None, DATE_FORMAT),
        ("Last teaching day", max(frame["date"]) if len(frame) else None, DATE_FORMAT),
        ("Solver", _text(f"{info.name} {info.version}") if info else None, None),
        ("Solver seconds", info.seconds if info else None, "0.0##"),
        ("Workers / seed", _text(f"{info.workers} / {info.seed}") if info else None, None),
    ]
    for r, (label, value, fmt) in enumerate(facts, start=1):
        ws.cell(r, 1, label).font = BOLD
        cell = ws.cell(r, 2, value)
        if fmt:
            cell.number_format = fmt
    row = len(facts) + 2
    _header(ws, row, ["Term", "Rule", "Value", "Weight", "Weighted"])
    terms = result.terms.as_dict() if (result.terms and has_plan) else dict.fromkeys(Terms().as_dict())
    for name, value in terms.items():
        row += 1
        weight = getattr(inst.weights, name)
        weighted = None if value is None else weight * value
        for col, v in enumerate([name, _TERM_RULE[name], value, weight, weighted], start=1):
            ws.cell(row, col, v).number_format = "#,##0"
    row += 1
    ws.cell(row, 1, "Total").font = BOLD
    total = ws.cell(row, 5, result.terms.weighted(inst.weights) if (result.terms and has_plan) else None)
    total.font, total.number_format = BOLD, "#,##0"
    row += 2
    _header(ws, row, ["Counts", "In plan", "In instance"])
    cohorts_used = set(frame["cohort"])
    counts = [
        (
            "Teaching days",
            len(frame),
            sum(len(inst.course_by_id[c].days) for co in inst.cohort_list for c in co.courses),
        ),
        ("Cohorts scheduled", len(cohorts_used), len(inst.cohort_list)),
        ("Sites", frame["site"].nunique(), len(inst.sites)),
        ("Rooms", frame["room"].nunique(), len(inst.room_by_id)),
        ("Trainers", frame["trainer"].nunique(), len(inst.trainers)),
        ("Unscheduled cohorts", len(result.unscheduled), None),
    ]
    for label, used, total_count in counts:
        row += 1
        ws.cell(row, 1, label).font = BOLD
        ws.cell(row, 2, int(used))
        ws.cell(row, 3, total_count)
    row += 2
    _header(ws, row, ["Unscheduled cohort", "Site", "Reason"])
    for item in result.unscheduled:
        row += 1
        for col, v in enumerate([item.cohort, item.site, item.reason], start=1):
            ws.cell(row, col, _text(v))
    row += 2
    ws.cell(row, 1, "Legend").font = BOLD
    legend = [
        (OFF_FILL, "Not a working day at the site: weekend, public holiday, closure (grids)"),
        (SCHOOL_FILL, "School holidays of the site's zone (grids)"),
        (OVER_FILL, "Over a trainer's limit (Trainer load)"),
    ]
    for fill, meaning in legend:
        row += 1
        ws.cell(row, 1).fill = fill
        ws.cell(row, 2, meaning)
    _widths(ws, {1: 22, 2: 24, 3: 14, 4: 12, 5: 14})


def _timetable(ws: Worksheet, frame: pd.DataFrame) -> None:
    columns = list(FRAME_COLUMNS)
    _header(ws, 1, columns)
    widths = {i: len(c) + 4.0 for i, c in enumerate(columns, start=1)}
    for r, record in enumerate(frame[columns].to_dict("records"), start=2):
        for c, name in enumerate(columns, start=1):
            value = record[name]
            if name in ("start_time", "end_time"):
                value, fmt = time.fromisoformat(value), TIME_FORMAT
            elif isinstance(value, date):
                fmt = DATE_FORMAT
            elif isinstance(value, str):
                value, fmt = _text(value), None
            else:
                fmt = None
            cell = ws.cell(r, c, None if pd.isna(value) else value)
            if fmt:
                cell.number_format = fmt
            widths[c] = max(widths[c], min(len(str(value)) + 2.0, 50.0))
    last = f"{get_column_letter(len(columns))}{max(len(frame), 1) + 1}"
    table = Table(displayName="Timetable", ref=f"A1:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    _widths(ws, widths)


def _grid_dates(inst: Instance, frame: pd.DataFrame) -> list[date]:
    first, last = (
        (min(frame["date"]), max(frame["date"])) if len(frame) else (inst.horizon.start, inst.horizon.end)
    )
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _cell_text(recs: list[dict[str, Any]]) -> tuple[str, str]:
    """A grid cell's text and comment for the rows of one room on one date (one in a checked plan)."""
    text = "\n".join(
        f"{x['cohort']} · {x['trainer_name']}\n{x['course']} · day {x['day']} · {x['topic']}" for x in recs
    )
    note = "\n\n".join(
        f"{x['course_name']}, block {x['block']}, day {x['day']}: {x['topic_label']}\n"
        f"{x['start_time']}–{x['end_time']} ({x['timezone']}), {x['hours']:g} h\n"
        f"Trainer: {x['trainer_name']} ({x['trainer']}); {x['learners']} learners"
        for x in recs
    )
    return _text(text), ILLEGAL_CHARACTERS_RE.sub("", note)


def _grid(ws: Worksheet, inst: Instance, region: str, frame: pd.DataFrame, calendar: Calendar) -> None:
    rooms = [(s, room) for s in inst.sites if (s.region or "") == region for room in s.rooms]
    _header(ws, 1, ["date", *(f"{s.name or s.id} / {room.id}" for s, room in rooms)])
    taught: dict[tuple[date, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in frame[frame["region"] == region].to_dict("records"):
        taught[rec["date"], rec["room"]].append(rec)
    off = [calendar.room_closed(room.id) for _, room in rooms]
    working = [calendar.working_days(s.id) for s, _ in rooms]
    school = [calendar.school_holidays(s.id) for s, _ in rooms]
    public = [calendar.public_holidays(s.id) for s, _ in rooms]
    weekdays = inst.settings.weekday_numbers
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, day in enumerate(_grid_dates(inst, frame), start=2):
        cell = ws.cell(r, 1, day)
        cell.number_format, cell.font = GRID_DATE_FORMAT, BOLD
        if day.weekday() not in weekdays:
            cell.fill = OFF_FILL
        for k, (_, room) in enumerate(rooms):
            cell = ws.cell(r, k + 2)
            cell.alignment = wrap
            if day not in working[k] or day in off[k]:
                cell.fill = OFF_FILL
            elif day in school[k]:
                cell.fill = SCHOOL_FILL
            if recs := taught.get((day, room.id)):
                cell.value, note = _cell_text(recs)
                cell.comment = Comment(note, "rollout", height=120, width=320)
            elif day in public[k]:
                cell.value = _text(public[k][day])
                cell.font = Font(italic=True, color="808080")
        ws.row_dimensions[r].height = 30
    ws.freeze_panes = "B2"
    _widths(ws, {1: 16, **{c: 30 for c in range(2, len(rooms) + 2)}})
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"


def _trainer_load(ws: Worksheet, inst: Instance, frame: pd.DataFrame) -> None:
    weeks = sorted(set(frame["iso_week"]))
    _header(ws, 1, ["trainer", "trainer_name", "home", *weeks, "total", "max_days", "max_days_per_week"])
    per_week = frame.groupby(["trainer", "iso_week"]).size().to_dict() if len(frame) else {}
    first, total_col = 4, 4 + len(weeks)
    for r, trainer in enumerate(inst.trainers, start=2):
        for c, v in enumerate([trainer.id, trainer.name or trainer.id, trainer.home], start=1):
            ws.cell(r, c, _text(v))
        total = 0
        for c, week in enumerate(weeks, start=first):
            days = int(per_week.get((trainer.id, week), 0))
            total += days
            if days:
                cell = ws.cell(r, c, days)
                if trainer.max_days_per_week is not None and days > trainer.max_days_per_week:
                    cell.fill, cell.font = OVER_FILL, BOLD
        cell = ws.cell(r, total_col, total)
        cell.font = BOLD
        if trainer.max_days is not None and total > trainer.max_days:
            cell.fill = OVER_FILL
        ws.cell(r, total_col + 1, trainer.max_days)
        ws.cell(r, total_col + 2, trainer.max_days_per_week)
    ws.freeze_panes = "D2"
    last = get_column_letter(total_col + 2)
    ws.auto_filter.ref = f"A1:{last}{len(inst.trainers) + 1}"
    _widths(ws, {1: 12, 2: 24, 3: 10, **{c: 10 for c in range(first, total_col)}, total_col: 8})
    _widths(ws, {total_col + 1: 11, total_col + 2: 19})


def build_workbook(inst: Instance, result: Result) -> Workbook:
    """The workbook of a plan, in memory (see the module docstring for its sheets)."""
    frame = plan_frame(inst, result)
    calendar = Calendar(inst)
    wb = Workbook()
    wb.properties.title = _text(f"Plan {inst.name}")
    wb.properties.creator = "rollout"
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, inst, result, frame)
    _timetable(wb.create_sheet("Timetable"), frame)
    taken = {"summary", "timetable", "trainer load"}
    regions = list(dict.fromkeys(s.region or "" for s in inst.sites))
    for region in regions:
        title = sheet_title(f"Grid {region or '(no region)'}", taken)
        _grid(wb.create_sheet(title), inst, region, frame, calendar)
    _trainer_load(wb.create_sheet("Trainer load"), inst, frame)
    return wb


def write_workbook(inst: Instance, result: Result, path: Path) -> Path:
    """Write the plan's Excel workbook to ``path``, atomically.

    Parameters
    ----------
    inst
        The instance the plan was made for.
    result
        The plan, e.g. from :func:`rollout.io.read_solution`; with no plan
        the sheets hold headers, the horizon and the instance's trainers.
    path
        The ``.xlsx`` file to write; its folder is created when missing and
        an existing file is replaced.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    save_atomic(path, build_workbook(inst, result).save)
    return path
