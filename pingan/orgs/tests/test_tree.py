"""The demo org tree: real streets and communities, 1,971 grids, valid tiling geometry."""

import csv

import pytest
from shapely.geometry import shape
from shapely.strtree import STRtree

from pingan.demo.orgs import DIVISIONS_CSV, load_org_tree
from pingan.orgs.models import Division, Staff, Unit

STREETS = "东华门 景山 交道口 安定门 北新桥 东四 朝阳门 建国门 东直门 和平里 前门 崇文门外 东花市 龙潭 体育馆路 天坛 永定门外"  # noqa: E501
AREA_TOLERANCE = 1e-9


def _official(level: str) -> dict[str, str]:
    with DIVISIONS_CSV.open(encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle) if row["level"] == level}


@pytest.mark.django_db
def test_seventeen_real_streets():
    names = set(Division.objects.streets().values_list("name", flat=True))
    assert names == {f"{short}街道" for short in STREETS.split()}
    assert dict(Division.objects.streets().values_list("code", "name")) == _official("street")


@pytest.mark.django_db
def test_communities_carry_official_codes():
    communities = dict(Division.objects.communities().values_list("code", "name"))
    official = _official("community")
    assert len(communities) == len(official) == 169
    assert communities == {code: name.removesuffix("居委会") for code, name in official.items()}


@pytest.mark.django_db
def test_exactly_1971_grids_each_in_one_community():
    grids = Division.objects.grids().select_related("parent")
    assert grids.count() == 1971
    assert {grid.parent.level for grid in grids} == {"community"}
    assert all(grid.path == f"{grid.parent.path}{grid.code}/" for grid in grids)
    assert all(grid.code.startswith(grid.parent.code) for grid in grids)


@pytest.mark.django_db
@pytest.mark.parametrize("parent_level", ["district", "street", "community"])
def test_children_tile_their_parent_without_overlap(parent_level):
    # given every division of this level and its children's polygons
    for parent in Division.objects.filter(level=parent_level):
        outline = shape(parent.geometry)
        pieces = [shape(child.geometry) for child in parent.children.all()]
        # then every polygon is valid
        assert outline.is_valid and all(piece.is_valid for piece in pieces), parent.name
        # and the pieces cover the parent exactly (areas add up, each lies inside) …
        assert abs(sum(piece.area for piece in pieces) - outline.area) < AREA_TOLERANCE, parent.name
        assert all(outline.buffer(1e-9).contains(piece) for piece in pieces), parent.name
        # … and no two overlap (touching along an edge is fine)
        tree = STRtree(pieces)
        for index, piece in enumerate(pieces):
            for other in tree.query(piece):
                if other != index:
                    assert piece.intersection(pieces[other]).area < AREA_TOLERANCE, parent.name


@pytest.mark.django_db
def test_every_division_has_a_center_inside_it():
    for division in Division.objects.all().only("geometry", "center_lng", "center_lat", "name"):
        polygon = shape(division.geometry)
        assert polygon.buffer(1e-9).contains(
            shape({"type": "Point", "coordinates": [division.center_lng, division.center_lat]})
        ), division.name


@pytest.mark.django_db
def test_units_match_the_seed():
    # the district center, 17 street centers, a committee per community
    assert Unit.objects.filter(kind="district_center").count() == 1
    assert Unit.objects.filter(kind="street_center").count() == 17
    assert Unit.objects.filter(kind="community").count() == 169
    # 5 permanent and 12 rotating agencies at the district center (弹性入驻)
    assert Unit.objects.filter(stationing="permanent").count() == 5
    assert Unit.objects.filter(stationing="rotating").count() == 12
    # district center: four function areas; each street center: the five basic ones
    center = Unit.objects.get(kind="district_center")
    assert center.function_areas.count() == 4
    for street_center in Unit.objects.filter(kind="street_center"):
        kinds = set(street_center.function_areas.values_list("kind", flat=True))
        assert {"registration", "petition", "legal_service", "mediation", "command"} <= kinds


@pytest.mark.django_db
def test_demo_load_is_idempotent():
    # given the demo already loaded by the session fixture
    before = (Division.objects.count(), Unit.objects.count(), Staff.objects.count())
    # when it is loaded again
    counts = load_org_tree()
    # then nothing is created
    assert counts == {"divisions_created": 0, "units_created": 0, "staff_created": 0}
    assert (Division.objects.count(), Unit.objects.count(), Staff.objects.count()) == before


@pytest.mark.django_db
def test_every_grid_has_a_grid_worker():
    assert not Division.objects.grids().filter(grid_workers__isnull=True).exists()
