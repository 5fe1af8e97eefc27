"""A street dispatcher blows the whistle from a case page; the summoned officer acknowledges
and reports; the case timeline shows each step (M4.2)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hard_case(transactional_db):
    """The demo world (org tree, named officers) and an accepted complex case of 东华门."""
    from pingan.cases.models import Category
    from pingan.cases.services import PartyInput, case_accept, case_register
    from pingan.orgs.models import Division, Staff

    call_command("pingan_demo", cases=0, app_data="collaboration")
    case, _code = case_register(
        actor=Staff.objects.get(username="street_clerk"),
        channel="walk_in",
        category=Category.objects.get(code="demolition"),
        complexity="complex",
        title="平房拆迁补偿纠纷",
        narrative="拆迁补偿标准有争议，当事人情绪激动，多次到街道反映。",
        grid=Division.objects.get(code="110101001001001"),
        parties=[PartyInput("applicant", "王某某")],
    )
    case_accept(
        case=case, actor=Staff.objects.get(username="street_dispatcher"), now=timezone.now()
    )
    return case


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_dispatcher_whistles_and_the_summoned_officer_reports(
    hard_case, live_server, page, screenshot
):
    base = live_server.url
    # given the street dispatcher on the case page
    _login(page, base, "street_dispatcher")
    page.goto(f"{base}/cases/{hard_case.number}/")
    page.wait_for_load_state("networkidle")
    # when they blow the whistle, summoning the named police officer 赵勇
    panel = page.get_by_test_id("whistle-panel")
    panel.locator("summary", has_text="吹哨").click()
    panel.get_by_label("警官 赵勇", exact=False).check()
    panel.locator("textarea[name='reason']").fill("补偿标准争议大，需民警到场维护秩序、释法说理")
    panel.locator("input[name='report_hours']").fill("12")
    screenshot("whistle-form")
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    # then the case page shows the summons waiting, and the timeline the whistle
    assert "待报到" in page.get_by_test_id("whistle-panel").inner_text()
    assert "吹哨" in page.get_by_test_id("timeline").inner_text()

    # when the officer opens the notice in the inbox
    _login(page, base, "officer")
    assert page.get_by_test_id("unread-count").inner_text().startswith("1")
    page.get_by_test_id("inbox-link").click()
    page.get_by_test_id("notice").first.locator("button").click()
    page.wait_for_url("**/collaboration/whistles/**")
    # and acknowledges, then reports what they did
    page.get_by_test_id("acknowledge").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("summons-state").first.inner_text() == "已报到"
    page.locator("textarea[name$='report']").fill("已到场维护秩序，向当事人解释补偿政策")
    page.get_by_test_id("report").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("summons-state").first.inner_text() == "已反馈"
    screenshot("whistle-reported")

    # then the dispatcher sees the whole exchange on the case timeline, in order
    _login(page, base, "street_dispatcher")
    page.goto(f"{base}/cases/{hard_case.number}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    positions = [timeline.index(step) for step in ("吹哨", "按时报到", "已到场维护秩序")]
    assert positions == sorted(positions)
    screenshot("case-with-whistle")
