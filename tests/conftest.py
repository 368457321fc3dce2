"""Shared fixtures: sample instances and a quick solve with fixed workers and seed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from rollout import SolveParams, load_instance
from rollout.instance import Instance

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = ROOT / "instances"

#: Tests solve with one worker and a fixed seed, so they are reproducible.
PARAMS = SolveParams(time_limit=30, workers=1, seed=1)


@pytest.fixture(scope="session")
def tiny() -> Instance:
    return load_instance(INSTANCES / "tiny.yaml")


# HYPOTHESIS_PROFILE=long: the documented longer fuzz and property run (docs/reliability.md).
settings.register_profile("long", max_examples=2500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
