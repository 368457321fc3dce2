"""Tests of the CSV views and the Excel workbook built on the plan frame."""

from __future__ import annotations

import codecs
import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from rollout.calendar import Calendar
from rollout.exports.tables import VIEWS, write_csv_views
from rollout.exports.workbook import sheet_title, write_workbook
from rollout.instance import Instance
from rollout.io import load_instance, parse_instance, read_solution
from rollout.solution import Result, Status

ROOT = Path(__file__).resolve().parent.parent
PLANS = ("tiny", "pilot-march-2015")
GREY, SCHOOL, RED = "D9D9D9", "FFF2CC", "F4CCCC"


def _plan(name: str) -> tuple[Instance, Result]:
    return load_instance(ROOT / "instances" / f"{name}.yaml"), read_solution(ROOT / "solutions" / name)


def _keys(rows: object) -> Counter[tuple[object, ...]]:
    return Counter(
        (r.date, r.site, r.room, r.cohort, r.course, r.block, r.day, r.topic, r.trainer)
        for r in rows  # type: ignore[attr-defined]
    )


def _read_view(path: Path, excel_fr: bool) -> pd.DataFrame:
    df = pd.read_csv(
        path,
        sep=";" if excel_fr else ",",
        encoding="utf-8-sig" if excel_fr else "utf-8",
        dtype=str,
        keep_default_na=False,
    )
    df["date"] = pd.to_datetime(df["date"], format="%d/%m/%Y" if excel_fr else "%Y-%m-%d").dt.date
    return df


def _fill(cell: object) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def tricky() -> Instance:
    """Tiny with formula-like trainer and site names and a 6.5-hour course; the tiny plan still fits it."""
    data = yaml.safe_load((ROOT / "instances" / "tiny.yaml").read_text(encoding="utf-8"))
    data["trainers"][0]["name"] = '=HYPERLINK("http://evil.example","x")'
    data["sites"][0]["name"] = "=1+1"
    data["sites"][0]["region"] = "Île/de:France*?[x]"
    data["courses"][1]["hours_per_day"] = 6.5
    data["trainers"][0]["max_days_per_week"] = 1
    return parse_instance(data)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("books")
    return {name: write_workbook(*_plan(name), out / f"{name}.xlsx") for name in PLANS}


@pytest.mark.parametrize("name", PLANS)
@pytest.mark.parametrize("excel_fr", [False, True])
def test_csv_views_hold_exactly_the_plans_rows(name: str, excel_fr: bool, tmp_path: Path) -> None:
    """Tests that every view parses back in its dialect with the plan's rows, columns and order."""
    inst, result = _plan(name)
    paths = write_csv_views(inst, result, tmp_path, excel_fr=excel_fr)
    assert [p.name for p in paths] == [v.file for v in VIEWS]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(v.file for v in VIEWS)  # no temp left
    for view, path in zip(VIEWS, paths, strict=True):
        assert path.read_bytes().startswith(codecs.BOM_UTF8) == excel_fr
        df = _read_view(path, excel_fr)
        assert list(df.columns) == view.columns()
        back = [
            (r.date, r.site, r.room, r.cohort, r.course, int(r.block), int(r.day), r.topic, r.trainer)
            for r in df.itertuples()
        ]
        assert Counter(back) == _keys(result.rows)
        keys = [tuple(getattr(r, k) for k in view.sort) for r in df.itertuples()]
        assert keys == sorted(keys), view.file


def test_excel_fr_writes_decimal_comma_and_default_a_point(tricky: Instance, tmp_path: Path) -> None:
    """Tests that 6.5 hours is 6,5 in the French dialect and 6.5 by default."""
    result = read_solution(ROOT / "solutions" / "tiny")
    fr = _read_view(write_csv_views(tricky, result, tmp_path / "fr", excel_fr=True)[0], True)
    plain = _read_view(write_csv_views(tricky, result, tmp_path / "en")[0], False)
    assert set(fr["hours"]) == {"7", "6,5"}
    assert set(plain["hours"]) == {"7", "6.5"}


