"""A grid worker, on a 375 px wide phone, patrols a grid and files a report with GPS."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from shapely.geometry import shape

from pingan.demo.orgs import DEMO_PASSWORD
from pingan.orgs.models import Division
from pingan.patrol.models import Patrol, Report

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=0, app_data="patrol")


def test_a_grid_worker_patrols_and_reports_from_a_phone(demo_world, live_server, browser):
    base = live_server.url
    grid = Division.objects.get(code="110101001001001")
    point = shape(grid.geometry).representative_point()
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"longitude": point.x, "latitude": point.y},
        permissions=["geolocation"],
    )
    page = context.new_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        # given the demo grid worker signed in on a phone
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "grid_worker")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        # when they start a patrol of their first grid, and end it with what they checked
        page.goto(f"{base}/patrol/")
        page.locator("form", has=page.locator(f"input[value='{grid.code}']")).locator(
            "button"
        ).click()
        page.wait_for_selector("[data-testid=open-patrol]")
        page.screenshot(path=str(ARTIFACTS / "patrol-home-375.png"), full_page=True)
        page.get_by_label("消防通道与设施").check()
        page.get_by_label("出租房屋").check()
        page.get_by_role("button", name="结束巡查").click()
        page.wait_for_selector("text=今日已巡")
        # then the page has no horizontal scroll at 375 px
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # when they file a report of an early sign with the phone's position
        page.get_by_test_id("report-button").click()
        page.wait_for_selector("form#report-form")
        # (wait_for_function would evaluate a string, which the site's CSP rightly forbids)
        expect(page.locator("input[name=lon]")).not_to_have_value("")
        page.click("label[for=id_kind_3]")  # 物
        page.get_by_label("苗头隐患").check()
        page.fill("#id_text", "3号楼楼道内电动车充电，飞线严重，存在火灾隐患。")
        page.screenshot(path=str(ARTIFACTS / "patrol-report-375.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name="提交上报").click()
        page.wait_for_selector("[data-testid=report-text]")
        page.screenshot(path=str(ARTIFACTS / "patrol-report-detail-375.png"), full_page=True)
        # and their report list reads as cards on the phone, filtered by a grid's name
        page.goto(f"{base}/patrol/reports/?area={grid.name}")
        row = page.locator("table tbody tr").first
        assert row.evaluate("row => getComputedStyle(row).display") == "block"
        assert row.locator("td[data-label]").count() > 2  # each line labelled by its column
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "patrol-report-list-375.png"), full_page=True)
    finally:
        context.close()
    # then the report is stored in the grid with the phone's position, as an early sign
    report = Report.objects.filter(reporter__username="grid_worker").latest("id")
    assert report.grid == grid and report.kind == "object" and report.is_early_sign
    assert report.position_source == "gps"
    assert abs(report.lon - point.x) < 1e-5 and abs(report.lat - point.y) < 1e-5
    patrol = Patrol.objects.filter(staff__username="grid_worker").latest("id")
    assert patrol.ended_at is not None and patrol.checked == ["fire", "rentals"]
