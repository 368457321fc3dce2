"""Tests of the K× instance generator: sizes, geography, capacity, determinism and one solve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rollout.checker import check
from rollout.generate import OFFSET_KM, default_base, generate, replica_id
from rollout.instance import Instance, haversine_km
from rollout.io import dump_instance, load_instance, parse_instance, read_solution, write_solution
from rollout.solve import SolveParams, solve
from rollout.summary import instance_summary
from tests.conftest import INSTANCES


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _sizes(inst: Instance) -> tuple[int, int, int, int, int]:
    """Sites, rooms, trainers, cohorts after count, teaching days demanded."""
    days = sum(len(inst.course_by_id[c].days) for cohort in inst.cohort_list for c in cohort.courses)
    rooms = sum(len(s.rooms) for s in inst.sites)
    return len(inst.sites), rooms, len(inst.trainers), len(inst.cohort_list), days


def _ratios(inst: Instance) -> dict[str, float]:
    """Trainer-days available per teaching day demanded, per topic with demand."""
    _, per_topic = instance_summary(inst)
    return {topic: available / demand for topic, demand, available in per_topic if demand}


@pytest.fixture(scope="module")
def national() -> Instance:
    return load_instance(default_base())


@pytest.fixture(scope="module")
def national_x3(national: Instance) -> Instance:
    return parse_instance(generate(national, 3, 11))


def test_default_base_is_the_national_sample() -> None:
    """Tests that the default base is the repository's national sample."""
    assert default_base() == INSTANCES / "national-s2-2015.yaml"
    assert default_base().is_file()


def test_k1_is_the_base(national: Instance) -> None:
    """Tests that K = 1 is the base with its ids and counts, under the new name."""
    inst = parse_instance(generate(national, 1, 5))
    assert inst.name == "national-s2-2015-x1-s5"
    assert _sizes(inst) == _sizes(national)
    assert dump_instance(inst) | {"name": ""} == dump_instance(national) | {"name": ""}


def test_k3_triples_every_count(national: Instance, national_x3: Instance) -> None:
    """Tests that K = 3 has 3× sites, rooms, trainers, cohorts and teaching days."""
    assert _sizes(national_x3) == tuple(3 * n for n in _sizes(national))
    assert len(national_x3.travel) == 3 * len(national.travel)
    assert national_x3.pinned == national.pinned


def test_replicas_keep_calendars_and_stay_home(national: Instance, national_x3: Instance) -> None:
    """Tests that replica sites keep region and calendars, rooms only grow, trainers stay in their replica."""
    for k in (2, 3):
        for site in national.sites:
            copy = national_x3.site_by_id[replica_id(site.id, k)]
            assert (copy.region, copy.holidays, copy.school_zone, copy.closed) == (
                site.region,
                site.holidays,
                site.school_zone,
                site.closed,
            )
            for room in site.rooms:
                assert national_x3.room_by_id[replica_id(room.id, k)].capacity >= room.capacity
        for t in national.trainers:
            copy_t = national_x3.trainer_by_id[replica_id(t.id, k)]
            assert copy_t.home == replica_id(t.home, k) and copy_t.skills == t.skills
            assert copy_t.sites == (None if t.sites is None else [replica_id(s, k) for s in t.sites])
            assert abs(copy_t.day_rate - t.day_rate) <= round(0.05 * t.day_rate)


def test_yaml_round_trip(national: Instance, national_x3: Instance, tmp_path: Path) -> None:
    """Tests that the dumped YAML has no anchors and loads back to the same instance."""
    data = dump_instance(national_x3)
    text = _yaml(generate(national, 3, 11))
    assert "&id" not in text
    path = tmp_path / "x3.yaml"
    path.write_text(text, encoding="utf-8")
    assert dump_instance(load_instance(path)) == data


def test_seed_decides_the_output(national: Instance) -> None:
    """Tests that the same seed gives an identical dump and another seed other coordinates."""
    assert _yaml(generate(national, 2, 3)) == _yaml(generate(national, 2, 3))
    a, b = generate(national, 2, 3)["sites"], generate(national, 2, 4)["sites"]
    n = len(national.sites)
    assert [(s["lat"], s["lon"]) for s in a[:n]] == [(s["lat"], s["lon"]) for s in b[:n]]
    assert all((s["lat"], s["lon"]) != (t["lat"], t["lon"]) for s, t in zip(a[n:], b[n:], strict=True))


def test_sites_lie_20_to_80_km_from_their_base(national: Instance, national_x3: Instance) -> None:
    """Tests that every generated site is 20–80 km (haversine, rounded) from its base site."""
    assert 20 <= OFFSET_KM[0] < OFFSET_KM[1] <= 80
    for k in (2, 3):
        for site in national.sites:
            copy = national_x3.site_by_id[replica_id(site.id, k)]
            assert 20 <= haversine_km(site.lat, site.lon, copy.lat, copy.lon) <= 80, copy.id
            assert copy.lat == round(copy.lat, 4) and copy.lon == round(copy.lon, 4)


def test_capacity_keeps_pace_with_demand(national: Instance, national_x3: Instance) -> None:
    """Tests that trainer-days per demanded day, per skill, stay at least 0.9 × the base's."""
    base, big = _ratios(national), _ratios(national_x3)
    assert base.keys() == big.keys()
    for topic, ratio in base.items():
        assert big[topic] >= 0.9 * ratio, topic


def test_scale_below_one_is_refused(national: Instance) -> None:
    """Tests that K = 0 raises a ValueError naming the scale."""
    with pytest.raises(ValueError, match="scale"):
        generate(national, 0, 1)


@settings(max_examples=10, deadline=None)
@given(scale=st.integers(min_value=1, max_value=3), seed=st.integers(min_value=-(2**31), max_value=2**31))
def test_generated_instances_are_valid_and_reproducible(scale: int, seed: int) -> None:
    """Tests that any small K and seed give a valid instance K× the base, the same one twice."""
    base = load_instance(INSTANCES / "tiny.yaml")
    data = generate(base, scale, seed)
    assert _yaml(data) == _yaml(generate(base, scale, seed))
    inst = parse_instance(yaml.safe_load(_yaml(data)))
    assert _sizes(inst) == tuple(scale * n for n in _sizes(base))
    assert inst.name == f"tiny-x{scale}-s{seed}"
    assert inst.pinned == base.pinned


def test_tiny_x2_solves_and_passes_the_checker(tmp_path: Path) -> None:
    """Tests that tiny × 2 solves to a plan that passes the checker after writing it to disk."""
    inst = parse_instance(generate(load_instance(INSTANCES / "tiny.yaml"), 2, 1))
    result = solve(inst, SolveParams(time_limit=20, workers=1, seed=1))
    assert result.status.has_plan
    write_solution(result, inst, tmp_path / "sol")
    report = check(inst, read_solution(tmp_path / "sol"))
    assert not report.violations, report.violations
    assert report.ok, report
    assert report.terms == result.terms
