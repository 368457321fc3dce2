"""Realistic instances K times the size of a base instance, for scaling studies.

:func:`generate` copies a base instance (by default the national sample,
:func:`default_base`) K times. Replica 1 is the base itself; replica ``k`` ≥ 2
adds a copy of every site, room, trainer, travel entry and cohort spec with ids
suffixed ``-r<k>``. Its sites lie 20–80 km from their base site, in the same
region and calendars; its trainers work at the replica's sites only. The output
is plain data, ready for ``yaml.safe_dump``; it is validated before it is
returned, so it always loads back through :func:`rollout.io.load_instance`.

Everything random comes from ``random.Random`` seeded with the seed and the
replica number, so the same (base, K, seed) always gives the same instance,
and a larger K only appends replicas to a smaller one's.
"""

from __future__ import annotations

import math
import random
from datetime import date
from pathlib import Path
from typing import Any

from rollout.instance import Instance, haversine_km
from rollout.io import parse_instance

#: Range of the distance, in km, between a generated site and its base site. The
#: draw stays half a km inside 20–80 so that rounding coordinates to 4 decimals
#: (about 11 m) never takes the rounded haversine distance outside 20–80.
OFFSET_KM: tuple[float, float] = (20.5, 79.5)
#: Other base sites within this many km of a site form its neighbourhood; the
#: offset leans towards their centre, so that coastal and border sites mostly
#: stay inland. A site with no neighbours (an island) gets any direction.
NEIGHBOURHOOD_KM = 1000.0
#: Largest angle, in degrees, between the offset and the way to the neighbourhood's centre.
SPREAD_DEGREES = 75.0
#: Room capacities grow by one of these (never shrink: every cohort still fits).
CAPACITY_STEPS: tuple[int, ...] = (0, 0, 1, 2)
#: Day rates of replicated trainers vary by at most this fraction either way.
RATE_JITTER = 0.05

_EARTH_RADIUS_KM = 6371.0
_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def default_base() -> Path:
    """The national sample ``instances/national-s2-2015.yaml`` of the repository.

    Found relative to the package, so it exists in a source checkout or an
    editable install, not in an installed wheel.
    """
    return Path(__file__).resolve().parent.parent / "instances" / "national-s2-2015.yaml"


def replica_id(base_id: str, k: int) -> str:
    """The id of replica ``k`` of a base id: itself for ``k == 1``, else ``<id>-r<k>``."""
    return base_id if k == 1 else f"{base_id}-r{k}"


