"""An evaluator defines a scheme, recomputes, clicks from a street's score to its cases and
downloads the quarterly report; a mediator sees only their own breakdown."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from pingan.cases.models import Case, Category
from pingan.demo.orgs import DEMO_PASSWORD
from pingan.orgs.models import Division, Staff, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=0)
    now = timezone.localtime(timezone.now())
    quarter_start = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=SHANGHAI)
    grid = Division.objects.get(code="110101001001001")
    unit = Unit.objects.get(kind="street_center", division__code="110101001")
    mediator = Staff.objects.get(username="street_mediator")
    # Hours, not days: at 10:00 on the first day of a quarter (PINGAN_TEST_TODAY=2027-01-01)
    # the quarter so far is ten hours long, and both cases must have ended by now.
    start = max(quarter_start, now - timedelta(days=20))
    for number, late in (("E1", False), ("E2", True)):
        Case.objects.create(
            number=f"DC-EVAL-{number}", query_code_hash="x", channel="walk_in",
            category=Category.objects.order_by("pk").first(), complexity="general",
            title="评查用事项", narrative="用于考评的事项。", grid=grid, area_path=grid.path,
            level="street", handling_unit=unit, handler=mediator,
            registered_by=mediator, registered_at=start, accepted_at=start,
            due_at=start + timedelta(hours=3), state="archived", concluded_level="street",
            concluded_at=start + timedelta(hours=5 if late else 2), outcome="agreement",
        )  # fmt: skip
    return now


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_define_recompute_click_through_and_report(demo_world, live_server, page, screenshot):
    base = live_server.url
    now = demo_world
    # given the district evaluator creates a scheme for the running quarter
    _login(page, base, "evaluator")
    page.goto(f"{base}/evaluation/schemes/new/")
    page.fill("#id_name", "街道按期办结考评")
    page.fill("#id_year", str(now.year))
    page.select_option("#id_quarter", str((now.month - 1) // 3 + 1))
    page.select_option("#id_subject_kind", "street")
    page.click("text=建立方案")
    # all weight in 职能发挥, and one indicator: on-time rate, linear to 100%
    for code, value in (
        ("function", "100"),
        ("efficacy", "0"),
        ("building", "0"),
        ("overall", "0"),
    ):
        page.fill(f"#id_{code}", value)
    page.click("text=保存权重")
    form = page.get_by_test_id("indicator-form")
    form.locator("#id_code").fill("on_time")
    form.locator("#id_name").fill("按期办结率")
    form.locator("#id_source").select_option("on_time_rate")
    form.locator("#id_weight").fill("100")
    form.locator("#id_rule").select_option("linear")
    form.locator("#id_target").fill("1")
    form.locator("button[type=submit]").click()
    assert "指标已添加" in page.content()
    page.get_by_test_id("publish").click()
    assert "方案已发布" in page.content()
    # when they recompute
    page.get_by_test_id("recompute").click()
    # then the ranking shows 东华门 and its breakdown: 1 of 2 on time → 50 points
    page.click("text=东华门街道")
    assert page.get_by_test_id("total").inner_text() == "50.00"
    street_score = page.url
    screenshot("evaluation-breakdown")
    page.get_by_test_id("trace-on_time").click()
    assert "DC-EVAL-E1" in page.content() and "DC-EVAL-E2" in page.content()
    page.click("text=未计入分子")
    assert "DC-EVAL-E2" in page.content() and "DC-EVAL-E1" not in page.content()
    # and the quarterly report comes as a page, a PDF and a workbook
    page.goto(f"{base}/evaluation/reports/")
    page.get_by_test_id("generate-report").click()
    page.wait_for_selector("[data-testid=download-pdf]", timeout=60000)
    screenshot("evaluation-report")
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # a mediator sees only their own breakdown
    _login(page, base, "street_mediator")
    page.goto(f"{base}/evaluation/")
    assert page.url.endswith("/evaluation/mine/")
    assert "您目前不在任何已计算的考评方案之内" in page.content()
    response = page.goto(street_score)
    assert response.status == 404
