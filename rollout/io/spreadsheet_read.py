"""Workbooks and CSV folders in: every problem named by sheet, row and column.

The layout is :mod:`rollout.io.spreadsheet_layout`, the cells :mod:`rollout.io.spreadsheet_cells`,
the raw tables :mod:`rollout.io.spreadsheet_tables`.
Cells are decoded into the plain data of an instance file, remembering the
cell of every value, and validated by :func:`rollout.io.parse_instance`;
each problem it reports by model path (``trainers[3].skills[1]``) is mapped
back to its cell (``trainers!D7 (skills)``). References across sheets are
also checked here, so that they are reported together with bad values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from rollout.errors import InputError, Loc, Problem, did_you_mean
from rollout.instance import Instance
from rollout.io.instance_file import parse_instance
from rollout.io.spreadsheet_cells import CellError, decode
from rollout.io.spreadsheet_layout import (
    KEY_SHEETS,
    MISSING,
    OPTIONAL_SHEETS,
    SHEET_NAMES,
    SHEETS,
    Column,
    Sheet,
)
from rollout.io.spreadsheet_tables import Row, csv_tables, is_blank, xlsx_tables

_MODEL_PATH = re.compile(
    r"\b(?:courses|sites|trainers|travel|school_holidays|cohorts|pinned)(?:\[\d+\]|\.\w+)+"
)
#: Which sheet holds the values of a top-level key, for problems without a cell.
_SECTION_SHEET = {"name": "settings", "horizon": "settings", "settings": "settings", "pinned": "pins"}
#: The cell standing for a group of settings (a model-level check of the group).
_GROUP_CELLS = {
    ("horizon",): "horizon.start",
    ("settings",): "working_days",
    ("settings", "course_gap"): "course_gap.min_days",
}
#: Columns holding references: (sheet, column) -> kind of the id and the sheet defining it.
_REFERENCES = {
    ("courses", "blocks"): ("topic", "topics"),
    ("trainers", "skills"): ("topic", "topics"),
    ("trainers", "home"): ("site", "sites"),
    ("trainers", "sites"): ("site", "sites"),
    ("travel", "from"): ("site", "sites"),
    ("travel", "to"): ("site", "sites"),
    ("cohorts", "site"): ("site", "sites"),
    ("cohorts", "courses"): ("course", "courses"),
    ("pins", "cohort"): ("cohort", "cohorts"),
    ("pins", "course"): ("course", "courses"),
    ("pins", "room"): ("room", "rooms"),
    ("pins", "trainer"): ("trainer", "trainers"),
}


# ----- building the instance data --------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A cell (or a sheet, without ``row``) of the source, for problems."""

    sheet: str
    row: int = 0
    col: int = 0
    column: str = ""

    @property
    def path(self) -> str:
        if not self.row:
            return f"{self.sheet} ({self.column})" if self.column else self.sheet
        return f"{self.sheet}!{get_column_letter(self.col)}{self.row} ({self.column})"

    @property
    def ref(self) -> str:
        return f"{self.sheet}!{get_column_letter(self.col)}{self.row}" if self.row else self.sheet

    def sort_key(self) -> tuple[int, int, int]:
        order = SHEET_NAMES.index(self.sheet) if self.sheet in SHEET_NAMES else -1
        return order, self.row, self.col


