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
sites lying within :data:`CLUSTER_KM` of one another (metropolitan France
in the samples) fills the main panel, and every other group (overseas
sites) gets a small inset of its own below it.

``docs/make_screenshot.py`` regenerates the README's ``docs/report.png``
from the national sample in headless Chromium.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from rollout import __version__
from rollout.instance import Instance, Site, haversine_km
from rollout.io import write_text_atomic
from rollout.solution import Result

from .frame import plan_frame

log = logging.getLogger("rollout")

#: A rectangle or a line: (x0, y0, x1, y1), or (x, y, width, height) for a panel's box.
Box = tuple[float, float, float, float]
#: (lat, lon) -> (x, y) in the SVG.
Projection = Callable[[float, float], tuple[float, float]]

#: Course colours (Okabe–Ito, colour-blind safe), in the instance's course order, repeated as needed.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: Sites closer than this (km, chained) share a map panel.
CLUSTER_KM = 900
#: Width of one calendar day in the site timelines, in pixels.
DAY_PX = 7
#: Height of one room lane in the site timelines, in pixels.
LANE_PX = 16
#: Size of the map's main panel and of each inset, in pixels.
MAP_SIZE, INSET_W, INSET_H, INSET_GAP = 500, 116, 80, 12
#: Where the map's main panel begins (room on the left for labels).
MAP_PAD = 40


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


@dataclass(frozen=True)
class Panel:
    """A map panel: the main one, or an inset for a far group of sites."""

    x: float
    y: float
    width: float
    height: float
    label: str
    grid: tuple[Box, ...] = ()


@dataclass(frozen=True)
class MapSite:
    """A site on the map; the circle's area grows with its teaching days."""

    site: str
    label: str
    x: float
    y: float
    r: float
    title: str
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"


