"""One self-contained HTML report of a plan: summary, site timelines, trainer load, map and all rows.

:func:`write_report` reads a plan through
:func:`rollout.exports.frame.plan_frame` and renders the Jinja2 template
``templates/report.html.j2`` with autoescaping on, so every text that comes
from the instance (names, cities, topics) is HTML-escaped by the template
engine rather than by hand. The file loads nothing at view time: styles,
the table's filter and sort script and every chart (SVG) are inline, and a
Content-Security-Policy forbids any other source.

This module computes the charts' geometry (positions, sizes, colours) in
Python; the template only places it. The map is an equirectangular
projection scaled by the cosine of the mean latitude: the largest group of
sites lying within :data:`rollout.exports.sitemap.CLUSTER_KM` of one another (metropolitan France
in the samples) fills the main panel, and every other group (overseas
sites) gets a small inset of its own below it.

``docs/make_screenshot.py`` regenerates the README's ``docs/report.png``
from the national sample in headless Chromium.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from rollout import __version__
from rollout.instance import Instance
from rollout.io import write_text_atomic
from rollout.solution import Result

from .frame import plan_frame
from .sitemap import site_map

log = logging.getLogger("rollout")

#: Course colours (Okabe–Ito, colour-blind safe), in the instance's course order, repeated as needed.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: Width of one calendar day in the site timelines, in pixels.
DAY_PX = 7
#: Height of one room lane in the site timelines, in pixels.
LANE_PX = 16


@dataclass(frozen=True)
class Bar:
    """One block of one cohort in a site's timeline."""

    x: float
    y: float
    width: float
    colour: str
    title: str


@dataclass(frozen=True)
class SiteTimeline:
    """A site's rooms (lanes, top to bottom) and its blocks."""

    site: str
    name: str
    city: str
    rooms: tuple[str, ...]
    bars: tuple[Bar, ...]
    days: int

    @property
    def height(self) -> int:
        return len(self.rooms) * LANE_PX


@dataclass(frozen=True)
class Axis:
    """The date axis shared by every site timeline."""

    first: date
    width: int
    months: tuple[tuple[float, str], ...]
    weeks: tuple[float, ...]
    weekends: tuple[float, ...]


@dataclass(frozen=True)
class LoadCell:
    """Teaching days of one trainer in one ISO week; ``level`` is its CSS class (see :func:`load_level`)."""

    days: int
    level: str
    title: str


@dataclass(frozen=True)
class TrainerLoad:
    """A trainer's row of the load heatmap."""

    trainer: str
    name: str
    home: str
    cells: tuple[LoadCell, ...]
    total: int
    max_days: int | None
    max_per_week: int | None


def course_colours(inst: Instance) -> dict[str, str]:
    """A colour per course id, in the instance's order."""
    return {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(inst.courses)}


def _axis(frame: pd.DataFrame, inst: Instance) -> Axis:
    lo, hi = (frame.date.min(), frame.date.max()) if len(frame) else (inst.horizon.start, inst.horizon.end)
    first = lo - timedelta(days=lo.weekday())
    n = (hi - first).days + 7 - hi.weekday()
    days = [first + timedelta(days=i) for i in range(n)]
    return Axis(
        first=first,
        width=n * DAY_PX,
        months=tuple(
            (i * DAY_PX, d.strftime("%b %Y"))
            for i, d in enumerate(days)
            if d.day == 1 or (i == 0 and d.day < 24)
        ),
        weeks=tuple(i * DAY_PX for i, d in enumerate(days) if d.weekday() == 0),
        weekends=tuple(i * DAY_PX for i, d in enumerate(days) if d.weekday() >= 5),
    )


def timelines(inst: Instance, frame: pd.DataFrame, axis: Axis) -> list[SiteTimeline]:
    """One timeline per site: a lane per room, a bar per (cohort, course, block)."""
    colours = course_colours(inst)
    blocks = (
        frame.groupby(["site", "room", "cohort", "course", "block"], sort=False)
        .agg(
            first=("date", "min"),
            last=("date", "max"),
            n=("date", "size"),
            course_name=("course_name", "first"),
            trainers=("trainer_name", lambda s: ", ".join(dict.fromkeys(s))),
        )
        .reset_index()
    )
    out = []
    for site in inst.sites:
        rooms = tuple(r.id for r in site.rooms)
        bars = [
            Bar(
                x=(b.first - axis.first).days * DAY_PX,
                y=rooms.index(b.room) * LANE_PX if b.room in rooms else 0,
                width=((b.last - b.first).days + 1) * DAY_PX - 1,
                colour=colours.get(b.course, PALETTE[-1]),
                title=f"{b.cohort} · {b.course_name} · block {b.block} · {b.first:%a %d %b}"
                f"–{b.last:%a %d %b} ({b.n} days) · {b.room} · {b.trainers}",
            )
            for b in blocks[blocks.site == site.id].itertuples()
        ]
        days = int((frame.site == site.id).sum())
        out.append(SiteTimeline(site.id, site.name or site.id, site.city or "", rooms, tuple(bars), days))
    return out