@dataclass
class _Reader:
    """Decodes tables into instance data, remembering the cell of every model path."""

    tables: dict[str, list[Row]]
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[Loc, Where] = field(default_factory=dict)
    problems: list[tuple[Where, str]] = field(default_factory=list)
    #: Ids each sheet defines, and the cells that refer to them.
    ids: dict[str, list[str]] = field(default_factory=dict)
    refs: list[tuple[str, str, Where, list[str]]] = field(default_factory=list)
    #: Header name -> 0-based column index, per table sheet read.
    columns: dict[str, dict[str, int]] = field(default_factory=dict)

    def problem(self, where: Where, message: str) -> None:
        self.problems.append((where, message))

    def _columns(self, sheet: str, header: list[Any], known: dict[str, Column | None]) -> dict[str, int]:
        """Header name -> 0-based index; unknown and doubled headers are problems."""
        found: dict[str, int] = {}
        for i, raw in enumerate(header):
            name = "" if raw is None else str(raw).strip().lower()
            where = Where(sheet, 1, i + 1, name)
            if not name or name.startswith("#"):
                continue
            if name not in known:
                self.problem(
                    where,
                    f"unknown column '{name}'{did_you_mean(name, known)}: fix the header, "
                    "or start it with # to keep it as a note",
                )
            elif name in found:
                self.problem(where, f"column '{name}' appears twice: keep one")
            else:
                found[name] = i
        return found

    def _rows(self, name: str) -> Iterator[Row]:
        for number, values in self.tables[name][1:]:
            if not all(is_blank(v) for v in values):
                yield number, values

    def _cell(self, sheet: str, number: int, values: list[Any], index: int, col: Column) -> Any:
        where = Where(sheet, number, index + 1, col.name)
        try:
            return decode(col.kind, values[index] if index < len(values) else None)
        except CellError as exc:
            self.problem(where, str(exc))
            return MISSING

    def key_sheet(self, name: str) -> None:
        keys = {k.key: k for k in KEY_SHEETS[name]}
        columns = self._columns(name, self.tables[name][0][1], {"key": None, "value": None, **_INFO})
        if "key" not in columns or "value" not in columns:
            self.problem(Where(name), "row 1 needs the headers key and value")
            return
        seen: dict[str, Where] = {}
        for number, values in self._rows(name):
            raw_key = values[columns["key"]] if columns["key"] < len(values) else None
            key_text = "" if raw_key is None else str(raw_key).strip()
            where = Where(name, number, columns["value"] + 1, key_text)
            key = keys.get(key_text)
            if key is None:
                self.problem(
                    Where(name, number, columns["key"] + 1, "key"),
                    f"unknown key '{key_text}'{did_you_mean(key_text, keys)}: the keys are {', '.join(keys)}",
                )
                continue
            if key_text in seen:
                first = seen[key_text].ref
                self.problem(where, f"key '{key_text}' appears twice (first at {first}): keep one")
                continue
            seen[key_text] = where
            self.cells[key.path] = where
            value = self._cell(name, number, values, columns["value"], Column(key.key, key.kind, ""))
            if value is not MISSING:
                _put(self.data, key.path, value)
        if name == "settings":
            self.data.setdefault("horizon", {})  # so that a missing start and end are two problems
        for group, key_text in _GROUP_CELLS.items():
            if key_text in seen:
                self.cells.setdefault(group, seen[key_text])

    def table_sheet(self, sheet: Sheet) -> list[tuple[dict[str, Any], int]]:
        """The items of a sheet with their row numbers; registers every cell."""
        known: dict[str, Column | None] = {c.name: c for c in sheet.columns}
        columns = self._columns(sheet.name, self.tables[sheet.name][0][1], known)
        self.columns[sheet.name] = columns
        for col in sheet.columns:
            if col.name not in columns and sheet.required(col):
                self.problem(Where(sheet.name, column=col.name), f"no column '{col.name}' in row 1: add it")
        items: list[tuple[dict[str, Any], int]] = []
        for number, values in self._rows(sheet.name):
            item: dict[str, Any] = {}
            for col in sheet.columns:
                if col.name not in columns:
                    continue
                value = self._cell(sheet.name, number, values, columns[col.name], col)
                if value is not MISSING:
                    _put(item, col.key_path or (col.name,), value)
                    target = _REFERENCES.get((sheet.name, col.name))
                    if target is not None:
                        listed = value if isinstance(value, list) else [value]
                        flat = [v for b in listed for v in (b if isinstance(b, list) else [b])]
                        where = Where(sheet.name, number, columns[col.name] + 1, col.name)
                        self.refs.append((*target, where, flat))
            items.append((item, number))
        self.ids[sheet.name] = self._unique_ids(sheet, items, columns)
        return items

    def _unique_ids(
        self, sheet: Sheet, items: list[tuple[dict[str, Any], int]], columns: dict[str, int]
    ) -> list[str]:
        """The ids a sheet defines (cohorts: after ``count``); a repeated id is a problem."""
        if "id" not in columns:
            return []
        first: dict[str, int] = {}
        out: list[str] = []
        for item, number in items:
            if "id" not in item:
                continue
            value = str(item["id"])
            count = item.get("count")
            if sheet.name == "cohorts" and count is not None:
                ids = [f"{value}-{k}" for k in range(1, int(count) + 1)] if str(count).isdigit() else []
            else:
                ids = [value]
            if sheet.name != "cohorts" and value in first:
                where = Where(sheet.name, number, columns["id"] + 1, "id")
                ref = Where(sheet.name, first[value], columns["id"] + 1).ref
                kind = sheet.name.removesuffix("s")
                self.problem(where, f"duplicate {kind} id '{value}' (first at {ref}): ids must be unique")
            first.setdefault(value, number)
            out.extend(ids)
        return out

    def register(self, sheet: Sheet, base: Loc, number: int) -> None:
        """Map ``base`` (an item's model path) and its keys to their cells in row ``number``."""
        header = self.columns[sheet.name]
        for col in sheet.columns:
            index = header.get(col.name)
            where = (
                Where(sheet.name, number, index + 1, col.name)
                if index is not None
                else Where(sheet.name, column=col.name)
            )
            self.cells.setdefault(base, where)
            if col.key_path is not None:
                for depth in range(1, len(col.key_path) + 1):
                    self.cells.setdefault(base + col.key_path[:depth], where)

    def check_references(self) -> None:
        for kind, sheet, where, values in self.refs:
            if sheet not in self.ids:
                continue
            known = self.ids[sheet]
            for value in values:
                if value not in known:
                    self.problem(
                        where,
                        f"unknown {kind} '{value}'{did_you_mean(value, known)}: add it to the {sheet} sheet "
                        "or fix the spelling",
                    )


