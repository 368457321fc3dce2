"""Reliability (issue 6): a checker that misses nothing, proven by mutating valid plans.

Each mutant is one random change to a checked sample plan (``solutions/<name>/``).
What it must break is derived here from the mutation and the instance, not
from the checker: ``must`` are the rule ids the checker has to report, ``may``
the consequences we do not derive (a moved first day may also leave the
start window, R5). Swapping a trainer or a room is judged completely: the
mutant breaks exactly the derived rules, and when none, the plan is valid
and only the terms it changes (O2, O3 for a trainer) may disagree with
``solution.json``. ``python -m tests.test_mutations N`` prints the figures of
N mutants per sample (docs/reliability.md).
"""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from rollout import load_instance
from rollout.checker import check
from rollout.cli import cli
from rollout.instance import Instance, expand_dates
from rollout.io import read_solution
from rollout.rules import TERM_NAMES, Rule
from rollout.solution import TIMETABLE_COLUMNS, Result, Row, Status
from tests.conftest import INSTANCES

SAMPLES = ("tiny", "pilot-march-2015", "national-s2-2015")
R = Rule


@cache
def sample(name: str) -> tuple[Instance, Result]:
    """A sample instance and its checked plan, as ``rollout check`` reads them."""
    return load_instance(INSTANCES / f"{name}.yaml"), read_solution(INSTANCES.parent / "solutions" / name)


@dataclass(frozen=True)
class Mutant:
    """A mutated plan and what the checker must say about it."""

    kind: str
    result: Result
    must: frozenset[Rule]
    may: frozenset[Rule] = frozenset()
    #: Term names (and "objective", "status") whose mismatch with solution.json must be reported;
    #: None: not derived for this kind.
    mismatches: frozenset[str] | None = frozenset()


# ----- the independent oracle ----------------------------------------------------------------------


def block_of(rows: Iterable[Row], r: Row) -> list[Row]:
    return [x for x in rows if (x.cohort, x.course, x.block) == (r.cohort, r.course, r.block)]


def doubles(rows: list[Row], moved: Row) -> set[Rule]:
    """R13, R7 and R10 when another row shares the moved row's date with its cohort, room or trainer."""
    others = [x for x in rows if x is not moved and x.date == moved.date]
    found = set()
    for rule, field in ((R.R13, "cohort"), (R.R7, "room"), (R.R10, "trainer")):
        if any(getattr(x, field) == getattr(moved, field) for x in others):
            found.add(rule)
    return found


def trainer_rules(inst: Instance, rows: list[Row], tid: str) -> set[Rule]:
    """Every trainer rule (R8–R12) the rows of trainer ``tid`` break, straight from spec section 3."""
    t, mine = inst.trainer_by_id[tid], [r for r in rows if r.trainer == tid]
    off, broken = expand_dates(t.unavailable), set()
    if any(r.topic not in t.skills for r in mine):
        broken.add(R.R8)
    if any(r.date in off or (t.sites is not None and r.site not in t.sites) for r in mine):
        broken.add(R.R9)
    if len({r.date for r in mine}) < len(mine):
        broken.add(R.R10)
    limit = inst.settings.max_overnight_travel_hours
    for a in mine:
        for b in mine:
            next_day = b.date - a.date == timedelta(days=1)
            if next_day and a.site != b.site and inst.travel_hours(a.site, b.site) > limit:
                broken.add(R.R11)
    weeks = Counter(r.date.isocalendar()[:2] for r in mine)
    if (t.max_days is not None and len(mine) > t.max_days) or (
        t.max_days_per_week is not None and max(weeks.values(), default=0) > t.max_days_per_week
    ):
        broken.add(R.R12)
    return broken


def room_rules(inst: Instance, rows: list[Row], rid: str) -> set[Rule]:
    """Whether the rows in room ``rid`` break R7 (site, capacity, closure, one a date, one per block)."""
    room = inst.room_by_id[rid]
    mine = [r for r in rows if r.room == rid]
    bad = any(
        inst.room_site[rid] != r.site
        or room.capacity < inst.cohort_by_id[r.cohort].learners
        or r.date in expand_dates(room.closed)
        or any(x.room != rid for x in block_of(rows, r))
        for r in mine
    )
    return {R.R7} if bad or len({r.date for r in mine}) < len(mine) else set()


def o2_o3(inst: Instance, rows: list[Row]) -> tuple[int, int]:
    """O2 cost and O3 trainer_changes of spec section 4."""
    s, cost = inst.settings, sum(inst.trainer_by_id[r.trainer].day_rate for r in rows)
    groups: dict[tuple[str, str, str, int], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.trainer, r.cohort, r.course, r.block), []).append(r)
    for (tid, *_), group in groups.items():
        home = inst.trainer_by_id[tid].home
        if group[0].site != home:
            cost += round(2 * inst.km(home, group[0].site) * s.cost_per_km) + s.cost_per_night * len(group)
    courses: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        courses.setdefault((r.cohort, r.course), set()).add(r.trainer)
    return cost, sum(len(t) - 1 for t in courses.values())


