"""Instance workbooks and the JSON Schema: template, lossless round trips, cell-named errors."""

from __future__ import annotations

import csv
import json
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rollout.errors import InputError
from rollout.instance import WEEKDAYS, Instance
from rollout.io import load_instance, parse_instance
from rollout.io.schema import schema_text
from rollout.io.spreadsheet import read_workbook, write_template
from rollout.io.spreadsheet_layout import KEY_HEADERS, SHEET_NAMES, SHEETS

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "instances").glob("*.yaml"))
TINY = load_instance(ROOT / "instances" / "tiny.yaml")


def _target(tmp: Path, form: str) -> Path:
    return tmp / ("book.xlsx" if form == "xlsx" else "book")


def _same(a: Instance, b: Instance) -> None:
    assert a.model_dump() == b.model_dump()
    assert a == b


# ----- schema ------------------------------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    """Tests that docs/instance.schema.json is exactly what schema_text() generates."""
    committed = (ROOT / "docs" / "instance.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text()
    assert json.loads(committed)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_validates_against_schema(sample: Path) -> None:
    """Tests that a sample instance, read as plain YAML, is valid under the schema, and a typo is not."""
    jsonschema = pytest.importorskip("jsonschema")
    assert sample.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../docs/instance.schema.json"
    )
    validator_class = jsonschema.Draft202012Validator
    schema = json.loads(schema_text())
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    # Dates as the editor sees them: text.
    data = json.loads(json.dumps(yaml.safe_load(sample.read_text(encoding="utf-8")), default=str))
    validator.validate(data)
    data["trainers"][0]["skils"] = data["trainers"][0].pop("skills")
    assert any("skils" in e.message for e in validator.iter_errors(data))


# ----- template and round trips ------------------------------------------------------------------


def test_blank_template_has_every_sheet_annotated(tmp_path: Path) -> None:
    """Tests that the blank template has each sheet with bold frozen headers, a notes row and validations."""
    path = write_template(tmp_path / "template.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(SHEET_NAMES)
    headers = {s.name: s.headers for s in SHEETS} | {
        "settings": list(KEY_HEADERS),
        "weights": list(KEY_HEADERS),
    }
    validations = 0
    for ws in wb.worksheets:
        assert [c.value for c in ws[1]] == headers[ws.title]
        assert all(c.font.bold for c in ws[1])
        assert str(ws["A2"].value).startswith("#")
        assert all(c.value and c.font.italic for c in ws[2])
        assert ws.freeze_panes == "A2"
        validations += len(ws.data_validations.dataValidation)
    assert validations > 10
    sites_lists = [v.formula1 for v in wb["rooms"].data_validations.dataValidation if v.type == "list"]
    assert any(f.startswith("=sites!$A$3") for f in sites_lists)
    assert [r[0].value for r in wb["settings"].iter_rows(min_row=3)][:3] == [
        "name",
        "horizon.start",
        "horizon.end",
    ]


def test_blank_template_reads_back_as_what_to_fill_in(tmp_path: Path) -> None:
    """Tests that reading the blank template names the empty cells that are required."""
    with pytest.raises(InputError) as info:
        read_workbook(write_template(tmp_path / "template.xlsx"))
    paths = [p.path for p in info.value.problems]
    assert paths == ["settings!B3 (name)", "settings!B4 (horizon.start)", "settings!B5 (horizon.end)"]
    assert all("fill in the cell" in p.message for p in info.value.problems)


@pytest.mark.parametrize("form", ["xlsx", "csv"])
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_round_trip_is_lossless(tmp_path: Path, sample: Path, form: str) -> None:
    """Tests that a sample instance written as a workbook or CSV folder reads back equal."""
    inst = load_instance(sample)
    target = write_template(_target(tmp_path, form), inst)
    assert target.is_file() if form == "xlsx" else (target / "trainers.csv").is_file()
    _same(read_workbook(target), inst)


_TRICKY = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "#", "'", "_x000D_", " ", '=HYPERLINK("x")'])
_TEXT = st.builds(
    lambda head, body, tail: head + body + tail,
    _TRICKY,
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=8),
    st.sampled_from(["", ", et al.", " | x", "\n", "; ", "…"]),
)


def _dates(first: date, last: date) -> st.SearchStrategy[list[Any]]:
    day = st.dates(min_value=first, max_value=last)
    span = st.builds(lambda a, b: {"from": min(a, b), "to": max(a, b)}, day, day)
    return st.lists(st.one_of(day, span), max_size=3)


