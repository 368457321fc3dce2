"""Reliability (issue 6): corrupted instance files end in exit 2 with a message naming the place.

Each case takes a valid sample of ``instances/``, corrupts it at random and
runs the real CLI (``rollout validate``; ``rollout solve --solver greedy`` on a
few). Every case must exit 2, print only ``error: FILE[:LINE]: …`` lines that
name the file and the place, and end in a SystemExit, never a traceback.
Alias bombs, deep nesting and oversized files are refused before they are
expanded. ``HYPOTHESIS_PROFILE=long`` runs 25 times the examples (see
docs/reliability.md).
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from rollout import instance as model
from rollout.cli import cli
from rollout.errors import format_loc
from rollout.io.instance_file import MAX_INSTANCE_BYTES, MAX_NESTING, MAX_VALUES
from tests.conftest import INSTANCES

SAMPLES = {p.stem: p.read_text(encoding="utf-8") for p in sorted(INSTANCES.glob("*.yaml"))}
DATA = {name: yaml.safe_load(text) for name, text in SAMPLES.items()}


def scaled(n: int) -> int:
    """Examples for a test: ``n`` in CI, 25 × ``n`` under ``HYPOTHESIS_PROFILE=long``."""
    return n * max(1, settings.default.max_examples // 100)


def fuzz(n: int) -> settings:
    return settings(
        max_examples=scaled(n),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ----- running the CLI and judging its answer ------------------------------------------------------


def run(text: str | bytes, *args: str, suffix: str = ".yaml") -> tuple[str, Result]:
    """Write ``text`` to a fresh file and run ``rollout <args> FILE``; the file's path and the result."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzzed{suffix}"
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        command = list(args or ("validate",))
        extra = ["-o", str(Path(tmp) / "out"), "-q", "--workers", "1", "--seed", "1"]
        result = CliRunner().invoke(cli, [*command, str(path), *(extra if command[0] == "solve" else [])])
        if command[0] == "solve":
            assert not (Path(tmp) / "out").exists(), "a refused instance must write nothing"
        return str(path), result


