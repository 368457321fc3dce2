"""The report's map: sites in an equirectangular projection, far groups in insets, trainers' trips.

Sites closer than :data:`CLUSTER_KM` (chained) share a panel; the largest
group is the main panel, every other group (overseas) gets an inset.
Trips are lines from a trainer's home to each site they teach at away from
home, thicker for more days. Pure geometry: the template draws it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pandas as pd

from rollout.instance import Instance, Site, haversine_km

#: A rectangle or a line: (x0, y0, x1, y1), or (x, y, width, height) for a panel's box.
Box = tuple[float, float, float, float]
#: (lat, lon) -> (x, y) in the SVG.
Projection = Callable[[float, float], tuple[float, float]]

#: Sites closer than this (km, chained) share a map panel.
CLUSTER_KM = 900
#: Size of the map's main panel and of each inset, in pixels.
MAP_SIZE, INSET_W, INSET_H, INSET_GAP = 500, 116, 80, 12
#: Where the map's main panel begins (room on the left for labels).
MAP_PAD = 40


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
