"""The sheets of an instance workbook and their columns (cells: :mod:`rollout.io.spreadsheet_cells`).

Shared by the writer (:mod:`rollout.io.spreadsheet`) and the reader
(:mod:`rollout.io.spreadsheet_read`), so that what one writes the other reads.

Every sheet has its headers in row 1, a notes row in row 2 (its first cell
starts with ``#``; any row whose first cell does is skipped) and data from
row 3. Flat encodings, one row per item:

* ``settings``, ``weights``: one row per key (``key``, ``value``, ``default``,
  ``description``); an empty value takes the default. ``name``,
  ``horizon.start`` and ``horizon.end`` are rows of ``settings``; nested
  keys are dotted (``course_gap.min_days``).
* ``topics`` (id, label); ``courses`` (id, name, hours_per_day, min_gap_days,
  max_gap_days, blocks). ``blocks`` lists day topics with blocks split by
  ``|``: ``interview interview | interview interview``.
* ``sites`` (…, closed); ``rooms`` (site, id, capacity, closed), a row per
  room, grouped into their site in row order.
* ``trainers``: ``skills`` and ``sites`` are comma lists; ``[]`` is an empty
  list, an empty cell is "not given" (``sites``: any site).
* ``travel``, ``school_holidays``, ``pins`` (the ``pinned`` list): one
  column per key.
* ``cohorts``: ``start`` is two columns, ``start_from`` and ``start_to``;
  ``count`` stays a count (ids are not expanded).

A date set is text: ``2015-10-12, 2015-12-21..2016-01-01`` (a date, or a
range ``FROM..TO``, comma separated). Single dates are date cells. Lists may
be split by commas, semicolons or spaces. An empty text cell is "not given".
A number that needs all 17 significant digits is written as text (openpyxl
writes 16), so that it reads back exactly.

Text that a spreadsheet would run as a formula (``= + - @``, tab, CR) or
read as a note (``#``) is stored as literal text: an xlsx string cell with
Excel's quote prefix, or in CSV a leading ``'`` that reading removes (so a
CSV text starting with ``'`` is written with two). Characters an xlsx file
cannot hold (CR, control characters) are escaped as Excel does,
``_x000D_``. A header starting with ``#`` marks a column of notes, ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from rollout import instance as models

Kind = Literal["id", "text", "int", "float", "bool", "date", "ids", "dates", "blocks", "days"]

#: What :func:`decode` returns for an empty cell.
MISSING: Any = object()

DATE_SET_NOTE = "date set: 2015-10-12, 2015-12-21..2016-01-01; empty: none"


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    Attributes
    ----------
    name
        The header in row 1.
    kind
        How the cell is encoded: an id, free text, a number, a date, a comma
        list of ids (``ids``), a date set (``dates``) or course blocks.
    note
        The text of the notes row.
    path
        Where the value goes in the item, e.g. ``("start", "from")``; ``None``
        for a column that is not a key of the item (``rooms.site``).
    check
        A data validation: ``"whole"``, ``"whole1"`` (≥ 1), ``"decimal"``,
        ``"positive"``, ``"hours"``, ``"lat"``, ``"lon"``, ``"bool"``, ``"date"``, ``"weekdays"``,
        or ``"list:<sheet>"`` (an id from that sheet's first column).
    """

    name: str
    kind: Kind
    note: str
    path: tuple[str, ...] | None = ()
    check: str | None = None

    @property
    def key_path(self) -> tuple[str, ...] | None:
        """The path of the value inside its item (the column name by default)."""
        return (self.name,) if self.path == () else self.path


@dataclass(frozen=True)
class Sheet:
    """A table sheet: a row per item of ``section`` (``sites`` for rooms), each a ``model``."""

    name: str
    section: str
    model: type[BaseModel] | None
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        """Row 1."""
        return [c.name for c in self.columns]

    def required(self, col: Column) -> bool:
        """Whether every row needs a value in ``col`` (a required key of the model)."""
        if col.key_path is None or self.model is None:
            return col.name == "id" or col.key_path is None
        fields = {f.alias or n: f for n, f in self.model.model_fields.items()}
        found = fields.get(col.key_path[0])
        return found is not None and found.is_required()


