"""Tests of change files: every kind applies to the instance, every bad edit is named by its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.changes import KINDS, apply_changes, load_changes, parse_changes
from rollout.errors import InputError
from rollout.instance import expand_dates
from rollout.io import load_instance

TINY = Path(__file__).parent.parent / "instances" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_instance(TINY)


def _apply(inst, items):
    return apply_changes(inst, parse_changes(items, "changes.yaml"), "changes.yaml")


def test_every_kind_applies(tiny) -> None:
    """Tests that each kind of change edits what it names and leaves a valid instance."""
    room = tiny.sites[0].rooms[0].id
    site = tiny.sites[0].id
    items = [
        {"trainer_unavailable": {"trainer": "t01", "dates": [{"from": "2015-11-02", "to": "2015-11-06"}]}},
        {"room_closed": {"room": room, "dates": ["2015-10-12"]}},
        {"learners_changed": {"cohort": "idf-module-1", "learners": 7}},
        {"cohort_cancelled": {"cohort": "idf-module-2"}},
        {"cohort_added": {"id": "extra", "site": site, "learners": 5, "courses": ["module-cep"]}},
        {"trainer_added": {"id": "t99", "home": site, "skills": ["context"], "day_rate": 400}},
        {"trainer_changed": {"trainer": "t02", "max_days": 9}},
        {"room_added": {"site": site, "id": "new-room", "capacity": 40}},
        {"window_changed": {"cohort": "idf-path", "end_by": "2016-02-26"}},
        {"weights": {"delay_days": 9}},
        {"settings": {"partial": True}},
    ]
    new = _apply(tiny, items)
    t01 = new.trainer_by_id["t01"]
    assert len(expand_dates(t01.unavailable) - expand_dates(tiny.trainer_by_id["t01"].unavailable)) == 5
    assert any(d.isoformat() == "2015-10-12" for d in expand_dates(new.room_by_id[room].closed))
    cohorts = new.cohort_by_id
    assert cohorts["idf-module-1"].learners == 7
    assert "idf-module-2" not in cohorts and "extra" in cohorts
    assert new.trainer_by_id["t99"].day_rate == 400
    assert new.trainer_by_id["t02"].max_days == 9
    assert new.room_by_id["new-room"].capacity == 40
    assert str(cohorts["idf-path"].end_by) == "2016-02-26"
    assert new.weights.delay_days == 9 and new.settings.partial
    removed = _apply(new, [{"trainer_removed": {"trainer": "t99"}}, {"room_removed": {"room": "new-room"}}])
    assert "t99" not in removed.trainer_by_id and "new-room" not in removed.room_by_id


def test_a_count_spec_is_split_keeping_ids(tiny) -> None:
    """Tests that changing one cohort of a `count` spec keeps the other cohorts and their ids."""
    before = [c.id for c in tiny.cohort_list]
    new = _apply(tiny, [{"learners_changed": {"cohort": "idf-module-2", "learners": 3}}])
    assert [c.id for c in new.cohort_list] == before
    assert new.cohort_by_id["idf-module-2"].learners == 3
    assert new.cohort_by_id["idf-module-1"].learners == tiny.cohort_by_id["idf-module-1"].learners


def test_a_count_spec_id_edits_all_its_cohorts(tiny) -> None:
    """Tests that a `count` spec's own id edits or cancels every cohort of the spec, keeping it whole."""
    new = _apply(tiny, [{"learners_changed": {"cohort": "idf-module", "learners": 9}}])
    assert len(new.cohorts) == len(tiny.cohorts)
    assert {new.cohort_by_id[f"idf-module-{k}"].learners for k in (1, 2)} == {9}
    gone = _apply(tiny, [{"cohort_cancelled": {"cohort": "idf-module"}}])
    assert not {"idf-module-1", "idf-module-2"} & gone.cohort_by_id.keys()


def test_horizon_changed(tiny) -> None:
    """Tests that horizon_changed moves the horizon's end, and that a window outside it is named."""
    new = _apply(tiny, [{"horizon_changed": {"end": "2015-12-18"}}])
    assert str(new.horizon.end) == "2015-12-18" and new.horizon.start == tiny.horizon.start
    with pytest.raises(InputError, match=r"\[0\].horizon_changed: this change leaves the instance invalid"):
        _apply(tiny, [{"horizon_changed": {"end": "2015-10-20"}}])


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"trainer_unavailable": {"trainer": "t10", "dates": ["2015-11-02"]}}, "unknown trainer 't10'"),
        ({"cohort_cancelled": {"cohort": "idf-modul-1"}}, "did you mean 'idf-module-1'"),
        ({"trainer_added": {"id": "t99", "home": "idf", "skills": ["contxt"]}}, "unknown topic 'contxt'"),
        ({"trainer_added": {"id": "t01", "home": "idf", "skills": []}}, "duplicate"),
        ({"room_closed": {"room": "idf-1"}}, "missing required key 'dates'"),
        ({"learners_changed": {"cohort": "idf-path", "learners": 0}}, "greater than or equal to 1"),
        ({"cohort_cancelled": {"cohort": "idf-path"}, "trainer_removed": {"trainer": "t01"}}, "exactly one"),
        ({"delete_everything": {}}, "unknown key 'delete_everything'"),
    ],
)
def test_bad_changes_are_named(tiny, item, message) -> None:
    """Tests that a bad change is reported at its place in the change file, with what is wrong."""
    with pytest.raises(InputError) as caught:
        _apply(tiny, [{"weights": {"cost": 1}}, item])
    text = str(caught.value)
    assert text.startswith("changes.yaml") and "[1]" in text and message in text


def test_change_file_lines(tmp_path) -> None:
    """Tests that a change file is read with its line numbers, and that a non-list is refused."""
    path = tmp_path / "changes.yaml"
    path.write_text("- weights: {cost: 2}\n- trainer_removed: {trainer: nobody}\n", encoding="utf-8")
    changes = load_changes(path)
    assert [c.kind for c in changes] == ["weights", "trainer_removed"]
    with pytest.raises(InputError, match=r"changes.yaml:2: \[1\].trainer_removed: unknown trainer"):
        apply_changes(load_instance(TINY), changes, str(path))
    path.write_text("trainer_removed: {trainer: t01}\n", encoding="utf-8")
    with pytest.raises(InputError, match="a list of changes"):
        load_changes(path)


def test_describe_every_kind() -> None:
    """Tests that every kind of change is described in one line naming what it changes."""
    assert len(KINDS) == 14
    changes = parse_changes(
        [{"cohort_cancelled": {"cohort": "bre-cert-1"}}, {"room_removed": {"room": "r1"}}]
    )
    assert [c.describe() for c in changes] == ["cohort bre-cert-1 cancelled", "room r1 removed"]


def test_null_lifts_a_limit_and_removes_an_end_by(tiny) -> None:
    """Tests that `max_days: null` lifts a trainer's limit and `end_by: null` removes a window's end."""
    new = _apply(
        tiny,
        [
            {"trainer_changed": {"trainer": "t01", "max_days": None}},
            {"window_changed": {"cohort": "idf-module-1", "end_by": None}},
        ],
    )
    assert tiny.trainer_by_id["t01"].max_days is not None and new.trainer_by_id["t01"].max_days is None
    assert new.trainer_by_id["t01"].max_days_per_week == tiny.trainer_by_id["t01"].max_days_per_week
    assert (
        tiny.cohort_by_id["idf-module-1"].end_by is not None
        and new.cohort_by_id["idf-module-1"].end_by is None
    )