def destination(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point ``km`` away from (lat, lon) along ``bearing`` degrees, on the spec's sphere.

    Returns
    -------
    tuple of float
        Latitude and longitude in degrees, longitude wrapped into [-180, 180).
    """
    p1, l1, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    delta = km / _EARTH_RADIUS_KM
    p2 = math.asin(math.sin(p1) * math.cos(delta) + math.cos(p1) * math.sin(delta) * math.cos(theta))
    l2 = l1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(p1), math.cos(delta) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 180.0) % 360.0 - 180.0


def bearing_to(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing, in degrees clockwise from north, from the first point to the second."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def generate(base: Instance, scale: int, seed: int) -> dict[str, Any]:
    """An instance ``scale`` times the size of ``base``, as plain data.

    Replica 1 is ``base`` unchanged, pins included. Each replica ``k`` ≥ 2 adds,
    with ids ``<id>-r<k>``:

    * a copy of every site in the same region, ``holidays`` subdivision, school
      zone and closures, 20–80 km from its base site in a random direction
      that leans towards the other sites nearby (:data:`NEIGHBOURHOOD_KM`),
      coordinates rounded to 4 decimals, named ``<name> (centre <k>)``; its
      rooms with the same closures and the same or a slightly larger capacity;
    * a copy of every trainer with the same skills, limits and unavailability,
      a day rate within ±5 % (an integer), a name mixed from the base's first
      and last names, home at the replica of the base home and ``sites`` mapped
      to the same replica (``null`` stays ``null``: any site);
    * a copy of every travel entry between the replica's sites, same hours;
      pairs of sites of different replicas have no entry, so the spec's
      km / speed + overhead applies to them;
    * a copy of every cohort spec at the replica site, same courses, learners,
      count, start window and ``end_by``; no pins.

    Topics, courses, horizon, settings, weights and school holidays are the
    base's; the name is ``<base name>-x<scale>-s<seed>``.

    Feasibility is by construction, not by a computed guarantee: each replica
    carries its own trainers, so the trainer-days per skill grow exactly as
    fast as the teaching days demanded, and every replica is a copy of the base
    with the same calendars, room capacities at least the base's, the same
    travel hours for every pair with a ``travel`` entry and no pins. If the base
    has a plan, the union of a copy of that plan per replica is a plan of the
    generated instance, except that R11 may differ for a pair of sites without
    a ``travel`` entry, whose distance changes by at most 160 km (the samples
    give every pair an entry). Trainers with ``sites: null`` can also work in
    other replicas, which only adds options.

    Parameters
    ----------
    base
        A validated instance; its ids must not already end in ``-r<k>`` in a
        way that collides with the generated ones (the result is validated).
    scale
        K ≥ 1, the number of replicas.
    seed
        Seeds coordinates, capacities, day rates and names; any integer.

    Returns
    -------
    dict
        Plain data (dicts, lists, str, int, float, bool, ``date``) with no
        shared objects, so ``yaml.safe_dump`` writes it without anchors.

    Raises
    ------
    ValueError
        When ``scale`` is below 1.
    InputError
        When the result is not a valid instance (an id collision with the base).
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    data = base.model_dump(mode="python", by_alias=True, exclude_defaults=True)
    data["name"] = f"{base.name}-x{scale}-s{seed}"
    data["settings"] = base.settings.model_dump(mode="python", by_alias=True)
    data["weights"] = base.weights.model_dump(mode="python", by_alias=True)
    for key in ("travel", "school_holidays", "pinned"):
        data.setdefault(key, [])
    data = {key: data[key] for key in Instance.model_fields}
    aims = _neighbourhood_centres(base)
    first_names, last_names = _name_parts(base)
    sites, trainers = list(data["sites"]), list(data["trainers"])
    travel, cohorts = list(data["travel"]), list(data["cohorts"])
    for k in range(2, scale + 1):
        rng = random.Random(f"rollout.generate:{seed}:{k}")
        data["sites"].extend(_site(site, k, rng, aims[site["id"]]) for site in sites)
        data["trainers"].extend(_trainer(t, k, rng, first_names, last_names) for t in trainers)
        data["travel"].extend(
            {**t, "from": replica_id(t["from"], k), "to": replica_id(t["to"], k)} for t in travel
        )
        data["cohorts"].extend(
            {**c, "id": replica_id(c["id"], k), "site": replica_id(c["site"], k)} for c in cohorts
        )
    out: dict[str, Any] = _fresh(data)
    parse_instance(out, f"<{out['name']}, generated from {base.name}>")
    return out


# ----- one replica ------------------------------------------------------------------


def _site(site: dict[str, Any], k: int, rng: random.Random, aim: float | None) -> dict[str, Any]:
    """Replica ``k`` of a dumped site: new ids, coordinates and capacities."""
    km = rng.uniform(*OFFSET_KM)
    if aim is None:
        bearing = rng.uniform(0.0, 360.0)
    else:
        bearing = (aim + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES)) % 360.0
    lat, lon = destination(site["lat"], site["lon"], km, bearing)
    out = dict(site)
    out["id"] = replica_id(site["id"], k)
    out["lat"], out["lon"] = round(lat, 4), round(lon, 4)
    if "name" in site:
        out["name"] = f"{site['name']} (centre {k})"
    if "city" in site:
        compass = _COMPASS[round(bearing / 45.0) % 8]
        out["city"] = f"{site['city']} ({round(km)} km {compass})"
    out["rooms"] = [
        {**room, "id": replica_id(room["id"], k), "capacity": room["capacity"] + rng.choice(CAPACITY_STEPS)}
        for room in site["rooms"]
    ]
    return out


def _trainer(
    trainer: dict[str, Any], k: int, rng: random.Random, first_names: list[str], last_names: list[str]
) -> dict[str, Any]:
    """Replica ``k`` of a dumped trainer: new ids, name and day rate, same limits."""
    out = dict(trainer)
    out["id"] = replica_id(trainer["id"], k)
    out["home"] = replica_id(trainer["home"], k)
    if "sites" in trainer:
        out["sites"] = [replica_id(s, k) for s in trainer["sites"]]
    factor = 1.0 + rng.uniform(-RATE_JITTER, RATE_JITTER)
    if "day_rate" in trainer:
        out["day_rate"] = round(trainer["day_rate"] * factor)
    if "name" in trainer and first_names and last_names:
        out["name"] = f"{rng.choice(first_names)} {rng.choice(last_names)}"
    return out


# ----- helpers -----------------------------------------------------------------------


def _neighbourhood_centres(base: Instance) -> dict[str, float | None]:
    """Per base site, the bearing to the centre of its neighbours, or ``None`` when it has none."""
    out: dict[str, float | None] = {}
    for site in base.sites:
        near = [
            s
            for s in base.sites
            if s.id != site.id and haversine_km(site.lat, site.lon, s.lat, s.lon) <= NEIGHBOURHOOD_KM
        ]
        if not near:
            out[site.id] = None
            continue
        lat = sum(s.lat for s in near) / len(near)
        lon = sum(s.lon for s in near) / len(near)
        close = haversine_km(site.lat, site.lon, lat, lon) < OFFSET_KM[0]
        out[site.id] = None if close else bearing_to(site.lat, site.lon, lat, lon)
    return out


def _name_parts(base: Instance) -> tuple[list[str], list[str]]:
    """First and last names of the base's trainers named ``First Last…``, sorted and distinct."""
    firsts: set[str] = set()
    lasts: set[str] = set()
    for t in base.trainers:
        parts = (t.name or "").split(maxsplit=1)
        if len(parts) == 2:
            firsts.add(parts[0])
            lasts.add(parts[1])
    return sorted(firsts), sorted(lasts)


def _fresh(value: Any) -> Any:
    """A deep copy with a new object for every container and date.

    ``yaml.safe_dump`` writes an anchor and aliases for any object that occurs
    twice (dates included), and instance files accept few aliases; a fresh
    copy shares nothing.
    """
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_fresh(item) for item in value]
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return value
