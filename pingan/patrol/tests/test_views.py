"""Patrol pages: who may open them (X1), what they show, and constant query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Division
from pingan.patrol import services
from pingan.patrol.models import Patrol, Report

from .conftest import NEIGHBOUR_WORKER, OTHER_STREET_DISPATCHER, inside

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbours_report(staff, db):
    """A report in 多福巷社区第3网格, which the demo grid worker does not patrol."""
    grid = Division.objects.get(code="110101001001003")
    return services.report_create(
        actor=staff(f"gw{grid.code}"), grid=grid, kind="object", text="路灯损坏，夜间无照明。"
    )


class TestPatrolHome(PermissionMatrix):
    url_name = "patrol:home"
    in_scope = "grid_worker"
    wrong_role = "street_dispatcher"


class TestReportList(PermissionMatrix):
    url_name = "patrol:report-list"
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"


class TestReportNew(PermissionMatrix):
    url_name = "patrol:report-new"
    in_scope = "grid_worker"
    wrong_role = "street_mediator"


class TestCoverage(PermissionMatrix):
    url_name = "patrol:coverage"
    in_scope = "street_dispatcher"
    wrong_role = "grid_worker"


class TestCoverageOfAnotherStreet(PermissionMatrix):
    url_name = "patrol:coverage"
    in_scope = "street_leader"
    out_of_scope = OTHER_STREET_DISPATCHER

    def url(self) -> str:
        return reverse(self.url_name) + "?division=110101001"


class TestReportDetail(PermissionMatrix):
    url_name = "patrol:report-detail"
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _report(self, report):
        self.url_args = (report.pk,)


class TestReportPhoto(PermissionMatrix):
    url_name = "patrol:report-photo"
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _report(self, photo_report):
        self.url_args = (photo_report.pk,)


class TestReportToCasePage(PermissionMatrix):
    url_name = "patrol:report-to-case"
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"  # the front desk registers cases but may not read reports
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _report(self, report):
        self.url_args = (report.pk,)


class TestPatrolStart(PermissionMatrix):
    url_name = "patrol:patrol-start"
    method = "post"
    data = {"grid": "110101001001001"}
    in_scope = "grid_worker"
    wrong_role = "street_dispatcher"
    out_of_scope = NEIGHBOUR_WORKER  # a grid worker, but not of this grid
    ok_status = 302


class TestPatrolEnd(PermissionMatrix):
    url_name = "patrol:patrol-end"
    method = "post"
    data = {"checked": ["fire"], "note": "一切正常"}
    in_scope = "grid_worker"
    wrong_role = "street_dispatcher"
    out_of_scope = NEIGHBOUR_WORKER  # a grid worker, but not the one patrolling
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _patrol(self, open_patrol):
        self.url_args = (open_patrol.pk,)


def test_a_grid_worker_cannot_read_another_grids_report(client_as, report, neighbours_report):
    client = client_as("grid_worker")
    assert client.get(reverse("patrol:report-detail", args=[report.pk])).status_code == 200
    response = client.get(reverse("patrol:report-detail", args=[neighbours_report.pk]))
    assert response.status_code == 404
    listing = client.get(reverse("patrol:report-list")).content.decode()
    assert report.text in listing and neighbours_report.text not in listing
    photo = client.get(reverse("patrol:report-photo", args=[neighbours_report.pk]))
    assert photo.status_code == 404
    to_case = client.get(reverse("patrol:report-to-case", args=[neighbours_report.pk]))
    assert to_case.status_code == 404


def test_the_street_sees_every_report_of_its_grids(client_as, report, neighbours_report):
    listing = client_as("street_dispatcher").get(reverse("patrol:report-list")).content.decode()
    assert report.text in listing and neighbours_report.text in listing
    other = client_as(OTHER_STREET_DISPATCHER).get(reverse("patrol:report-list")).content.decode()
    assert report.text not in other


def test_the_report_list_takes_a_constant_number_of_queries(
    client_as, staff, grid, django_assert_max_num_queries
):
    for number in range(30):
        services.report_create(
            actor=staff("grid_worker"),
            grid=grid,
            kind="event",
            text=f"第{number}次上报：楼道堆物。",
        )
    client = client_as("street_dispatcher")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("patrol:report-list"), {"kind": "event"})
    assert response.content.decode().count("楼道堆物") == 30


def test_the_report_list_opens_on_the_last_ninety_days_unless_the_dates_say_otherwise(
    client_as, staff, grid
):
    # given a report from 100 days ago and one from today
    now = timezone.now()
    for days, text in ((100, "百日前：井盖缺失。"), (0, "今日：楼道堆物。")):
        services.report_create(
            actor=staff("grid_worker"),
            grid=grid,
            kind="event",
            text=text,
            now=now - timedelta(days=days),
        )
    client = client_as("street_dispatcher")

    # when the list opens, it shows the last 90 days and says so in its date field
    page = client.get(reverse("patrol:report-list")).content.decode()
    since = (timezone.localdate() - timedelta(days=89)).isoformat()
    assert "今日：楼道堆物。" in page and "百日前：井盖缺失。" not in page
    assert f'name="reported_after" value="{since}"' in page

    # and an earlier date brings the older report back
    earlier = (timezone.localdate() - timedelta(days=120)).isoformat()
    page = client.get(reverse("patrol:report-list"), {"reported_after": earlier}).content.decode()
    assert "百日前：井盖缺失。" in page and "今日：楼道堆物。" in page


def test_the_coverage_page_takes_a_constant_number_of_queries(
    client_as, django_assert_max_num_queries
):
    client = client_as("street_dispatcher")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("patrol:coverage"), {"division": "110101001"})
    assert response.status_code == 200
    assert "从未巡查" in response.content.decode()


def test_a_grid_worker_starts_and_ends_a_patrol_from_the_phone(client_as, grid):
    client = client_as("grid_worker")
    client.post(reverse("patrol:patrol-start"), {"grid": grid.code})
    patrol = Patrol.objects.get(grid=grid)
    page = client.get(reverse("patrol:home")).content.decode()
    assert "正在巡查" in page
    response = client.post(
        reverse("patrol:patrol-end", args=[patrol.pk]), {"checked": ["fire", "rentals"]}
    )
    assert response.status_code == 302
    patrol.refresh_from_db()
    assert patrol.ended_at is not None and patrol.checked == ["fire", "rentals"]
    assert "今日已巡" in client.get(reverse("patrol:home")).content.decode()


def test_a_grid_worker_cannot_start_a_patrol_in_a_grid_not_theirs(client_as, far_grid):
    response = client_as("grid_worker").post(
        reverse("patrol:patrol-start"), {"grid": far_grid.code}
    )
    assert response.status_code == 404
    assert not Patrol.objects.exists()


def test_filing_a_report_with_gps_and_photo(client_as, grid, jpeg):
    lon, lat = inside(grid)
    response = client_as("grid_worker").post(
        reverse("patrol:report-new"),
        {
            "kind": "object",
            "is_early_sign": "on",
            "text": "电动车楼道内充电，飞线严重。",
            "grid": grid.code,
            "lon": lon,
            "lat": lat,
            "photo": jpeg(),
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patrol:report-detail", args=[report.pk])
    assert report.is_early_sign and report.position_source == "gps" and report.photo


def test_a_bad_report_shows_the_reason_and_stores_nothing(client_as, grid, jpeg):
    response = client_as("grid_worker").post(
        reverse("patrol:report-new"),
        {
            "kind": "object",
            "text": "电动车楼道内充电。",
            "grid": grid.code,
            "photo": jpeg("notes.txt", b"hello"),
        },
    )
    assert response.status_code == 400
    assert "类型不支持" in response.content.decode()
    assert not Report.objects.exists()


def test_a_report_becomes_a_case_in_one_step_and_the_case_links_back(client_as, report):
    client = client_as("grid_worker")
    form = client.get(reverse("patrol:report-to-case", args=[report.pk])).content.decode()
    assert report.text in form  # pre-filled
    response = client.post(
        reverse("patrol:report-to-case", args=[report.pk]),
        {
            "category": "2",
            "complexity": "general",
            "urgency": "normal",
            "title": "楼道堆物堵塞消防通道",
            "narrative": report.text + "需物业清理。",
            "applicant_name": "陈晨",
        },
    )
    report.refresh_from_db()
    assert report.case is not None
    assert response["Location"] == reverse("cases:case-detail", args=[report.case.number])
    case_page = client.get(response["Location"]).content.decode()
    assert reverse("patrol:report-detail", args=[report.pk]) in case_page
    detail = client.get(reverse("patrol:report-detail", args=[report.pk])).content.decode()
    assert report.case.number in detail


def test_the_area_filter_takes_a_name_as_well_as_a_code(client_as, report, neighbours_report):
    # given reports in two grids of the street
    client = client_as("street_dispatcher")
    grid = report.grid
    # when the dispatcher types the grid's name, or its code
    by_name = client.get(reverse("patrol:report-list"), {"area": grid.name}).content.decode()
    by_code = client.get(reverse("patrol:report-list"), {"area": grid.code}).content.decode()
    # then both find its report and leave out the other grid's
    for listing in (by_name, by_code):
        assert report.text in listing and neighbours_report.text not in listing
    # and a name that matches nothing lists nothing, without an error
    empty = client.get(reverse("patrol:report-list"), {"area": "不存在的社区"})
    assert empty.status_code == 200 and report.text not in empty.content.decode()
