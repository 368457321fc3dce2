"""``breakdown.csv`` and ``trips.csv``: a plan's cost breakdown as files (``docs/explain.md``).

Both are written atomically (:func:`rollout.io.write_text_atomic`) and every
text cell goes through :func:`rollout.io.safe_cell`, so a name starting with
``=`` is not run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from rollout.breakdown import Breakdown
from rollout.instance import Instance
from rollout.io import safe_cell, write_text_atomic
from rollout.recompute import Trip

BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "rule",
    "term",
    "by",
    "key",
    "name",
    "value",
    "weight",
    "weighted",
    "detail",
)
TRIPS_COLUMNS: tuple[str, ...] = (
    "trainer",
    "trainer_name",
    "cohort",
    "course",
    "block",
    "from",
    "to",
    "first",
    "last",
    "rows",
    "km",
    "travel_eur",
    "nights_eur",
    "total_eur",
)


def _csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(header))
    writer.writerows(rows)
    return buf.getvalue()


def breakdown_csv(b: Breakdown) -> str:
    """The text of ``breakdown.csv``: one line per (term, split, key), in term then split order."""
    return _csv_text(
        BREAKDOWN_COLUMNS,
        (
            [
                ln.rule,
                ln.term,
                ln.by,
                safe_cell(ln.key),
                safe_cell(ln.name),
                ln.value,
                ln.weight,
                ln.weighted,
                safe_cell(ln.detail),
            ]
            for ln in b.lines
        ),
    )


def _trip_cells(t: Trip, inst: Instance) -> list[object]:
    names = (t.trainer, inst.trainer_by_id[t.trainer].name or "", t.cohort, t.course)
    where = (t.home, " ".join(t.sites))
    return [
        *map(safe_cell, names),
        t.block,
        *map(safe_cell, where),
        t.first.isoformat(),
        t.last.isoformat(),
        *(t.rows, t.km, t.travel, t.nights, t.total),
    ]


def trips_csv(b: Breakdown, inst: Instance) -> str:
    """The text of ``trips.csv``: one line per O2 trip, by trainer then first date."""
    trips = sorted(b.trips, key=lambda t: (t.trainer, t.first, t.cohort, t.course, t.block))
    return _csv_text(TRIPS_COLUMNS, (_trip_cells(t, inst) for t in trips))


def write_breakdown(b: Breakdown, inst: Instance, folder: Path) -> list[Path]:
    """Write ``breakdown.csv`` and ``trips.csv`` into ``folder``, each whole or not at all."""
    written = []
    for name, text in (("breakdown.csv", breakdown_csv(b)), ("trips.csv", trips_csv(b, inst))):
        write_text_atomic(folder / name, text)
        written.append(folder / name)
    return written
