"""Patrol coverage: distinct patrolled days per grid, zero included, in two queries."""

from datetime import date, datetime, timedelta

import pytest

from pingan.orgs.models import Division
from pingan.patrol.models import Patrol
from pingan.patrol.selectors import coverage_matrix, patrol_coverage

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db


def _patrol(grid, staff, day: date, hour: int = 9):
    started = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    return Patrol.objects.create(
        grid=grid,
        staff=staff,
        day=day,
        started_at=started,
        ended_at=started + timedelta(hours=1),
        checked=["fire"],
    )


@pytest.fixture
def community(db):
    return Division.objects.get(code="110101001001")


def test_coverage_counts_distinct_days_per_grid(staff, grid, second_grid, far_grid, community):
    # given patrols on 3 distinct days in one grid (two on the same day), one in another,
    # one outside the window and one in another street
    worker = staff("grid_worker")
    monday = date(2026, 11, 23)
    for offset, hour in [(0, 9), (0, 15), (1, 9), (3, 9)]:
        _patrol(grid, worker, monday + timedelta(days=offset), hour)
    _patrol(second_grid, worker, monday + timedelta(days=2))
    _patrol(second_grid, worker, monday - timedelta(days=1))  # the Sunday before
    _patrol(far_grid, staff(f"gw{far_grid.code}"), monday)
    # when coverage is read for the community over the week
    coverage = patrol_coverage(start=monday, end=monday + timedelta(days=6), within=community)
    # then each grid counts the days it was patrolled; the others in the community count zero
    assert coverage[grid.pk] == 3
    assert coverage[second_grid.pk] == 1
    grids = set(Division.objects.grids().within(community).values_list("pk", flat=True))
    assert set(coverage) == grids
    assert sum(1 for days in coverage.values() if days == 0) == len(grids) - 2
    assert far_grid.pk not in coverage


def test_coverage_of_the_whole_district_includes_every_grid(staff, far_grid):
    _patrol(far_grid, staff(f"gw{far_grid.code}"), date(2026, 11, 23))
    coverage = patrol_coverage(start=date(2026, 11, 23), end=date(2026, 11, 23))
    assert len(coverage) == Division.objects.grids().count()
    assert coverage[far_grid.pk] == 1 and sum(coverage.values()) == 1


def test_coverage_takes_two_queries_whatever_the_size(
    staff, grid, community, django_assert_num_queries
):
    for offset in range(5):
        _patrol(grid, staff("grid_worker"), date(2026, 11, 20) + timedelta(days=offset))
    with django_assert_num_queries(2):
        patrol_coverage(start=date(2026, 11, 1), end=date(2026, 11, 30), within=community)


def test_the_matrix_marks_each_grid_and_day_and_lists_grids_never_patrolled(
    staff, grid, community, django_assert_num_queries
):
    last = date(2026, 11, 29)
    _patrol(grid, staff("grid_worker"), last)
    _patrol(grid, staff("grid_worker"), last - timedelta(days=6))
    with django_assert_num_queries(2):
        matrix = coverage_matrix(within=community, last_day=last, days=7)
    assert matrix.days[0] == last - timedelta(days=6) and matrix.days[-1] == last
    row = next(row for row in matrix.rows if row.grid == grid)
    assert row.days == [True, False, False, False, False, False, True] and row.patrolled == 2
    assert grid not in matrix.never
    assert len(matrix.never) == len(matrix.rows) - 1
    assert matrix.rate == pytest.approx(2 / (7 * len(matrix.rows)))


@pytest.mark.django_db
def test_early_signs_are_a_component_of_the_safety_index(grid, second_grid, staff):
    from datetime import datetime, timedelta

    from pingan.core.calendar import LOCAL_TZ
    from pingan.patrol.models import Report
    from pingan.risk.components import REGISTRY

    end = datetime(2026, 11, 1, tzinfo=LOCAL_TZ)
    reporter = staff("grid_worker")
    # given early signs 3 and 10 days before the end, one 40 days before, and an ordinary report
    for where, days, early in (
        (grid, 3, True),
        (grid, 10, True),
        (grid, 40, True),
        (second_grid, 2, False),
    ):
        Report.objects.create(
            grid=where, kind="event", is_early_sign=early, reporter=reporter,
            text="楼道堆放杂物", reported_at=end - timedelta(days=days),
        )  # fmt: skip
    # then the last 30 days count two, in the first grid only; the year before it one
    start = end - timedelta(days=30)
    assert REGISTRY["early_signs"].measure(start - timedelta(days=365), start, end) == (
        {grid.pk: 2.0},
        {grid.pk: 1.0},
    )
