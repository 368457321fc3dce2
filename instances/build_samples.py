#!/usr/bin/env python3
"""Build the sample instances of ``rollout`` from the 2015 fact files.

Writes three instance files into ``instances/``:

* ``tiny.yaml``: two sites (Paris, Orléans), four trainers, four cohorts and
  twenty teaching days in autumn 2015; the quick start and the tests.
* ``pilot-march-2015.yaml``: the launch of March 2015 in the six pilot regions.
* ``national-s2-2015.yaml``: the national deployment, second semester 2015,
  in all 27 regions of 2015 (overseas included).

It reads, from ``../shared/data`` relative to the repository root (``--data``
to change it):

* ``sites_2015.csv``: regions, city of each Cnam centre, coordinates, school
  zones (2014-15 and from 2016);
* ``school_holidays.csv``: school holidays per zone, 2014-15 and 2015-16;
* ``travel_hours.csv``: rail and air hours of 81 links;
* ``travel_matrix_model.csv``: modelled hours for every pair (national only);
* ``holidays_2015_2016.csv``: public holidays, for the capacity report only.

The instances are self-contained: ``rollout`` never reads ``shared/data`` at
run time, so everything it needs (coordinates, travel hours, school holidays)
is copied into them. Public holidays are not copied: the tool computes them
with the ``holidays`` package from ``settings.country`` and ``site.holidays``.
What the data does not say (rooms, trainers, cohorts, closures) comes from
fixed tables below and from ``random.Random(SEED)``, so every run writes the
same bytes.

After writing, the script reads every file back with PyYAML, checks every
reference, and prints totals and trainer capacity against demand; it exits 1
when a check fails. Run it from the repository root::

    python instances/build_samples.py [--data DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

SEED = 2015
REPO = Path(__file__).resolve().parent.parent
SCHEMA_LINE = "# yaml-language-server: $schema=../docs/instance.schema.json"

# --------------------------------------------------------------------------- facts

#: Site id of each 2015 region: a short lowercase slug.
SLUGS: dict[str, str] = {
    "Alsace": "als",
    "Aquitaine": "aqu",
    "Auvergne": "auv",
    "Bourgogne": "bou",
    "Bretagne": "bre",
    "Centre": "cen",
    "Champagne-Ardenne": "cha",
    "Corse": "cor",
    "Franche-Comté": "fco",
    "Île-de-France": "idf",
    "Languedoc-Roussillon": "lro",
    "Limousin": "lim",
    "Lorraine": "lor",
    "Midi-Pyrénées": "mpy",
    "Nord-Pas-de-Calais": "npc",
    "Basse-Normandie": "bno",
    "Haute-Normandie": "hno",
    "Pays de la Loire": "pdl",
    "Picardie": "pic",
    "Poitou-Charentes": "pch",
    "Provence-Alpes-Côte d'Azur": "paca",
    "Rhône-Alpes": "rha",
    "Guadeloupe": "glp",
    "Martinique": "mtq",
    "Guyane": "guf",
    "La Réunion": "reu",
    "Mayotte": "myt",
}

#: ``holidays`` subdivision of the site's calendar; absent means national only.
#: Alsace's centre is Strasbourg (Bas-Rhin): local law, "6AE". Lorraine's is
#: Nancy (Meurthe-et-Moselle), outside Alsace-Moselle law, so national only; a
#: Moselle site (Metz) would be "57".
SUBDIVISIONS: dict[str, str] = {
    "als": "6AE",
    "glp": "971",
    "mtq": "972",
    "guf": "973",
    "reu": "974",
    "myt": "976",
}


@dataclass(frozen=True)
class Region:
    """One row of sites_2015.csv: a 2015 region and its Cnam centre."""

    name: str
    slug: str
    city: str
    lat: float
    lon: float
    metropolitan: bool
    zone_2014_15: str
    zone_from_2016: str
    pilot: bool


@dataclass(frozen=True)
class SchoolHoliday:
    """One school-holiday period of one zone."""

    zone: str
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class Facts:
    """Everything read from the data folder, keyed by site id."""

    regions: dict[str, Region]
    school_holidays: list[SchoolHoliday]
    links: dict[frozenset[str], tuple[float, str]]  # pair -> (hours, mode)
    model_hours: dict[frozenset[str], float]  # pair -> smaller of both directions
    public_holidays: frozenset[date]  # national ones

    def hours(self, a: str, b: str) -> float:
        """Link hours where travel_hours.csv has the pair, else the model's."""
        pair = frozenset((a, b))
        return self.links[pair][0] if pair in self.links else self.model_hours[pair]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load_facts(data: Path) -> Facts:
    """Read the five CSV files of ``data``."""
    regions = {
        SLUGS[r["region"]]: Region(
            name=r["region"],
            slug=SLUGS[r["region"]],
            city=r["city"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            metropolitan=r["metropolitan"] == "yes",
            zone_2014_15=r["zone"],
            zone_from_2016=r["zone_from_2016"],
            pilot=r["pilot_march_2015"] == "yes",
        )
        for r in _rows(data / "sites_2015.csv")
    }
    school = [
        SchoolHoliday(
            r["zone"], r["name"], date.fromisoformat(r["start"]), date.fromisoformat(r["end"])
        )
        for r in _rows(data / "school_holidays.csv")
    ]
    links = {
        frozenset((SLUGS[r["from"]], SLUGS[r["to"]])): (float(r["hours"]), r["mode"])
        for r in _rows(data / "travel_hours.csv")
    }
    model: dict[frozenset[str], float] = {}
    for r in _rows(data / "travel_matrix_model.csv"):
        pair = frozenset((SLUGS[r["from"]], SLUGS[r["to"]]))
        model[pair] = min(float(r["hours_model"]), model.get(pair, math.inf))
    public = frozenset(
        date.fromisoformat(r["date"])
        for r in _rows(data / "holidays_2015_2016.csv")
        if r["scope"] == "national"
    )
    return Facts(regions, school, links, model, public)


# --------------------------------------------------------------------------- YAML


class Flow(list[Any]):
    """A list written in flow style: ``[a, b]``."""


class FlowMap(dict[str, Any]):
    """A mapping written in flow style, keys in insertion order: ``{a: 1}``."""


class _Dumper(yaml.SafeDumper):
    """Block style, indented sequences, no anchors (the tool's loader refuses them)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(
    Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)


def span(first: date, last: date) -> FlowMap:
    """A date range ``{from: first, to: last}``."""
    return FlowMap({"from": first, "to": last})


def render(instance: dict[str, Any], header: list[str], notes: dict[str, str]) -> str:
    """YAML text: schema line, header comment, then each top-level key with its note."""
    lines = [SCHEMA_LINE, *(f"# {line}" if line else "#" for line in header)]
    parts = ["\n".join(lines) + "\n"]
    for key, value in instance.items():
        text = yaml.dump(
            {key: value},
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )
        note = "".join(f"# {line}\n" for line in notes[key].splitlines()) if key in notes else ""
        parts.append(note + text)
    return "\n".join(parts)


# --------------------------------------------------------------------------- catalogue

TOPICS: dict[str, str] = {
    "context": "Nouveau contexte législatif et institutionnel",
    "cep": "Le CEP : périmètre, pratique, posture",
    "pathways": "Ingénierie de parcours",
    "interview": "Outils méthodologiques et pratiques de l'entretien de CEP",
    "experience": "Élaboration, formalisation et transmission de l'expérience professionnelle",
    "practice": "Échanges de pratiques inter-institutionnels et inter-professionnels",
}


def course(
    cid: str, name: str, hours: float, blocks: list[list[str]], gaps: tuple[int, int] | None = None
) -> dict[str, Any]:
    """One course entry; ``gaps`` is (min_gap_days, max_gap_days) between blocks."""
    rows = [Flow(b) for b in blocks]
    entry: dict[str, Any] = {
        "id": cid,
        "name": name,
        "hours_per_day": hours,
        "blocks": Flow(rows) if len(rows) <= 4 else rows,  # one line while it stays short
    }
    if gaps is not None:
        entry["min_gap_days"], entry["max_gap_days"] = gaps
    return entry


#: "A block every 1–4 weeks": block starts 7–28 days apart, so the gap (first
#: date of the next block minus last date of the previous two-day block) is 6–27.
UE_GAPS = (6, 27)
#: Practice meetings every 3–6 weeks: one-day blocks, gap 21–42 days.
PRACTICE_GAPS = (21, 42)


def catalogue(practice: bool) -> list[dict[str, Any]]:
    """The courses of the 2015 offer; the practice group only in the national wave."""
    courses = [
        course(
            "module-cep", "Prise en main et positionnement CEP", 7, [["context", "cep", "pathways"]]
        ),
        course(
            "ue1",
            "Outils méthodologiques et pratiques de l'entretien de CEP",
            6,
            [["interview", "interview"]] * 5,
            UE_GAPS,
        ),
        course(
            "ue2",
            "Élaboration, formalisation et transmission de l'expérience professionnelle",
            6,
            [["experience", "experience"]] * 5,
            UE_GAPS,
        ),
    ]
    if practice:
        courses.append(
            course(
                "practice-group",
                "Groupe d'échanges de pratiques",
                7,
                [["practice"]] * 4,
                PRACTICE_GAPS,
            )
        )
    return courses


# --------------------------------------------------------------------------- sites

#: Days a Cnam centre is closed for the Christmas break (national instance).
CHRISTMAS = span(date(2015, 12, 24), date(2016, 1, 1))
CHRISTMAS_CLOSED = ("idf", "als", "lor", "npc", "rha", "bre", "aqu", "mpy", "reu")
#: The national CEP study day held at the Cnam in Paris.
STUDY_DAY = date(2015, 11, 17)
#: "Within about 2.5 h": 2.6 keeps Clermont–Lyon, Amiens–Reims and Limoges–Bordeaux.
NEIGHBOUR_HOURS = 2.6


def site(
    region: Region, zone: str | None, rooms: list[FlowMap], closed: Iterable[Any] = ()
) -> dict[str, Any]:
    """A site entry from its region; empty ``closed`` is left out."""
    entry: dict[str, Any] = {
        "id": region.slug,
        "name": f"Cnam {region.name}",
        "region": region.name,
        "city": region.city,
        "lat": region.lat,
        "lon": region.lon,
        "holidays": SUBDIVISIONS.get(region.slug),
        "school_zone": zone,
    }
    if closed := Flow(closed):
        entry["closed"] = closed
    entry["rooms"] = rooms
    return entry


def rooms(rng: random.Random, slug: str, count: int) -> list[FlowMap]:
    """``count`` rooms of 12–30 seats; the first holds 20 or more, so every cohort fits."""
    caps = [rng.randrange(20, 31, 2)] + [rng.randrange(12, 25, 2) for _ in range(count - 1)]
    return [FlowMap({"id": f"{slug}-{k}", "capacity": c}) for k, c in enumerate(caps, 1)]


def neighbours(facts: Facts, slug: str, among: Iterable[str], most: int) -> list[str]:
    """The ``most`` nearest of ``among`` within NEIGHBOUR_HOURS by land (no direct flight)."""
    near = sorted(
        (facts.hours(slug, other), other)
        for other in among
        if other != slug
        and facts.hours(slug, other) <= NEIGHBOUR_HOURS
        and facts.links.get(frozenset((slug, other)), (0.0, ""))[1] != "air"
    )
    return [other for _, other in near[:most]]


def travel(facts: Facts, slugs: list[str], model: bool) -> list[FlowMap]:
    """One entry per pair: travel_hours.csv links, plus the matrix model when ``model``."""
    out = []
    for i, a in enumerate(slugs):
        for b in slugs[i + 1 :]:
            pair = frozenset((a, b))
            if pair in facts.links or model:
                out.append(FlowMap({"from": a, "to": b, "hours": facts.hours(a, b)}))
    return out


def school_holidays(facts: Facts, zones: Iterable[str], first: date, last: date) -> list[FlowMap]:
    """Every period of those zones that overlaps [first, last], as published."""
    wanted = set(zones)
    return [
        FlowMap({"zone": h.zone, "name": h.name, "from": h.start, "to": h.end})
        for h in sorted(facts.school_holidays, key=lambda h: (h.start, h.zone))
        if h.zone in wanted and h.start <= last and h.end >= first
    ]


# --------------------------------------------------------------------------- people

FIRST_NAMES = (  # made-up pairs of common French first and last names
    "Claire Julien Sophie Nicolas Isabelle Thomas Nathalie Laurent Céline Olivier Sandrine "
    "Frédéric Valérie Stéphane Aurélie Christophe Émilie Sébastien Karine Mathieu Hélène "
    "Guillaume Caroline Pierre Anne François Marie Vincent Delphine Éric Camille David Laure "
    "Antoine Élodie Yannick Patricia Bruno Manon Alain Josiane Régis Maëlle Gilles Fanny"
)
LAST_NAMES = (
    "Martin Dubois Robert Richard Petit Durand Leroy Moreau Simon Lefebvre Michel Garcia "
    "Roux Fournier Morel Girard André Mercier Dupont Lambert Bonnet Martinez Legrand "
    "Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Perrin Morin Clément Gauthier "
    "Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Boyer Denis Lemaire Duval Joly"
)


class Names:
    """Distinct, made-up trainer names drawn from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self._pool = [f"{f} {n}" for f in FIRST_NAMES.split() for n in LAST_NAMES.split()]
        rng.shuffle(self._pool)

    def next(self) -> str:
        return self._pool.pop()


def trainer(
    tid: str,
    name: str,
    home: str,
    skills: Iterable[str],
    *,
    rate: int,
    max_days: int,
    per_week: int,
    sites: list[str] | None,
    unavailable: Iterable[Any] = (),
) -> dict[str, Any]:
    """A trainer entry; ``sites=None`` allows any site; empty ``unavailable`` is left out."""
    entry: dict[str, Any] = {
        "id": tid,
        "name": name,
        "home": home,
        "skills": Flow(skills),
        "day_rate": rate,
        "max_days": max_days,
        "max_days_per_week": per_week,
        "sites": None if sites is None else Flow(sites),
    }
    if off := Flow(unavailable):
        entry["unavailable"] = off
    return entry


def cohort(
    cid: str,
    site_id: str,
    courses: list[str],
    *,
    learners: int,
    start: FlowMap,
    end_by: date | None = None,
    count: int = 1,
) -> dict[str, Any]:
    """A cohort entry; ``count`` is written only when above 1."""
    entry: dict[str, Any] = {"id": cid}
    if count > 1:
        entry["count"] = count
    entry |= {"site": site_id, "learners": learners, "courses": Flow(courses), "start": start}
    if end_by is not None:
        entry["end_by"] = end_by
    return entry


def header(
    name: str,
    first: date,
    last: date,
    settings: dict[str, Any],
    topics: dict[str, str],
    courses: list[dict[str, Any]],
) -> dict[str, Any]:
    """The keys that precede sites, in the spec's order (weights left to defaults)."""
    return {
        "name": name,
        "horizon": FlowMap({"start": first, "end": last}),
        "settings": settings,
        "topics": topics,
        "courses": courses,
    }


# --------------------------------------------------------------------------- tiny


def build_tiny(facts: Facts) -> dict[str, Any]:
    """Two sites, four trainers, four cohorts, 20 teaching days around 11 November 2015."""
    rng = random.Random(f"tiny-{SEED}")
    names = Names(rng)
    first, last = date(2015, 10, 12), date(2015, 11, 20)
    idf, cen = facts.regions["idf"], facts.regions["cen"]
    topics = {k: TOPICS[k] for k in ("context", "cep", "pathways", "interview")}
    courses = [
        catalogue(practice=False)[0],
        course(
            "ue-short",
            "Entretien de CEP, version courte",
            6,
            [["interview", "interview"]] * 2,
            UE_GAPS,
        ),
    ]
    # Autumn 2015 is before the zone reform of 1 January 2016: 2014-15 zones.
    sites = [
        site(
            idf,
            idf.zone_2014_15,
            [
                FlowMap({"id": "idf-1", "capacity": 20, "closed": Flow([date(2015, 10, 21)])}),
                FlowMap({"id": "idf-2", "capacity": 16}),
            ],
        ),
        site(cen, cen.zone_2014_15, [FlowMap({"id": "cen-1", "capacity": 16})]),
    ]
    module = ["context", "cep", "pathways"]
    leave = [span(date(2015, 11, 16), date(2015, 11, 20))]
    trainers = [
        trainer("t01", names.next(), "idf", module, rate=550, max_days=20, per_week=4, sites=None),
        trainer(
            "t02",
            names.next(),
            "idf",
            ["cep", "interview"],
            rate=500,
            max_days=20,
            per_week=4,
            sites=None,
        ),
        trainer(
            "t03",
            names.next(),
            "cen",
            [*module, "interview"],
            rate=450,
            max_days=15,
            per_week=3,
            sites=["cen"],
        ),
        trainer(
            "t04",
            names.next(),
            "cen",
            ["pathways", "interview"],
            rate=420,
            max_days=15,
            per_week=3,
            sites=["cen", "idf"],
            unavailable=leave,
        ),
    ]
    early, late = span(first, date(2015, 10, 23)), span(date(2015, 10, 19), date(2015, 11, 6))
    cohorts = [
        cohort(
            "idf-module",
            "idf",
            ["module-cep"],
            learners=14,
            start=span(first, date(2015, 10, 30)),
            end_by=date(2015, 11, 13),
            count=2,
        ),
        cohort("idf-path", "idf", ["module-cep", "ue-short"], learners=18, start=early),
        cohort("cen-module", "cen", ["module-cep"], learners=12, start=late),
        cohort("cen-ue", "cen", ["ue-short"], learners=10, start=early),
    ]
    return header("tiny", first, last, {"country": "FR"}, topics, courses) | {
        "sites": sites,
        "trainers": trainers,
        "travel": travel(facts, ["idf", "cen"], model=False),
        "school_holidays": school_holidays(facts, ["B", "C"], first, last),
        "cohorts": cohorts,
    }


# --------------------------------------------------------------------------- pilot

PILOT_FIRST, PILOT_LAST = date(2015, 3, 2), date(2015, 7, 17)
#: Bridge days (holidays_2015_2016.csv) some centres close on.
PILOT_CLOSED = {
    "idf": [date(2015, 5, 15)],
    "paca": [date(2015, 5, 15)],
    "aqu": [date(2015, 5, 15)],
    "bre": [date(2015, 7, 13)],
    "pdl": [date(2015, 7, 13)],
    "rha": [date(2015, 7, 13)],
}
PILOT_NATIONAL_SKILLS = (
    ("context", "cep", "pathways"),
    ("cep", "pathways", "interview"),
    ("interview", "experience"),
    ("context", "experience"),
)
PILOT_REGIONAL_SKILLS = (
    ("context", "cep", "pathways", "interview"),
    ("cep", "pathways", "interview", "experience"),
)
PILOT_LEAVE = (
    span(date(2015, 4, 13), date(2015, 4, 17)),
    span(date(2015, 5, 11), date(2015, 5, 13)),
    span(date(2015, 6, 22), date(2015, 6, 26)),
    date(2015, 3, 20),
)


def build_pilot(facts: Facts) -> dict[str, Any]:
    """The six pilot regions, March–July 2015."""
    rng = random.Random(f"pilot-{SEED}")
    names = Names(rng)
    pilots = [r for r in facts.regions.values() if r.pilot]
    slugs = [r.slug for r in pilots]
    sites = [
        site(r, r.zone_2014_15, rooms(rng, r.slug, 2), PILOT_CLOSED.get(r.slug, [])) for r in pilots
    ]
    room = next(r for s in sites for r in s["rooms"] if r["id"] == "idf-2")
    room["closed"] = Flow([span(date(2015, 4, 20), date(2015, 4, 24))])  # works in one room
    trainers = [
        trainer(
            f"nat-{k:02d}",
            names.next(),
            "idf",
            skills,
            rate=rng.randrange(550, 651, 25),
            max_days=60,
            per_week=4,
            sites=None,
            unavailable=[PILOT_LEAVE[k - 1]] if k % 2 else [],
        )
        for k, skills in enumerate(PILOT_NATIONAL_SKILLS, 1)
    ]
    for r in pilots:
        near = neighbours(facts, r.slug, slugs, most=1)
        for k, skills in enumerate(PILOT_REGIONAL_SKILLS, 1):
            trainers.append(
                trainer(
                    f"{r.slug}-t{k}",
                    names.next(),
                    r.slug,
                    skills,
                    rate=rng.randrange(400, 501, 10),
                    max_days=45,
                    per_week=rng.choice((3, 4)),
                    sites=[r.slug, *near] if k == 1 else [r.slug],
                    unavailable=[rng.choice(PILOT_LEAVE)] if rng.random() < 0.3 else [],
                )
            )
    march = span(PILOT_FIRST, date(2015, 3, 31))
    cohorts = []
    for r in pilots:
        cohorts += [
            cohort(
                f"{r.slug}-module",
                r.slug,
                ["module-cep"],
                learners=rng.randint(12, 16),
                start=march,
                end_by=date(2015, 4, 30),
                count=2,
            ),
            cohort(
                f"{r.slug}-cert",
                r.slug,
                ["ue1", "ue2"],
                learners=rng.randint(12, 18),
                start=march,
                end_by=PILOT_LAST,
            ),
        ]
    zones = {r.zone_2014_15 for r in pilots}
    topics = {k: v for k, v in TOPICS.items() if k != "practice"}
    return header(
        "pilot-march-2015",
        PILOT_FIRST,
        PILOT_LAST,
        {"country": "FR"},
        topics,
        catalogue(practice=False),
    ) | {
        "sites": sites,
        "trainers": trainers,
        "travel": travel(facts, slugs, model=False),
        "school_holidays": school_holidays(facts, sorted(zones), PILOT_FIRST, PILOT_LAST),
        "cohorts": cohorts,
    }


# --------------------------------------------------------------------------- national

NAT_FIRST, NAT_LAST = date(2015, 8, 31), date(2016, 2, 26)
#: Regions with the larger demand: three regional trainers, two certificate groups.
LARGE = ("idf", "rha", "paca", "npc", "aqu", "pdl", "bre", "mpy", "lro", "als", "lor")
OVERSEAS_TRAINERS = {"reu": 3, "glp": 3, "mtq": 2, "guf": 2, "myt": 2}
NATIONAL_SKILLS = (
    ("context", "cep", "pathways"),
    ("cep", "pathways", "interview"),
    ("interview", "experience"),
    ("context", "experience"),
    ("context", "cep", "pathways", "practice"),
    ("interview", "practice"),
    ("experience", "practice", "cep"),
    ("context", "cep", "pathways", "interview"),
)
#: Regional skill sets, in order: two trainers already cover every topic.
REGIONAL_SKILLS = (
    ("context", "cep", "pathways", "interview", "practice"),
    ("cep", "pathways", "interview", "experience", "practice"),
    ("context", "pathways", "experience", "interview"),
)
#: Overseas trainers have no national team to fall back on: wider skill sets.
OVERSEAS_SKILLS = (
    ("context", "cep", "pathways", "interview", "practice"),
    ("context", "cep", "pathways", "interview", "experience", "practice"),
    ("cep", "pathways", "experience", "practice"),
)
NAT_LEAVE = (
    span(date(2015, 12, 21), date(2015, 12, 31)),
    span(date(2015, 10, 19), date(2015, 10, 23)),
    span(date(2016, 2, 15), date(2016, 2, 19)),
    span(date(2015, 11, 23), date(2015, 11, 25)),
    date(2015, 9, 25),
)


def national_sites(facts: Facts, rng: random.Random) -> list[dict[str, Any]]:
    """All 27 sites, 2015-16 zones, closures for the study day and Christmas."""
    out = []
    for r in facts.regions.values():
        closed: list[Any] = [CHRISTMAS] if r.slug in CHRISTMAS_CLOSED else []
        if r.slug == "idf":
            closed.insert(0, STUDY_DAY)
        n_rooms = 3 if r.slug in LARGE else rng.randint(1, 2) if r.metropolitan else 1
        out.append(site(r, r.zone_from_2016, rooms(rng, r.slug, n_rooms), closed))
    for entry in rng.sample([s for s in out if len(s["rooms"]) > 1], 4):
        monday = date(2015, 9, 28) + timedelta(weeks=rng.randrange(8))
        entry["rooms"][-1]["closed"] = Flow([span(monday, monday + timedelta(days=4))])
    return out


def national_trainers(facts: Facts, rng: random.Random) -> list[dict[str, Any]]:
    """A travelling national team from Paris, then 2–3 trainers per region."""
    names = Names(rng)
    metro = [r.slug for r in facts.regions.values() if r.metropolitan]

    def leave() -> list[Any]:
        return [rng.choice(NAT_LEAVE)] if rng.random() < 0.35 else []

    out = [
        trainer(
            f"nat-{k:02d}",
            names.next(),
            "idf",
            skills,
            rate=rng.randrange(600, 701, 25),
            max_days=80,
            per_week=4,
            sites=metro,
            unavailable=leave(),
        )
        for k, skills in enumerate(NATIONAL_SKILLS, 1)
    ]
    skill_sets: tuple[tuple[str, ...], ...]
    for r in facts.regions.values():
        if r.metropolitan:
            count, skill_sets = (3 if r.slug in LARGE else 2), REGIONAL_SKILLS
            near = neighbours(facts, r.slug, metro, most=3)
        else:
            count, skill_sets, near = OVERSEAS_TRAINERS[r.slug], OVERSEAS_SKILLS, []
        for k in range(1, count + 1):
            out.append(
                trainer(
                    f"{r.slug}-t{k}",
                    names.next(),
                    r.slug,
                    skill_sets[k - 1],
                    rate=rng.randrange(400, 501, 10),
                    max_days=rng.randrange(40, 61, 5),
                    per_week=rng.choice((3, 4)),
                    sites=[r.slug, *near],
                    unavailable=leave(),
                )
            )
    return out


def national_cohorts(facts: Facts, rng: random.Random) -> list[dict[str, Any]]:
    """Per site: 2–4 module groups, 1–2 certificate groups, one practice group."""
    modules = span(date(2015, 9, 1), date(2015, 10, 30))
    # Four meetings at least 21 days apart must end by 18 December: start by 9 October.
    practice = span(date(2015, 9, 7), date(2015, 10, 9))
    out = []
    for r in facts.regions.values():
        if r.metropolitan:
            n_modules = rng.randint(3, 4) if r.slug in LARGE else rng.randint(2, 3)
            n_certs = 2 if r.slug in LARGE else rng.randint(1, 2)
        else:
            n_modules, n_certs = 2, 1
        out += [
            cohort(
                f"{r.slug}-module",
                r.slug,
                ["module-cep"],
                learners=rng.randint(10, 16),
                start=modules,
                end_by=date(2015, 12, 18),
                count=n_modules,
            ),
            cohort(
                f"{r.slug}-cert",
                r.slug,
                ["ue1", "ue2"],
                learners=rng.randint(12, 18),
                start=modules,
                end_by=NAT_LAST,
                count=n_certs,
            ),
            cohort(
                f"{r.slug}-practice",
                r.slug,
                ["practice-group"],
                learners=rng.randint(8, 12),
                start=practice,
                end_by=date(2015, 12, 18),
            ),
        ]
    return out


def build_national(facts: Facts) -> dict[str, Any]:
    """All 27 regions, 31 August 2015 to 26 February 2016."""
    rng = random.Random(f"national-{SEED}")
    slugs = list(facts.regions)
    zones = sorted({r.zone_from_2016 for r in facts.regions.values()})
    return header(
        "national-s2-2015", NAT_FIRST, NAT_LAST, {"country": "FR"}, TOPICS, catalogue(practice=True)
    ) | {
        "sites": national_sites(facts, rng),
        "trainers": national_trainers(facts, rng),
        "travel": travel(facts, slugs, model=True),
        "school_holidays": school_holidays(facts, zones, NAT_FIRST, NAT_LAST),
        "cohorts": national_cohorts(facts, rng),
    }


# --------------------------------------------------------------------------- comments

HEADERS: dict[str, list[str]] = {
    "tiny": [
        "Tiny sample: Paris and Orléans, 4 trainers, 4 cohorts (5 after count), 20 teaching",
        "days from 12 October to 20 November 2015: Toussaint school holidays, 11 November,",
        "a room closure and a trainer on leave. Solves in about a second; quick start and tests.",
    ],
    "pilot-march-2015": [
        "Pilot launch of the Cnam CEP offer, March to July 2015, in the six pilot regions:",
        "Île-de-France, Pays de la Loire, Provence-Alpes-Côte d'Azur, Aquitaine, Bretagne,",
        "Rhône-Alpes. Per site two module-cep groups and one certificate group (ue1 then ue2);",
        "a national team of four based in Paris and two regional trainers per site.",
    ],
    "national-s2-2015": [
        "National deployment of the Cnam CEP offer, second semester 2015, in the 27 regions",
        "of 2015 (22 metropolitan, 5 overseas): module-cep groups, certificate groups (ue1",
        "then ue2) and inter-institutional practice-exchange groups. A national team of eight",
        "based in Paris travels to metropolitan sites; regional and overseas trainers work",
        "at their own site and nearby ones.",
    ],
}
GENERATED = [
    "",
    "Generated by instances/build_samples.py from shared/data (2015 facts): edit the",
    "script and run it again rather than editing this file.",
]
NOTES: dict[str, dict[str, str]] = {
    "tiny": {
        "sites": "school_zone: 2014-15 zones (the reform of 1 January 2016 is later).",
        "school_holidays": "Toussaint 2015, the same dates in every zone.",
    },
    "pilot-march-2015": {
        "sites": (
            "school_zone: 2014-15 zones (column `zone` of sites_2015.csv). Some centres close\n"
            "on the bridge days 15 May (Ascension) or 13 July 2015."
        ),
        "travel": (
            "Rail hours of travel_hours.csv (10 of the 15 pairs); the tool computes the others\n"
            "as km / travel_speed_kmh + travel_overhead_hours."
        ),
        "school_holidays": "2014-15 periods of zones A, B and C overlapping the horizon.",
    },
    "national-s2-2015": {
        "sites": (
            "school_zone: the zones from 1 January 2016 (column `zone_from_2016`). Until\n"
            "Christmas every zone has the same holidays; the only zone-dependent period in\n"
            "the horizon, winter 2016, follows the new zones. Overseas and Corsica have their\n"
            "own calendars (labels as in sites_2015.csv); the data has Réunion's 2015-16\n"
            "periods and Guadeloupe's 2015 summer (to 31 August) only, so Corse, Guadeloupe\n"
            "after August, Martinique, Guyane and Mayotte carry no school holidays. Paris is\n"
            "closed on the national CEP study day (17 November 2015); some centres close over\n"
            "Christmas (24 December to 1 January)."
        ),
        "trainers": (
            "nat-*: national team based in Paris, any metropolitan site. <site>-t*: their own\n"
            "site and its (up to three nearest) neighbours within about 2.5 h by land; Corsica\n"
            "has none. Overseas trainers work only at their own site."
        ),
        "travel": (
            "Every pair: travel_hours.csv where it has the link, else travel_matrix_model.csv\n"
            "(shortest path with change penalties; the smaller direction)."
        ),
        "school_holidays": "Periods of every zone used that overlap the horizon, as published.",
    },
}


# --------------------------------------------------------------------------- checks

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def expand(items: list[Any] | None) -> set[date]:
    """Every date of a date set."""
    out: set[date] = set()
    for item in items or []:
        if isinstance(item, dict):
            first, last = item["from"], item["to"]
            out.update(first + timedelta(days=k) for k in range((last - first).days + 1))
        else:
            out.add(item)
    return out


def cohort_list(inst: dict[str, Any]) -> list[dict[str, Any]]:
    """Cohorts after ``count`` expansion."""
    out = []
    for spec in inst["cohorts"]:
        n = spec.get("count")
        ids = [spec["id"]] if n is None else [f"{spec['id']}-{k}" for k in range(1, n + 1)]
        out += [spec | {"id": cid} for cid in ids]
    return out


def reference_problems(inst: dict[str, Any]) -> Iterator[str]:
    """Every broken reference, bad id, misordered range or cohort without a room."""
    topics = set(inst["topics"])
    courses = {c["id"]: c for c in inst["courses"]}
    sites = {s["id"]: s for s in inst["sites"]}
    room_ids = [r["id"] for s in inst["sites"] for r in s["rooms"]]
    h = inst["horizon"]
    ids = [
        *topics,
        *courses,
        *sites,
        *room_ids,
        *(t["id"] for t in inst["trainers"]),
        *(c["id"] for c in cohort_list(inst)),
    ]
    yield from (f"bad id {i!r}" for i in ids if not ID.match(str(i)))
    for kind, values in (
        ("room", room_ids),
        ("trainer", [t["id"] for t in inst["trainers"]]),
        ("cohort", [c["id"] for c in cohort_list(inst)]),
        ("site", list(sites)),
        ("course", list(courses)),
    ):
        yield from (f"duplicate {kind} {v}" for v, n in Counter(values).items() if n > 1)
    for c in inst["courses"]:
        yield from (
            f"course {c['id']}: topic {t}" for b in c["blocks"] for t in b if t not in topics
        )
    for t in inst["trainers"]:
        bad = [x for x in [t["home"], *(t["sites"] or [])] if x not in sites]
        bad += [x for x in t["skills"] if x not in topics]
        yield from (f"trainer {t['id']}: unknown {x}" for x in bad)
    for e in inst.get("travel", []):
        yield from (f"travel: unknown site {x}" for x in (e["from"], e["to"]) if x not in sites)
    pairs = Counter(frozenset((e["from"], e["to"])) for e in inst.get("travel", []))
    yield from (f"travel: pair {sorted(p)} twice" for p, n in pairs.items() if n > 1)
    ranges = [i for s in inst["sites"] for i in s.get("closed", [])]
    ranges += [i for t in inst["trainers"] for i in t.get("unavailable", [])]
    ranges += [c["start"] for c in inst["cohorts"]] + inst.get("school_holidays", [])
    yield from (
        f"range {r} ends before it starts"
        for r in ranges
        if isinstance(r, dict) and r["to"] < r["from"]
    )
    for c in cohort_list(inst):
        if c["site"] not in sites or any(x not in courses for x in c["courses"]):
            yield f"cohort {c['id']}: unknown site or course"
            continue
        if all(r["capacity"] < c["learners"] for r in sites[c["site"]]["rooms"]):
            yield f"cohort {c['id']}: {c['learners']} learners fit no room of {c['site']}"
        if not h["start"] <= c["start"]["from"] <= c["start"]["to"] <= h["end"]:
            yield f"cohort {c['id']}: start window outside the horizon"


def cohort_topic_days(inst: dict[str, Any], c: dict[str, Any]) -> Counter[str]:
    """Teaching days per topic a cohort needs."""
    courses = {x["id"]: x for x in inst["courses"]}
    return Counter(t for cid in c["courses"] for b in courses[cid]["blocks"] for t in b)


# ----- capacity: a max-flow relaxation ---------------------------------------------


class MaxFlow:
    """Dinic's algorithm on integer capacities."""

    def __init__(self) -> None:
        self.adj: list[list[int]] = []
        self.head: list[int] = []
        self.cap: list[int] = []

    def node(self) -> int:
        self.adj.append([])
        return len(self.adj) - 1

    def edge(self, u: int, v: int, cap: int) -> None:
        for a, b, c in ((u, v, cap), (v, u, 0)):
            self.adj[a].append(len(self.head))
            self.head.append(b)
            self.cap.append(c)

    def run(self, s: int, t: int) -> int:
        total = 0
        while (level := self._levels(s, t)) is not None:
            nxt = [0] * len(self.adj)
            while pushed := self._push(s, t, 10**9, level, nxt):
                total += pushed
        return total

    def _levels(self, s: int, t: int) -> list[int] | None:
        level = [-1] * len(self.adj)
        level[s], queue = 0, [s]
        for u in queue:
            for e in self.adj[u]:
                if self.cap[e] > 0 and level[self.head[e]] < 0:
                    level[self.head[e]] = level[u] + 1
                    queue.append(self.head[e])
        return level if level[t] >= 0 else None

    def _push(self, u: int, t: int, limit: int, level: list[int], nxt: list[int]) -> int:
        if u == t:
            return limit
        while nxt[u] < len(self.adj[u]):
            e = self.adj[u][nxt[u]]
            v = self.head[e]
            if self.cap[e] > 0 and level[v] == level[u] + 1:
                got = self._push(v, t, min(limit, self.cap[e]), level, nxt)
                if got:
                    self.cap[e] -= got
                    self.cap[e ^ 1] += got
                    return got
            nxt[u] += 1
        return 0


def weeks(first: date, last: date) -> list[date]:
    """Monday of every ISO week that meets [first, last]."""
    monday = first - timedelta(days=first.weekday())
    return [monday + timedelta(weeks=k) for k in range((last - monday).days // 7 + 1)]


def week_capacity(
    t: dict[str, Any], monday: date, h: dict[str, date], public: frozenset[date]
) -> int:
    """Days a trainer can teach in one week: free weekdays, capped by the weekly limit."""
    off = expand(t.get("unavailable"))
    free = sum(
        1
        for k in range(5)
        if h["start"] <= (d := monday + timedelta(days=k)) <= h["end"]
        and d not in public
        and d not in off
    )
    return min(free, t.get("max_days_per_week") or 7)


def trainer_capacity(t: dict[str, Any], h: dict[str, date], public: frozenset[date]) -> int:
    """Teaching days a trainer can give over the horizon."""
    total = sum(week_capacity(t, w, h, public) for w in weeks(h["start"], h["end"]))
    return min(total, t.get("max_days") or total)


def flow_check(inst: dict[str, Any], public: frozenset[date], factor: float) -> tuple[int, int]:
    """Can the trainers give ``factor`` × every cohort's days, week by week?

    A relaxation of the model: each trainer gives at most ``max_days`` and, in
    each ISO week, at most its weekly limit minus leave; a (site, topic,
    window) demand takes days from trainers with the skill, allowed at the
    site, in weeks meeting the cohort's window. Returns (placed, required).
    """
    h = inst["horizon"]
    demand: Counter[tuple[str, str, date, date]] = Counter()
    for c in cohort_list(inst):
        last = c.get("end_by") or h["end"]
        for topic, days in cohort_topic_days(inst, c).items():
            demand[c["site"], topic, c["start"]["from"], last] += days
    g = MaxFlow()
    source, sink = g.node(), g.node()
    sinks = {}
    for key, days in demand.items():
        sinks[key] = g.node()
        g.edge(sinks[key], sink, math.ceil(factor * days))
    for t in inst["trainers"]:
        tn = g.node()
        g.edge(source, tn, trainer_capacity(t, h, public))
        allowed = set(t["sites"] or (s["id"] for s in inst["sites"]))
        targets = [(k, n) for k, n in sinks.items() if k[0] in allowed and k[1] in t["skills"]]
        for monday in weeks(h["start"], h["end"]):
            wn = g.node()
            g.edge(tn, wn, week_capacity(t, monday, h, public))
            for (_, _, first, last), n in targets:
                if monday <= last and monday + timedelta(days=6) >= first:
                    g.edge(wn, n, 10**6)
    return g.run(source, sink), sum(math.ceil(factor * d) for d in demand.values())


def report(inst: dict[str, Any], public: frozenset[date]) -> list[str]:
    """Print totals and capacity; return the problems found."""
    problems = list(reference_problems(inst))
    cohorts = cohort_list(inst)
    h = inst["horizon"]
    need: Counter[str] = Counter()
    site_need: Counter[str] = Counter()
    for c in cohorts:
        days = cohort_topic_days(inst, c)
        need.update(days)
        site_need[c["site"]] += sum(days.values())
    caps = {t["id"]: trainer_capacity(t, h, public) for t in inst["trainers"]}
    n_rooms = sum(len(s["rooms"]) for s in inst["sites"])
    print(
        f"== {inst['name']}: {len(inst['sites'])} sites, {n_rooms} rooms, "
        f"{len(inst['trainers'])} trainers, {len(cohorts)} cohorts, "
        f"{sum(need.values())} teaching days, {len(inst.get('travel', []))} travel entries, "
        f"{len(inst.get('school_holidays', []))} school-holiday periods"
    )
    print(f"   {'topic':<11} {'demand':>6} {'available':>9} {'ratio':>6}")
    for topic in inst["topics"]:
        avail = sum(caps[t["id"]] for t in inst["trainers"] if topic in t["skills"])
        ratio = avail / need[topic] if need[topic] else math.inf
        print(f"   {topic:<11} {need[topic]:>6} {avail:>9} {ratio:>6.1f}")
    all_sites = [s["id"] for s in inst["sites"]]
    site_ratio = {
        s: sum(caps[t["id"]] for t in inst["trainers"] if s in (t["sites"] or all_sites))
        / site_need[s]
        for s in site_need
    }
    worst = min(site_ratio, key=site_ratio.__getitem__)
    print(
        f"   trainer-days allowed at a site / its demand: lowest {site_ratio[worst]:.1f} "
        f"({worst}); total capacity {sum(caps.values())}"
    )
    for factor in (1.0, 1.5):
        placed, required = flow_check(inst, public, factor)
        print(f"   week-by-week flow at {factor}x demand: {placed}/{required} trainer-days placed")
        if placed < required:
            problems.append(f"trainers cannot cover {factor}x demand ({placed}/{required})")
    return problems


# --------------------------------------------------------------------------- main

BUILDERS = {"tiny": build_tiny, "pilot-march-2015": build_pilot, "national-s2-2015": build_national}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="folder of the 2015 CSV files (default: ../shared/data)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "instances",
        help="folder to write the instances to (default: instances/)",
    )
    args = parser.parse_args(argv)
    facts = load_facts(args.data)
    failed = False
    for name, build in BUILDERS.items():
        path = args.out / f"{name}.yaml"
        path.write_text(
            render(build(facts), HEADERS[name] + GENERATED, NOTES[name]), encoding="utf-8"
        )
        print(f"wrote {path}")
        problems = report(yaml.safe_load(path.read_text(encoding="utf-8")), facts.public_holidays)
        for problem in problems:
            print(f"   PROBLEM: {problem}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