@st.composite
def perturbed_tiny(draw: st.DrawFn) -> Instance:
    """The tiny sample with drawn subsets, numbers, date sets and awkward text."""
    data = TINY.model_dump(by_alias=True)
    start, end = TINY.horizon.start, TINY.horizon.end
    text, maybe_text = _TEXT, st.none() | _TEXT
    data["topics"] = {k: draw(text) for k in data["topics"]}
    s = data["settings"]
    s["working_days"] = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    s["cost_per_km"] = draw(st.floats(min_value=0, max_value=10))
    s["partial"] = draw(st.booleans())
    for course in data["courses"]:
        course["name"] = draw(maybe_text)
        course["hours_per_day"] = draw(st.floats(min_value=1e-3, max_value=24))
    for site in data["sites"]:
        site.update(name=draw(maybe_text), region=draw(maybe_text), city=draw(maybe_text))
        site.update(
            lat=draw(st.floats(-90, 90)), lon=draw(st.floats(-180, 180)), closed=draw(_dates(start, end))
        )
        for room in site["rooms"]:
            room.update(capacity=draw(st.integers(0, 10**6)), closed=draw(_dates(start, end)))
    every_site = [site["id"] for site in data["sites"]]
    keep = draw(st.lists(st.sampled_from(range(len(data["trainers"]))), unique=True))
    data["trainers"] = [data["trainers"][i] for i in keep]
    for trainer in data["trainers"]:
        trainer["name"] = draw(maybe_text)
        trainer["sites"] = draw(st.sampled_from([None, [], every_site[::-1], trainer["sites"]]))
        trainer["skills"] = draw(st.sampled_from([[], trainer["skills"]]))
        trainer["unavailable"] = draw(_dates(start, end))
    for holiday in data["school_holidays"]:
        holiday.update(zone=draw(text), name=draw(maybe_text))
    keep = draw(st.lists(st.sampled_from(range(len(data["cohorts"]))), min_size=1, unique=True))
    data["cohorts"] = [data["cohorts"][i] for i in keep]
    data["cohorts"][0]["count"] = draw(st.sampled_from([None, 1, 3]))
    cohorts = Instance.model_validate(data).cohort_list
    pins: dict[tuple[str, str, int], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 3))):
        cohort = draw(st.sampled_from(cohorts))
        course = draw(st.sampled_from(cohort.courses))
        day = draw(st.integers(1, len(TINY.course_by_id[course].days)))
        room = draw(st.sampled_from([None, *TINY.room_site]))
        trainer = draw(st.sampled_from([None, *(t["id"] for t in data["trainers"])]))
        when = draw(st.dates(min_value=start, max_value=end))
        pins[(cohort.id, course, day)] = {
            "cohort": cohort.id,
            "course": course,
            "day": day,
            "date": when,
            "room": room,
            "trainer": trainer,
        }
    data["pinned"] = list(pins.values())
    return parse_instance(data)


@settings(max_examples=15, deadline=None)
@given(inst=perturbed_tiny())
def test_round_trip_is_lossless_for_drawn_instances(inst: Instance) -> None:
    """Tests that drawn variants of tiny (formulas, CR, unicode, empty lists, pins) survive both forms."""
    with tempfile.TemporaryDirectory() as tmp:
        for form in ("xlsx", "csv"):
            _same(read_workbook(write_template(_target(Path(tmp), form), inst)), inst)


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """Tests that names starting with = + - @ are string cells (xlsx) or quoted with ' (CSV)."""
    data = TINY.model_dump(by_alias=True)
    names = ["=1+2", "+33 1 40 27", "@SUM(A1)", "# not a note"]
    for trainer, name in zip(data["trainers"], names, strict=True):
        trainer["name"] = name
    inst = parse_instance(data)
    book = write_template(tmp_path / "book.xlsx", inst)
    ws = openpyxl.load_workbook(book)["trainers"]
    for row in ws.iter_rows(min_row=3, max_col=2):
        assert row[1].data_type == "s"
        assert row[1].quotePrefix
    folder = write_template(tmp_path / "book", inst)
    with (folder / "trainers.csv").open(encoding="utf-8-sig", newline="") as fh:
        written = [row[1] for row in csv.reader(fh)][2:]
    assert written == ["'=1+2", "'+33 1 40 27", "'@SUM(A1)", "'# not a note"]
    _same(read_workbook(book), inst)
    _same(read_workbook(folder), inst)


# ----- what spreadsheets do to cells -------------------------------------------------------------


