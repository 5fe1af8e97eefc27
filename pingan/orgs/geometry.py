"""GeoJSON helpers for the org tree: validation (shapely) and generated tilings for demos."""

from collections.abc import Sequence

from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

Rect = tuple[float, float, float, float]  # west, south, east, north (lng/lat degrees)
# A degree of longitude is shorter than a degree of latitude at Beijing's latitude (~39.9°N).
_LNG_SCALE = 0.767
_COORD_DIGITS = 6


class GeometryError(ValueError):
    """A geometry is not a valid polygon; the message says why, in Chinese."""


def validate_geometry(geometry) -> tuple[float, float]:
    """Check a GeoJSON Polygon/MultiPolygon; return its representative point (lng, lat)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError(_("边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。"))
    try:
        polygon = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise GeometryError(_("边界坐标格式不正确：%(error)s") % {"error": exc}) from exc
    if polygon.is_empty:
        raise GeometryError(_("边界为空。"))
    if not polygon.is_valid:
        raise GeometryError(
            _("边界不是有效多边形（%(reason)s）。") % {"reason": explain_validity(polygon)}
        )
    west, south, east, north = polygon.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise GeometryError(_("边界坐标超出经纬度范围，应为 WGS 84 经度、纬度。"))
    point = polygon.representative_point()
    return round(point.x, _COORD_DIGITS), round(point.y, _COORD_DIGITS)


def rect_polygon(rect: Rect) -> dict:
    """A rectangle as a GeoJSON Polygon (exterior ring counter-clockwise, RFC 7946)."""
    west, south, east, north = (round(value, _COORD_DIGITS) for value in rect)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def split_shape(area, weights: Sequence[float], *, across: bool | None = None) -> list:
    """Tile a shapely (Multi)Polygon into one piece per weight, areas proportional to the
    weights. A binary treemap: halve the list by weight and cut across the longer side of the
    bounds (or as ``across`` says: True cuts along a latitude), the cut placed by bisection so
    that the pieces on either side hold their shares; then recurse.
    Neighbouring pieces share their cut exactly, so queen adjacency holds as on rectangles."""
    if not weights:
        return []
    if len(weights) == 1:
        return [area]
    total = float(sum(weights))
    running, cut, best = 0.0, 1, total
    for index in range(1, len(weights)):
        running += weights[index - 1]
        if abs(total / 2 - running) < best:
            best, cut = abs(total / 2 - running), index
    share = sum(weights[:cut]) / total
    west, south, east, north = area.bounds
    if across is None:
        across = (east - west) * _LNG_SCALE < north - south
    low, high = (south, north) if across else (west, east)
    target = area.area * share
    for _step in range(40):
        middle = (low + high) / 2
        # the first pieces: north of the cut (across) or west of it
        box = _box(west, middle, east, north) if across else _box(west, south, middle, north)
        if (area.intersection(box).area < target) == across:
            high = middle
        else:
            low = middle
    middle = round((low + high) / 2, _COORD_DIGITS)
    first_box = _box(west, middle, east, north) if across else _box(west, south, middle, north)
    second_box = _box(west, south, east, middle) if across else _box(middle, south, east, north)
    first, second = snap(area.intersection(first_box)), snap(area.intersection(second_box))
    return split_shape(first, weights[:cut]) + split_shape(second, weights[cut:])


def snap(area):
    """The piece on the stored coordinates' grid (6 decimals, about 0.1 m), polygons only, so
    that a child is cut from exactly what its parent stores."""
    from shapely import set_precision
    from shapely.geometry import MultiPolygon

    snapped = set_precision(area, 10**-_COORD_DIGITS)
    parts = [g for g in getattr(snapped, "geoms", [snapped]) if g.geom_type == "Polygon"]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def split_shape_rows(area, rows: Sequence[Sequence[float]]) -> list[list]:
    """Tile an outline into rows (north to south), each row into cells (west to east), areas
    proportional to the weights."""
    bands = _stack(area, [sum(row) for row in rows], across=True)
    return [_stack(band, row, across=False) for band, row in zip(bands, rows, strict=True)]


def _stack(area, weights: Sequence[float], *, across: bool) -> list:
    """Pieces in order along one axis (north to south, or west to east)."""
    pieces, rest = [], area
    for index in range(len(weights) - 1):
        head, rest = split_shape(rest, [weights[index], sum(weights[index + 1 :])], across=across)
        pieces.append(head)
    return [*pieces, rest]


def _box(west: float, south: float, east: float, north: float):
    from shapely.geometry import box

    return box(west, south, east, north)


def shape_geojson(area) -> dict:
    """A shapely (Multi)Polygon as GeoJSON with coordinates rounded like ``rect_polygon``'s."""
    from shapely.geometry.polygon import orient

    parts = [area] if area.geom_type == "Polygon" else list(area.geoms)
    parts = [orient(part, sign=1.0) for part in parts if part.geom_type == "Polygon"]

    def ring(coords) -> list[list[float]]:
        return [[round(x, _COORD_DIGITS), round(y, _COORD_DIGITS)] for x, y in coords]

    polygons = [[ring(p.exterior.coords), *(ring(i.coords) for i in p.interiors)] for p in parts]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}
