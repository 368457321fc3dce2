"""Scenario files: a base instance and its variants, each a list of changes.

A scenario file (YAML or JSON) names a base instance, relative to the
scenario file, and the variants to compare with it::

    base: ../pilot-march-2015.yaml
    variants:
      - name: two-fewer-national
        changes:                      # the change-file vocabulary (rollout.changes)
          - trainer_removed: {trainer: nat-01}
          - trainer_removed: {trainer: nat-02}
    families:                         # variants generated from a rule
      - learners: {factors: [1.2], sites: [idf, bre]}     # learners-x1.2
      - trainers_removed: {match: "nat-*"}                # without-nat-01, …
      - later_start: {days: [14, 28]}                     # later-14d, later-28d
      - weights: {grid: {cost: [1, 3], delay_days: [5, 50]}}   # weights-cost1-delay_days5, …

Every variant's changes are applied to the base and the result validated as
an instance is; an invalid edit is reported at its place in the scenario
file (``variants[2].changes[0].trainer_removed``, ``families[1].later_start``).
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rollout.changes import Change, apply_changes, parse_changes
from rollout.errors import InputError, Problem, did_you_mean
from rollout.instance import Id, Instance, NonNegInt, Weights
from rollout.io.instance_file import load_document, load_instance, node_at, validation_problems

#: The name of the base instance's own row and folder; no variant may take it.
BASE = "base"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariantSpec(_Model):
    """A variant written out: a name (its folder) and its changes."""

    name: Id
    description: str | None = None
    changes: Annotated[list[Any], Field(min_length=1)]


class LearnersFamily(_Model):
    """Learners × factor, one variant per factor, at every site or at the given sites (rounded up)."""

    factors: Annotated[list[Annotated[float, Field(gt=0, allow_inf_nan=False)]], Field(min_length=1)]
    sites: list[Id] | None = None


class TrainersRemovedFamily(_Model):
    """Each matching trainer removed in turn: one variant per trainer."""

    match: str = "*"
    home: Id | None = None
    skill: Id | None = None


class LaterStartFamily(_Model):
    """Every cohort window (and the horizon's end) shifted N days later, one variant per N."""

    days: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1)]


class WeightsFamily(_Model):
    """A grid of weights: one variant per combination of the listed values."""

    grid: Annotated[dict[str, Annotated[list[NonNegInt], Field(min_length=1)]], Field(min_length=1)]

    @field_validator("grid")
    @classmethod
    def _known(cls, grid: dict[str, list[int]]) -> dict[str, list[int]]:
        names = list(Weights.model_fields)
        for key in grid:
            if key not in names:
                raise ValueError(f"unknown weight '{key}'{did_you_mean(key, names)}: use {', '.join(names)}")
        return grid


class Family(_Model):
    """A generated family of variants: exactly one of its keys."""

    learners: LearnersFamily | None = None
    trainers_removed: TrainersRemovedFamily | None = None
    later_start: LaterStartFamily | None = None
    weights: WeightsFamily | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Family:
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"each family has exactly one kind, got {len(given)}: "
                f"one of {', '.join(type(self).model_fields)}"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)


class ScenarioFile(_Model):
    """A scenario file as written."""

    base: str
    variants: list[VariantSpec] = Field(default_factory=list)
    families: list[Family] = Field(default_factory=list)


@dataclass(frozen=True)
class Variant:
    """One variant to solve: its instance after its changes.

    Attributes
    ----------
    name
        Its name and folder (``base`` for the base instance).
    description
        What it changes, in one line.
    instance
        The instance to solve.
    changes
        The changes applied to the base.
    """

    name: str
    description: str
    instance: Instance
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Scenarios:
    """A scenario file read: its base and every variant, the base first."""

    file: str
    base: Instance
    variants: tuple[Variant, ...]


def _learners(base: Instance, f: LearnersFamily) -> list[tuple[str, str, list[dict[str, Any]]]]:
    if f.sites is not None:
        for site in f.sites:
            if site not in base.site_by_id:
                raise ValueError(f"unknown site '{site}'{did_you_mean(site, base.site_by_id)}")
    where = "every site" if f.sites is None else ", ".join(f.sites)
    out = []
    for factor in f.factors:
        changes = [
            {"learners_changed": {"cohort": spec.id, "learners": max(1, math.ceil(spec.learners * factor))}}
            for spec in base.cohorts
            if f.sites is None or spec.site in f.sites
        ]
        out.append((f"learners-x{factor:g}", f"learners × {factor:g} at {where}", changes))
    return out


