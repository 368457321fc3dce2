"""Layer 1: the instance schema, valid and invalid inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rollout.errors import InputError
from rollout.io import load_instance
from tests.conftest import INSTANCES

BASE = yaml.safe_load((INSTANCES / "tiny.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems(tmp_path: Path, mutate) -> list[str]:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(yaml.safe_dump(BASE))
    mutate(data)
    with pytest.raises(InputError) as info:
        load_instance(_write(tmp_path, data))
    return info.value.lines()


@pytest.mark.parametrize("name", ["tiny", "pilot-march-2015", "national-s2-2015"])
def test_samples_are_valid(name: str) -> None:
    """Tests that every sample instance loads without problems."""
    inst = load_instance(INSTANCES / f"{name}.yaml")
    assert inst.cohort_list


def test_count_expands_ids(tiny) -> None:  # type: ignore[no-untyped-def]
    """Tests that a cohort with count: N becomes <id>-1 … <id>-N."""
    spec = next(c for c in tiny.cohorts if c.count)
    ids = [c.id for c in tiny.cohort_list if c.spec_index == tiny.cohorts.index(spec)]
    assert ids == [f"{spec.id}-{k}" for k in range(1, spec.count + 1)]


def test_defaults_follow_the_spec(tiny) -> None:  # type: ignore[no-untyped-def]
    """Tests that omitted settings and weights take the spec's defaults."""
    w = tiny.weights
    assert (w.unscheduled, w.cost, w.trainer_changes, w.school_holiday_days, w.delay_days) == (
        100000,
        1,
        300,
        100,
        5,
    )
    assert tiny.settings.course_gap.min_days == 1 and tiny.settings.course_gap.max_days == 90


def test_unknown_topic_names_path_and_suggests(tmp_path: Path) -> None:
    """Tests that a misspelt skill is reported with its path and a did-you-mean."""

    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["trainers"][0]["skills"][0] = "cepp"

    lines = _problems(tmp_path, mutate)
    assert any(
        "trainers[0].skills[0]" in ln and "unknown topic 'cepp'" in ln and "did you mean 'cep'" in ln
        for ln in lines
    ), lines


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Tests that several problems in one file are all reported, each with a line number."""

    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["trainers"][0]["home"] = "nowhere"
        d["cohorts"][0]["site"] = "nowhere"
        d["courses"].append(dict(d["courses"][0]))

    lines = _problems(tmp_path, mutate)
    assert len(lines) >= 3
    assert all(ln.startswith(str(tmp_path / "bad.yaml") + ":") for ln in lines)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["horizon"].update(end="2000-01-01"), "horizon ends"),
        (lambda d: d["trainers"][0].update(day_rate=-5), "trainers[0].day_rate"),
        (lambda d: d["cohorts"][0].update(learners=0), "cohorts[0].learners"),
        (
            lambda d: d["cohorts"][0].update(start={"from": "2030-01-01", "to": "2030-02-01"}),
            "not inside the horizon",
        ),
        (lambda d: d["sites"][0]["rooms"].append(dict(d["sites"][0]["rooms"][0])), "duplicate room id"),
        (lambda d: d["sites"][0].update(holidays="99"), "unknown holidays subdivision"),
        (lambda d: d["sites"][0].update(colour="red"), "unknown key 'colour'"),
        (lambda d: d["sites"][0].update(closed=[{"from": "2015-11-10", "to": "2015-11-01"}]), "swap them"),
        (
            lambda d: d.update(
                pinned=[{"cohort": "ghost", "course": "module-cep", "day": 1, "date": "2015-11-02"}]
            ),
            "unknown cohort 'ghost'",
        ),
        (lambda d: d["cohorts"][0].pop("site"), "missing required key 'site'"),
    ],
)
def test_bad_input_is_named(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Tests that each kind of bad input gets a message naming it."""
    lines = _problems(tmp_path, mutate)
    assert any(expected in ln for ln in lines), lines


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    """Tests that broken YAML is reported with its line, not a traceback."""
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nhorizon: {start: 2015-01-01\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_instance(path)
    assert "not valid YAML" in info.value.lines()[0]


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    """Tests that a key written twice in a mapping is an error rather than silently dropped."""
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nname: b\n", encoding="utf-8")
    with pytest.raises(InputError, match="appears twice"):
        load_instance(path)