def assert_refused(file: str, result: Result, place: str | None = None, line: int | None = None) -> None:
    """Exit 2, no traceback, every error line names the file and a line or path; ``place`` among them."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [s for s in result.output.splitlines() if s.startswith("error: ")]
    assert errors, result.output
    named = re.compile(rf"^error: {re.escape(file)}(:\d+)?: ")
    for s in errors:
        assert named.match(s), s
    if place is not None:
        pattern = re.compile(rf"^error: {re.escape(file)}(:\d+)?: {re.escape(place)}[.\[:]")
        assert any(pattern.match(s) for s in errors), (place, result.output)
    if line is not None:
        assert any(s.startswith(f"error: {file}:{line}: ") for s in errors), (line, result.output)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# ----- structured corruption of the parsed sample ---------------------------------------------------

#: The pydantic model of each mapping in an instance, by generic path ("*" for a list index).
MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): model.Instance,
    ("horizon",): model.Horizon,
    ("settings",): model.Settings,
    ("settings", "course_gap"): model.CourseGap,
    ("weights",): model.Weights,
    ("courses", "*"): model.Course,
    ("sites", "*"): model.Site,
    ("sites", "*", "rooms", "*"): model.Room,
    ("trainers", "*"): model.Trainer,
    ("travel", "*"): model.Travel,
    ("school_holidays", "*"): model.SchoolHoliday,
    ("cohorts", "*"): model.CohortSpec,
    ("cohorts", "*", "start"): model.DateRange,
    ("pinned", "*"): model.Pin,
}
#: Fields that name an entity of another kind (a reference), by generic path.
REFERENCES = {
    ("courses", "*", "blocks", "*", "*"),
    ("trainers", "*", "home"),
    ("trainers", "*", "skills", "*"),
    ("trainers", "*", "sites", "*"),
    ("travel", "*", "from"),
    ("travel", "*", "to"),
    ("cohorts", "*", "site"),
    ("cohorts", "*", "courses", "*"),
}
#: Numbers that may be negative (everything else is a count, a rate, hours or a weight).
SIGNED = {"lat", "lon"}
BAD_KEY = "not a key!"


def generic(path: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("*" if isinstance(p, int) else p for p in path)


def walk(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) below the root."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield (*path, key), child
        yield from walk(child, (*path, key))


def get(data: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        data = data[p]
    return data


def required(path: tuple[Any, ...]) -> list[str]:
    found = MODELS.get(generic(path))
    if found is None and len(path) >= 2 and path[-2] in ("closed", "unavailable"):
        found = model.DateRange
    if found is None:
        return []
    return [f.alias or n for n, f in found.model_fields.items() if f.is_required()]


def mutations(data: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    """Every (kind, path) corruption that must make the instance invalid, with the place it breaks."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    for path, value in [((), data), *walk(data)]:
        if path:
            out.append(("wrong-type", path))
        if isinstance(value, dict):
            out.append(("extra-key", path))
            out += [("missing-key", (*path, k)) for k in required(path) if k in value]
            dates = [v for k, v in value.items() if k in ("from", "to", "start", "end")]
            if len(dates) == 2 and all(isinstance(v, date) for v in dates):
                out.append(("reversed-range", path))
        if generic(path) in REFERENCES:
            out.append(("unknown-id", path))
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(("huge-number", path))
            if path[-1] not in SIGNED:
                out.append(("negative-number", path))
        if generic(path) == ("cohorts", "*"):
            out.append(("window-outside-horizon", path))
            out.append(("end-before-start", path))
    for kind in ("courses", "sites", "trainers", "cohorts"):
        n = len(data.get(kind) or [])
        out += [("duplicate-id", (kind, j)) for j in range(1, n)]
    rooms = [("sites", i, "rooms", j) for i, s in enumerate(data["sites"]) for j in range(len(s["rooms"]))]
    out += [("duplicate-id", r) for r in rooms[1:]]
    return out


def corrupt(data: dict[str, Any], kind: str, path: tuple[Any, ...], pick: int) -> tuple[str, dict[str, Any]]:
    """Apply one corruption; returns the place the error must name, and the corrupted copy."""
    data = copy.deepcopy(data)
    parent, key = (get(data, path[:-1]), path[-1]) if path else (None, None)
    place = format_loc(path)
    if kind == "wrong-type":
        old = parent[key]
        parent[key] = [1, 2] if isinstance(old, dict) else "text" if isinstance(old, list) else {"bogus": [1]}
    elif kind == "extra-key":
        get(data, path)[BAD_KEY] = pick
        place = format_loc((*path, BAD_KEY))
    elif kind == "missing-key":
        del parent[key]
    elif kind == "reversed-range":
        rng = get(data, path)
        low, high = ("from", "to") if "from" in rng else ("start", "end")
        first, last = rng[low], rng[high]
        rng[low], rng[high] = (last, first) if last != first else (first, first - timedelta(days=1 + pick))
    elif kind == "unknown-id":
        parent[key] = f"nowhere-{pick}"
    elif kind == "huge-number":
        parent[key] = 10 ** (12 + pick % 30)
    elif kind == "negative-number":
        parent[key] = -1 - pick
    elif kind == "window-outside-horizon":
        end = date.fromisoformat(str(data["horizon"]["end"]))
        parent[key]["start"] = {"from": end + timedelta(days=1 + pick), "to": end + timedelta(days=40 + pick)}
        place = format_loc((*path, "start"))
    elif kind == "end-before-start":
        first = parent[key].get("start", {}).get("from", data["horizon"]["start"])
        parent[key]["end_by"] = first - timedelta(days=1 + pick)
        place = format_loc((*path, "end_by"))
    elif kind == "duplicate-id":
        if len(path) == 4:  # a room: ids unique across sites
            rooms = [r for s in data["sites"] for r in s["rooms"]]
            target = get(data, path)
            target["id"] = rooms[pick % rooms.index(target)]["id"]
        else:
            entity, first = data[path[0]][path[1]], data[path[0]][pick % path[1]]
            entity["id"] = first["id"]
            entity.pop("count", None)
            if "count" in first:
                entity["count"] = first["count"]
        place = format_loc((*path, "id"))
    return place, data


