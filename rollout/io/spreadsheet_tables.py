"""The raw tables of an instance workbook: its sheets, or the CSV files of a folder.

Each table is a list of rows (1-based row number, cell values), read with
openpyxl (cached values, not formulas) or the csv module (comma or
semicolon, with or without a BOM). Decoding the cells is the reader's
(:mod:`rollout.io.spreadsheet_read`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rollout.errors import InputError, Problem
from rollout.io.spreadsheet_cells import CellError, xml_unescape

#: A row of a table: its 1-based number and its cell values.
Row = tuple[int, list[Any]]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def xlsx_tables(path: Path) -> dict[str, list[Row]]:
    """Every sheet's rows (row 1 first), comment rows dropped; text unescaped."""
    try:
        wb = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(str(path), [Problem("", f"not an Excel workbook (.xlsx): {exc}")]) from None
    tables: dict[str, list[Row]] = {}
    for ws in wb.worksheets:
        rows: list[Row] = []
        for number, cells in enumerate(ws.iter_rows(min_row=1, max_col=max(ws.max_column, 1)), start=1):
            values = [xml_unescape(c.value) if isinstance(c.value, str) else c.value for c in cells]
            first = values[0] if values else None
            if number > 1 and isinstance(first, str) and first.startswith("#") and not cells[0].quotePrefix:
                continue
            rows.append((number, values))
        tables.setdefault(ws.title.strip().lower(), rows)
    return tables


def csv_table(path: Path) -> list[Row]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CellError(f"not UTF-8 (byte {exc.start}): save it as 'CSV UTF-8'") from None
    head = text.split("\n", 1)[0]
    delimiter = ";" if head.count(";") > head.count(",") else ","
    rows: list[Row] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        if number > 1 and cells and cells[0].startswith("#"):
            continue
        rows.append((number, [(c[1:] if c.startswith("'") else c) or None for c in cells]))
    return rows


def csv_tables(folder: Path) -> tuple[dict[str, list[Row]], list[Problem]]:
    tables: dict[str, list[Row]] = {}
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".csv" and path.stem.lower() not in tables:
            try:
                tables[path.stem.lower()] = csv_table(path)
            except CellError as exc:
                problems.append(Problem(path.stem.lower(), f"{path.name}: {exc}"))
    return tables, problems
