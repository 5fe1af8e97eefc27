"""Which grid contains a point: shapely polygons in a prepared STRtree, cached per process.

Border rule (deterministic): a point belongs to the grids whose closed polygon covers it
(interior or boundary). A point on a border shared by several grids, or on a corner where
several meet, belongs to exactly one of them: the one with the smallest code. So the answer
never depends on the order the polygons were loaded in, and every point of the district maps
to exactly one grid (or to none, outside every grid).

The index is rebuilt when the grids change: each lookup compares a cheap fingerprint of the
grid rows (count, newest ``updated_at``, largest id) with the one the index was built from.
"""

import threading
from dataclasses import dataclass

import shapely
from django.db.models import Count, Max
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from pingan.orgs.models import Division


@dataclass(frozen=True)
class _GridIndex:
    fingerprint: tuple
    tree: STRtree | None
    ids: list[int]
    codes: list[str]
    polygons: dict[int, object]


_lock = threading.Lock()
_index: _GridIndex | None = None


def _fingerprint() -> tuple:
    found = Division.objects.grids().aggregate(
        count=Count("id"), newest=Max("updated_at"), last=Max("id")
    )
    return (found["count"], found["newest"], found["last"])


def _build(fingerprint: tuple) -> _GridIndex:
    ids, codes, geometries = [], [], []
    rows = Division.objects.grids().exclude(geometry=None).values_list("id", "code", "geometry")
    for pk, code, geometry in rows.iterator(chunk_size=2000):
        polygon = shape(geometry)
        shapely.prepare(polygon)
        ids.append(pk)
        codes.append(code)
        geometries.append(polygon)
    tree = STRtree(geometries) if geometries else None
    return _GridIndex(fingerprint, tree, ids, codes, dict(zip(ids, geometries, strict=True)))


def grid_index() -> _GridIndex:
    """The process's index of grid polygons, rebuilt if the grids changed since it was built."""
    global _index
    fingerprint = _fingerprint()
    current = _index
    if current is not None and current.fingerprint == fingerprint:
        return current
    with _lock:
        if _index is None or _index.fingerprint != fingerprint:
            _index = _build(fingerprint)
        return _index


def grid_id_at(lon: float, lat: float) -> int | None:
    """The id of the one grid containing the point (border rule above), or ``None``."""
    index = grid_index()
    if index.tree is None:
        return None
    hits = index.tree.query(Point(lon, lat), predicate="covered_by")
    if len(hits) == 0:
        return None
    winner = min(hits, key=lambda position: index.codes[position])
    return index.ids[winner]


def grid_at(lon: float, lat: float) -> Division | None:
    """The grid containing the point, as a Division, or ``None`` outside every grid."""
    pk = grid_id_at(lon, lat)
    return None if pk is None else Division.objects.select_related("parent").get(pk=pk)


def grid_ids_at(points: list[tuple[float, float]]) -> list[int | None]:
    """``grid_id_at`` for many points in one vectorised tree query (demo data, imports)."""
    index = grid_index()
    if index.tree is None or not points:
        return [None] * len(points)
    geometries = shapely.points(points)
    point_positions, grid_positions = index.tree.query(geometries, predicate="covered_by")
    result: list[int | None] = [None] * len(points)
    best: list[str | None] = [None] * len(points)
    for point_position, grid_position in zip(point_positions, grid_positions, strict=True):
        code = index.codes[grid_position]
        if best[point_position] is None or code < best[point_position]:
            best[point_position] = code
            result[point_position] = index.ids[grid_position]
    return result