@st.composite
def corrupted(draw: st.DrawFn, name: str) -> tuple[str, str, str]:
    """A sample with one structured corruption: (description, place, YAML text)."""
    data = DATA[name]
    kind, path = draw(st.sampled_from(mutations(data)))
    pick = draw(st.integers(min_value=0, max_value=1000))
    place, bad = corrupt(data, kind, path, pick)
    return f"{kind} at {format_loc(path)}", place, dump(bad)


@pytest.mark.parametrize(
    ("name", "examples"), [("tiny", 150), ("pilot-march-2015", 80), ("national-s2-2015", 20)]
)
def test_structured_corruption_is_refused_with_its_place(name: str, examples: int) -> None:
    """Tests that wrong types, missing/extra keys, bad ids, ranges and numbers exit 2 naming the place."""

    @fuzz(examples)
    @seed(6)
    @given(case=corrupted(name))
    def check(case: tuple[str, str, str]) -> None:
        _what, place, text = case
        file, result = run(text)
        assert_refused(file, result, place=place)

    check()


@fuzz(25)
@seed(61)
@given(case=corrupted("tiny"))
def test_solve_refuses_corrupted_instances_and_writes_nothing(case: tuple[str, str, str]) -> None:
    """Tests that rollout solve --solver greedy exits 2 on a corrupted instance and writes no folder."""
    _what, place, text = case
    file, result = run(text, "solve", "--solver", "greedy")
    assert_refused(file, result, place=place)


# ----- corruption of the text and bytes ------------------------------------------------------------

DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
BLOCK_LINE = re.compile(r"^( +)(- |[a-z_]+:)", re.M)
SCALAR_LINE = re.compile(r"^ *[a-z_]+: [^\[{#\n][^\n]*$", re.M)


def code_dates(text: str) -> list[re.Match[str]]:
    """Date literals outside comments."""
    return [m for m in DATE.finditer(text) if "#" not in text[text.rfind("\n", 0, m.start()) + 1 : m.start()]]


def line_of(text: str | bytes, offset: int) -> int:
    return (text[:offset].count("\n" if isinstance(text, str) else b"\n")) + 1


@fuzz(60)
@seed(62)
@given(
    name=st.sampled_from(["tiny", "pilot-march-2015"]),
    which=st.integers(min_value=0),
    bad=st.sampled_from(["2015-02-30", "2015-13-01", "2015-00-10", "2015-11-31", "0000-01-01", "2015-1x-01"]),
)
@example(name="tiny", which=0, bad="2015-02-30")  # was a ValueError traceback from PyYAML's timestamp
def test_impossible_dates_are_refused_on_their_line(name: str, which: int, bad: str) -> None:
    """Tests that a date that does not exist (30 February) exits 2 naming its line."""
    text = SAMPLES[name]
    m = code_dates(text)[which % len(code_dates(text))]
    file, result = run(text[: m.start()] + bad + text[m.end() :])
    assert_refused(file, result, line=line_of(text, m.start()))