@dataclass(frozen=True)
class Key:
    """A row of a key/value sheet (``settings``, ``weights``)."""

    key: str
    path: tuple[str, ...]
    kind: Kind
    description: str
    check: str | None = None


def _id(name: str, note: str, check: str | None = None, path: tuple[str, ...] | None = ()) -> Column:
    return Column(name, "id", note, path, check)


_TEXT = "free text"
_SITE = "list:sites"

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "topics",
        "topics",
        None,
        (_id("id", "# topic id: letters, digits, _ . -"), Column("label", "text", "label shown in plans")),
    ),
    Sheet(
        "courses",
        "courses",
        models.Course,
        (
            _id("id", "# course id, unique"),
            Column("name", "text", _TEXT),
            Column("hours_per_day", "float", "teaching hours a day, > 0 and ≤ 24", check="hours"),
            Column("min_gap_days", "int", "days between blocks; empty: 1", check="whole"),
            Column("max_gap_days", "int", "empty: no limit", check="whole"),
            Column("blocks", "blocks", "day topics, blocks split by |: context cep | interview interview"),
        ),
    ),
    Sheet(
        "sites",
        "sites",
        models.Site,
        (
            _id("id", "# site id, unique"),
            Column("name", "text", _TEXT),
            Column("region", "text", _TEXT),
            Column("city", "text", _TEXT),
            Column("lat", "float", "latitude, -90..90", check="lat"),
            Column("lon", "float", "longitude, -180..180", check="lon"),
            Column("holidays", "text", "holidays subdivision, e.g. 57; empty: national"),
            Column("school_zone", "text", "zone as in school_holidays, e.g. C; empty: none"),
            Column("closed", "dates", DATE_SET_NOTE),
        ),
    ),
    Sheet(
        "rooms",
        "sites",
        models.Room,
        (
            _id("site", "# site id (sites sheet)", _SITE, None),
            _id("id", "room id, unique across sites"),
            Column("capacity", "int", "seats, whole number ≥ 0", check="whole"),
            Column("closed", "dates", DATE_SET_NOTE),
        ),
    ),
    Sheet(
        "trainers",
        "trainers",
        models.Trainer,
        (
            _id("id", "# trainer id, unique"),
            Column("name", "text", _TEXT),
            _id("home", "home site id", _SITE),
            Column("skills", "ids", "topic ids, comma list: context, cep; [] for none"),
            Column("day_rate", "int", "euros a day; empty: 0", check="whole"),
            Column("max_days", "int", "teaching days in the horizon; empty: no limit", check="whole"),
            Column("max_days_per_week", "int", "per ISO week; empty: no limit", check="whole"),
            Column("sites", "ids", "site ids allowed, comma list; empty: any site"),
            Column("unavailable", "dates", DATE_SET_NOTE),
        ),
    ),
    Sheet(
        "travel",
        "travel",
        models.Travel,
        (
            _id("from", "# site id", _SITE),
            _id("to", "site id; holds both ways", _SITE),
            Column("hours", "float", "travel hours, ≥ 0", check="decimal"),
        ),
    ),
    Sheet(
        "school_holidays",
        "school_holidays",
        models.SchoolHoliday,
        (
            Column("zone", "text", "# zone, as in sites.school_zone"),
            Column("name", "text", _TEXT),
            Column("from", "date", "first date", check="date"),
            Column("to", "date", "last date", check="date"),
        ),
    ),
    Sheet(
        "cohorts",
        "cohorts",
        models.CohortSpec,
        (
            _id("id", "# cohort id; with count N: id-1 … id-N"),
            Column("count", "int", "empty: one cohort; N ≥ 1: N alike", check="whole1"),
            _id("site", "site id", _SITE),
            Column("learners", "int", "learners, ≥ 1", check="whole1"),
            Column("courses", "ids", "course ids in order, comma list"),
            Column("start_from", "date", "first day no earlier; empty: horizon", ("start", "from"), "date"),
            Column("start_to", "date", "first day no later; with start_from", ("start", "to"), "date"),
            Column("end_by", "date", "last day no later; empty: no limit", check="date"),
        ),
    ),
    Sheet(
        "pins",
        "pinned",
        models.Pin,
        (
            _id("cohort", "# cohort id (after count: idf-module-1)"),
            _id("course", "course id", "list:courses"),
            Column("day", "int", "day of the course, 1 = first", check="whole1"),
            Column("date", "date", "its date", check="date"),
            _id("room", "room id; empty: any", "list:rooms"),
            _id("trainer", "trainer id; empty: any", "list:trainers"),
        ),
    ),
)