def test_csv_neutralises_formula_names(tricky: Instance, tmp_path: Path) -> None:
    """Tests that a trainer or site name starting with '=' is written with a leading quote."""
    result = read_solution(ROOT / "solutions" / "tiny")
    for excel_fr in (False, True):
        df = _read_view(write_csv_views(tricky, result, tmp_path / str(excel_fr), excel_fr)[1], excel_fr)
        names = set(df.loc[df["trainer"] == "t01", "trainer_name"])
        assert names == {'\'=HYPERLINK("http://evil.example","x")'}
        assert set(df.loc[df["site"] == "idf", "site_name"]) <= {"'=1+1"}
        assert not any(str(v).startswith(("=", "+", "@")) for v in df.to_numpy().ravel())


def test_no_plan_gives_headers_and_a_horizon_grid(tmp_path: Path) -> None:
    """Tests that an infeasible result writes header-only views and a workbook over the horizon."""
    inst = load_instance(ROOT / "instances" / "tiny.yaml")
    result = Result(instance="tiny", status=Status.INFEASIBLE)
    for path in write_csv_views(inst, result, tmp_path):
        assert len(path.read_text(encoding="utf-8").splitlines()) == 1
    wb = openpyxl.load_workbook(write_workbook(inst, result, tmp_path / "plan.xlsx"))
    grid = wb["Grid Centre"]
    assert grid.cell(2, 1).value.date() == inst.horizon.start
    assert grid.cell(grid.max_row, 1).value.date() == inst.horizon.end
    assert [r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0] == "Objective"] == [None]


@pytest.mark.parametrize("name", PLANS)
def test_timetable_is_a_frozen_table_with_a_row_per_teaching_day(name: str, books: dict[str, Path]) -> None:
    """Tests that the Timetable sheet's table spans the header and one row per teaching day, dates typed."""
    _, result = _plan(name)
    ws = openpyxl.load_workbook(books[name])["Timetable"]
    ref = ws.tables["Timetable"].ref
    assert ref.startswith("A1:") and ref.endswith(str(len(result.rows) + 1))
    assert ws.freeze_panes == "A2"
    assert ws.max_row == len(result.rows) + 1
    assert ws["A1"].value == "date"
    assert isinstance(ws["A2"].value, datetime) and ws["A2"].number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("name", PLANS)
def test_summary_objective_equals_solution_json(name: str, books: dict[str, Path]) -> None:
    """Tests that Summary shows solution.json's objective and the weighted terms add up to it."""
    doc = json.loads((ROOT / "solutions" / name / "solution.json").read_text(encoding="utf-8"))
    rows = list(openpyxl.load_workbook(books[name])["Summary"].iter_rows(values_only=True))
    facts = {r[0]: r[1] for r in rows if r[0]}
    assert facts["Objective"] == doc["objective"]
    assert facts["Status"] == doc["status"]
    assert {r[0]: r[2] for r in rows if r[0] in doc["terms"]} == doc["terms"]
    assert facts["Total"] is None and [r[4] for r in rows if r[0] == "Total"] == [doc["objective"]]


@pytest.mark.parametrize("name", PLANS)
def test_grids_have_a_cell_for_every_row_and_shade_days_off(name: str, books: dict[str, Path]) -> None:
    """Tests that each region's grid shows every row of its sites and shades weekends and holidays grey."""
    inst, result = _plan(name)
    calendar = Calendar(inst)
    wb = openpyxl.load_workbook(books[name])
    regions = {s.region for s in inst.sites}
    grids = [wb[t] for t in wb.sheetnames if t.startswith("Grid ")]
    assert len(grids) == len(regions)
    seen = 0
    for ws in grids:
        assert ws.freeze_panes == "B2"
        header = {ws.cell(1, c).value: c for c in range(2, ws.max_column + 1)}
        dates = {ws.cell(r, 1).value.date(): r for r in range(2, ws.max_row + 1)}
        for row in result.rows:
            site = inst.site_by_id[row.site]
            col = header.get(f"{site.name} / {row.room}")
            if col is not None:
                assert ws.cell(dates[row.date], col).value.startswith(f"{row.cohort} · "), row
                seen += 1
        for label, c in header.items():
            site_id = next(s.id for s in inst.sites if label.startswith(f"{s.name} / "))
            holidays = calendar.public_holidays(site_id)
            for day, r in dates.items():
                if day.weekday() >= 5 or day in holidays:
                    assert _fill(ws.cell(r, c)) == GREY, (ws.title, day, label)
                if day.weekday() >= 5:
                    assert _fill(ws.cell(r, 1)) == GREY
    assert seen == len(result.rows)