# ----- the mutations -------------------------------------------------------------------------------

ALL_RULES = frozenset(r for r in Rule if r.name.startswith("R"))
SPANS = frozenset({R.R3, R.R4, R.R5})  # a first or last date moved: gaps and windows may follow


def with_rows(result: Result, rows: list[Row]) -> Result:
    return replace(result, rows=tuple(rows))


def move_day(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Move one day of a block of two days or more (a broken block): R2, and any double booking."""
    rows = list(res.rows)
    i = rnd.choice([k for k, r in enumerate(rows) if len(block_of(rows, r)) > 1])
    rows[i] = moved = replace(
        rows[i], date=rows[i].date + timedelta(days=rnd.choice([-14, -7, -3, -1, 1, 2, 7]))
    )
    must = {R.R2} | doubles(rows, moved)
    if moved.date.weekday() not in inst.settings.weekday_numbers:
        must.add(R.R1)
    return Mutant("move-day", with_rows(res, rows), frozenset(must), ALL_RULES - {R.R6, R.R8}, None)


def move_to_weekend(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Move a row to the next non-working weekday: R1, R2 when its block has other days."""
    rows = list(res.rows)
    i = rnd.randrange(len(rows))
    day = rows[i].date + timedelta(days=1)
    while day.weekday() in inst.settings.weekday_numbers:
        day += timedelta(days=1)
    rows[i] = moved = replace(rows[i], date=day)
    must = {R.R1} | doubles(rows, moved) | ({R.R2} if len(block_of(rows, moved)) > 1 else set())
    return Mutant("move-to-weekend", with_rows(res, rows), frozenset(must), ALL_RULES - {R.R6, R.R8}, None)


def swap_trainer(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Give one row, or a whole block, another trainer: exactly the derived R8–R12, terms O2/O3 derived."""
    rows = list(res.rows)
    r = rnd.choice(rows)
    tid = rnd.choice([t.id for t in inst.trainers if t.id != r.trainer])
    targets = block_of(rows, r) if rnd.random() < 0.5 else [r]
    rows = [replace(x, trainer=tid) if x in targets else x for x in rows]
    before, after = o2_o3(inst, list(res.rows)), o2_o3(inst, rows)
    terms = {name for name, b, a in zip(("cost", "trainer_changes"), before, after, strict=True) if a != b}
    w = inst.weights
    if w.cost * (after[0] - before[0]) + w.trainer_changes * (after[1] - before[1]):
        terms.add("objective")
    return Mutant(
        "swap-trainer",
        with_rows(res, rows),
        frozenset(trainer_rules(inst, rows, tid)),
        mismatches=frozenset(terms),
    )


def swap_room(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Put one row, or a whole block, in another room: exactly the derived R7; terms unchanged."""
    rows = list(res.rows)
    r = rnd.choice(rows)
    same_site = [x.id for x in inst.site_by_id[r.site].rooms if x.id != r.room]
    rid = rnd.choice(
        same_site if same_site and rnd.random() < 0.8 else [x for x in inst.room_by_id if x != r.room]
    )
    targets = block_of(rows, r) if rnd.random() < 0.7 else [r]
    rows = [replace(x, room=rid) if x in targets else x for x in rows]
    return Mutant("swap-room", with_rows(res, rows), frozenset(room_rules(inst, rows, rid)))


def delete_row(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Delete a row: a missing day, R6."""
    rows = list(res.rows)
    del rows[rnd.randrange(len(rows))]
    return Mutant("delete-row", with_rows(res, rows), frozenset({R.R6}), SPANS, None)


def duplicate_row(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Write a row twice: R6 (a day twice), R7 (room), R10 (trainer), R13 (cohort)."""
    rows = list(res.rows)
    rows.insert(rnd.randrange(len(rows)), rnd.choice(rows))
    return Mutant(
        "duplicate-row", with_rows(res, rows), frozenset({R.R6, R.R7, R.R10, R.R13}), frozenset({R.R12}), None
    )


def change_topic(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Teach another topic on a row: R2, and R8 when its trainer lacks that skill."""
    rows = list(res.rows)
    i = rnd.randrange(len(rows))
    topic = rnd.choice([t for t in inst.topics if t != rows[i].topic])
    rows[i] = replace(rows[i], topic=topic)
    must = {R.R2} | ({R.R8} if topic not in inst.trainer_by_id[rows[i].trainer].skills else set())
    return Mutant("change-topic", with_rows(res, rows), frozenset(must), mismatches=None)


def change_site(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Put a row at another site: R6 (not the cohort's site), R7 (its room is elsewhere)."""
    rows = list(res.rows)
    i = rnd.randrange(len(rows))
    rows[i] = replace(rows[i], site=rnd.choice([s for s in inst.site_by_id if s != rows[i].site]))
    return Mutant(
        "change-site", with_rows(res, rows), frozenset({R.R6, R.R7}), frozenset({R.R1, R.R9, R.R11}), None
    )


def change_cohort(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Give a row to another cohort: the first cohort misses a day, R6."""
    rows = list(res.rows)
    i = rnd.randrange(len(rows))
    rows[i] = replace(rows[i], cohort=rnd.choice([c for c in inst.cohort_by_id if c != rows[i].cohort]))
    may = frozenset({R.R2, R.R3, R.R4, R.R5, R.R7, R.R13})
    return Mutant("change-cohort", with_rows(res, rows), frozenset({R.R6}), may, None)


def change_day(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Renumber a row as another day of its block: one day missing, one twice, R6."""
    rows = list(res.rows)
    i = rnd.choice([k for k, r in enumerate(rows) if len(block_of(rows, r)) > 1])
    other = rnd.choice([x.day for x in block_of(rows, rows[i]) if x.day != rows[i].day])
    rows[i] = replace(rows[i], day=other)
    return Mutant("change-day", with_rows(res, rows), frozenset({R.R6}), frozenset({R.R2}), None)


def unknown_id(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Name an id the instance does not have: its rule (trainer R8, room R7, topic R2, else R6), and R6."""
    rows = list(res.rows)
    i = rnd.randrange(len(rows))
    field, rule = rnd.choice(
        [
            ("trainer", R.R8),
            ("room", R.R7),
            ("topic", R.R2),
            ("cohort", R.R6),
            ("site", R.R6),
            ("course", R.R6),
        ]
    )
    rows[i] = replace(rows[i], **{field: f"nobody-{rnd.randrange(99)}"})
    return Mutant("unknown-id", with_rows(res, rows), frozenset({rule, R.R6}), SPANS, None)


def change_term(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Change one term in solution.json: the mismatch names that term."""
    assert res.terms is not None
    name = rnd.choice(list(TERM_NAMES.values()))
    terms = replace(res.terms, **{name: getattr(res.terms, name) + rnd.choice([-1000, -1, 1, 7, 100000])})
    return Mutant("change-term", replace(res, terms=terms), frozenset(), mismatches=frozenset({name}))


def change_objective(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Change the objective in solution.json: the objective mismatch."""
    assert res.objective is not None
    objective = res.objective + rnd.choice([-5, -1, 1, 300])
    return Mutant(
        "change-objective",
        replace(res, objective=objective),
        frozenset(),
        mismatches=frozenset({"objective"}),
    )


def change_status(inst: Instance, res: Result, rnd: random.Random) -> Mutant:
    """Call a plan infeasible or unknown in solution.json: the status mismatch."""
    status = rnd.choice([Status.INFEASIBLE, Status.UNKNOWN])
    return Mutant("change-status", replace(res, status=status), frozenset(), mismatches=frozenset({"status"}))


MUTATIONS: tuple[Callable[[Instance, Result, random.Random], Mutant], ...] = (
    move_day,
    move_to_weekend,
    swap_trainer,
    swap_room,
    delete_row,
    duplicate_row,
    change_topic,
    change_site,
    change_cohort,
    change_day,
    unknown_id,
    change_term,
    change_objective,
    change_status,
)


# ----- the verdict ---------------------------------------------------------------------------------


def mismatch_names(lines: Iterable[str]) -> set[str]:
    """Which term (by name), objective or status each mismatch line is about."""
    out = set()
    for line in lines:
        head = line.split(":")[0].split()
        out.add(head[-1])
    return out


def verdict(name: str, mutant: Mutant) -> frozenset[Rule]:
    """Check the mutant and assert the derived rules; returns the rule ids reported."""
    inst, _ = sample(name)
    report = check(inst, mutant.result)
    found = frozenset(v.rule for v in report.violations)
    assert mutant.must <= found, (
        mutant.kind,
        sorted(mutant.must - found),
        [str(v) for v in report.violations],
    )
    assert found <= mutant.must | mutant.may, (
        mutant.kind,
        sorted(found - mutant.must - mutant.may),
        [str(v) for v in report.violations],
    )
    if mutant.mismatches is not None:
        assert mismatch_names(report.term_mismatches) == mutant.mismatches, (
            mutant.kind,
            report.term_mismatches,
        )
    if not mutant.must and mutant.mismatches == frozenset():
        assert report.ok, (mutant.kind, report.violations, report.term_mismatches)
    return found


def mutant_of(name: str, index: int, rnd: random.Random) -> Mutant:
    inst, res = sample(name)
    return MUTATIONS[index % len(MUTATIONS)](inst, res, rnd)


def scaled(n: int) -> int:
    """Examples for a test: ``n`` in CI, 25 × ``n`` under ``HYPOTHESIS_PROFILE=long``."""
    return n * max(1, settings.default.max_examples // 100)


@settings(max_examples=scaled(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@seed(6)
@given(
    name=st.sampled_from(SAMPLES[:2]),
    index=st.integers(min_value=0, max_value=len(MUTATIONS) - 1),
    rnd=st.randoms(use_true_random=False),
)
def test_every_mutation_is_reported_with_its_rule(name: str, index: int, rnd: random.Random) -> None:
    """Tests that each single mutation of tiny and pilot is reported with the derived rule ids, no more."""
    verdict(name, mutant_of(name, index, rnd))


@settings(max_examples=scaled(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@seed(7)
@given(index=st.integers(min_value=0, max_value=len(MUTATIONS) - 1), rnd=st.randoms(use_true_random=False))
def test_every_mutation_of_the_national_plan_is_reported(index: int, rnd: random.Random) -> None:
    """Tests that each single mutation of the national plan is reported with the derived rule ids."""
    verdict("national-s2-2015", mutant_of("national-s2-2015", index, rnd))


def write_mutant(folder: Path, name: str, result: Result) -> None:
    """The mutant as a solution folder on disk: the sample's files with its rows and solution.json fields."""
    shutil.copytree(INSTANCES.parent / "solutions" / name, folder)
    with open(folder / "timetable.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(TIMETABLE_COLUMNS)
        writer.writerows([getattr(r, c) for c in TIMETABLE_COLUMNS] for r in result.rows)
    doc = json.loads((folder / "solution.json").read_text(encoding="utf-8"))
    doc.update(
        status=result.status.value, objective=result.objective, terms=result.terms and result.terms.as_dict()
    )
    (folder / "solution.json").write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize("mutation", [m for m in MUTATIONS if m is not unknown_id], ids=lambda m: m.__name__)
def test_rollout_check_reports_each_kind_of_mutation(tmp_path: Path, mutation: Callable[..., Mutant]) -> None:
    """Tests that rollout check, reading the mutant from disk, exits 1 and prints the derived rule ids."""
    inst, res = sample("pilot-march-2015")
    mutant = mutation(inst, res, random.Random(6))
    write_mutant(tmp_path / "plan", "pilot-march-2015", mutant.result)
    result = CliRunner().invoke(
        cli, ["check", str(INSTANCES / "pilot-march-2015.yaml"), str(tmp_path / "plan")]
    )
    expect_ok = not mutant.must and mutant.mismatches == frozenset()
    assert result.exit_code == (0 if expect_ok else 1), result.output
    printed = {line.split()[0] for line in result.output.splitlines() if line[:1] in ("R", "O")}
    assert {r.value for r in mutant.must} <= printed, result.output


def test_rollout_check_refuses_an_unknown_id_as_input(tmp_path: Path) -> None:
    """Tests that rollout check exits 2 naming timetable.csv and the line of a row with an unknown id."""
    inst, res = sample("tiny")
    write_mutant(tmp_path / "plan", "tiny", unknown_id(inst, res, random.Random(6)).result)
    result = CliRunner().invoke(cli, ["check", str(INSTANCES / "tiny.yaml"), str(tmp_path / "plan")])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert re.search(r"timetable\.csv:\d+: \w+: unknown \w+ 'nobody-\d+'", result.output), result.output


def test_the_samples_are_valid_before_mutation() -> None:
    """Tests that every sample plan passes the checker, so each violation comes from its mutation."""
    for name in SAMPLES:
        inst, res = sample(name)
        assert check(inst, res).ok, name
        assert not inst.pinned  # R14 is exercised in test_checker.py; no mutation here can break a pin


def figures(per_sample: int, seed_value: int = 6) -> None:
    """Print mutations applied and caught, by kind and rule id, and the valid ones left unflagged."""
    applied: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    valid = flagged_valid = 0
    rnd = random.Random(seed_value)
    for name in SAMPLES:
        for k in range(per_sample):
            mutant = mutant_of(name, k, rnd)
            found = verdict(name, mutant)
            applied[mutant.kind] += 1
            rules.update(r.value for r in found)
            if not mutant.must and mutant.kind in ("swap-trainer", "swap-room"):
                valid += 1
                flagged_valid += bool(found)
    print(f"mutants: {sum(applied.values())} applied, all caught as derived: {dict(applied)}")
    print(f"rule ids reported: {dict(sorted(rules.items(), key=lambda kv: int(kv[0][1:])))}")
    print(f"valid mutants (trainer or room swaps breaking no rule): {valid}, flagged: {flagged_valid}")


if __name__ == "__main__":
    figures(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
