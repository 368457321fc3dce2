"""CSV views of a plan: the plan frame sorted by site, trainer, room and region.

Each view is :func:`rollout.exports.frame.plan_frame` whole (every column,
every row), re-sorted and with its key columns moved to the front, so a
coordinator opening ``by-trainer.csv`` reads one trainer's days top to
bottom. Column order of a view: its lead columns (:data:`VIEWS`), then the
other columns in :data:`READING_ORDER`.

Two dialects:

* default: ``,`` separator, UTF-8 without BOM, ISO dates ``YYYY-MM-DD``,
  decimal point, ``\\n`` line ends (as ``timetable.csv``);
* ``excel_fr``: what French Excel opens by double-click without the import
  wizard: ``;`` separator, UTF-8 with BOM, dates ``dd/mm/yyyy``, decimal
  comma for hours, ``\\r\\n`` line ends.

Every text cell goes through :func:`rollout.io.safe_cell`, so a name
starting with ``=`` is not run as a formula.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from rollout.exports.frame import FRAME_COLUMNS, plan_frame
from rollout.instance import Instance
from rollout.io import safe_cell, write_text_atomic
from rollout.solution import Result

#: Order of the columns that follow a view's lead columns.
READING_ORDER: tuple[str, ...] = (
    "date",
    "weekday",
    "start_time",
    "end_time",
    "hours",
    "region",
    "site",
    "site_name",
    "city",
    "room",
    "cohort",
    "learners",
    "course",
    "course_name",
    "block",
    "day",
    "topic",
    "topic_label",
    "trainer",
    "trainer_name",
    "trainer_home",
    "iso_week",
    "timezone",
)

#: Ties in every view are broken in the contract's order (``timetable.csv``).
_TIE_BREAK: tuple[str, ...] = ("date", "site", "room", "cohort", "course", "day")


@dataclass(frozen=True)
class View:
    """One CSV view: its file name, sort keys and the columns it shows first.

    Attributes
    ----------
    file
        File name inside the output folder.
    sort
        Columns the rows are sorted by, in order (ties: date, site, room, cohort, course, day).
    lead
        Columns shown first, in this order; the others follow in :data:`READING_ORDER`.
    """

    file: str
    sort: tuple[str, ...]
    lead: tuple[str, ...]

    def columns(self) -> list[str]:
        """Every column of the plan frame, in this view's order."""
        rest = [c for c in READING_ORDER if c in FRAME_COLUMNS and c not in self.lead]
        extra = [c for c in FRAME_COLUMNS if c not in self.lead and c not in rest]
        return [*self.lead, *rest, *extra]

    def sort_keys(self) -> list[str]:
        """The sort columns, then the contract's order for ties."""
        return [*self.sort, *(c for c in _TIE_BREAK if c not in self.sort)]


#: The views, in the order :func:`write_csv_views` returns their paths.
VIEWS: tuple[View, ...] = (
    View(
        "by-site.csv",
        ("site", "date", "room"),
        ("site", "site_name", "city", "date", "weekday", "room"),
    ),
    View(
        "by-trainer.csv",
        ("trainer", "date"),
        ("trainer", "trainer_name", "trainer_home", "date", "weekday"),
    ),
    View(
        "by-room.csv",
        ("room", "date"),
        ("room", "site", "site_name", "city", "date", "weekday"),
    ),
    View(
        "by-region.csv",
        ("region", "site", "date"),
        ("region", "site", "site_name", "city", "date", "weekday", "room"),
    ),
)


def _cell(value: object, excel_fr: bool) -> str:
    """One CSV cell: dates and numbers in the dialect's format, text neutralised."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if excel_fr else value.isoformat()
    if isinstance(value, bool):
        return safe_cell(str(value).lower())
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        text = format(float(value), "g")
        return text.replace(".", ",") if excel_fr else text
    return safe_cell(value)


def view_frame(frame: pd.DataFrame, view: View) -> pd.DataFrame:
    """The plan frame sorted and ordered for ``view`` (index reset)."""
    ordered = frame.sort_values(view.sort_keys(), kind="stable") if len(frame) else frame
    return ordered.reset_index(drop=True)[view.columns()]


def csv_text(frame: pd.DataFrame, excel_fr: bool = False) -> str:
    """A frame as CSV text in the chosen dialect, header first (BOM included for ``excel_fr``)."""
    buf = io.StringIO()
    # "\r\n" also quotes a cell holding a carriage return (csv quotes only its terminator's
    # characters): unquoted, Excel would start a new row there, which may begin with "=".
    writer = csv.writer(buf, delimiter=";" if excel_fr else ",", lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in frame.columns])
    for record in frame.itertuples(index=False, name=None):
        writer.writerow([_cell(v, excel_fr) for v in record])
    text = buf.getvalue()
    return "\ufeff" + text if excel_fr else text.replace("\r\n", "\n")


def write_csv_views(inst: Instance, result: Result, out_dir: Path, excel_fr: bool = False) -> list[Path]:
    """Write ``by-site.csv``, ``by-trainer.csv``, ``by-room.csv`` and ``by-region.csv``.

    Parameters
    ----------
    inst
        The instance the plan was made for (names, cities, regions, hours).
    result
        The plan, e.g. from :func:`rollout.io.read_solution`. With no plan
        each file holds the header only.
    out_dir
        Folder to write into; created when missing. Existing views there
        are replaced, each file atomically.
    excel_fr
        Write the French Excel dialect (``;``, UTF-8 with BOM, ``dd/mm/yyyy``,
        decimal comma) instead of plain CSV (``,``, UTF-8, ISO dates).

    Returns
    -------
    list[Path]
        The paths written, in the order of :data:`VIEWS`.
    """
    frame = plan_frame(inst, result)
    out_dir = Path(out_dir)
    paths = []
    for view in VIEWS:
        path = out_dir / view.file
        write_text_atomic(path, csv_text(view_frame(frame, view), excel_fr))
        paths.append(path)
    return paths
