"""Scope resolution: who sees which part of the tree (X1)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.http import Http404

from pingan.orgs.access import access_division, access_unit, scope_paths, scope_q, subtree_q
from pingan.orgs.models import Division, Staff, Unit


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("district_leader", ["/110101/"]),
        ("street_dispatcher", ["/110101/110101001/"]),
        ("officer", ["/110101/110101001/"]),  # 东华门派出所 sits at the street
    ],
)
def test_scope_follows_the_unit(staff, username, expected):
    assert scope_paths(staff(username)) == expected


@pytest.mark.django_db
def test_superuser_sees_everything_and_anonymous_nothing(staff):
    assert scope_paths(staff("admin")) is None
    assert scope_paths(AnonymousUser()) == []
    assert Division.objects.visible_to(AnonymousUser()).count() == 0


@pytest.mark.django_db
def test_grid_worker_sees_only_their_grids(staff):
    worker = staff("grid_worker")
    visible = Division.objects.visible_to(worker)
    assert set(visible.values_list("pk", flat=True)) == set(
        worker.grids.values_list("pk", flat=True)
    )
    assert visible.count() == 2


@pytest.mark.django_db
def test_inactive_user_sees_nothing(staff):
    dispatcher = staff("street_dispatcher")
    dispatcher.is_active = False
    assert Division.objects.visible_to(dispatcher).count() == 0


@pytest.mark.django_db
def test_agency_serving_streets_sees_those_streets(staff):
    # given an agency that serves two streets (e.g. a people's tribunal)
    dongsi, jingshan = Division.objects.filter(code__in=["110101006", "110101002"])
    court = Unit.objects.get(name="东城区人民法院")
    tribunal = Unit.objects.create(
        name="东城区人民法院某人民法庭",
        kind="agency",
        agency_type="court",
        division=court.division,
        parent=court,
    )
    tribunal.serves.set([dongsi, jingshan])
    judge = Staff.objects.create(username="judge", unit=tribunal)
    # then the judge sees those two streets and nothing else
    streets = set(Division.objects.visible_to(judge).streets().values_list("code", flat=True))
    assert streets == {"110101006", "110101002"}
    assert Division.objects.visible_to(judge).filter(code="110101001").count() == 0
    # and the street's dispatcher sees the tribunal among the units serving the street
    assert (
        Unit.objects.visible_to(staff(f"dispatcher@{jingshan.code}"))
        .filter(pk=tribunal.pk)
        .exists()
    )
    assert not Unit.objects.visible_to(staff("street_dispatcher")).filter(pk=tribunal.pk).exists()


@pytest.mark.django_db
def test_access_helpers_hide_existence(staff):
    dispatcher = staff("street_dispatcher")
    jingshan_center = Unit.objects.get(name="景山街道综治中心")
    for call in (
        lambda: access_division("110101002", dispatcher),
        lambda: access_division("does-not-exist", dispatcher),
        lambda: access_unit(jingshan_center.pk, dispatcher),
        lambda: access_unit(10**9, dispatcher),
        lambda: access_unit("1 OR 1=1", dispatcher),
    ):
        with pytest.raises(Http404):
            call()
    assert access_division("110101001", dispatcher).name == "东华门街道"


@pytest.mark.django_db
def test_street_sees_district_agencies_but_not_other_streets_units(staff):
    names = set(Unit.objects.visible_to(staff("street_dispatcher")).values_list("name", flat=True))
    assert {"东城区人民法院", "东华门派出所", "东华门司法所", "多福巷社区居委会"} <= names
    assert not names & {"景山派出所", "景山街道综治中心"}


@pytest.mark.django_db
def test_a_subtree_filter_finds_exactly_the_paths_under_it():
    # given the demo tree's divisions at every level, and a sibling whose code extends another's
    street = Division.objects.get(code="110101001")
    Division.objects.create(
        code="1101010011", name="边界检验", level=street.level, parent=street.parent
    )
    paths = list(Division.objects.values_list("path", flat=True))
    for division in Division.objects.filter(level__in=["district", "street", "community", "grid"])[
        :: max(1, len(paths) // 40)
    ]:
        # when filtering by the subtree at each of them (a range on SQLite below the top level)
        found = set(
            Division.objects.filter(subtree_q("path", division.path)).values_list("path", flat=True)
        )
        # then exactly the paths that begin with it are found
        assert found == {p for p in paths if p.startswith(division.path)}, division.path
    assert "1101010011" not in {
        p.strip("/").split("/")[-1]
        for p in Division.objects.filter(subtree_q("path", street.path)).values_list(
            "path", flat=True
        )
    }


def test_below_the_top_the_subtree_filter_is_an_indexable_range_on_sqlite():
    condition = subtree_q("area_path", "/110101/110101001/")
    if connection.vendor == "sqlite":
        assert condition == Q(
            area_path__gte="/110101/110101001/", area_path__lt="/110101/1101010010"
        )
    else:
        assert condition == Q(area_path__startswith="/110101/110101001/")
    assert subtree_q("area_path", "/110101/") == Q(area_path__startswith="/110101/")


def test_a_grid_is_its_own_subtree_and_a_grid_workers_grids_one_list(staff):
    # given a grid's path, and a grid worker with two grids
    grid = "/110101/110101001/110101001001/110101001001001/"
    worker = staff("grid_worker")
    # when filtering by the grid's subtree, and by the worker's scope
    # then the grid is sought by equality, and the worker's grids as one list of values
    assert subtree_q("area_path", grid) == Q(area_path=grid)
    assert scope_q(worker, "area_path") == Q(area_path__in=scope_paths(worker))
    assert len(scope_paths(worker)) == 2
