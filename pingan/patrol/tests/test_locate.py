"""Point-in-grid: interior, borders shared by two grids, corners, outside, index refresh."""

import pytest
from shapely.geometry import shape

from pingan.orgs.models import Division
from pingan.patrol import locate

pytestmark = pytest.mark.django_db


def _shared_edge(first: Division, second: Division):
    """A point in the middle of the border two grids share."""
    border = shape(first.geometry).intersection(shape(second.geometry))
    assert border.length > 0, "the grids must share an edge"
    return border.interpolate(0.5, normalized=True)


def _neighbours():
    grids = list(Division.objects.grids().filter(parent__code="110101001001").order_by("code"))
    for index, first in enumerate(grids):
        for second in grids[index + 1 :]:
            if shape(first.geometry).intersection(shape(second.geometry)).length > 0:
                return first, second
    raise AssertionError("no adjacent grids")


def test_an_interior_point_is_in_its_grid(grid):
    point = shape(grid.geometry).representative_point()
    assert locate.grid_id_at(point.x, point.y) == grid.pk
    assert locate.grid_at(point.x, point.y) == grid


def test_a_point_on_a_shared_border_belongs_to_the_grid_with_the_smaller_code():
    # given two grids sharing an edge
    first, second = _neighbours()
    point = _shared_edge(first, second)
    # when the point on the border is located
    found = locate.grid_id_at(point.x, point.y)
    # then exactly one grid gets it: the one whose code sorts first, whatever the order
    assert found == min((first, second), key=lambda g: g.code).pk
    assert shape(first.geometry).covers(point) and shape(second.geometry).covers(point)


def test_a_corner_shared_by_several_grids_belongs_to_exactly_one():
    grids = list(Division.objects.grids().filter(parent__code="110101001001"))
    corners: dict[tuple, list[Division]] = {}
    for grid in grids:
        for x, y in shape(grid.geometry).exterior.coords:
            corners.setdefault((x, y), []).append(grid)
    (x, y), owners = max(corners.items(), key=lambda item: len(item[1]))
    assert len(owners) >= 3
    assert locate.grid_id_at(x, y) == min(owners, key=lambda g: g.code).pk


def test_outside_every_grid_there_is_no_grid():
    assert locate.grid_id_at(116.2, 39.9) is None  # west of Dongcheng
    assert locate.grid_id_at(0.0, 0.0) is None


def test_many_points_at_once_agree_with_one_at_a_time():
    first, second = _neighbours()
    edge = _shared_edge(first, second)
    points = [
        (edge.x, edge.y),
        (shape(first.geometry).centroid.x, shape(first.geometry).centroid.y),
        (116.2, 39.9),
    ]
    assert locate.grid_ids_at(points) == [locate.grid_id_at(x, y) for x, y in points]


def test_the_index_is_rebuilt_when_a_grid_changes(grid):
    # given the index built once
    before = locate.grid_index()
    assert locate.grid_index() is before  # cached while nothing changes
    # when a grid's geometry is updated (as import_boundaries would)
    point = shape(grid.geometry).representative_point()
    moved = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
    }
    Division.objects.filter(pk=grid.pk).update(
        geometry=moved, updated_at=grid.updated_at.replace(year=2099)
    )
    # then the next lookup sees the new polygon
    assert locate.grid_index() is not before
    assert locate.grid_id_at(0.5, 0.5) == grid.pk
    assert locate.grid_id_at(point.x, point.y) != grid.pk
