"""The patrol API: the pages' rules and scope, in JSON."""

from datetime import date

import pytest
from django.urls import reverse

from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Division
from pingan.patrol import services
from pingan.patrol.models import Report

from .conftest import NEIGHBOUR_WORKER, OTHER_STREET_DISPATCHER, TO_CASE, inside

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


class TestReportDetailApi(PermissionMatrix):
    url_name = "patrol-report-detail"
    api = True
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _report(self, report):
        self.url_args = (report.pk,)


class TestReportToCaseApi(TestReportDetailApi):
    url_name = "patrol-report-to-case"
    method = "post"
    data = TO_CASE
    wrong_role = "street_clerk"  # the front desk registers cases but may not read reports
    ok_status = 201


class TestPatrolListApi(PermissionMatrix):
    url_name = "patrol-patrol-list"
    api = True
    in_scope = "grid_worker"  # their own patrols only
    wrong_role = "street_dispatcher"


class TestPatrolEndApi(PermissionMatrix):
    url_name = "patrol-patrol-end"
    api = True
    method = "post"
    data = {"checked": ["fire"], "note": "一切正常"}
    in_scope = "grid_worker"
    wrong_role = "street_dispatcher"
    out_of_scope = NEIGHBOUR_WORKER  # a grid worker, but not the one patrolling

    @pytest.fixture(autouse=True)
    def _patrol(self, open_patrol):
        self.url_args = (open_patrol.pk,)


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


# --- patrols and report -> case through the API (the phone pages' declared actions) ----------


def test_a_grid_worker_starts_and_ends_a_patrol_through_the_api(client_as, grid, far_grid):
    client = client_as("grid_worker")
    patrols = reverse("patrol-patrol-list")
    # a grid that is not theirs is refused, and nothing starts
    refused = client.post(patrols, {"grid": far_grid.code}, content_type="application/json")
    assert refused.status_code == 400 and "不是您负责的网格" in str(refused.json())
    started = client.post(patrols, {"grid": grid.code}, content_type="application/json")
    assert started.status_code == 201 and started.json()["ended_at"] is None
    # one open patrol at a time: a second start is a conflict
    again = client.post(patrols, {"grid": grid.code}, content_type="application/json")
    assert again.status_code == 409 and "尚未结束" in again.json()["detail"]
    end = reverse("patrol-patrol-end", args=[started.json()["id"]])
    empty = client.post(end, {"checked": []}, content_type="application/json")
    assert empty.status_code == 400
    too_long = {"checked": ["fire"], "note": "记" * 2001}
    assert client.post(end, too_long, content_type="application/json").status_code == 400
    ended = client.post(end, {"checked": ["fire"], "note": "正常"}, content_type="application/json")
    assert ended.status_code == 200 and ended.json()["ended_at"] and ended.json()["checked"]
    assert [p["id"] for p in client.get(patrols).json()["results"]] == [started.json()["id"]]


def test_only_grid_workers_patrol_and_only_their_own(client_as, staff, grid):
    patrol = services.patrol_start(actor=staff("grid_worker"), grid=grid)
    assert client_as("street_dispatcher").get(reverse("patrol-patrol-list")).status_code == 403
    other = client_as("street_dispatcher").post(
        reverse("patrol-patrol-end", args=[patrol.pk]),
        {"checked": ["fire"]},
        content_type="application/json",
    )
    assert other.status_code == 403
    patrol.refresh_from_db()
    assert patrol.ended_at is None


def test_a_report_becomes_a_case_through_the_api_once(client_as, staff, grid):
    lon, lat = inside(grid)
    report = services.report_create(
        actor=staff("grid_worker"), grid=grid, kind="event", text="楼道堆物堵塞消防通道。",
        lon=lon, lat=lat,
    )  # fmt: skip
    url = reverse("patrol-report-to-case", args=[report.pk])
    body = {
        "category": "neighbourhood", "complexity": "general", "title": "楼道堆物",
        "narrative": "楼道堆物堵塞消防通道，需协调清理。", "applicant_name": "陈晨",
    }  # fmt: skip
    # a mediator may read reports but does not register cases
    assert client_as("street_mediator").post(
        url, body, content_type="application/json"
    ).status_code in (403, 404)
    created = client_as("street_dispatcher").post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    report.refresh_from_db()
    assert report.case.number == created.json()["number"]
    twice = client_as("street_dispatcher").post(url, body, content_type="application/json")
    assert twice.status_code == 409
