"""Reliability (issue 6): a malformed solution folder ends ``rollout check`` in exit 2, naming file and line.

Each case corrupts one file of the tiny sample plan on disk and runs the real
CLI; a mutation that keeps the files readable but breaks a rule is exit 1
with its rule id (the mutation suite, tests/test_mutations.py, covers those).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from rollout.cli import cli
from tests.conftest import INSTANCES

TINY = str(INSTANCES / "tiny.yaml")
PLAN = INSTANCES.parent / "solutions" / "tiny"
TEXT = (PLAN / "timetable.csv").read_text(encoding="utf-8")
HEAD, FIRST, *REST = TEXT.splitlines(keepends=True)


def check_with(tmp: Path, name: str, content: str | bytes) -> tuple[str, Result]:
    """Copy the tiny plan, replace one of its files and run ``rollout check``."""
    folder = tmp / "plan"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(PLAN, folder)
    (folder / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(folder / name), CliRunner().invoke(cli, ["check", TINY, str(folder)])


def assert_input_error(file: str, result: Result, line: int | None, words: str) -> None:
    """Exit 2, no traceback, an error line naming the file (and line) that says ``words``."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    where = f"error: {file}:{line}: " if line else f"error: {file}: "
    assert any(s.startswith(where) and words in s for s in result.output.splitlines()), result.output


CASES = {
    "missing column": (HEAD.replace("room,", "", 1) + FIRST + "".join(REST), 1, "header must start with"),
    "bad date": (HEAD + FIRST.replace("2015-10-12", "2015-02-30", 1) + "".join(REST), 2, "not an ISO date"),
    "unknown trainer": (
        HEAD + FIRST.replace(",t04,", ",t99,", 1) + "".join(REST),
        2,
        "unknown trainer 't99'",
    ),
    "unknown topic": (
        HEAD + FIRST.replace(",interview,", ",interviw,", 1) + "".join(REST),
        2,
        "did you mean",
    ),
    "utf-16": (TEXT.encode("utf-16"), None, "UTF-16 text: save the file as UTF-8"),
    "latin-1": (TEXT.encode("latin-1", errors="replace"), 2, "not UTF-8 text (byte"),
    "empty file": ("", 1, "found nothing"),
    "duplicate header": (
        HEAD.rstrip("\n") + ",trainer\n" + "".join(s.rstrip("\n") + ",t01\n" for s in [FIRST, *REST]),
        1,
        "column trainer appears twice",
    ),
    "extra cell": (HEAD + FIRST.rstrip("\n") + ",zz\n" + "".join(REST), 2, "17 cells, the header has 16"),
    "short row": (HEAD + "2015-10-12,cen\n" + "".join(REST), 2, "2 cells, the header has 16"),
    "huge block": (HEAD + FIRST.replace(",1,1,", "," + "9" * 60 + ",1,", 1) + "".join(REST), 2, "block"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_malformed_timetable_exits_2_naming_file_and_line(tmp_path: Path, case: str) -> None:
    """Tests that a timetable.csv with a missing column, bad date, unknown id or wrong encoding exits 2."""
    content, line, words = CASES[case]
    file, result = check_with(tmp_path, "timetable.csv", content)
    assert_input_error(file, result, line, words)


def test_an_extra_column_is_allowed(tmp_path: Path) -> None:
    """Tests that columns beyond the contract's are read and ignored (spec section 5), exit 0."""
    content = "".join(s.rstrip("\n") + ",note\n" for s in [HEAD, FIRST, *REST])
    _file, result = check_with(tmp_path, "timetable.csv", content)
    assert result.exit_code == 0, result.output
    assert "OK: every rule holds" in result.output


def test_a_row_with_a_broken_rule_is_exit_1_with_its_id(tmp_path: Path) -> None:
    """Tests that a readable timetable whose first row moves to a Saturday is exit 1 with R1 and R2."""
    _file, result = check_with(
        tmp_path, "timetable.csv", HEAD + FIRST.replace("2015-10-12", "2015-10-17", 1) + "".join(REST)
    )
    assert result.exit_code == 1, result.output
    assert any(s.startswith("R1 ") for s in result.output.splitlines())
    assert any(s.startswith("R2 ") for s in result.output.splitlines())


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=100 * max(1, settings.default.max_examples // 100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@seed(69)
@given(
    key=st.sampled_from(["status", "objective", "bound", "terms", "solver", "instance", "committed"]),
    value=JSON_VALUES,
)
def test_any_value_in_solution_json_is_read_or_refused(tmp_path: Path, key: str, value: object) -> None:
    """Tests that any JSON value under any key of solution.json ends in exit 0, 1 or 2, never a traceback."""
    doc = json.loads((PLAN / "solution.json").read_text(encoding="utf-8"))
    doc[key] = value
    file, result = check_with(tmp_path, "solution.json", json.dumps(doc))
    assert result.exit_code in (0, 1, 2), result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None, repr(result.exception)
    if result.exit_code == 2:
        assert_input_error(file, result, None, "")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"objective": ' + "9" * 5000 + "}", "not valid"),
        ("{", "not valid JSON"),
        (b"\xff{}", "not UTF-8"),
    ],
)
def test_a_malformed_solution_json_exits_2(tmp_path: Path, content: str | bytes, words: str) -> None:
    """Tests that deep, huge, broken or non-UTF-8 solution.json files exit 2 naming the file."""
    file, result = check_with(tmp_path, "solution.json", content)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert any(s.startswith(f"error: {file}") and words in s for s in result.output.splitlines()), (
        result.output
    )