def load_level(days: int, limit: int) -> str:
    """Heat class of a week: ``l0``–``l4`` below the weekly limit (darker closer), ``at``, ``over``."""
    if days > limit:
        return "over"
    if days == limit:
        return "at"
    return f"l{math.ceil(4 * days / limit)}"


def trainer_load(inst: Instance, frame: pd.DataFrame) -> tuple[list[str], list[TrainerLoad]]:
    """ISO weeks of the plan and, per trainer who teaches, days per week against the weekly limit.

    A trainer without ``max_days_per_week`` is measured against the number
    of working days a week.
    """
    if not len(frame):
        return [], []
    first, last = frame.date.min(), frame.date.max()
    mondays = pd.date_range(first - timedelta(days=first.weekday()), last, freq="7D")
    weeks = [f"{y}-W{w:02d}" for y, w, _ in (m.isocalendar() for m in mondays)]
    counts = frame.groupby(["trainer", "iso_week"]).size()
    loads = []
    for trainer in inst.trainers:
        if trainer.id not in counts.index.get_level_values(0):
            continue
        per_week, limit = counts.loc[trainer.id], trainer.max_days_per_week
        scale = max(limit if limit is not None else len(inst.settings.working_days), 1)
        of = f" of {limit}" if limit is not None else ""
        cells = tuple(
            LoadCell(d, load_level(d, scale), f"{trainer.id} · {week}: {d}{of} days")
            for week in weeks
            for d in [int(per_week.get(week, 0))]
        )
        name, total = trainer.name or trainer.id, int(per_week.sum())
        loads.append(TrainerLoad(trainer.id, name, trainer.home, cells, total, trainer.max_days, limit))
    return weeks, loads


def summary(inst: Instance, result: Result, frame: pd.DataFrame) -> dict[str, Any]:
    """Status, objective, bound, gap, weighted terms, counts and the unscheduled cohorts."""
    weights, objective = inst.weights.model_dump(), result.objective
    term_rows = [
        {"name": k, "value": v, "weight": weights[k], "weighted": v * weights[k]}
        for k, v in (result.terms.as_dict() if result.terms else {}).items()
    ]
    for row in term_rows:
        row["share"] = row["weighted"] / objective if objective else None
    cohorts, used = inst.cohort_list, frame
    counts: list[tuple[str, int | str]] = [
        ("Teaching days (rows)", len(used)),
        ("Cohorts scheduled", f"{used.cohort.nunique()} of {len(cohorts)}"),
        ("Blocks", len(used.groupby(["cohort", "course", "block"])) if len(used) else 0),
        ("Courses", len(inst.courses)),
        ("Sites teaching", f"{used.site.nunique()} of {len(inst.sites)}"),
        ("Rooms used", f"{used.room.nunique()} of {sum(len(s.rooms) for s in inst.sites)}"),
        ("Trainers teaching", f"{used.trainer.nunique()} of {len(inst.trainers)}"),
        ("Days away from home", int((used.site != used.trainer_home).sum())),
        ("Learner-days", int(used.learners.sum()) if len(used) else 0),
    ]
    if len(used):
        counts.append(("First – last day", f"{used.date.min():%a %d %b %Y} – {used.date.max():%a %d %b %Y}"))
    return {"terms": term_rows, "counts": counts, "unscheduled": result.unscheduled}


def html_environment(package: str = "rollout.exports") -> Environment:
    """The Jinja2 environment of our HTML pages: ``package``'s templates, autoescaped, strict, ``num``."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v, d=0: "–" if v is None else f"{v:,.{d}f}"
    return env


def render_report(inst: Instance, result: Result) -> str:
    """The report's HTML text (see :func:`write_report`)."""
    frame = plan_frame(inst, result)
    axis = _axis(frame, inst)
    weeks, loads = trainer_load(inst, frame)
    return (
        html_environment()
        .get_template("report.html.j2")
        .render(
            inst=inst,
            result=result,
            version=__version__,
            summary=summary(inst, result, frame),
            colours=course_colours(inst),
            axis=axis,
            timelines=timelines(inst, frame, axis),
            day_px=DAY_PX,
            lane_px=LANE_PX,
            weeks=weeks,
            loads=loads,
            map=site_map(inst, frame),
            rows=frame.to_dict("records"),
        )
    )


def write_report(inst: Instance, result: Result, path: Path) -> Path:
    """Write the plan's report as one self-contained HTML file.

    Parameters
    ----------
    inst
        The instance the plan was made for.
    result
        The plan; a result without rows gives a report with its summary only.
    path
        The HTML file to write (atomically); its folder is created if missing.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    write_text_atomic(path, render_report(inst, result))
    log.info("wrote report %s", path)
    return path
