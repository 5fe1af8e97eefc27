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


def split_rect(rect: Rect, weights: Sequence[float]) -> list[Rect]:
    """Tile a rectangle into one rectangle per weight, areas proportional to the weights.

    A binary treemap: halve the list by weight, cut across the longer side, recurse. The
    pieces tile the rectangle exactly (shared edges are the same floats) and stay squarish.
    """
    if not weights:
        return []
    if len(weights) == 1:
        return [rect]
    total = float(sum(weights))
    running, cut = 0.0, 1
    best = total
    for index in range(1, len(weights)):
        running += weights[index - 1]
        gap = abs(total / 2 - running)
        if gap < best:
            best, cut = gap, index
    share = sum(weights[:cut]) / total
    west, south, east, north = rect
    if (east - west) * _LNG_SCALE >= north - south:
        middle = west + (east - west) * share
        first, second = (west, south, middle, north), (middle, south, east, north)
    else:  # cut across, the first pieces to the north
        middle = north - (north - south) * share
        first, second = (west, middle, east, north), (west, south, east, middle)
    return split_rect(first, weights[:cut]) + split_rect(second, weights[cut:])


def split_rows(rect: Rect, rows: Sequence[Sequence[float]]) -> list[list[Rect]]:
    """Tile a rectangle into rows (north to south), each row into cells (west to east)."""
    west, south, east, north = rect
    total = float(sum(sum(row) for row in rows))
    result, top = [], north
    for row in rows:
        bottom = top - (north - south) * sum(row) / total
        if row is rows[-1]:
            bottom = south
        cells, left, row_total = [], west, float(sum(row))
        for index, weight in enumerate(row):
            right = east if index == len(row) - 1 else left + (east - west) * weight / row_total
            cells.append((left, bottom, right, top))
            left = right
        result.append(cells)
        top = bottom
    return result
