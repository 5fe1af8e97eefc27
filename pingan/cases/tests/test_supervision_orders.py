"""Supervision orders (督办单, M2.3): issued by the sweep or by a leader's hand, answered by the
supervised unit (反馈), closed by the supervisor; the two lists, the page and the API."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.cases.actions import ACTIONS, SUPERVISION_ACTIONS
from pingan.cases.models import CaseEvent, Supervision
from pingan.cases.supervision import supervision_sweep
from pingan.core.actions import perform
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import Notice
from pingan.core.testing import PermissionMatrix

from .test_supervision import AFTER_DELAY, AN_HOUR_LATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def climbed(overdue_case, staff):
    """A street case, assigned to the street mediator, supervised at tiers 1 and 2 (the
    district center's command desk)."""
    case = overdue_case()
    perform(
        ACTIONS["assign"], case, staff("street_dispatcher"), {"handler": staff("street_mediator")}
    )
    supervision_sweep(now=AN_HOUR_LATE)
    supervision_sweep(now=AFTER_DELAY)
    case.refresh_from_db()
    return case


def _order(case, tier: int) -> Supervision:
    return Supervision.objects.get(case=case, tier=tier)


def _told(**filters) -> set[str]:
    return set(Notice.objects.filter(**filters).values_list("recipient__username", flat=True))


# --- answer and close ------------------------------------------------------------------------


def test_the_supervised_unit_answers_and_the_command_desk_closes(climbed, staff):
    order = _order(climbed, 2)
    assert "street_mediator" in _told(kind="supervision", title__startswith="二级督办")
    # when the handler answers with the reason and the plan
    perform(
        SUPERVISION_ACTIONS["answer"],
        order,
        staff("street_mediator"),
        {"answer": "当事人外出，已约定周五调解", "version": order.version},
    )
    order.refresh_from_db()
    # then the order is answered, on the timeline, and the desk that supervises is told
    assert (order.state, order.answered_by.username, order.version) == (
        "answered",
        "street_mediator",
        2,
    )
    event = CaseEvent.objects.get(case=climbed, kind="supervision_answer")
    assert event.reason == "当事人外出，已约定周五调解" and event.data["supervision"] == order.pk
    assert "district_dispatcher" in _told(title__startswith="督办反馈")
    # when the district dispatcher closes it
    perform(
        SUPERVISION_ACTIONS["close"],
        order,
        staff("district_dispatcher"),
        {"note": "同意，周五后报结果", "version": order.version},
    )
    order.refresh_from_db()
    # then it is closed and whoever answered is told
    assert (order.state, order.closed_by.username, order.close_note) == (
        "closed",
        "district_dispatcher",
        "同意，周五后报结果",
    )
    assert "street_mediator" in _told(title__startswith="督办已办结")
    assert CaseEvent.objects.filter(case=climbed, kind="supervision_close").count() == 1


@pytest.mark.parametrize(
    ("persona", "action", "data", "error", "message"),
    [
        # the supervising desk cannot answer its own order; the supervised cannot close it
        ("district_dispatcher", "answer", {"answer": "x"}, ForbiddenError, "被督办单位"),
        ("street_dispatcher", "close", {"note": "x"}, ForbiddenError, "督办单位或督办人"),
        # a clerk of the supervised unit holds no role that answers
        ("street_clerk", "answer", {"answer": "x"}, ForbiddenError, "角色"),
        ("street_mediator", "answer", {"answer": "  "}, ApplicationError, "请填写反馈内容"),
        ("street_mediator", "answer", {"answer": "x", "version": 9}, ApplicationError, "刚被"),
    ],
)
def test_a_refused_answer_or_close_changes_nothing(
    climbed, staff, persona, action, data, error, message
):
    order = _order(climbed, 2)
    events = CaseEvent.objects.count()
    with pytest.raises(error, match=message):
        perform(SUPERVISION_ACTIONS[action], order, staff(persona), data)
    order.refresh_from_db()
    assert (order.state, order.version) == ("open", 1)
    assert CaseEvent.objects.count() == events


def test_a_closed_order_takes_no_answer(climbed, staff):
    order = _order(climbed, 2)
    perform(SUPERVISION_ACTIONS["close"], order, staff("district_dispatcher"), {"note": "已办结"})
    with pytest.raises(ApplicationError, match="当前状态"):
        perform(SUPERVISION_ACTIONS["answer"], order, staff("street_mediator"), {"answer": "x"})


# --- by a leader's hand ----------------------------------------------------------------------


def test_a_district_leader_supervises_a_street_case_by_hand(overdue_case, staff):
    case = overdue_case()
    # when the district leader supervises it, with a reason
    perform(
        ACTIONS["supervise"], case, staff("district_leader"), {"reason": "群众反映强烈，三日内办结"}
    )
    # then an order of the district leaders' tier names them, and the street is told by SMS
    order = Supervision.objects.get(case=case)
    assert (order.tier, order.unit.name, order.issued_by.username, order.reason) == (
        3,
        "东城区综治中心",
        "district_leader",
        "群众反映强烈，三日内办结",
    )
    assert order.supervised_unit == case.handling_unit and order.state == "open"
    told = _told(title__startswith="督办：")
    assert {"street_leader", "street_dispatcher"} <= told and "district_leader" not in told
    assert CaseEvent.objects.get(case=case, kind="supervise").actor.username == "district_leader"
    # and by hand, a second order is not blocked by the sweep's once-per-tier rule
    supervision_sweep(now=AN_HOUR_LATE)
    assert Supervision.objects.filter(case=case).count() == 2
    # and the leader who issued it closes it, whoever else leads that unit
    perform(SUPERVISION_ACTIONS["close"], order, staff("district_leader"), {"note": "已督促"})


@pytest.mark.parametrize(
    ("persona", "data", "message"),
    [
        ("street_dispatcher", {"reason": "请办结"}, "角色"),
        ("district_leader", {"reason": " "}, "请填写督办事由"),
    ],
)
def test_supervising_by_hand_is_refused_without_the_role_or_a_reason(
    overdue_case,
    staff,
    persona,
    data,
    message,
):
    case = overdue_case()
    with pytest.raises(ApplicationError, match=message):
        perform(ACTIONS["supervise"], case, staff(persona), data)
    assert not Supervision.objects.filter(case=case).exists()


# --- the lists, the page and the API ----------------------------------------------------------


def test_the_two_lists_show_each_side_its_orders(climbed, client_as):
    mine = client_as("street_mediator").get(reverse("cases:supervisions")).content.decode()
    assert climbed.number in mine and "待反馈" in mine
    issued = (
        client_as("district_dispatcher")
        .get(reverse("cases:supervisions"), {"box": "issued"})
        .content.decode()
    )
    assert climbed.number in issued
    # another street's mediator sees none of them
    other = client_as("mediator@110101002").get(reverse("cases:supervisions")).content.decode()
    assert climbed.number not in other and "没有督办" in other


def test_an_order_is_answered_on_its_page_and_a_bad_answer_is_kept_with_a_message(
    climbed, client_as
):
    order = _order(climbed, 2)
    client = client_as("street_mediator")
    url = reverse("cases:supervision-act", args=[order.pk, "answer"])
    # an empty answer: 400, the form again with the message, nothing written
    response = client.post(url, {"answer-version": order.version, "answer-answer": ""})
    assert response.status_code == 400 and "请按提示修改" in response.content.decode()
    # a stale version: 409, the clerk's word
    response = client.post(url, {"answer-version": 7, "answer-answer": "已约谈"})
    assert response.status_code == 409 and "刚被其他人更新" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "open"
    # the real answer lands, and the page shows it
    response = client.post(url, {"answer-version": order.version, "answer-answer": "已约谈"})
    assert response.status_code == 302
    page = client.get(reverse("cases:supervision-detail", args=[order.pk])).content.decode()
    assert "已约谈" in page and "已反馈" in page


def test_the_case_page_lists_its_orders(climbed, client_as):
    page = client_as("street_leader").get(reverse("cases:case-detail", args=[climbed.number]))
    assert 'data-testid="case-supervisions"' in page.content.decode()
    assert "2 级督办" in page.content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_the_lists_cost_the_same_queries_however_many_orders(
    count,
    overdue_case,
    client_as,
    django_assert_num_queries,
):
    for _ in range(count):
        overdue_case()
    supervision_sweep(now=AN_HOUR_LATE)
    client = client_as("street_leader")
    # session and user; the list's count and the two waiting counts; roles, unread notices and
    # the user's unit for the layout; the page of orders
    with django_assert_num_queries(9):
        assert client.get(reverse("cases:supervisions")).status_code == 200
    # session and user; the count and the page
    with django_assert_num_queries(4):
        rows = client.get(reverse("supervision-list")).json()["results"]
    assert len(rows) == count and rows[0]["tier"] == 1


def test_the_api_answers_and_refuses_like_the_page(climbed, client_as):
    order = _order(climbed, 2)
    client = client_as("street_mediator")
    url = reverse("supervision-answer", args=[order.pk])
    bad = client.post(url, {"answer": ""}, content_type="application/json")
    assert bad.status_code == 400
    ok = client.post(url, {"answer": "已约谈", "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "answered"
    again = client.post(url, {"answer": "再次", "version": 2}, content_type="application/json")
    assert again.status_code == 400
    assert client.get(reverse("supervision-list"), {"box": "nope"}).status_code == 400


class TestSupervisionsPage(PermissionMatrix):
    url_name = "cases:supervisions"
    in_scope = "street_mediator"


class _OrderRoute(PermissionMatrix):
    """Routes of one order, on a street case supervised at tier 1."""

    in_scope = "street_leader"
    out_of_scope = "leader@110101002"

    @pytest.fixture(autouse=True)
    def _order(self, overdue_case):
        supervision_sweep(now=AN_HOUR_LATE)
        overdue_case()
        supervision_sweep(now=AN_HOUR_LATE + timedelta(hours=1))
        self.order = Supervision.objects.get()

    def url(self) -> str:
        return reverse(self.url_name, args=self.args())

    def args(self):
        return [self.order.pk]


class TestSupervisionPage(_OrderRoute):
    url_name = "cases:supervision-detail"


class TestSupervisionAnswerPage(_OrderRoute):
    url_name = "cases:supervision-act"
    method = "post"
    data = {"answer-version": 1, "answer-answer": "已安排"}
    wrong_role = "street_clerk"
    ok_status = 302

    def args(self):
        return [self.order.pk, "answer"]

    def _wrong_role_is_refused(self, client_as):
        # a refusal re-renders the page with the message (403), like the case page's actions
        assert self.request(client_as(self.wrong_role)).status_code == 403


class TestSupervisionListApi(PermissionMatrix):
    url_name = "supervision-list"
    api = True
    in_scope = "street_mediator"


class TestSupervisionDetailApi(_OrderRoute):
    url_name = "supervision-detail"
    api = True


class TestSupervisionAnswerApi(_OrderRoute):
    url_name = "supervision-answer"
    api = True
    method = "post"
    data = {"answer": "已安排"}
    wrong_role = "street_clerk"


class TestSupervisionCloseApi(_OrderRoute):
    url_name = "supervision-close"
    api = True
    method = "post"
    data = {"note": "已办结"}
    wrong_role = "street_dispatcher"


def test_the_home_page_says_what_waits_on_each_side(climbed, client_as, staff):
    # the street's leader has orders to answer
    home = client_as("street_leader").get(reverse("home")).content.decode()
    assert 'data-testid="waiting"' in home and "督办待反馈" in home
    # once answered, the district's desk has one to close, and the street nothing
    order = _order(climbed, 2)
    perform(SUPERVISION_ACTIONS["answer"], order, staff("street_mediator"), {"answer": "已约谈"})
    desk = client_as("district_dispatcher").get(reverse("home")).content.decode()
    assert "督办已反馈待办结" in desk
    mediator = client_as("street_mediator").get(reverse("home")).content.decode()
    assert "督办待反馈" in mediator  # tier 1 is still open for the street
    assert 'data-testid="waiting"' not in client_as("officer").get(reverse("home")).content.decode()


def test_a_refused_answer_or_close_changes_no_state_version_or_timeline(overdue_case, staff):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.cases import rules
    from pingan.cases.supervision import supervision_answer, supervision_close
    from pingan.core.testing import check_refusals_change_nothing

    # the handler answers and the command desk closes: both may, where the table allows it
    mediator, desk = staff("street_mediator"), staff("district_dispatcher")
    case = overdue_case()
    perform(ACTIONS["assign"], case, staff("street_dispatcher"), {"handler": mediator})
    supervision_sweep(now=AN_HOUR_LATE)
    supervision_sweep(now=AFTER_DELAY)
    order = _order(case, 2)

    def make(state: str) -> Supervision:
        Supervision.objects.filter(pk=order.pk).update(state=state, version=1)
        order.refresh_from_db()
        return order

    def act(action: str, order: Supervision) -> None:
        if action == "answer":
            supervision_answer(
                supervision=order,
                actor=mediator,
                answer="x",
                expected_version=None,
                now=AFTER_DELAY,
            )
        else:
            supervision_close(
                supervision=order, actor=desk, note="x", expected_version=None, now=AFTER_DELAY
            )

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(
            rules.SUPERVISION,
            make=make,
            act=act,
            events=lambda order: order.case.events.count(),
            data=data,
        )

    run()


def test_an_order_is_issued_in_a_units_name_or_not_at_all(overdue_case, staff):
    from pingan.cases.supervision import supervision_issue

    case = overdue_case()
    leader = staff("district_leader")
    leader.unit_id = None  # a superuser account belonging to no unit, say
    with pytest.raises(ApplicationError, match="须以单位名义"):
        supervision_issue(case=case, actor=leader, reason="请办结", now=AN_HOUR_LATE)
    assert not Supervision.objects.filter(case=case).exists()
