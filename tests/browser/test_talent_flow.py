"""An assistant records a study item and sees the nine-transformation matrix move; the mentor
confirms it and the readiness indicator follows."""

import pytest
from django.core.management import call_command

from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=0)


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_record_study_item_updates_the_matrix(demo_world, live_server, page, screenshot):
    base = live_server.url
    # given the demo assistant on their own record
    _login(page, base, "assistant")
    page.goto(f"{base}/talent/me/")
    cell = page.get_by_test_id("cell-independence")
    assert cell.get_attribute("data-state") == "not_started"
    assert "学习 0/1" in cell.get_by_test_id("cell-counts").inner_text()
    # when they record the Y13 study item
    page.click("summary:has-text('录入学习记录')")
    page.select_option("#id_study-item", "Y13")
    page.fill("#id_study-completed_on", "2026-11-01")
    page.fill("#id_study-evidence", "出庭观摩笔记与心得")
    with page.expect_response(lambda r: "/act/study/" in r.url):
        page.click("[data-testid=form-study] button[type=submit]")
    page.wait_for_load_state("networkidle")
    # then the matrix cell shows the evidence waiting for the mentor
    cell = page.get_by_test_id("cell-independence")
    assert cell.get_attribute("data-state") == "in_progress"
    assert "1 项待确认" in cell.inner_text()
    assert "待导师确认" in page.get_by_test_id("study-Y13").inner_text()
    screenshot("talent-assistant-recorded-study")

    # when the mentor confirms it and the pending Y06
    _login(page, base, "mentor")
    page.goto(f"{base}/talent/")
    page.get_by_role("link", name="林书瑶").click()
    assert page.get_by_test_id("readiness-state").inner_text() == "未达到"
    for code in ("Y13", "Y06"):
        with page.expect_response(lambda r: "/act/study_confirm/" in r.url):
            page.get_by_test_id(f"confirm-{code}").click()
        page.wait_for_load_state("networkidle")
    # then the matrix counts the confirmed item
    cell = page.get_by_test_id("cell-independence")
    assert "学习 1/1" in cell.get_by_test_id("cell-counts").inner_text()
    assert page.get_by_test_id("criterion-study").get_attribute("data-met") == "1"
    # and approving the pending points entry turns the readiness indicator green
    with page.expect_response(lambda r: "/act/points_decide/" in r.url):
        page.locator("[data-testid^=approve-]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("readiness-state").inner_text() == "已达到"
    screenshot("talent-mentor-readiness-met")
