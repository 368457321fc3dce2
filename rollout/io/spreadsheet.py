"""Instances as a workbook: one sheet per section, for planners who live in spreadsheets.

:func:`write_template` writes an annotated workbook (``.xlsx``) or a folder of
CSV files, empty or filled from an instance; :func:`read_workbook` reads
either back into a validated :class:`~rollout.instance.Instance`. The round
trip is lossless. The sheets, columns and cell encodings are described in
:mod:`rollout.io.spreadsheet_layout`; reading is in
:mod:`rollout.io.spreadsheet_read`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rollout import instance as models
from rollout.io.atomic import save_atomic
from rollout.io.spreadsheet_cells import csv_escape, needs_quote, xml_escape
from rollout.io.spreadsheet_layout import (
    KEY_HEADERS,
    KEY_NOTES,
    KEY_SHEETS,
    SHEETS,
    Key,
    Kind,
)
from rollout.io.spreadsheet_read import read_workbook

if TYPE_CHECKING:
    from rollout.instance import Instance

__all__ = ["read_workbook", "sheet_rows", "write_csv_folder", "write_template"]


def _date_item(item: Any) -> str:
    if isinstance(item, dict):
        return f"{item['from'].isoformat()}..{item['to'].isoformat()}"
    return str(item.isoformat())


def encode(kind: Kind, value: Any) -> Any:
    """The cell value of a model value: scalars as they are, lists and date sets as text."""
    if value is None:
        return None
    if kind == "ids":
        return ", ".join(value) if value else "[]"
    if kind == "days":
        return " ".join(value)
    if kind == "dates":
        return ", ".join(_date_item(i) for i in value) or None
    if kind == "blocks":
        return " | ".join(" ".join(block) for block in value)
    return value


def lookup(data: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` in nested dicts, or ``None``."""
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def key_default(key: Key) -> Any:
    """The default of a settings or weights key, as a cell value (``None``: no default)."""
    model = {"settings": models.Settings, "weights": models.Weights}.get(key.path[0])
    if model is None:
        return None
    data = model().model_dump(by_alias=True)
    return encode(key.kind, lookup(data, key.path[1:]))


def sheet_rows(inst: Instance | None) -> dict[str, list[list[Any]]]:
    """The data rows of every sheet (cell values, before escaping), empty without an instance.

    Key/value sheets always have their key rows: ``[key, value, default, description]``.
    """
    data = inst.model_dump(by_alias=True) if inst is not None else {}
    out: dict[str, list[list[Any]]] = {
        name: [[k.key, encode(k.kind, lookup(data, k.path)), key_default(k), k.description] for k in keys]
        for name, keys in KEY_SHEETS.items()
    }
    for sheet in SHEETS:
        if sheet.name == "topics":
            items: list[dict[str, Any]] = [{"id": k, "label": v} for k, v in data.get("topics", {}).items()]
        elif sheet.name == "rooms":
            items = [{**room, "site": s["id"]} for s in data.get("sites", []) for room in s["rooms"]]
        else:
            items = data.get(sheet.section, [])
        out[sheet.name] = [
            [encode(c.kind, lookup(item, c.key_path or (c.name,))) for c in sheet.columns] for item in items
        ]
    return out


# ----- writing -------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_NOTE_FONT = Font(italic=True, color="808080")
#: Data validations cover rows 3 to this one.
_LAST_ROW = 5000


def _rule(**options: Any) -> DataValidation:
    """A data validation that allows blanks and refuses anything else that breaks it."""
    return DataValidation(allow_blank=True, showErrorMessage=True, errorTitle="rollout", **options)


def _validation(check: str) -> DataValidation:
    """The data validation of a column's ``check`` (see :class:`~rollout.io.spreadsheet_layout.Column`)."""
    if check.startswith("list:"):
        sheet = check.removeprefix("list:")
        column = "B" if sheet == "rooms" else "A"
        formula = f"={sheet}!${column}$3:${column}${_LAST_ROW}"
        return _rule(type="list", formula1=formula, error=f"an id from the {sheet} sheet")
    if check in ("whole", "whole1"):
        low = "0" if check == "whole" else "1"
        error = f"a whole number ≥ {low}"
        return _rule(type="whole", operator="greaterThanOrEqual", formula1=low, error=error)
    if check in ("decimal", "positive"):
        op, text = ("greaterThanOrEqual", "≥") if check == "decimal" else ("greaterThan", ">")
        return _rule(type="decimal", operator=op, formula1="0", error=f"a number {text} 0")
    bounds = {"hours": ("0.001", "24"), "lat": ("-90", "90"), "lon": ("-180", "180")}
    if check in bounds:
        low, high = bounds[check]
        error = f"a number from {low} to {high}"
        return _rule(type="decimal", operator="between", formula1=low, formula2=high, error=error)
    if check == "bool":
        return _rule(type="list", formula1='"TRUE,FALSE"', error="TRUE or FALSE")
    if check == "weekdays":
        # Suggestions only: any list of mon … sun is accepted.
        options = ["mon tue wed thu fri", "mon tue wed thu fri sat", "mon tue wed thu", "tue wed thu fri sat"]
        return DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
    if check == "date":
        return _rule(type="date", operator="greaterThan", formula1="1", error="a date: 2015-10-12")
    raise ValueError(f"unknown check {check!r}")


