"""闭环 in a real browser: one matter from the window to the archive, every hand-off told.

A clerk registers it; the street hands it down (交办) to the community, which raises it back
(上提); the street gives it to a mediator. The clock then moves past its deadline and the sweep
supervises it at three tiers (the street's leaders, the district's command desk, the district's
leaders). The mediator asks for more time and the street's leader approves from the approvals
list; mediation fails, the matter is referred (转出) to the court, followed up and archived. Each
person who must act next logs in and finds the notice in their inbox.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from pingan.demo.orgs import DEMO_PASSWORD

from .test_case_flow import _act, _login, _register, demo_world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMUNITY_UNIT = "多福巷社区居委会"


@pytest.fixture
def community_officer(demo_world):  # noqa: F811
    """The community's 综治专干 (dispatcher and mediator), with the demo password to log in."""
    from pingan.orgs.models import Staff

    officer = Staff.objects.filter(unit__name=COMMUNITY_UNIT, roles="dispatcher").first()
    officer.set_password(DEMO_PASSWORD)
    officer.save()
    return officer.username


def _told(page, base: str, username: str, words: str, number: str) -> None:
    """``username`` logs in and finds a notice about the case naming ``words`` in the inbox,
    and its link opens the case."""
    _login(page, base, username)
    page.goto(f"{base}/inbox/")
    notice = page.get_by_test_id("notice").filter(has_text=number).filter(has_text=words).first
    expect(notice).to_be_visible()
    page.goto(f"{base}/cases/{number}/")


def _sweep() -> None:
    """The deadline sweep, as the background job runs it."""
    from pingan.cases.supervision import supervision_sweep

    supervision_sweep(now=timezone.now())


def test_one_matter_from_the_window_to_the_archive_with_every_hand_off_told(
    community_officer, live_server, page, screenshot
):
    base = live_server.url
    number, _code = _register(
        page,
        base,
        title="邻里噪音纠纷",
        narrative="楼上住户夜间噪音扰民，当事人情绪激动、长期失眠，多次协商未果，请求调解。",
    )
    # the street's command desk is told of the new matter, accepts it and hands it down
    _login(page, base, "street_dispatcher")
    page.goto(f"{base}/cases/{number}/")
    expect(page.get_by_test_id("case-area")).to_contain_text("心理服务")  # the narrative's cue
    _act(page, "受理")
    expect(page.get_by_test_id("case-state")).to_have_text("已受理")
    _act(
        page,
        "下交",
        {
            "select[name='assign_down-level']": "community",
            "textarea[name='assign_down-reason']": "邻里纠纷，由社区先行调解",
        },
    )
    expect(page.get_by_test_id("case-unit")).to_contain_text(COMMUNITY_UNIT)
    # the community is told, and raises it back (上提): the parties refuse to meet there
    _told(page, base, community_officer, "交办", number)
    _act(page, "上提", {"textarea[name='escalate-reason']": "双方拒绝在社区见面，需街道组织"})
    expect(page.get_by_test_id("case-level")).to_have_text("街道")
    # the street's command desk is told and gives it to the mediator, who is told in turn
    _told(page, base, "street_dispatcher", "上提", number)
    mediator = page.locator("select[name='assign-handler'] option", has_text="刘桂英")
    _act(page, "交办承办", {"select[name='assign-handler']": mediator.get_attribute("value")})
    _told(page, base, "street_mediator", "交办承办", number)
    _act(page, "开始调处")
    expect(page.get_by_test_id("case-state")).to_have_text("调处中")

    from pingan.cases.models import Case

    # (its deadline depends on the working-day calendar of the test's date: read it)
    due = Case.objects.get(number=number).due_at
    with time_machine.travel(due + timedelta(hours=1), tick=True) as clock:
        # past its deadline, the case is overdue: the sweep supervises it, tier by tier
        _sweep()
        _told(page, base, "street_leader", "督办", number)
        clock.shift(timedelta(hours=49))
        _sweep()
        _told(page, base, "district_dispatcher", "督办", number)
        clock.shift(timedelta(hours=49))
        _sweep()
        _told(page, base, "district_leader", "督办", number)
        expect(page.get_by_test_id("case-supervisions")).to_contain_text("3 级督办")
        screenshot("closed-loop-supervised")

        # the mediator asks for ten more days; the street's leader is told and approves from
        # the approvals list in one step; the mediator is told of the decision
        _login(page, base, "street_mediator")
        page.goto(f"{base}/cases/{number}/")
        _act(
            page,
            "申请延期",
            {
                "input[name='extension_request-days']": "10",
                "textarea[name='extension_request-reason']": "当事人出差，需另约时间",
            },
        )
        _told(page, base, "street_leader", "延期待审批", number)
        page.goto(f"{base}/cases/approvals/")
        row = page.locator("tr", has_text=number)
        row.get_by_role("button", name="批准").click()
        expect(page.locator("tr", has_text=number)).to_have_count(0)
        _told(page, base, "street_mediator", "延期审批结果", number)

        # mediation fails: the mediator concludes and refers the matter to the court
        _act(
            page,
            "办结",
            {
                "select[name='conclude-outcome']": "no_agreement",
                "select[name='conclude-legal_route']": "litigation",
                "textarea[name='conclude-reason']": "双方分歧较大，调解不成",
            },
        )
        _act(
            page,
            "转出",
            {
                "input[name='refer-body']": "东城区人民法院",
                "input[name='refer-reference_number']": "（2026）京0101民诉前调1234号",
            },
        )
        expect(page.get_by_test_id("timeline")).to_contain_text("东城区人民法院")
        # the command desk follows it up and archives it
        _login(page, base, "street_dispatcher")
        page.goto(f"{base}/cases/{number}/")
        _act(page, "回访", {"select[name='follow_up-satisfaction']": "4"})
        _act(page, "归档")
        expect(page.get_by_test_id("case-state")).to_have_text("已归档")
        screenshot("closed-loop-archived")
        # the district's leader finds it among the matters concluded in 心理服务
        _login(page, base, "district_leader")
        page.goto(f"{base}/cases/funnel/?function_area=psychological")
        expect(page.get_by_test_id("funnel-total")).to_have_text("1")
        expect(page.get_by_test_id("funnel-by-function-area")).to_contain_text("心理服务")
        screenshot("funnel-function-area")
        page.goto(f"{base}/cases/{number}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    steps = ["登记", "受理", "下交", "上提", "交办", "开始调处", "督办", "申请延期", "批准延期"]
    steps += ["办结 ·", "转出", "回访", "归档"]
    positions = [timeline.index(step) for step in steps]
    assert positions == sorted(positions), timeline
