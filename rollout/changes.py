"""Change files: what happened since a plan was made, as edits of its instance.

A change file (YAML or JSON) is a list; each item is a mapping with one key,
the kind of change, e.g.::

    - trainer_unavailable: {trainer: t03, dates: [{from: 2015-11-02, to: 2015-11-27}]}
    - room_closed: {room: idf-2, dates: [2015-10-12]}
    - cohort_cancelled: {cohort: bre-cert-1}
    - cohort_added: {id: bre-extra, site: bre, learners: 12, courses: [module-cep]}
    - learners_changed: {cohort: idf-module-1, learners: 22}
    - trainer_added: {id: t99, home: idf, skills: [context, cep], day_rate: 500}

``rollout replan`` reads them; what-if scenarios use the same vocabulary,
with a few more kinds (remove a trainer or a room, add a room, change a
cohort's window or the horizon, a trainer's limits, weights or settings). Each change is
applied to the instance's data and the result validated as an instance is,
so an invalid edit gets the same clear error, named by its place in the
change file.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from rollout.errors import InputError, Problem, did_you_mean
from rollout.instance import CohortSpec, DateRange, DateSet, Id, Instance, NonNegInt, Trainer

Data = dict[str, Any]


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TrainerUnavailable(_Edit):
    """The trainer cannot teach on these dates (added to ``unavailable``, R9)."""

    trainer: Id
    dates: Annotated[DateSet, Field(min_length=1)]


class RoomClosed(_Edit):
    """The room is closed on these dates (added to the room's ``closed``, R7)."""

    room: Id
    dates: Annotated[DateSet, Field(min_length=1)]


class CohortCancelled(_Edit):
    """The cohort is no longer planned."""

    cohort: Id


class LearnersChanged(_Edit):
    """The cohort now has this many learners (its room must hold them, R7)."""

    cohort: Id
    learners: Annotated[int, Field(ge=1)]


class TrainerRemoved(_Edit):
    """The trainer leaves the rollout."""

    trainer: Id


class RoomAdded(_Edit):
    """A new room at a site."""

    site: Id
    id: Id
    capacity: NonNegInt
    closed: DateSet = Field(default_factory=list)


class RoomRemoved(_Edit):
    """The room is no longer available at all."""

    room: Id


class WindowChanged(_Edit):
    """A cohort's window (R5): a new ``start`` range and/or ``end_by`` (null removes it)."""

    cohort: Id
    start: DateRange | None = None
    end_by: date | None = None


class HorizonChanged(_Edit):
    """A new planning period: ``start`` and/or ``end`` (keys left out keep their value)."""

    start: date | None = None
    end: date | None = None


class TrainerChanged(_Edit):
    """New limits or terms for a trainer; keys left out keep their value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    trainer: Id
    home: Id | None = None
    skills: list[Id] | None = None
    day_rate: NonNegInt | None = None
    max_days: NonNegInt | None = None
    max_days_per_week: NonNegInt | None = None
    sites: list[Id] | None = None


class Change(_Edit):
    """One item of a change file: exactly one of its keys."""

    trainer_unavailable: TrainerUnavailable | None = None
    room_closed: RoomClosed | None = None
    cohort_cancelled: CohortCancelled | None = None
    cohort_added: CohortSpec | None = None
    learners_changed: LearnersChanged | None = None
    trainer_added: Trainer | None = None
    trainer_removed: TrainerRemoved | None = None
    room_added: RoomAdded | None = None
    room_removed: RoomRemoved | None = None
    window_changed: WindowChanged | None = None
    trainer_changed: TrainerChanged | None = None
    horizon_changed: HorizonChanged | None = None
    weights: dict[str, NonNegInt] | None = None
    settings: dict[str, Any] | None = None
    _line: int | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_kind(self) -> Change:
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            kinds = ", ".join(KINDS)
            raise ValueError(
                f"each change has exactly one kind, got {len(given)} ({', '.join(given) or 'none'}): "
                f"one of {kinds}"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)

    @property
    def edit(self) -> Any:
        return getattr(self, self.kind)

    def describe(self) -> str:
        """The change in one line of planner language."""
        e = self.edit
        match self.kind:
            case "trainer_unavailable":
                return f"trainer {e.trainer} unavailable {_dates(e.dates)}"
            case "room_closed":
                return f"room {e.room} closed {_dates(e.dates)}"
            case "cohort_cancelled":
                return f"cohort {e.cohort} cancelled"
            case "cohort_added":
                return f"cohort {e.id} added at {e.site} ({e.learners} learners, {', '.join(e.courses)})"
            case "learners_changed":
                return f"cohort {e.cohort} now has {e.learners} learners"
            case "trainer_added":
                return f"trainer {e.id} added (home {e.home}, skills {', '.join(e.skills)})"
            case "trainer_removed":
                return f"trainer {e.trainer} removed"
            case "room_added":
                return f"room {e.id} ({e.capacity} seats) added at {e.site}"
            case "room_removed":
                return f"room {e.room} removed"
            case "window_changed":
                return f"window of cohort {e.cohort} changed"
            case "trainer_changed":
                fields = e.model_dump(exclude_none=True, exclude={"trainer"})
                return f"trainer {e.trainer}: " + ", ".join(f"{k} {v}" for k, v in fields.items())
            case "horizon_changed":
                fields = e.model_dump(mode="json", exclude_none=True)
                return "horizon " + ", ".join(f"{k} {v}" for k, v in fields.items())
            case _:
                return f"{self.kind}: " + ", ".join(f"{k} {v}" for k, v in e.items())


#: The kinds of change, in the order the file format documents them.
KINDS = tuple(Change.model_fields)


def _dates(items: DateSet) -> str:
    parts = []
    for item in items:
        if isinstance(item, DateRange):
            parts.append(f"{item.from_.isoformat()}..{item.to.isoformat()}")
        else:
            parts.append(item.isoformat())
    return ", ".join(parts)


def parse_changes(data: Any, file: str = "<changes>", node: Any = None) -> list[Change]:
    """Validate parsed data into changes, or raise :class:`InputError` naming each bad item."""
    from rollout.io.instance_file import validation_problems

    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(
            file, [Problem("", "a change file is a list of changes, e.g. '- cohort_cancelled: …'")]
        )
    changes: list[Change] = []
    problems: list[Problem] = []
    for i, item in enumerate(data):
        try:
            change = Change.model_validate(item)
            change._line = _line(node, i)
            changes.append(change)
        except ValidationError as exc:
            for p in validation_problems(exc, None):
                path = f"[{i}].{p.path}" if p.path and p.path != "(top level)" else f"[{i}]"
                problems.append(Problem(path, p.message, _line(node, i)))
    if problems:
        raise InputError(file, problems)
    return changes


def _line(node: Any, i: int) -> int | None:
    try:
        return int(node.value[i].start_mark.line) + 1
    except (AttributeError, IndexError, TypeError):
        return None


def load_changes(path: str | os.PathLike[str]) -> list[Change]:
    """Read and validate a change file (YAML, or JSON by its suffix)."""
    from rollout.io.instance_file import load_document

    data, node = load_document(path)
    return parse_changes(data, str(path), node)


class _Unknown(Exception):
    """An edit names something the instance does not have."""


def _find(items: list[Data], key: str, value: str, kind: str) -> Data:
    for item in items:
        if item.get(key) == value:
            return item
    raise _Unknown(f"unknown {kind} '{value}'{did_you_mean(value, [str(x.get(key)) for x in items])}")


def _rooms(data: Data) -> list[Data]:
    return [room for site in data["sites"] for room in site["rooms"]]


def _cohort_spec(data: Data, cohort: str) -> Data:
    """The spec of one cohort; a ``count`` spec is first split into one spec per cohort.

    A ``count`` spec's own id names the spec whole: the edit applies to all its cohorts.
    """
    for i, spec in enumerate(data["cohorts"]):
        if spec["id"] == cohort:
            return spec  # type: ignore[no-any-return]
        count = spec.get("count")
        if count is not None and cohort in {f"{spec['id']}-{k}" for k in range(1, count + 1)}:
            split = []
            for k in range(1, count + 1):
                one = copy.deepcopy(spec)
                one["id"], one["count"] = f"{spec['id']}-{k}", None
                split.append(one)
            data["cohorts"][i : i + 1] = split
            return next(s for s in split if s["id"] == cohort)
    ids = [
        f"{s['id']}-{k}" if s.get("count") else s["id"]
        for s in data["cohorts"]
        for k in range(1, (s.get("count") or 1) + 1)
    ]
    raise _Unknown(f"unknown cohort '{cohort}'{did_you_mean(cohort, ids)}")


def _dump(items: Sequence[Any]) -> list[Any]:
    return [i.model_dump(mode="json", by_alias=True) if isinstance(i, BaseModel) else i for i in items]


def _apply_one(data: Data, change: Change) -> None:
    e = change.edit
    match change.kind:
        case "trainer_unavailable":
            _find(data["trainers"], "id", e.trainer, "trainer")["unavailable"] += _dump(e.dates)
        case "room_closed":
            _find(_rooms(data), "id", e.room, "room")["closed"] += _dump(e.dates)
        case "cohort_cancelled":
            spec = _cohort_spec(data, e.cohort)
            data["cohorts"].remove(spec)
            count = spec.get("count")
            gone = {e.cohort} if count is None else {f"{e.cohort}-{k}" for k in range(1, count + 1)}
            data["pinned"] = [p for p in data["pinned"] if p["cohort"] not in gone]
        case "cohort_added":
            data["cohorts"].append(e.model_dump(mode="json", by_alias=True))
        case "learners_changed":
            _cohort_spec(data, e.cohort)["learners"] = e.learners
        case "trainer_added":
            data["trainers"].append(e.model_dump(mode="json", by_alias=True))
        case "trainer_removed":
            data["trainers"].remove(_find(data["trainers"], "id", e.trainer, "trainer"))
        case "room_added":
            room = e.model_dump(mode="json", by_alias=True, exclude={"site"})
            _find(data["sites"], "id", e.site, "site")["rooms"].append(room)
        case "room_removed":
            _find(_rooms(data), "id", e.room, "room")
            for site in data["sites"]:
                site["rooms"] = [r for r in site["rooms"] if r["id"] != e.room]
        case "window_changed":
            spec = _cohort_spec(data, e.cohort)
            spec.update(e.model_dump(mode="json", by_alias=True, exclude={"cohort"}, exclude_unset=True))
        case "trainer_changed":
            trainer = _find(data["trainers"], "id", e.trainer, "trainer")
            trainer.update(e.model_dump(mode="json", exclude={"trainer"}, exclude_unset=True))
        case "horizon_changed":
            data["horizon"].update(e.model_dump(mode="json", exclude_unset=True))
        case "weights" | "settings":
            data[change.kind] = {**data[change.kind], **e}


def apply_changes(
    inst: Instance,
    changes: Sequence[Change],
    file: str = "<changes>",
) -> Instance:
    """The instance after ``changes``, each applied in order and the result validated.

    Raises
    ------
    InputError
        Naming the change (``[3].trainer_unavailable``) that refers to
        something unknown or leaves an invalid instance, and why.
    """
    from rollout.io.instance_file import dump_instance, parse_instance

    data = dump_instance(inst)
    current = inst
    for i, change in enumerate(changes):
        where = f"[{i}].{change.kind}"
        try:
            _apply_one(data, change)
        except _Unknown as exc:
            raise InputError(
                file, [Problem(where, f"{exc}: fix the change or the instance", change._line)]
            ) from None
        try:
            current = parse_instance(copy.deepcopy(data), "instance")
        except InputError as exc:
            raise InputError(
                file,
                [
                    Problem(
                        where, f"this change leaves the instance invalid: {p.render('')[2:]}", change._line
                    )
                    for p in exc.problems
                ],
            ) from None
    return current