_INFO: dict[str, Column | None] = {"default": None, "description": None}


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def _build(reader: _Reader) -> None:
    """Fill ``reader.data`` from every sheet present; missing sheets are problems."""
    tables = reader.tables
    for name in SHEET_NAMES:
        if name not in tables or not tables[name]:
            if name not in OPTIONAL_SHEETS:
                present = [t for t in tables if t not in SHEET_NAMES]
                reader.problem(
                    Where(name), f"no sheet '{name}'{did_you_mean(name, present)}: add it (rollout template)"
                )
            continue
        if name in KEY_SHEETS:
            reader.key_sheet(name)
    by_name = {s.name: s for s in SHEETS}
    for sheet in SHEETS:
        if sheet.name not in tables or not tables[sheet.name] or sheet.name == "rooms":
            continue
        items = reader.table_sheet(sheet)
        if sheet.name == "topics":
            topics: dict[str, str] = {}
            for item, number in items:
                if "id" not in item:
                    reader.problem(Where("topics", number, 1, "id"), "the topic needs an id")
                    continue
                topic = item["id"]
                if topic in topics:
                    continue  # a duplicate, reported by table_sheet
                topics[topic] = item.get("label", "")
                reader.register(sheet, ("topics", topic), number)
            reader.data["topics"] = topics
            continue
        reader.data[sheet.section] = [item for item, _ in items]
        if sheet.name == "sites":
            for item, _ in items:
                item["rooms"] = []
        for i, (_, number) in enumerate(items):
            reader.register(sheet, (sheet.section, i), number)
    if tables.get("rooms"):
        _rooms(reader, by_name["rooms"])
    reader.check_references()


