"""Referrals (转出, M2.4): a matter mediation could not settle is handed to a court,
arbitration or another channel, and followed until the receiving body's result is known; on
the timeline, the case page, the API and the funnel's "resolved elsewhere" figure."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.cases import rules, services
from pingan.cases.actions import ACTIONS
from pingan.cases.models import Referral
from pingan.core.actions import perform
from pingan.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsettled(register, staff):
    """A street case the mediator concluded without agreement, pointing to the court."""
    case, _ = register()
    dispatcher, mediator = staff("street_dispatcher"), staff("street_mediator")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign(case=case, actor=dispatcher, handler=mediator)
    services.case_start_mediation(case=case, actor=mediator)
    services.case_conclude(
        case=case,
        actor=mediator,
        outcome="no_agreement",
        summary="双方分歧较大",
        legal_route="litigation",
    )
    case.refresh_from_db()
    return case


def _refer(case, actor, today, **changes):
    data = {
        "route": "litigation",
        "body": "北京市东城区人民法院",
        "referred_on": today,
        "follow_up_on": today + timedelta(days=14),
        **changes,
    }
    return perform(ACTIONS["refer"], case, actor, data)


def test_a_referral_is_followed_until_its_result_and_counted_as_resolved_elsewhere(
    unsettled, staff, today, client_as
):
    mediator = staff("street_mediator")
    # when the mediator hands the matter to the court
    referral = _refer(unsettled, mediator, today, reference_number="（2026）京0101民初1号")
    # then a referral is open, on the timeline, and the case page offers its result
    assert (referral.state, referral.body, referral.referred_by) == (
        "referred",
        "北京市东城区人民法院",
        mediator,
    )
    assert unsettled.events.get(kind="refer").data["referral"] == referral.pk
    client = client_as("street_mediator")
    page = client.get(reverse("cases:case-detail", args=[unsettled.number]))
    offered = [action["name"] for action in page.context["actions"]]
    assert "referral_result" in offered and "refer" not in offered
    assert 'data-testid="referral"' in page.content.decode()
    # when the court's result comes back
    perform(
        ACTIONS["referral_result"],
        unsettled,
        mediator,
        {"result": "法院判决被告赔偿 2 万元", "result_on": today},
    )
    referral.refresh_from_db()
    # then it is resolved and the funnel counts it as resolved elsewhere
    assert (referral.state, referral.result, referral.version) == (
        "resolved",
        "法院判决被告赔偿 2 万元",
        2,
    )
    assert unsettled.events.filter(kind="referral_result").count() == 1
    stats = client_as("street_leader").get(reverse("cases:funnel")).context["stats"]
    assert (stats["referred"], stats["resolved_elsewhere"]) == (1, 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": " "}, "请填写接收机关"),
        ({"route": "court"}, "请选择转出途径"),
        ({"referred_on": "future"}, "不能晚于今天"),
        ({"follow_up_on": "before"}, "跟进日期不能早于转出日期"),
    ],
)
def test_a_bad_referral_is_refused_and_nothing_is_written(
    unsettled, staff, today, changes, message
):
    moments = {"future": today + timedelta(days=1), "before": today - timedelta(days=1)}
    changes = {key: moments.get(value, value) for key, value in changes.items()}
    events = unsettled.events.count()
    with pytest.raises(ApplicationError, match=message):
        _refer(unsettled, staff("street_mediator"), today, **changes)
    assert not Referral.objects.exists() and unsettled.events.count() == events


def test_one_open_referral_at_a_time_and_only_by_those_who_handle(unsettled, staff, today):
    with pytest.raises(ApplicationError, match="角色"):
        _refer(unsettled, staff("street_clerk"), today)
    _refer(unsettled, staff("street_mediator"), today)
    with pytest.raises(ApplicationError, match="跟进中的转出记录"):
        _refer(unsettled, staff("street_dispatcher"), today)
    # another street's mediator sees nothing to refer
    with pytest.raises(ApplicationError, match="不由您的单位承办"):
        _refer(unsettled, staff("mediator@110101002"), today)


def test_a_running_case_cannot_be_referred(register, staff, today):
    case, _ = register()
    services.case_accept(case=case, actor=staff("street_dispatcher"))
    with pytest.raises(ApplicationError, match="当前状态"):
        _refer(case, staff("street_dispatcher"), today)


def test_the_api_refers_and_shows_the_referral_in_the_case(unsettled, client_as, today):
    client = client_as("street_mediator")
    url = reverse("case-refer", args=[unsettled.number])
    bad = client.post(url, {"route": "litigation"}, content_type="application/json")
    assert bad.status_code == 400 and "body" in bad.json()
    response = client.post(
        url,
        {"route": "arbitration", "body": "北京仲裁委员会", "referred_on": today.isoformat(),
         "follow_up_on": (today + timedelta(days=30)).isoformat()},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    (referral,) = response.json()["referrals"]
    assert (referral["route"], referral["body"], referral["state"]) == (
        "arbitration",
        "北京仲裁委员会",
        "referred",
    )


def test_a_refused_result_changes_no_state_version_or_timeline(unsettled, staff, today):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.testing import check_refusals_change_nothing

    mediator = staff("street_mediator")
    referral = _refer(unsettled, mediator, today - timedelta(days=2))

    def make(state: str) -> Referral:
        Referral.objects.filter(pk=referral.pk).update(state=state, version=1)
        referral.refresh_from_db()
        return referral

    def act(action: str, referral: Referral) -> None:
        # the service records on the case's open referral: a resolved one is refused as
        # "none open", which is the same refusal of the table's
        services.referral_record_result(
            case=referral.case, actor=mediator, result="x", result_on=today
        )

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(
            rules.REFERRAL,
            make=make,
            act=act,
            events=lambda referral: referral.case.events.count(),
            data=data,
        )

    run()
