"""Files in and out: the only package that knows file formats.

Instances (YAML/JSON) are read by :mod:`rollout.io.instance_file`; solution
folders (CSV/JSON) are written and read by :mod:`rollout.io.solution_folder`.
"""

from rollout.io.atomic import write_text_atomic
from rollout.io.instance_file import (
    MAX_INSTANCE_BYTES,
    MAX_YAML_ALIASES,
    dump_instance,
    load_document,
    load_instance,
    parse_instance,
)
from rollout.io.solution_folder import (
    EXTRA_COLUMNS,
    ensure_replaceable,
    read_solution,
    read_timetable,
    safe_cell,
    solution_files,
    write_solution,
)

__all__ = [
    "EXTRA_COLUMNS",
    "MAX_INSTANCE_BYTES",
    "MAX_YAML_ALIASES",
    "dump_instance",
    "ensure_replaceable",
    "load_document",
    "load_instance",
    "parse_instance",
    "read_solution",
    "read_timetable",
    "safe_cell",
    "solution_files",
    "write_solution",
    "write_text_atomic",
]