@dataclass(frozen=True)
class Trip:
    """Trainers travelling from a home site to teach at another; width grows with days."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    long_haul: bool
    title: str


@dataclass(frozen=True)
class SiteMap:
    """The whole map: panels, trips (drawn first) and sites."""

    width: float
    height: float
    panels: tuple[Panel, ...]
    trips: tuple[Trip, ...]
    sites: tuple[MapSite, ...]


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


def _clusters(sites: list[Site]) -> list[list[Site]]:
    """Groups of sites chained by distances of at most :data:`CLUSTER_KM` (single linkage)."""
    groups: list[list[Site]] = []
    for site in sites:
        near = [
            g for g in groups if any(haversine_km(s.lat, s.lon, site.lat, site.lon) <= CLUSTER_KM for s in g)
        ]
        merged = [site, *(s for g in near for s in g)]
        groups = [g for g in groups if g not in near] + [merged]
    return groups


def _projector(
    sites: Iterable[Site], x: float, y: float, w: float, h: float, min_deg: float, pad: float = 1.2
) -> Projection:
    """An equirectangular projection fitting ``sites`` into the box, centred, north up."""
    lats, lons = [s.lat for s in sites], [s.lon for s in sites]
    mid_lat, mid_lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    k = math.cos(math.radians(mid_lat))
    span_y = max(max(lats) - min(lats), min_deg) * pad
    span_x = max((max(lons) - min(lons)) * k, min_deg) * pad
    scale = min(w / span_x, h / span_y)

    def project(lat: float, lon: float) -> tuple[float, float]:
        return x + w / 2 + (lon - mid_lon) * k * scale, y + h / 2 - (lat - mid_lat) * scale

    return project


def _graticule(project: Projection, sites: list[Site], box: Box) -> tuple[Box, ...]:
    """Parallels and meridians every 2° that cross the box, as line ends."""
    x0, y0, w, h = box
    lats, lons = [s.lat for s in sites], [s.lon for s in sites]
    lines: list[Box] = []
    for lat in range(math.floor(min(lats)) - 4, math.ceil(max(lats)) + 5, 2):
        _, py = project(lat, 0)
        if y0 < py < y0 + h:
            lines.append((x0, round(py, 1), x0 + w, round(py, 1)))
    for lon in range(math.floor(min(lons)) - 8, math.ceil(max(lons)) + 9, 2):
        px, _ = project(0, lon)
        if x0 < px < x0 + w:
            lines.append((round(px, 1), y0, round(px, 1), y0 + h))
    return tuple(lines)


def site_map(inst: Instance, frame: pd.DataFrame) -> SiteMap:
    """Sites sized by teaching days and trainers' trips from home, thickness by days."""
    days_at = frame.groupby("site").size().to_dict() if len(frame) else {}
    groups = sorted(_clusters(list(inst.sites)), key=lambda g: (len(g), sum(days_at.get(s.id, 0) for s in g)))
    main, insets = groups[-1], sorted(groups[:-1], key=lambda g: min(s.lon for s in g))
    box: Box = (MAP_PAD, 10.0, MAP_SIZE, MAP_SIZE)
    project = _projector(main, *box, min_deg=4.0)
    where = {s.id: project(s.lat, s.lon) for s in main}
    panels = [Panel(*box, label="", grid=_graticule(project, main, box))]
    per_row = max(1, (MAP_SIZE + INSET_GAP) // (INSET_W + INSET_GAP))
    for i, group in enumerate(insets):
        ix = MAP_PAD + (i % per_row) * (INSET_W + INSET_GAP)
        iy = box[1] + MAP_SIZE + INSET_GAP + (i // per_row) * (INSET_H + INSET_GAP)
        project = _projector(group, ix, iy + 14, INSET_W, INSET_H - 14, min_deg=0.6, pad=2.0)
        where |= {s.id: project(s.lat, s.lon) for s in group}
        label = " · ".join(s.region or s.city or s.id for s in group)
        panels.append(Panel(ix, iy, INSET_W, INSET_H, label))
    rows = math.ceil(len(insets) / per_row)
    height = box[1] + MAP_SIZE + rows * (INSET_H + INSET_GAP) + 10
    top = max(days_at.values(), default=1)
    sites = [
        MapSite(
            s.id,
            s.city or s.name or s.id,
            round(where[s.id][0], 1),
            round(where[s.id][1], 1),
            round(2.5 + 6 * math.sqrt(days_at.get(s.id, 0) / top), 1),
            f"{s.name or s.id} ({s.city or s.id}): {days_at.get(s.id, 0)} teaching days",
        )
        for s in inst.sites
    ]
    panel_of = {s.id: panels[0] for s in main} | {
        s.id: panel for panel, group in zip(panels[1:], insets, strict=True) for s in group
    }
    trips = _trips(inst, frame, where, main)
    return SiteMap(MAP_PAD + MAP_SIZE + 20, height, tuple(panels), trips, _place_labels(sites, panel_of))


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place_labels(sites: list[MapSite], panel_of: dict[str, Panel]) -> tuple[MapSite, ...]:
    """Put each label right, left, below or above its site: the first place inside its panel that hides
    no other site and no label placed before (bigger sites first); right when none is free."""
    taken: list[Box] = [(s.x - s.r, s.y - s.r, s.x + s.r, s.y + s.r) for s in sites]
    placed = {}
    for s in sorted(sites, key=lambda s: -s.r):
        p, w = panel_of[s.site], 5.8 * len(s.label)
        options = [
            ("start", s.x + s.r + 2, s.y + 3, (s.x + s.r + 2, s.y - 6, s.x + s.r + 2 + w, s.y + 5)),
            ("end", s.x - s.r - 2, s.y + 3, (s.x - s.r - 2 - w, s.y - 6, s.x - s.r - 2, s.y + 5)),
            ("middle", s.x, s.y + s.r + 10, (s.x - w / 2, s.y + s.r + 1, s.x + w / 2, s.y + s.r + 12)),
            ("middle", s.x, s.y - s.r - 3, (s.x - w / 2, s.y - s.r - 13, s.x + w / 2, s.y - s.r - 2)),
        ]
        own = (s.x - s.r, s.y - s.r, s.x + s.r, s.y + s.r)
        free = [
            o
            for o in options
            if p.x <= o[3][0]
            and o[3][2] <= p.x + p.width
            and p.y + 12 <= o[3][1]
            and o[3][3] <= p.y + p.height
            and not any(_overlaps(o[3], t) for t in taken if t != own)
        ]
        anchor, lx, ly, box = (free or options)[0]
        taken.append(box)
        placed[s.site] = replace(s, label_x=round(lx, 1), label_y=round(ly, 1), anchor=anchor)
    return tuple(placed[s.site] for s in sites)


def _trips(
    inst: Instance, frame: pd.DataFrame, where: dict[str, tuple[float, float]], main: list[Site]
) -> tuple[Trip, ...]:
    """One line per (home, site) pair with teaching away from home; the biggest drawn last, on top."""
    away = frame[frame.site != frame.trainer_home] if len(frame) else frame
    if not len(away):
        return ()
    pairs: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for home, site, trainer in away[["trainer_home", "site", "trainer"]].itertuples(index=False):
        pairs[home, site][trainer] += 1
    top = max(sum(t.values()) for t in pairs.values())
    in_main = {s.id for s in main}
    trips = []
    for (home, site), trainers in sorted(pairs.items(), key=lambda kv: -sum(kv[1].values())):
        days = sum(trainers.values())
        who = ", ".join(f"{inst.trainer_by_id[t].name or t} {n}" for t, n in sorted(trainers.items()))
        x1, y1, x2, y2 = (round(v, 1) for v in (*where[home], *where[site]))
        width = round(1.0 + 7 * math.sqrt(days / top), 1)
        title = f"{home} → {site}: {days} days away from home ({who})"
        trips.append(Trip(x1, y1, x2, y2, width, (home in in_main) != (site in in_main), title))
    return tuple(trips[::-1])


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


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("rollout.exports", "templates"),
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
        _environment()
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
