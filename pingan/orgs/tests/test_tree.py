"""The demo org tree: real streets and communities, 1,971 grids, valid tiling geometry."""

import csv

import pytest
from shapely.geometry import shape
from shapely.strtree import STRtree

from pingan.demo.orgs import DIVISIONS_CSV, load_org_tree
from pingan.orgs.models import Division, Staff, Unit

STREETS = "东华门 景山 交道口 安定门 北新桥 东四 朝阳门 建国门 东直门 和平里 前门 崇文门外 东花市 龙潭 体育馆路 天坛 永定门外"  # noqa: E501
AREA_TOLERANCE = 1e-9
# Coordinates are stored to 6 decimals (about 0.1 m): where a cut meets a curved outline the
# stored point may sit that far off the parent's edge.
EDGE_TOLERANCE = 1e-6
AREA_SHARE_TOLERANCE = 1e-4


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
        covered = sum(piece.area for piece in pieces)
        assert abs(covered - outline.area) < AREA_SHARE_TOLERANCE * outline.area, parent.name
        assert all(outline.buffer(EDGE_TOLERANCE).contains(piece) for piece in pieces), parent.name
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


@pytest.mark.django_db
def test_the_district_is_drawn_in_its_real_outline_and_says_what_is_generated(client_as):
    # the district's polygon is Dongcheng's outline, not a rectangle
    district = Division.objects.get(level="district")
    assert len(district.geometry["coordinates"][0]) > 50
    # and the home page's map says that the inner boundaries are generated
    page = client_as("street_dispatcher").get("/").content.decode()
    assert 'data-testid="generated-boundaries"' in page


@pytest.mark.django_db
def test_an_import_of_real_boundaries_removes_the_notice(client_as):
    from pingan.core.services import audit_record

    # given real boundaries were imported after the demo's
    audit_record(
        actor=None, action="orgs.divisions_upsert", reason="dongcheng-2027.geojson", data={}
    )
    # then the map no longer calls its boundaries generated
    page = client_as("street_dispatcher").get("/").content.decode()
    assert 'data-testid="generated-boundaries"' not in page


def test_an_outline_splits_into_pieces_proportional_to_their_weights():
    from shapely.geometry import Polygon

    from pingan.orgs.geometry import split_shape

    # an L-shaped outline, as irregular as a district's
    outline = Polygon([(0, 0), (0.04, 0), (0.04, 0.02), (0.02, 0.02), (0.02, 0.05), (0, 0.05)])
    pieces = split_shape(outline, [1, 2, 3, 4])
    shares = [piece.area / outline.area for piece in pieces]
    assert [round(share, 3) for share in shares] == [0.1, 0.2, 0.3, 0.4]