def _trainers_removed(
    base: Instance, f: TrainersRemovedFamily
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    chosen = [
        t
        for t in base.trainers
        if fnmatch.fnmatchcase(t.id, f.match)
        and (f.home is None or t.home == f.home)
        and (f.skill is None or f.skill in t.skills)
    ]
    if not chosen:
        raise ValueError("no trainer matches: check match, home and skill")
    return [
        (
            f"without-{t.id}",
            f"trainer {t.id} ({t.name or t.home}) removed",
            [{"trainer_removed": {"trainer": t.id}}],
        )
        for t in chosen
    ]


def _later_start(base: Instance, f: LaterStartFamily) -> list[tuple[str, str, list[dict[str, Any]]]]:
    out = []
    h = base.horizon
    for days in f.days:
        shift = timedelta(days=days)
        changes: list[dict[str, Any]] = [{"horizon_changed": {"end": (h.end + shift).isoformat()}}]
        for spec in base.cohorts:
            first, last = (spec.start.from_, spec.start.to) if spec.start else (h.start, h.end)
            window: dict[str, Any] = {
                "cohort": spec.id,
                "start": {"from": (first + shift).isoformat(), "to": (last + shift).isoformat()},
            }
            if spec.end_by is not None:
                window["end_by"] = (spec.end_by + shift).isoformat()
            changes.append({"window_changed": window})
        out.append((f"later-{days}d", f"every window and the horizon's end {days} days later", changes))
    return out


def _weights(base: Instance, f: WeightsFamily) -> list[tuple[str, str, list[dict[str, Any]]]]:
    keys = list(f.grid)
    out = []
    for values in itertools.product(*(f.grid[k] for k in keys)):
        chosen = dict(zip(keys, values, strict=True))
        name = "weights-" + "-".join(f"{k}{v}" for k, v in chosen.items())
        text = "weights " + ", ".join(f"{k} {v}" for k, v in chosen.items())
        out.append((name, text, [{"weights": chosen}]))
    return out


Generated = list[tuple[str, str, list[dict[str, Any]]]]

#: Each family's generator: (name, description, change items) per variant.
FAMILIES: dict[str, Callable[[Instance, Any], Generated]] = {
    "learners": _learners,
    "trainers_removed": _trainers_removed,
    "later_start": _later_start,
    "weights": _weights,
}


def _line(node: Any, *loc: str | int) -> int | None:
    found = node_at(node, loc)
    return found.start_mark.line + 1 if found is not None else None


def read_scenarios(data: Any, file: str, node: Any = None) -> Scenarios:
    """Validate a parsed scenario file, load its base and build every variant.

    Raises
    ------
    InputError
        Naming the file, line and place of every problem (an unknown key, an
        edit of something the base does not have, a change that leaves an
        invalid instance, two variants of one name).
    """
    if not isinstance(data, dict):
        raise InputError(file, [Problem("", "a scenario file is a mapping: base, variants, families")])
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(file, validation_problems(exc, node)) from None
    base_path = Path(file).parent / spec.base
    if not base_path.is_file():
        raise InputError(
            file,
            [
                Problem(
                    "base",
                    f"no instance file at {base_path}: give its path relative to this file",
                    _line(node, "base"),
                )
            ],
        )
    base = load_instance(base_path)
    problems: list[Problem] = []
    variants = [Variant(BASE, f"the base instance {base.name}", base)]
    seen = {BASE: "the base"}

    def add(
        name: str, where: str, line: int | None, description: str, changes: list[Change]
    ) -> list[Problem]:
        """Build one variant; the problems of its changes, with paths inside its change list."""
        if name in seen:
            taken = f"variant name '{name}' is taken by {seen[name]}: give each variant its own name"
            problems.append(Problem(where, taken, line))
            return []
        seen[name] = where
        try:
            inst = apply_changes(base, changes, file)
        except InputError as exc:
            return exc.problems
        variants.append(Variant(name, description, inst, tuple(changes)))
        return []

    for i, v in enumerate(spec.variants):
        where = f"variants[{i}]"
        try:
            changes = parse_changes(v.changes, file, node_at(node, ("variants", i, "changes")))
        except InputError as exc:
            problems.extend(Problem(f"{where}.changes{p.path}", p.message, p.line) for p in exc.problems)
            continue
        description = v.description or "; ".join(c.describe() for c in changes)
        line = _line(node, "variants", i, "name")
        for p in add(v.name, f"{where}.name", line, description, changes):
            problems.append(Problem(f"{where}.changes{p.path}", p.message, p.line))
    for i, fam in enumerate(spec.families):
        where, line = f"families[{i}].{fam.kind}", _line(node, "families", i)
        try:
            generated = FAMILIES[fam.kind](base, getattr(fam, fam.kind))
        except ValueError as exc:
            problems.append(Problem(where, f"{exc}", line))
            continue
        for name, description, items in generated:
            for p in add(name, where, line, description, parse_changes(items, file)):
                problems.append(Problem(where, f"variant {name}: {p.message}", line))
    if problems:
        raise InputError(file, problems)
    return Scenarios(file, base, tuple(variants))


def load_scenarios(path: str | os.PathLike[str]) -> Scenarios:
    """Read a scenario file (YAML, or JSON by its suffix) and build every variant."""
    data, node = load_document(path)
    return read_scenarios(data, str(path), node)
