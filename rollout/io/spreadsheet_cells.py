"""How one cell of an instance workbook is written and read back.

Encoding keeps text a spreadsheet would run as a formula (``= + - @``, a tab
or a carriage return) a string, and escapes what xlsx cannot hold; decoding
turns a cell (typed by Excel or text from CSV) into the instance's value of
a column's :data:`~rollout.io.spreadsheet_layout.Kind`, or a
:class:`CellError` saying what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from rollout.io.spreadsheet_layout import MISSING, Kind

_LIST_SPLIT = re.compile(r"[,;\s]+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")

# ----- encoding cells ------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 cannot hold (or normalises away), escaped as Excel does: ``_x000D_``.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_XML_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def needs_quote(text: str) -> bool:
    """Whether a text cell must be marked literal: it would run as a formula or read as a note."""
    return text.startswith((*_FORMULA_START, "#"))


def xml_escape(text: str) -> str:
    """Escape what an xlsx string cannot hold (CR, control characters, ``_xHHHH_``) the OOXML way."""
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def xml_unescape(text: str) -> str:
    """Undo :func:`xml_escape` (and Excel's own ``_xHHHH_`` escapes)."""
    return _XML_ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)


def csv_escape(text: str) -> str:
    """A text cell for CSV: a leading ``'`` keeps formulas, notes and quotes literal."""
    return "'" + text if needs_quote(text) or text.startswith("'") else text


# ----- decoding cells ------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be decoded; the message says what to write instead."""


def _parse_date(text: str) -> date:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CellError(f"'{text.strip()}' is not a date: write YYYY-MM-DD, e.g. 2015-10-12") from None
    if moment.time() != time(0) or moment.tzinfo is not None:
        raise CellError(f"'{text.strip()}' has a time of day: write the date alone, YYYY-MM-DD")
    return moment.date()


def _as_id(raw: Any) -> str:
    if isinstance(raw, bool):
        raise CellError(f"expected an id, got {str(raw).upper()}")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def _as_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return str(raw).upper()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime) and raw.time() == time(0):
        return raw.date().isoformat()
    return raw if isinstance(raw, str) else str(raw)


def _as_number(raw: Any, whole: bool) -> Any:
    what = "a whole number" if whole else "a number"
    if isinstance(raw, bool | date | time):
        raise CellError(f"expected {what}, got {raw!s}: format the cell as a number")
    if isinstance(raw, str):
        text = raw.strip()
        return text.replace(",", ".") if _DECIMAL_COMMA.fullmatch(text) else text
    if whole and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _as_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        if raw.time() != time(0):
            raise CellError(f"{raw} has a time of day: format the cell as a date")
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        return _parse_date(raw)
    raise CellError(f"expected a date, got {raw!r}: format the cell as a date or write YYYY-MM-DD")


def _as_dates(raw: Any) -> list[Any]:
    if isinstance(raw, date):
        return [_as_date(raw)]
    if not isinstance(raw, str):
        raise CellError(f"expected a date set such as 2015-10-12, 2015-12-21..2016-01-01; got {raw!r}")
    out: list[Any] = []
    for item in re.split(r"[,;\n]", raw):
        item = item.strip()
        if not item or item == "[]":
            continue
        try:
            if ".." in item:
                first, last = item.split("..", 1)
                out.append({"from": _parse_date(first), "to": _parse_date(last)})
            else:
                out.append(_parse_date(item))
        except CellError:
            raise CellError(
                f"'{item}' is not a date or a range: write YYYY-MM-DD, or FROM..TO "
                "(2015-12-21..2016-01-01), comma separated"
            ) from None
    return out


def _as_ids(raw: Any) -> list[str]:
    text = _as_id(raw)
    return [] if text == "[]" else [s for s in _LIST_SPLIT.split(text) if s]


def decode(kind: Kind, raw: Any) -> Any:
    """The model value of a cell, or :data:`MISSING` for an empty one.

    Raises
    ------
    CellError
        When the cell holds something that cannot be of that kind.
    """
    if raw is None or raw == "" or (kind != "text" and isinstance(raw, str) and not raw.strip()):
        return MISSING
    if kind == "id":
        return _as_id(raw)
    if kind == "text":
        return _as_text(raw)
    if kind in ("int", "float"):
        return _as_number(raw, kind == "int")
    if kind == "bool":
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw in (0, 1):
            return bool(raw)
        return raw.strip() if isinstance(raw, str) else raw
    if kind == "date":
        return _as_date(raw)
    if kind == "dates":
        return _as_dates(raw)
    if kind == "ids":
        return _as_ids(raw)
    if kind == "days":
        return [d.lower() for d in _as_ids(raw)]
    blocks = [[s for s in _LIST_SPLIT.split(block) if s] for block in _as_id(raw).split("|")]
    for number, block in enumerate(blocks, start=1):
        if not block:
            raise CellError(f"block {number} has no day: write its topics, or remove the extra |")
    return blocks