def test_cells_typed_by_a_spreadsheet_are_read(tmp_path: Path) -> None:
    """Tests that numbers as text, dates as date cells, TRUE, ; lists, notes and blank rows read the same."""
    book = write_template(tmp_path / "book.xlsx", TINY)
    wb = openpyxl.load_workbook(book)
    settings_ws = wb["settings"]
    settings_ws["B4"] = "2015-10-12"  # horizon.start as text
    settings_ws["B15"] = "FALSE"  # partial
    rooms = wb["rooms"]
    rooms["C3"] = "20"  # capacity as text
    rooms["D3"] = datetime(2015, 10, 21)  # a date set of one date, typed as a date
    trainers = wb["trainers"]
    trainers["F3"] = 20.0  # max_days as a float
    trainers["D3"] = "context;cep pathways"
    trainers["J1"] = "# remarks"
    trainers["J3"] = "only mornings"
    cohorts = wb["cohorts"]
    cohorts.insert_rows(4, 2)
    cohorts["A4"] = "# planners' note: a row skipped"
    cohorts["F3"] = "2015-10-12 00:00:00"
    wb.save(book)
    _same(read_workbook(book), TINY)


def test_french_csv_with_semicolons_and_no_notes_row(tmp_path: Path) -> None:
    """Tests that a CSV saved by a French Excel (; delimiter, decimal comma, no notes row) reads the same."""
    folder = write_template(tmp_path / "book", TINY)
    sites = folder / "sites.csv"
    with sites.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = [rows[0]] + [
        [cell.replace(".", ",") if i in (4, 5) else cell for i, cell in enumerate(r)] for r in rows[2:]
    ]
    with sites.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    _same(read_workbook(folder), TINY)


# ----- errors ------------------------------------------------------------------------------------


def _row_of(ws: Any, column: int, value: str) -> int:
    return next(r for r in range(3, ws.max_row + 1) if ws.cell(r, column).value == value)


def test_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    """Tests that an unknown skill and a negative capacity are both reported, each by its cell."""
    book = write_template(tmp_path / "book.xlsx", TINY)
    wb = openpyxl.load_workbook(book)
    t03 = _row_of(wb["trainers"], 1, "t03")
    wb["trainers"].cell(t03, 4).value = "context, cepp"
    idf2 = _row_of(wb["rooms"], 2, "idf-2")
    wb["rooms"].cell(idf2, 3).value = -3
    wb.save(book)
    with pytest.raises(InputError) as info:
        read_workbook(book)
    problems = info.value.problems
    assert [p.path for p in problems] == [f"rooms!C{idf2} (capacity)", f"trainers!D{t03} (skills)"]
    assert "-3" in problems[0].message
    assert "unknown topic 'cepp' (did you mean 'cep'?)" in problems[1].message
    assert "add it to the topics sheet" in problems[1].message
    assert info.value.lines()[1].startswith(f"{book}: trainers!D{t03} (skills): unknown topic")


def test_errors_in_csv_and_layout(tmp_path: Path) -> None:
    """Tests that unknown columns and keys, bad dates, missing sheets and pydantic paths map to cells."""
    folder = write_template(tmp_path / "book", TINY)
    (folder / "travel.csv").unlink()  # optional: no problem
    (folder / "cohorts.csv").rename(folder / "cohort.csv")
    trainers = (folder / "trainers.csv").read_text(encoding="utf-8-sig")
    trainers = trainers.replace("max_days_per_week", "max_day_per_week", 1).replace(
        "2015-11-16..", "2015-11-31.."
    )
    (folder / "trainers.csv").write_text(trainers, encoding="utf-8")
    (folder / "weights.csv").write_text("key,value\ncost,-1\ndelay,5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_workbook(folder)
    lines = [f"{p.path}: {p.message}" for p in info.value.problems]
    assert lines[0].startswith("weights!B2 (cost): input should be greater than or equal to 0")
    assert lines[1].startswith("weights!A3 (key): unknown key 'delay' (did you mean 'delay_days'?)")
    assert lines[2].startswith("trainers!G1 (max_day_per_week): unknown column 'max_day_per_week'")
    assert lines[3].startswith("trainers!I6 (unavailable): '2015-11-31..2015-11-20' is not a date or a range")
    assert lines[4].startswith("cohorts: no sheet 'cohorts' (did you mean 'cohort'?)")
    assert len(lines) == 5


def test_single_csv_file_or_missing_path_is_refused(tmp_path: Path) -> None:
    """Tests that a lone CSV file or a missing path is one clear problem."""
    (tmp_path / "sites.csv").write_text("id\n", encoding="utf-8")
    for path, text in ((tmp_path / "sites.csv", "give the folder"), (tmp_path / "nope.xlsx", "no such")):
        with pytest.raises(InputError) as info:
            read_workbook(path)
        assert text in info.value.problems[0].message
    with pytest.raises(ValueError, match="xlsx"):
        write_template(tmp_path / "book.ods", TINY)