def _set(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row, col)
    if isinstance(value, str):
        cell.value = xml_escape(value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if needs_quote(value):
            cell.quotePrefix = True
    elif isinstance(value, float) and float(f"{value:.16g}") != value:
        # openpyxl writes numbers with 16 significant digits; keep all 17 as text, read back exactly.
        cell.value = repr(value)
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"


def _fill(
    ws: Worksheet,
    headers: Sequence[str],
    notes: Sequence[str],
    rows: list[list[Any]],
    checks: Iterable[tuple[str, str]],
) -> None:
    """Headers, notes, data rows, validations (``(check, range)``), widths and frozen panes."""
    for col, (header, note) in enumerate(zip(headers, notes, strict=True), start=1):
        ws.cell(1, col, header).font = _HEADER_FONT
        ws.cell(2, col, note).font = _NOTE_FONT
    for r, values in enumerate(rows, start=3):
        for col, value in enumerate(values, start=1):
            _set(ws, r, col, value)
    for col, header in enumerate(headers, start=1):
        longest = max([len(header) + 2, *(len(str(v[col - 1] or "")) + 2 for v in rows[:200])])
        ws.column_dimensions[get_column_letter(col)].width = min(max(longest, 12), 60)
    for check, ranges in checks:
        dv = _validation(check)
        dv.add(ranges)
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def _write_sheets(wb: Workbook, rows: dict[str, list[list[Any]]]) -> None:
    for name, keys in KEY_SHEETS.items():
        ws = wb.create_sheet(name)
        checks = [(k.check, f"B{r}") for r, k in enumerate(keys, start=3) if k.check]
        _fill(ws, KEY_HEADERS, KEY_NOTES, rows[name], checks)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        checks = [
            (c.check, f"{get_column_letter(i)}3:{get_column_letter(i)}{_LAST_ROW}")
            for i, c in enumerate(sheet.columns, start=1)
            if c.check
        ]
        _fill(ws, sheet.headers, [c.note for c in sheet.columns], rows[sheet.name], checks)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | int):
        return repr(value)
    return csv_escape(str(value))


def _csv_bytes(headers: Sequence[str], notes: Sequence[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # "\r\n" also quotes cells holding a CR
    writer.writerow(headers)
    writer.writerow(notes)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _write_bytes(data: bytes, fh: IO[bytes]) -> None:
    fh.write(data)


def write_csv_folder(folder: Path, instance: Instance | None = None) -> Path:
    """Write the template as a folder of CSV files, ``<sheet>.csv`` each, empty or filled.

    Each file is written whole or not at all; other files in the folder are
    left alone. Text cells that start with ``= + - @ # '``, tab or CR get a
    leading ``'``, which :func:`read_workbook` removes.

    Returns
    -------
    Path
        ``folder``.
    """
    rows = sheet_rows(instance)
    files = {name: _csv_bytes(KEY_HEADERS, KEY_NOTES, rows[name]) for name in KEY_SHEETS}
    for sheet in SHEETS:
        files[sheet.name] = _csv_bytes(sheet.headers, [c.note for c in sheet.columns], rows[sheet.name])
    for name, content in files.items():
        save_atomic(folder / f"{name}.csv", partial(_write_bytes, content))
    return folder


def write_template(path: Path, instance: Instance | None = None) -> Path:
    """Write the annotated instance workbook, empty or filled from ``instance``.

    Parameters
    ----------
    path
        An ``.xlsx`` file, or a folder (any other name without a suffix) for
        CSV files, see :func:`write_csv_folder`.
    instance
        When given, the data rows hold it (the export of the round trip);
        otherwise only the settings and weights keys with their defaults.

    Returns
    -------
    Path
        ``path``, written atomically (a temporary sibling, then a rename).

    Raises
    ------
    ValueError
        When ``path`` ends neither in ``.xlsx`` nor names a folder.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        if path.suffix and not path.is_dir():
            raise ValueError(f"{path}: write a workbook (.xlsx) or a folder of CSV files (no suffix)")
        return write_csv_folder(path, instance)
    wb = Workbook()
    wb.remove(wb.active)
    _write_sheets(wb, sheet_rows(instance))
    wb.active = 0
    save_atomic(path, wb.save)
    return path