@fuzz(60)
@seed(63)
@given(
    name=st.sampled_from(["tiny", "pilot-march-2015"]),
    where=st.floats(min_value=0, max_value=1, exclude_max=True),
    junk=st.sampled_from([b"\xff", b"\xfe\xfe", b"\x80", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80"]),
)
def test_bytes_that_are_not_utf8_are_refused_with_their_line(name: str, where: float, junk: bytes) -> None:
    """Tests that bytes that are not UTF-8 exit 2 naming the byte offset and its line."""
    raw = SAMPLES[name].encode("utf-8")
    at = int(where * len(raw))
    while at and (raw[at] & 0xC0) == 0x80:  # never split a character of the sample
        at -= 1
    file, result = run(raw[:at] + junk + raw[at:])
    assert_refused(file, result, line=line_of(raw, at))
    assert "not UTF-8" in result.output and f"byte {at}" in result.output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_other_encodings_are_refused(encoding: str) -> None:
    """Tests that a sample saved as UTF-16 or Latin-1 exits 2 asking for UTF-8."""
    file, result = run(SAMPLES["tiny"].encode(encoding))
    assert_refused(file, result)
    assert "save the file as UTF-8" in result.output


@fuzz(40)
@seed(64)
@given(name=st.sampled_from(["tiny", "pilot-march-2015"]), which=st.integers(min_value=0))
def test_tabs_in_indentation_are_refused_on_their_line(name: str, which: int) -> None:
    """Tests that a tab indenting a block line exits 2 naming the line and saying YAML wants spaces."""
    text = SAMPLES[name]
    lines = list(BLOCK_LINE.finditer(text))
    m = lines[which % len(lines)]
    file, result = run(text[: m.start()] + "\t" + text[m.end(1) :])
    assert_refused(file, result, line=line_of(text, m.start()))
    assert "never tabs" in result.output


@fuzz(40)
@seed(65)
@given(name=st.sampled_from(["tiny", "pilot-march-2015"]), which=st.integers(min_value=0))
def test_a_key_written_twice_is_refused_on_its_line(name: str, which: int) -> None:
    """Tests that a key repeated in one mapping exits 2 naming the second line."""
    text = SAMPLES[name]
    lines = list(SCALAR_LINE.finditer(text))
    m = lines[which % len(lines)]
    file, result = run(text[: m.end()] + "\n" + m.group(0) + text[m.end() :])
    assert_refused(file, result, line=line_of(text, m.start()) + 1)
    assert "appears twice" in result.output


@pytest.mark.parametrize(
    ("section", "exit_code"), [("topics", 2), ("courses", 2), ("sites", 2), ("trainers", 3), ("cohorts", 0)]
)
def test_empty_sections(tmp_path: Path, section: str, exit_code: int) -> None:
    """Tests that an emptied section is refused where others refer to it, and otherwise planned as is.

    No trainers is a valid file with no possible plan (exit 3, each cohort's
    reason named); no cohorts is a valid file with nothing to plan (exit 0).
    """
    data = copy.deepcopy(DATA["tiny"])
    data[section] = {} if isinstance(data[section], dict) else []
    path = tmp_path / "empty.yaml"
    path.write_text(dump(data), encoding="utf-8")
    args = ["-o", str(tmp_path / "out"), "-q", "--workers", "1", "--seed", "1", "--solver", "greedy"]
    result = CliRunner().invoke(cli, ["solve", str(path), *args])
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None
    if exit_code == 2:
        assert_refused(str(path), result)
        assert not (tmp_path / "out").exists()
    if exit_code == 3:
        assert all(c["id"] in result.output for c in data["cohorts"])


# ----- what a hostile file does to memory and time -------------------------------------------------


def peak_mib(text: str | bytes, suffix: str = ".yaml") -> tuple[str, Result, float]:
    """Run validate under tracemalloc; the file, the result and the peak of traced memory in MiB."""
    tracemalloc.start()
    try:
        file, result = run(text, suffix=suffix)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return file, result, peak


def alias_bomb(width: int, depth: int) -> str:
    """A billion-laughs document: each level repeats the previous ``width`` times."""
    rows = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    rows += [f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * width) + "]" for k in range(1, depth + 1)]
    return "\n".join(rows) + "\n"


@fuzz(12)
@seed(66)
@given(width=st.integers(min_value=2, max_value=12), extra=st.integers(min_value=0, max_value=6))
@example(width=9, extra=3)  # 9**9 values: took 51 s and walked every one before the limit
def test_alias_bombs_are_refused_before_expansion(width: int, extra: int) -> None:
    """Tests that a billion-laughs file exits 2 with 'refused' and never builds its expansion."""
    depth = next(d for d in range(1, 64) if width**d > MAX_VALUES) + extra
    text = SAMPLES["tiny"] + alias_bomb(width, depth)
    file, result, peak = peak_mib(text)
    assert_refused(file, result)
    assert "refused" in result.output and "aliases" in result.output
    assert peak < 64, f"{peak:.0f} MiB traced"


def test_an_anchor_that_contains_its_own_alias_is_refused() -> None:
    """Tests that a self-referencing anchor (a cycle) exits 2 instead of recursing."""
    file, result = run(SAMPLES["tiny"].replace("topics:\n", "loop: &loop [*loop]\ntopics:\n"))
    assert_refused(file, result)
    assert "contains it" in result.output


@fuzz(15)
@seed(67)
@given(
    depth=st.integers(min_value=MAX_NESTING + 1, max_value=20_000),
    style=st.sampled_from(["flow-list", "flow-map", "block-map", "json"]),
)
@example(depth=5000, style="flow-list")  # was a RecursionError traceback in PyYAML's composer
@example(depth=3000, style="block-map")
@example(depth=5000, style="json")  # was a RecursionError traceback in json.loads
def test_deep_nesting_is_refused(depth: int, style: str) -> None:
    """Tests that lists or mappings nested beyond the limit exit 2, in YAML and JSON."""
    depth = min(depth, 2000) if style == "block-map" else depth
    if style == "flow-list":
        text, suffix = "name: " + "[" * depth + "]" * depth + "\n", ".yaml"
    elif style == "flow-map":
        text, suffix = "name: " + "{a: " * depth + "1" + "}" * depth + "\n", ".yaml"
    elif style == "block-map":
        text, suffix = "".join(" " * k + f"k{k}:\n" for k in range(depth)), ".yaml"
    else:
        text, suffix = '{"name": ' + "[" * depth + "]" * depth + "}", ".json"
    file, result = run(text, suffix=suffix)
    assert_refused(file, result)
    assert f"nested more than {MAX_NESTING} deep" in result.output


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_100_mb_file_is_refused_unread(tmp_path: Path, suffix: str) -> None:
    """Tests that a 100 MB instance exits 2 naming its size and the limit, without reading it."""
    path = tmp_path / f"huge{suffix}"
    with open(path, "wb") as fh:
        fh.write(SAMPLES["tiny"].encode())
        fh.truncate(100 * 2**20)  # sparse: no disk used, the size is what stat reports
    tracemalloc.start()
    try:
        result = CliRunner().invoke(cli, ["validate", str(path)])
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert_refused(str(path), result)
    assert f"over the {MAX_INSTANCE_BYTES} bytes" in result.output
    assert peak < 16, f"{peak:.0f} MiB traced"


def test_a_file_just_under_the_limit_is_read() -> None:
    """Tests that the size limit is generous: a sample padded to 95 % of it still validates."""
    text = json.dumps(DATA["tiny"], default=str)
    _file, result = run(text[:-1] + " " * int(0.95 * MAX_INSTANCE_BYTES) + "}", suffix=".json")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_an_integer_too_long_to_read_is_refused_with_its_place(suffix: str) -> None:
    """Tests that a 5000-digit number (Python reads at most 4300) exits 2 naming its key, not a ValueError."""
    data = copy.deepcopy(DATA["tiny"])
    data["trainers"][0]["day_rate"] = 0
    text = json.dumps(data, default=str) if suffix == ".json" else dump(data)
    text = text.replace('"day_rate": 0', '"day_rate": ' + "9" * 5000).replace(
        "day_rate: 0", "day_rate: " + "9" * 5000
    )
    file, result = run(text, suffix=suffix)
    assert_refused(file, result, place="trainers[0].day_rate")
    assert len(result.output) < 2000  # the value is shortened, not echoed whole