def _rooms(reader: _Reader, sheet: Sheet) -> None:
    sites = reader.data.get("sites", [])
    index: dict[Any, int] = {}
    for i, site in enumerate(sites):
        index.setdefault(site.get("id"), i)
    for item, number in reader.table_sheet(sheet):
        site_id = item.pop("site", None)
        if site_id is None:
            reader.problem(Where("rooms", number, 1, "site"), "the room needs its site id")
        elif site_id not in index:
            if "sites" in reader.tables:
                known = list(index)
                reader.problem(
                    Where("rooms", number, 1, "site"),
                    f"unknown site '{site_id}'{did_you_mean(site_id, known)}: add it to the sites sheet "
                    "or fix the spelling",
                )
        else:
            rooms = sites[index[site_id]]["rooms"]
            reader.register(sheet, ("sites", index[site_id], "rooms", len(rooms)), number)
            rooms.append(item)


# ----- mapping problems back to cells ------------------------------------------------------------


def _parse_path(path: str) -> Loc:
    if path.startswith("topics."):
        return ("topics", path.removeprefix("topics."))
    return tuple(int(m[1]) if m[1] else m[2] for m in re.finditer(r"\[(\d+)\]|([^.\[\]]+)", path))


def _where(reader: _Reader, loc: Loc) -> Where | None:
    for depth in range(len(loc), 0, -1):
        found = reader.cells.get(loc[:depth])
        if found is not None:
            return found
    return None


def _mapped(reader: _Reader, problem: Problem) -> tuple[Where, str]:
    loc = _parse_path(problem.path)
    message = _MODEL_PATH.sub(
        lambda m: w.ref if (w := _where(reader, _parse_path(m[0]))) else m[0], problem.message
    )
    where = _where(reader, loc)
    if len(loc) == 3 and loc[0] == "sites" and loc[2] == "rooms" and "at least 1" in message:
        site = reader.data["sites"][loc[1]].get("id")
        return where or Where("sites"), f"site '{site}' has no rooms: add a row for each to the rooms sheet"
    if where is None:
        first = str(loc[0]) if loc else ""
        return Where(_SECTION_SHEET.get(first, first)), message
    if problem.message.startswith("missing required key") and where.row and reader.cells.get(loc) is where:
        if loc[-2:-1] == ("start",):
            message = "a start window needs both start_from and start_to: fill in this one too"
        else:
            message = f"{where.column} is required: fill in the cell"
    return where, message


def read_workbook(path: Path) -> Instance:
    """Read a workbook (``.xlsx``) or a folder of CSV files (``<sheet>.csv``) into a validated instance.

    Rows whose first cell starts with ``#`` (the notes row) and empty rows
    are skipped; columns are found by their header, in any order. Cells may
    be typed by a spreadsheet (dates, numbers) or be text.

    Raises
    ------
    InputError
        With every problem found; each names its cell, e.g. ``trainers!D7
        (skills): unknown topic 'cepp' (did you mean 'cep'?): …``.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        message = "one CSV file: give the folder holding settings.csv, topics.csv, … instead"
        raise InputError(str(path), [Problem("", message)])
    if path.is_dir():
        tables, early = csv_tables(path)
    elif path.exists():
        tables, early = xlsx_tables(path), []
    else:
        raise InputError(str(path), [Problem("", "no such workbook or folder: check the path")])
    reader = _Reader(tables)
    _build(reader)
    mine = {where.path for where, _ in reader.problems}
    inst: Instance | None = None
    try:
        inst = parse_instance(reader.data, str(path))
    except InputError as exc:
        for problem in exc.problems:
            where, message = _mapped(reader, problem)
            if where.path not in mine and (where, message) not in reader.problems:
                reader.problems.append((where, message))
    if early or reader.problems or inst is None:
        ordered = sorted(reader.problems, key=lambda p: p[0].sort_key())
        raise InputError(str(path), early + [Problem(w.path, m) for w, m in ordered])
    return inst
