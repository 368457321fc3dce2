"""Instance files (YAML or JSON) in: every problem named with file, line and path."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from rollout import instance as instance_module
from rollout.errors import InputError, Loc, Problem, did_you_mean, format_loc
from rollout.instance import Instance

#: Largest instance file read, in bytes; larger files are refused, not parsed.
MAX_INSTANCE_BYTES = 20 * 1024 * 1024
#: Most YAML aliases accepted in one file (guards against alias bombs).
MAX_YAML_ALIASES = 1000
#: Deepest nesting of lists and mappings accepted (an instance needs 6).
MAX_NESTING = 64
#: Most values (scalars, lists, mappings) in one document, aliases expanded.
MAX_VALUES = 2_000_000


class _Refused(yaml.composer.ComposerError):
    """A document over one of the loading limits (aliases, nesting, values)."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases and nesting while composing, and reads a bad date as text.

    PyYAML's own composer calls :meth:`compose_node` once per node, so the
    limits hold before any Python object is built.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases_seen = 0
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_YAML_ALIASES:
                raise _Refused(
                    None,
                    None,
                    f"more than {MAX_YAML_ALIASES} aliases; write the values out instead of "
                    "referencing anchors",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise _Refused(
                    None, None, f"lists and mappings nested more than {MAX_NESTING} deep", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """A date-like scalar that is no real date (2015-02-30) stays text, for the schema to name."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        """An integer too long for Python to read (over 4300 digits) stays text, for the schema to name."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)


def _json_int(text: str) -> int | str:
    """A JSON integer; one too long for Python (over 4300 digits) stays text, for the schema to name."""
    try:
        return int(text)
    except ValueError:
        return text


def _expanded_size(root: yaml.Node) -> int:
    """Values in the document once every alias is expanded; raises on a self-referencing anchor."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _Refused(None, None, "an alias refers to the anchor that contains it", node.start_mark)
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = min(total, MAX_VALUES + 1)
        return sizes[key]

    return size(root)


def _json_shape_problem(data: Any) -> str | None:
    """Why parsed JSON is too deep or too large, or ``None``."""
    stack, values = [(data, 1)], 0
    while stack:
        value, depth = stack.pop()
        values += 1
        if depth > MAX_NESTING:
            return f"lists and mappings nested more than {MAX_NESTING} deep"
        if values > MAX_VALUES:
            return f"more than {MAX_VALUES} values"
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return None


def _check_duplicate_keys(
    node: yaml.Node, problems: list[Problem], seen_nodes: set[int] | None = None
) -> None:
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problems.append(
                        Problem(
                            "",
                            f"key '{key.value}' appears twice in one mapping (first on line "
                            f"{seen[key.value]}): keep one",
                            key.start_mark.line + 1,
                        )
                    )
                else:
                    seen[key.value] = key.start_mark.line + 1
            _check_duplicate_keys(value, problems, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, problems, seen_nodes)


def node_at(root: yaml.Node | None, loc: Loc) -> yaml.Node | None:
    """The deepest node along ``loc`` (for its line number)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if nxt is None:
                return node
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _parse(path: Path, text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML or JSON text; returns the data and the YAML node tree."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), [Problem("", f"not valid JSON: {exc.msg}", exc.lineno)]) from None
        except RecursionError:
            data = None
            problem: str | None = f"lists and mappings nested more than {MAX_NESTING} deep"
        else:
            problem = _json_shape_problem(data)
        if problem:
            raise InputError(str(path), [Problem("", f"refused: {problem}")])
        return data, None
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(
                str(path), [Problem("", "the file is empty: write an instance (see docs/instance-format.md)")]
            )
        if _expanded_size(node) > MAX_VALUES:
            raise _Refused(
                None,
                None,
                f"more than {MAX_VALUES} values once aliases are expanded; write the values out",
                node.start_mark,
            )
        problems: list[Problem] = []
        _check_duplicate_keys(node, problems)
        if problems:
            raise InputError(str(path), problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or str(exc)
        hint = " (YAML indents with spaces, never tabs)" if "\\t" in str(what) or "tab" in str(what) else ""
        kind = "refused" if isinstance(exc, _Refused) else "not valid YAML"
        raise InputError(
            str(path), [Problem("", f"{kind}: {what}{hint}", mark.line + 1 if mark else None)]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(str(path), [Problem("", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return data, node


_ALL_KEYS: set[str] = set()
for _obj in vars(instance_module).values():
    if isinstance(_obj, type) and issubclass(_obj, BaseModel):
        for _name, _field in _obj.model_fields.items():
            _ALL_KEYS.add(_field.alias or _name)

_UNION_TAGS = {"date", "range"}


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    return tuple(p for p in loc if not (isinstance(p, str) and (p in _UNION_TAGS or "[" in p)))


def _friendly(err: Any) -> str:
    kind, loc, value = err["type"], err["loc"], err.get("input")
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f"missing required key '{last}'"
    if kind == "extra_forbidden":
        return f"unknown key '{last}'{did_you_mean(str(last), _ALL_KEYS)}: remove it or fix its spelling"
    if kind == "string_pattern_mismatch":
        return (
            f"{value!r} is not a valid id: use letters, digits, '_', '.' and '-', "
            "starting with a letter or digit"
        )
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "value_error":
        return msg
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    if len(shown) > 60:
        shown = f"{shown[:40]}… ({len(shown)} characters)"
    return f"{msg[0].lower()}{msg[1:]} (got {shown})"


def validation_problems(exc: ValidationError, node: yaml.Node | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Loc, str]] = set()
    for err in exc.errors():
        loc = _clean_loc(err["loc"])
        message = _friendly(err)
        if (loc, message) in seen:
            continue
        seen.add((loc, message))
        found = node_at(node, loc)
        problems.append(Problem(format_loc(loc), message, found.start_mark.line + 1 if found else None))
    return problems


def parse_instance(data: Any, file: str = "<instance>", node: yaml.Node | None = None) -> Instance:
    """Validate parsed data into an :class:`Instance`, or raise :class:`InputError` with every problem."""
    if not isinstance(data, dict):
        raise InputError(file, [Problem("", "the top level must be a mapping (name, horizon, topics, …)")])
    try:
        inst = Instance.model_validate(data)
    except ValidationError as exc:
        raise InputError(file, validation_problems(exc, node)) from None
    refs = inst.reference_problems()
    if refs:
        raise InputError(
            file,
            [
                Problem(format_loc(loc), msg, (n.start_mark.line + 1) if (n := node_at(node, loc)) else None)
                for loc, msg in refs
            ],
        )
    return inst


def load_instance(path: str | os.PathLike[str]) -> Instance:
    """Read and validate an instance file (YAML, or JSON by its ``.json`` suffix).

    Raises
    ------
    InputError
        Naming the file, line and path of every problem found.
    """
    data, node = load_document(path)
    return parse_instance(data, str(path), node)


def load_document(path: str | os.PathLike[str]) -> tuple[Any, yaml.Node | None]:
    """Read a YAML or JSON file of ours (instance, changes, scenarios) with the same limits and errors.

    Returns the data and its YAML node tree (for line numbers; None for JSON).
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_INSTANCE_BYTES:
            raise InputError(
                str(p),
                [
                    Problem(
                        "", f"file is {size} bytes, over the {MAX_INSTANCE_BYTES} bytes an instance may have"
                    )
                ],
            )
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(p), [Problem("", "no such file: check the path")]) from None
    except IsADirectoryError:
        raise InputError(str(p), [Problem("", "is a folder, not an instance file")]) from None
    except OSError as exc:
        raise InputError(str(p), [Problem("", f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            str(p), [Problem("", f"not UTF-8 text (byte {exc.start}): save the file as UTF-8", line)]
        ) from None
    return _parse(p, text)


def dump_instance(inst: Instance) -> dict[str, Any]:
    """The instance as plain data (JSON-ready), keys by their file names."""
    return inst.model_dump(mode="json", by_alias=True, exclude_defaults=False)