SETTINGS_KEYS: tuple[Key, ...] = (
    Key("name", ("name",), "id", "the instance's name: letters, digits, _ . -"),
    Key("horizon.start", ("horizon", "start"), "date", "first date of the planning period", "date"),
    Key("horizon.end", ("horizon", "end"), "date", "last date of the planning period", "date"),
    Key("country", ("settings", "country"), "text", "country of the public holidays (holidays package)"),
    Key("working_days", ("settings", "working_days"), "days", "teaching weekdays: mon … sun", "weekdays"),
    Key(
        "max_overnight_travel_hours",
        ("settings", "max_overnight_travel_hours"),
        "float",
        "above this many travel hours a trainer stays overnight",
        "decimal",
    ),
    Key(
        "travel_speed_kmh",
        ("settings", "travel_speed_kmh"),
        "float",
        "km/h where travel gives no time",
        "positive",
    ),
    Key("travel_overhead_hours", ("settings", "travel_overhead_hours"), "float", "+ km / speed", "decimal"),
    Key("cost_per_km", ("settings", "cost_per_km"), "float", "euros, trainer's round trip (O2)", "decimal"),
    Key("cost_per_night", ("settings", "cost_per_night"), "int", "euros a teaching day away", "whole"),
    Key(
        "course_gap.min_days",
        ("settings", "course_gap", "min_days"),
        "int",
        "days between consecutive courses of a cohort, at least",
        "whole",
    ),
    Key("course_gap.max_days", ("settings", "course_gap", "max_days"), "int", "… and at most", "whole"),
    Key("partial", ("settings", "partial"), "bool", "TRUE: a cohort may be left unscheduled (O1)", "bool"),
)

WEIGHT_KEYS: tuple[Key, ...] = (
    Key("unscheduled", ("weights", "unscheduled"), "int", "O1: per unscheduled cohort", "whole"),
    Key("cost", ("weights", "cost"), "int", "O2: per euro of trainer cost", "whole"),
    Key("trainer_changes", ("weights", "trainer_changes"), "int", "O3: per change of trainer", "whole"),
    Key("school_holiday_days", ("weights", "school_holiday_days"), "int", "O4: per day", "whole"),
    Key("delay_days", ("weights", "delay_days"), "int", "O5: per day of delay", "whole"),
)

#: The key/value sheets and their rows.
KEY_SHEETS: dict[str, tuple[Key, ...]] = {"settings": SETTINGS_KEYS, "weights": WEIGHT_KEYS}
KEY_HEADERS = ("key", "value", "default", "description")
KEY_NOTES = ("# key: keep as written", "your value; empty: the default", "the default", "what it sets")

#: Every sheet name, in workbook order.
SHEET_NAMES: tuple[str, ...] = ("settings", "weights", *(s.name for s in SHEETS))

#: Sheets that may be left out.
OPTIONAL_SHEETS = frozenset({"weights", "travel", "school_holidays", "pins"})
