"""The patrol API: the pages' rules and scope, in JSON."""

from datetime import date

import pytest
from django.urls import reverse

from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Division
from pingan.patrol import services
from pingan.patrol.models import Report

from .conftest import inside

pytestmark = pytest.mark.django_db


class TestReportListApi(PermissionMatrix):
    url_name = "patrol-report-list"
    api = True
    in_scope = "grid_worker"
    wrong_role = "street_clerk"


class TestCoverageApi(PermissionMatrix):
    url_name = "patrol-coverage"
    api = True
    in_scope = "street_dispatcher"
    wrong_role = "grid_worker"
    out_of_scope = "dispatcher@110101002"

    def url(self) -> str:
        return reverse(self.url_name) + "?start=2026-11-01&end=2026-11-07&within=110101001001"


def test_a_grid_worker_files_a_report_through_the_api(client_as, grid):
    lon, lat = inside(grid)
    response = client_as("grid_worker").post(
        reverse("patrol-report-list"),
        {
            "grid": grid.code,
            "kind": "place",
            "text": "群租房隔断多间，住户较多。",
            "lon": lon,
            "lat": lat,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == grid.code and body["position_source"] == "gps"


def test_a_report_outside_the_grid_is_refused_in_json(client_as, grid, second_grid):
    lon, lat = inside(second_grid)
    response = client_as("grid_worker").post(
        reverse("patrol-report-list"),
        {"grid": grid.code, "kind": "place", "text": "群租房隔断多间。", "lon": lon, "lat": lat},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert second_grid.name in response.json()["detail"]
    assert not Report.objects.exists()


def test_the_report_api_is_scoped_and_takes_a_constant_number_of_queries(
    client_as, staff, grid, django_assert_max_num_queries
):
    neighbour = Division.objects.get(code="110101001001003")
    for number in range(15):
        services.report_create(
            actor=staff("grid_worker"), grid=grid, kind="event", text=f"第{number}次：楼道堆物。"
        )
    services.report_create(
        actor=staff(f"gw{neighbour.code}"), grid=neighbour, kind="event", text="别的网格的上报。"
    )
    client = client_as("grid_worker")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("patrol-report-list"))
    body = response.json()
    assert body["count"] == 15
    other = Report.objects.get(grid=neighbour)
    assert client.get(reverse("patrol-report-detail", args=[other.pk])).status_code == 404


def test_coverage_api_counts_days(client_as, staff, grid):
    worker = staff("grid_worker")
    patrol = services.patrol_start(actor=worker, grid=grid)
    services.patrol_end(patrol=patrol, actor=worker, checked=["fire"])
    today = patrol.day.isoformat()
    response = client_as("street_dispatcher").get(
        reverse("patrol-coverage"), {"start": today, "end": today, "within": "110101001001"}
    )
    rows = {row["grid"]: row["patrolled_days"] for row in response.json()}
    assert rows[grid.code] == 1 and sum(rows.values()) == 1
    bad = client_as("street_dispatcher").get(
        reverse("patrol-coverage"), {"start": "2026-11-07", "end": str(date(2026, 11, 1))}
    )
    assert bad.status_code == 400
