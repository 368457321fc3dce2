"""Cut an instance into parts of nearby sites, for solving large instances part by part.

Cohorts are tied together only through the rooms of their site and the
trainers who may teach at several sites. Sites that share a *local*
trainer (one allowed at no more than :data:`LOCAL_SITES` sites) go in the
same part, so each part keeps the trainers that matter to it; national
trainers, allowed almost anywhere, tie everything and are shared. Parts
too large are cut in two along their longer geographic axis, and small
ones are merged with their nearest neighbours, until every part has about
``target`` teaching days.

Solver-free.
"""

from __future__ import annotations

from collections import defaultdict

from rollout.index import Index

#: A trainer allowed at no more sites than this is local: the sites they serve stay together.
LOCAL_SITES = 6


def partition(index: Index, target: int = 1200) -> list[list[int]]:
    """Cohort positions of each part; every cohort is in exactly one part."""
    inst = index.instance
    rows_at: dict[str, int] = defaultdict(int)
    cohorts_at: dict[str, list[int]] = defaultdict(list)
    for c, plan in enumerate(index.cohorts):
        cohorts_at[plan.cohort.site].append(c)
        rows_at[plan.cohort.site] += sum(index.blocks[b].length for b in plan.blocks)
    sites = [s.id for s in inst.sites if s.id in cohorts_at]
    parent = {s: s for s in sites}

    def find(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for t in inst.trainers:
        allowed = [s for s in (t.sites if t.sites is not None else []) if s in parent]
        if t.sites is not None and len(t.sites) <= LOCAL_SITES:
            for other in allowed[1:]:
                parent[find(other)] = find(allowed[0])
    groups: dict[str, list[str]] = defaultdict(list)
    for s in sites:
        groups[find(s)].append(s)
    pieces: list[list[str]] = []
    for members in groups.values():
        pieces.extend(_split(index, members, rows_at, target))
    return [
        sorted(c for s in piece for c in cohorts_at[s]) for piece in _merge(index, pieces, rows_at, target)
    ]


def _where(index: Index, site: str) -> tuple[float, float]:
    s = index.instance.site_by_id[site]
    return s.lat, s.lon


def _split(index: Index, sites: list[str], rows_at: dict[str, int], target: int) -> list[list[str]]:
    """Halve ``sites`` along the longer axis until each piece has at most ``target`` rows (or one site)."""
    if len(sites) == 1 or sum(rows_at[s] for s in sites) <= target:
        return [sites]
    lats = [_where(index, s)[0] for s in sites]
    lons = [_where(index, s)[1] for s in sites]
    axis = 0 if max(lats) - min(lats) >= max(lons) - min(lons) else 1
    ordered = sorted(sites, key=lambda s: (_where(index, s)[axis], s))
    half, total, cut = sum(rows_at[s] for s in sites) / 2, 0, 1
    for i, s in enumerate(ordered[:-1], start=1):
        total += rows_at[s]
        cut = i
        if total >= half:
            break
    return _split(index, ordered[:cut], rows_at, target) + _split(index, ordered[cut:], rows_at, target)


def _merge(index: Index, pieces: list[list[str]], rows_at: dict[str, int], target: int) -> list[list[str]]:
    """Merge the smallest piece into its nearest neighbour while both fit in ``target`` rows."""
    pieces = [list(p) for p in pieces]

    def size(p: list[str]) -> int:
        return sum(rows_at[s] for s in p)

    def centre(p: list[str]) -> tuple[float, float]:
        points = [_where(index, s) for s in p]
        return sum(a for a, _ in points) / len(points), sum(b for _, b in points) / len(points)

    while len(pieces) > 1:
        pieces.sort(key=lambda p: (size(p), p[0]))
        small = pieces[0]
        here = centre(small)
        fits = [p for p in pieces[1:] if size(p) + size(small) <= target]
        if not fits:
            break
        near = min(fits, key=lambda p: ((centre(p)[0] - here[0]) ** 2 + (centre(p)[1] - here[1]) ** 2, p[0]))
        near.extend(small)
        pieces.remove(small)
    return pieces
