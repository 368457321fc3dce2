"""The JSON Schema of the instance format, from the pydantic models.

``docs/instance.schema.json`` is this schema, committed; the sample
instances point editors at it with a ``# yaml-language-server: $schema=…``
line, so keys, types and ids are checked while typing. A test keeps the
committed file equal to :func:`schema_text`.
"""

from __future__ import annotations

import json
from typing import Any

from rollout.instance import Instance

#: The JSON Schema dialect of the generated schema.
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_TITLE = "rollout instance"
_DESCRIPTION = (
    "A planning instance of rollout (docs/planning-rules.md section 2): horizon, settings, weights, "
    "topics, courses, sites and rooms, trainers, travel, school holidays, cohorts and pinned days. "
    "Dates are YYYY-MM-DD; a date set is a list of dates and ranges {from: D, to: D}."
)


def _close_maps(node: Any) -> None:
    """Forbid keys outside ``patternProperties`` (``topics`` ids), as the model does."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_maps(value)


def instance_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an instance file, keys as written in YAML.

    Returns
    -------
    dict
        The schema: ``$schema``, ``title``, ``description``, ``$defs`` for the
        nested models and ``properties`` for the top-level keys. There is no
        ``$id``: editors resolve the schema by the path they were given.
    """
    schema = Instance.model_json_schema(by_alias=True, mode="validation")
    _close_maps(schema)
    schema["title"] = _TITLE
    schema["description"] = _DESCRIPTION
    return {"$schema": DIALECT, **schema}


def schema_text() -> str:
    """The schema as committed in ``docs/instance.schema.json``: sorted keys, indent 2, final newline."""
    return json.dumps(instance_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
