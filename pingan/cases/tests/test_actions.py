"""The declared case actions: every hand-off tells whoever must act next, page and API dispatch
through the same declarations, and the declarations are the API's operations."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.cases import rules
from pingan.cases.actions import ACTIONS
from pingan.core import notify
from pingan.core.actions import perform
from pingan.core.fuzzing import _schema_document
from pingan.core.models import Notice
from pingan.orgs.models import Unit

from .conftest import MONDAY_MORNING

# Actions that hand the case (or a decision on it) to someone else, and so must tell them.
HANDOFFS = {
    "reject",
    "assign",
    "follow_up",
    "escalate",
    "assign_down",
    "joint",
    "extension_request",
    "extension_decide",
    "supervise",
}


def told(case) -> set[str]:
    url = reverse("cases:case-detail", args=[case.number])
    return set(Notice.objects.filter(url=url).values_list("recipient__username", flat=True))


def test_the_declared_hand_offs_are_the_ones_that_tell_someone():
    assert {name for name, action in ACTIONS.items() if action.tell} == HANDOFFS
    # every move of the case machine but "reopen" (a low follow-up score) is an action
    assert set(rules.CASE.moves) - set(ACTIONS) == {"reopen"}


def test_a_case_walked_through_its_hand_offs_tells_each_recipient(register, staff, now):
    # given a case registered by the street's clerk and accepted by its dispatcher
    case, _code = register(now=now - timedelta(hours=1))
    dispatcher = staff("street_dispatcher")
    perform(ACTIONS["accept"], case, dispatcher, {"version": case.version})
    assert told(case) == set()  # accepting hands nothing over

    # when the dispatcher assigns it to the mediator, the mediator is told
    data = {"version": case.version, "handler": staff("street_mediator"), "reason": "请跟进"}
    perform(ACTIONS["assign"], case, dispatcher, data)
    assert told(case) == {"street_mediator"}
    notice = Notice.objects.get(recipient__username="street_mediator")
    assert notice.title.startswith("交办承办：" + case.number) and "请跟进" in notice.body

    # when the mediator asks for more time, the street's leader (who approves) is told
    mediator = staff("street_mediator")
    perform(ACTIONS["start_mediation"], case, mediator, {"version": case.version})
    data = {"version": case.version, "days": 5, "reason": "当事人出差"}
    perform(ACTIONS["extension_request"], case, mediator, data)
    assert "street_leader" in told(case)

    # when the leader decides, the mediator who asked is told of the decision
    Notice.objects.all().delete()
    perform(
        ACTIONS["extension_decide"],
        case,
        staff("street_leader"),
        {"version": case.version, "approve": True},
    )
    assert told(case) == {"street_mediator"}

    # when the case is escalated, the district center's dispatchers are told
    Notice.objects.all().delete()
    case.refresh_from_db()
    perform(ACTIONS["escalate"], case, dispatcher, {"version": case.version, "reason": "跨街道"})
    assert told(case) and "district_dispatcher" in told(case)
    assert "district_leader" not in told(case)  # not urgent: the leaders are not disturbed

    # when the district hands it down to the community, the community's staff are told
    Notice.objects.all().delete()
    district = staff("district_dispatcher")
    perform(
        ACTIONS["assign_down"],
        case,
        district,
        {"version": case.version, "level": "community", "reason": "就近化解"},
    )
    community = Unit.objects.get(name="多福巷社区居委会")
    assert told(case) and set(Notice.objects.values_list("recipient__unit", flat=True)) == {
        community.pk
    }

    # when joint units are added, each unit's dispatchers or leaders are told
    Notice.objects.all().delete()
    police = Unit.objects.get(name="东华门派出所")
    perform(
        ACTIONS["joint"],
        case,
        district,
        {"version": case.version, "units": [police], "reason": "涉及治安"},
    )
    assert set(Notice.objects.values_list("recipient__unit", flat=True)) == {police.pk}


def test_a_declined_case_tells_the_clerk_who_registered_it(register, staff):
    case, _code = register(now=MONDAY_MORNING)
    data = {"version": case.version, "reason": "不属于受理范围"}
    perform(ACTIONS["reject"], case, staff("street_dispatcher"), data)
    assert told(case) == {"street_clerk"}


def test_an_urgent_escalation_tells_the_leaders_too_and_texts_them(
    register, staff, now, django_capture_on_commit_callbacks
):
    case, _code = register(urgency="urgent", now=now - timedelta(hours=1))
    dispatcher = staff("street_dispatcher")
    with django_capture_on_commit_callbacks(execute=True):
        perform(ACTIONS["accept"], case, dispatcher, {"version": case.version})
    assert notify.outbox == []  # nothing handed over, nobody texted
    with django_capture_on_commit_callbacks(execute=True):
        perform(ACTIONS["escalate"], case, dispatcher, {"version": case.version, "reason": "紧急"})
    assert {"district_dispatcher", "district_leader"} <= told(case)
    assert notify.outbox  # urgent hand-offs go by text message as well


def test_a_routine_hand_off_goes_to_the_inbox_only(
    register, staff, now, django_capture_on_commit_callbacks
):
    case, _code = register(now=now - timedelta(hours=1))
    dispatcher = staff("street_dispatcher")
    perform(ACTIONS["accept"], case, dispatcher, {"version": case.version})
    with django_capture_on_commit_callbacks(execute=True):
        perform(ACTIONS["escalate"], case, dispatcher, {"version": case.version, "reason": "跨街"})
    assert told(case) and notify.outbox == []


def test_a_refused_action_tells_nobody_and_writes_nothing(register, staff):
    case, _code = register(now=MONDAY_MORNING)
    with pytest.raises(Exception, match="您的角色不能执行此操作"):
        perform(ACTIONS["assign"], case, staff("street_clerk"), {"version": case.version})
    case.refresh_from_db()
    assert (case.state, case.version, told(case)) == ("registered", 1, set())


def test_deciding_an_extension_that_was_never_asked_for_is_a_clear_400(register, staff, client_as):
    case, _code = register(now=MONDAY_MORNING)
    perform(ACTIONS["accept"], case, staff("street_dispatcher"), {"version": case.version})
    response = client_as("street_leader").post(
        f"/api/cases/{case.number}/extension-decide/",
        {"version": case.version, "approve": True},
        content_type="application/json",
    )
    assert response.status_code == 400 and "没有待审批的延期申请" in response.json()["detail"]


def test_every_declared_action_is_an_api_operation_with_its_serializer():
    paths = _schema_document()["paths"]
    for action in ACTIONS.values():
        operation = paths[f"/api/cases/{{number}}/{action.url_path}/"]["post"]
        assert operation["operationId"] == f"cases_{action.name}"
        schema_name = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        component = action.serializer.__name__.removesuffix("Serializer") + "Request"
        assert schema_name == f"#/components/schemas/{component}"


def test_a_refused_extension_decision_changes_nothing(register, staff, now):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.cases import services
    from pingan.cases.models import DeadlineExtension
    from pingan.core.testing import check_refusals_change_nothing

    mediator, leader = staff("street_mediator"), staff("street_leader")

    def make(state: str) -> DeadlineExtension:
        case, _code = register(now=now - timedelta(days=1))
        perform(ACTIONS["accept"], case, staff("street_dispatcher"), {"version": case.version})
        extension = services.extension_request(case=case, actor=mediator, days=3, reason="出差")
        DeadlineExtension.objects.filter(pk=extension.pk).update(state=state)
        extension.refresh_from_db()
        return extension

    def act(action: str, extension: DeadlineExtension) -> None:
        approve = action == "decide_approve"
        services.extension_decide(extension=extension, actor=leader, approve=approve, note="否")

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(
            rules.EXTENSION,
            make=make,
            act=act,
            events=lambda extension: extension.case.events.count(),
            data=data,
        )

    run()


def test_the_case_page_reads_its_offered_actions_in_fixed_queries(
    register, staff, client_as, django_assert_max_num_queries
):
    # given an accepted case seen by the superuser (every role, so every action's offer is
    # asked, and both extension actions ask whether one is pending: one query for both)
    case, _code = register(now=MONDAY_MORNING)
    perform(ACTIONS["accept"], case, staff("street_dispatcher"), {"version": case.version})
    client = client_as("admin")
    url = reverse("cases:case-detail", args=[case.number])
    client.get(url)
    with django_assert_max_num_queries(28):  # 26, the supervision orders and the referrals
        page = client.get(url)
    assert [a["name"] for a in page.context["actions"]][:2] == ["assign", "escalate"]
