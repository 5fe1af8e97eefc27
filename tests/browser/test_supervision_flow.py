"""督办 in a real browser: an overdue case climbs from the street to the district's command
desk; the street answers its order, the desk closes it, a district leader supervises by hand.
Each person finds the order through their inbox or the 督办 lists."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from .test_case_flow import _act, _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue(transactional_db):
    """A street case accepted 20 days ago (due 13 days ago), handled by the street mediator,
    and supervised at tier 1 then tier 2 by the sweep."""
    from pingan.cases.models import Category
    from pingan.cases.services import PartyInput, case_accept, case_assign, case_register
    from pingan.cases.supervision import supervision_sweep
    from pingan.orgs.models import Division, Staff

    call_command("pingan_demo", cases=0, app_data="none")
    now = timezone.now()
    staff = {s.username: s for s in Staff.objects.filter(username__startswith="street_")}
    case, _ = case_register(
        actor=staff["street_clerk"],
        channel="walk_in",
        category=Category.objects.get(code="neighbourhood"),
        complexity="general",
        title="小区停车位纠纷",
        narrative="业主占用公共车位，多次协商未果，请求调解。",
        grid=Division.objects.get(code="110101001001001"),
        parties=[PartyInput("applicant", "李某某", "", "13812345678")],
        now=now - timedelta(days=20),
    )
    case_accept(case=case, actor=staff["street_dispatcher"], now=now - timedelta(days=20))
    case_assign(case=case, actor=staff["street_dispatcher"], handler=staff["street_mediator"])
    supervision_sweep(now=now - timedelta(days=5))
    supervision_sweep(now=now - timedelta(days=2))
    return case


def test_an_order_is_answered_by_the_street_and_closed_by_the_district(
    overdue, live_server, page, screenshot
):
    base = live_server.url
    # the mediator finds the order in the inbox and answers it from the order's page
    _login(page, base, "street_mediator")
    page.goto(f"{base}/inbox/")
    expect(page.get_by_test_id("notice").first).to_contain_text("督办")
    page.goto(f"{base}/cases/supervisions/")
    expect(page.get_by_test_id("supervisions")).to_contain_text(overdue.number)
    screenshot("supervisions-mine")
    page.get_by_role("link", name="督办单 #").first.click()  # the newest: tier 2
    page.locator("textarea[name=answer-answer]").fill("当事人近期出差，已约定本周六现场调解。")
    page.get_by_role("button", name="反馈").click()
    expect(page.get_by_test_id("order-state")).to_have_text("已反馈")
    screenshot("supervision-answered")
    # the district's command desk sees it answered under 我督办的 and closes it
    _login(page, base, "district_dispatcher")
    page.goto(f"{base}/cases/supervisions/?box=issued")
    table = page.get_by_test_id("supervisions")
    expect(table).to_contain_text("已反馈")
    screenshot("supervisions-issued")
    table.get_by_role("link", name="督办单 #").first.click()
    expect(page.get_by_test_id("answer")).to_contain_text("本周六现场调解")
    page.locator("textarea[name=close-note]").fill("同意，调解后报结果。")
    page.get_by_role("button", name="办结督办").click()
    expect(page.get_by_test_id("order-state")).to_have_text("已办结")
    # and the mediator is told
    _login(page, base, "street_mediator")
    page.goto(f"{base}/inbox/")
    expect(page.get_by_test_id("notice-list")).to_contain_text("督办已办结")


def test_a_district_leader_supervises_by_hand_and_the_street_is_told(
    overdue, live_server, page, screenshot
):
    base = live_server.url
    _login(page, base, "district_leader")
    page.goto(f"{base}/cases/{overdue.number}/")
    _act(page, "督办", {"textarea": "群众多次来电，请三日内办结并报告。"})
    expect(page.get_by_test_id("case-supervisions")).to_contain_text("督办")
    screenshot("case-supervised-by-hand")
    _login(page, base, "street_dispatcher")
    page.goto(f"{base}/inbox/")
    expect(page.get_by_test_id("notice-list")).to_contain_text("群众多次来电")