def test_grid_names_public_holidays_and_tints_school_holidays(books: dict[str, Path]) -> None:
    """Tests tiny's grid: 1 November is grey and named, a Toussaint-holiday weekday is tinted."""
    ws = openpyxl.load_workbook(books["tiny"])["Grid Île-de-France"]
    dates = {ws.cell(r, 1).value.date(): r for r in range(2, ws.max_row + 1)}
    all_saints = ws.cell(dates[date(2015, 11, 1)], 2)
    name = Calendar(load_instance(ROOT / "instances" / "tiny.yaml")).public_holidays("idf")[date(2015, 11, 1)]
    assert _fill(all_saints) == GREY and all_saints.value == name
    toussaint = ws.cell(dates[date(2015, 10, 27)], 3)
    assert _fill(toussaint) == SCHOOL


@pytest.mark.parametrize("name", PLANS)
def test_trainer_load_totals_equal_rows_per_trainer(name: str, books: dict[str, Path]) -> None:
    """Tests that Trainer load has a row per trainer whose total is its row count, within limits."""
    inst, result = _plan(name)
    ws = openpyxl.load_workbook(books[name])["Trainer load"]
    header = [c.value for c in ws[1]]
    total = header.index("total") + 1
    counts = Counter(r.trainer for r in result.rows)
    got = {ws.cell(r, 1).value: ws.cell(r, total).value for r in range(2, ws.max_row + 1)}
    assert got == {t.id: counts[t.id] for t in inst.trainers}
    weeks = header[3 : total - 1]
    assert weeks == sorted(
        {f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in {r.date for r in result.rows}}
    )
    for r in range(2, ws.max_row + 1):
        week_sum = sum(ws.cell(r, c).value or 0 for c in range(4, total))
        assert week_sum == ws.cell(r, total).value
        assert all(_fill(ws.cell(r, c)) != RED for c in range(4, total + 1))


def test_workbook_keeps_formula_names_as_text_and_flags_overload(tricky: Instance, tmp_path: Path) -> None:
    """Tests that '=' names stay strings, odd region names make valid titles and overload is red."""
    result = read_solution(ROOT / "solutions" / "tiny")
    wb = openpyxl.load_workbook(write_workbook(tricky, result, tmp_path / "x" / "plan.xlsx"))
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["plan.xlsx"]
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert '\'=HYPERLINK("http://evil.example","x")' in texts
    assert "'=1+1 / idf-1" in texts
    assert "Grid Île-de-France---x-" in wb.sheetnames
    load = wb["Trainer load"]
    t01 = next(r for r in range(2, load.max_row + 1) if load.cell(r, 1).value == "t01")
    assert any(_fill(load.cell(t01, c)) == RED for c in range(4, load.max_column + 1))


def test_sheet_title_sanitises_truncates_and_dedupes() -> None:
    """Tests that sheet titles lose []:*?/\\, keep 31 characters and differ case-insensitively."""
    taken: set[str] = set()
    first = sheet_title("Grid " + "Provence/Alpes:Côte*d'Azur?[x]\\ and more", taken)
    assert len(first) == 31 and not set("[]:*?/\\") & set(first)
    second = sheet_title(first.upper(), taken)
    assert len(second) <= 31 and second.endswith(" (2)")
    assert sheet_title("Grid A", taken) == "Grid A" and sheet_title("grid a", taken) == "grid a (2)"
