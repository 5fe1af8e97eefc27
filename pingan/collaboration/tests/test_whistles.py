"""Whistle-and-report (M4.2): blowing, acknowledging, reporting, closing, late escalation,
the response figures, and the pages with their refusals."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.cases.models import CaseEvent
from pingan.cases.services import case_start_mediation
from pingan.collaboration import actions, selectors
from pingan.collaboration.escalation import EscalationResult, whistle_escalation_sweep
from pingan.collaboration.models import WhistleCall, WhistleEscalation, WhistleSummons
from pingan.collaboration.services import (
    summons_acknowledge,
    summons_report,
    whistle_blow,
    whistle_close,
)
from pingan.core import notify
from pingan.core.actions import perform
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import Notice
from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Staff, Unit

from .conftest import MONDAY_MORNING

pytestmark = pytest.mark.django_db

HOUSING = "东城区住房和城市建设委员会"
LATER = MONDAY_MORNING + timedelta(hours=2)


@pytest.fixture
def whistle(hard_case, staff, unit, named_officer):
    """The street dispatcher summons the housing commission and the named police officer."""

    def blow(**overrides):
        fields = {
            "case": hard_case(),
            "actor": staff("street_dispatcher"),
            "reason": "补偿标准争议，需住建部门解释政策、民警维护现场秩序",
            "units": [unit(HOUSING)],
            "officers": [named_officer],
            "now": MONDAY_MORNING,
        }
        fields.update(overrides)
        return whistle_blow(**fields)

    return blow


def summons_of(call, *, officer: bool) -> WhistleSummons:
    return call.summonses.select_related("call", "officer__staff").get(officer__isnull=not officer)


# --- the lifecycle -------------------------------------------------------------------------


def test_a_whistle_summons_each_party_with_an_inbox_notice_and_a_timeline_event(
    hard_case, staff, unit, named_officer, django_capture_on_commit_callbacks
):
    # when the street dispatcher blows the whistle with the default deadline
    with django_capture_on_commit_callbacks(execute=True):
        call = perform(
            actions.WHISTLE_BLOW,
            hard_case(),
            staff("street_dispatcher"),
            {"reason": "需要协同", "units": [unit(HOUSING)], "officers": [named_officer]},
        )
    # then the deadline is 24 hours on, and two parties are summoned
    assert call.report_by - call.blown_at == timedelta(hours=24)
    assert call.summonses.count() == 2
    assert call.street.name == "东华门街道"
    # and the named officer gets a notice linking to the whistle, and an SMS
    officer_notice = Notice.objects.get(recipient=staff("officer"), kind="whistle")
    assert officer_notice.url == reverse("collaboration:whistle-detail", args=[call.pk])
    assert "请于" in officer_notice.title
    assert any(m.phone == staff("officer").phone for m in notify.outbox)
    # and the housing commission's officers and leaders are told (not its other staff)
    housing = Unit.objects.get(name=HOUSING)
    told = set(Notice.objects.filter(kind="whistle").values_list("recipient__unit", flat=True))
    assert housing.pk in told
    # and the case timeline shows the whistle, who was summoned and by when
    event = CaseEvent.objects.get(case=call.case, kind="whistle")
    assert "东城区住房和城市建设委员会" in event.reason and "警官赵勇" in event.reason
    assert "24 小时" in event.reason


def test_the_summoned_officer_acknowledges_then_reports_and_the_street_closes(whistle, staff):
    call = whistle()
    summons = summons_of(call, officer=True)
    # when the officer acknowledges two hours later
    summons_acknowledge(summons=summons, actor=staff("officer"), now=LATER)
    # then it counts as on time, and the timeline says how long it took
    summons.refresh_from_db()
    assert summons.state == "acknowledged" and summons.acknowledged_at == LATER
    ack = CaseEvent.objects.get(case=call.case, kind="whistle_ack")
    assert ack.reason == "按时报到，用时 2 小时 0 分钟。"
    assert ack.data["minutes"] == 120 and ack.data["late"] is False
    # when they report what they did
    summons_report(
        summons=summons,
        actor=staff("officer"),
        report="已到场维护秩序",
        now=LATER + timedelta(hours=3),
    )
    assert WhistleSummons.objects.get(pk=summons.pk).state == "reported"
    # and the street records the result
    whistle_close(call=call, actor=staff("street_dispatcher"), result="政策解释到位，当事人接受")
    # then the timeline shows whistle, acknowledgement, report and close in order
    kinds = list(
        CaseEvent.objects.filter(case=call.case, kind__startswith="whistle")
        .order_by("created_at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["whistle", "whistle_ack", "whistle_report", "whistle_close"]


def test_a_late_acknowledgement_is_flagged(whistle, staff):
    call = whistle(report_hours=4)
    summons = summons_of(call, officer=True)
    summons_acknowledge(
        summons=summons, actor=staff("officer"), now=MONDAY_MORNING + timedelta(hours=5)
    )
    event = CaseEvent.objects.get(case=call.case, kind="whistle_ack")
    assert event.reason.startswith("超时报到") and event.data["late"] is True


def test_nobody_else_may_acknowledge_a_summons(whistle, staff):
    call = whistle()
    named = summons_of(call, officer=True)
    unit_summons = summons_of(call, officer=False)
    # the street dispatcher cannot acknowledge for the officer
    with pytest.raises(ForbiddenError, match="不能代为报到"):
        summons_acknowledge(summons=named, actor=staff("street_dispatcher"))
    # nor a police colleague for the unit summons of the housing commission
    with pytest.raises(ForbiddenError):
        summons_acknowledge(summons=unit_summons, actor=staff("officer"))
    # a responder of the housing commission may
    responder = Staff.objects.filter(unit__name=HOUSING, roles__code="officer").first()
    summons_acknowledge(summons=unit_summons, actor=responder, now=LATER)
    named.refresh_from_db()
    assert named.state == "summoned" and named.acknowledged_at is None
    assert not CaseEvent.objects.filter(
        case=call.case, kind="whistle_ack", actor__username="street_dispatcher"
    ).exists()


def test_reporting_needs_an_acknowledgement_first_and_some_text(whistle, staff):
    summons = summons_of(whistle(), officer=True)
    with pytest.raises(ApplicationError, match="请先报到"):
        summons_report(summons=summons, actor=staff("officer"), report="已处置")
    summons_acknowledge(summons=summons, actor=staff("officer"), now=LATER)
    with pytest.raises(ApplicationError, match="请填写处置情况"):
        summons_report(summons=summons, actor=staff("officer"), report="  ")
    assert WhistleSummons.objects.get(pk=summons.pk).state == "acknowledged"


def test_no_whistle_on_a_closed_case_or_outside_ones_scope_or_without_anyone(
    hard_case, staff, unit, named_officer
):
    case = hard_case()
    before = WhistleCall.objects.count()
    # another street's dispatcher
    with pytest.raises(ForbiddenError):
        whistle_blow(
            case=case, actor=staff("dispatcher@110101002"), reason="x", units=[unit(HOUSING)]
        )
    # a mediator, whose role does not organise
    with pytest.raises(ForbiddenError):
        whistle_blow(case=case, actor=staff("street_mediator"), reason="x", units=[unit(HOUSING)])
    # nobody summoned, or no reason
    with pytest.raises(ApplicationError, match="至少选择"):
        whistle_blow(case=case, actor=staff("street_dispatcher"), reason="需要协同")
    with pytest.raises(ApplicationError, match="请填写"):
        whistle_blow(case=case, actor=staff("street_dispatcher"), reason=" ", units=[unit(HOUSING)])
    # a concluded case
    from pingan.cases.services import case_assign, case_conclude

    dispatcher = staff("street_dispatcher")
    case_assign(case=case, actor=dispatcher, unit=case.handling_unit, reason="")
    case_start_mediation(case=case, actor=dispatcher)
    case_conclude(case=case, actor=dispatcher, outcome="agreement", summary="已调解")
    with pytest.raises(ApplicationError, match="不能再吹哨"):
        whistle_blow(case=case, actor=dispatcher, reason="需要协同", officers=[named_officer])
    assert WhistleCall.objects.count() == before
    assert not CaseEvent.objects.filter(case=case, kind="whistle").exists()


def test_an_officer_of_another_street_cannot_be_summoned(hard_case, staff, street):
    from datetime import date

    from pingan.collaboration.models import NamedOfficer
    from pingan.orgs.models import Division

    elsewhere = NamedOfficer.objects.create(
        staff=staff("officer"),
        kind="police",
        street=Division.objects.get(code="110101002"),
        starts_on=date(2026, 1, 1),
    )
    with pytest.raises(ApplicationError, match="不是东华门街道当前的下沉干警"):
        whistle_blow(
            case=hard_case(), actor=staff("street_dispatcher"), reason="协同", officers=[elsewhere]
        )


# --- late escalation ------------------------------------------------------------------------


def test_late_acknowledgements_escalate_once_per_tier(whistle, staff):
    call = whistle()
    summons_acknowledge(summons=summons_of(call, officer=True), actor=staff("officer"), now=LATER)
    # before the deadline nothing happens
    assert whistle_escalation_sweep(now=MONDAY_MORNING + timedelta(hours=23)) == EscalationResult(
        0, 0
    )
    # an hour after the deadline the unanswered housing commission is escalated to its leaders
    late = MONDAY_MORNING + timedelta(hours=25)
    assert whistle_escalation_sweep(now=late) == EscalationResult(1, 0)
    escalation = WhistleEscalation.objects.get()
    assert escalation.unit.name == HOUSING and escalation.tier == 1
    # (the commission has no leader on the system: its officers are told instead)
    assert not Staff.objects.filter(unit__name=HOUSING, roles__code="leader").exists()
    officers = set(
        Staff.objects.filter(unit__name=HOUSING, roles__code="officer").values_list("pk", flat=True)
    )
    notified = set(Notice.objects.filter(kind="whistle_late").values_list("recipient", flat=True))
    assert notified == officers and officers
    assert CaseEvent.objects.filter(case=call.case, kind="whistle_late").count() == 1
    # running it again issues nothing new
    assert whistle_escalation_sweep(now=late + timedelta(minutes=5)) == EscalationResult(0, 0)
    assert Notice.objects.filter(kind="whistle_late").count() == len(notified)
    # a day later it climbs to the level above (the district center: no parent unit)
    climb = late + timedelta(hours=25)
    assert whistle_escalation_sweep(now=climb) == EscalationResult(0, 1)
    assert WhistleEscalation.objects.get(tier=2).unit.name == "东城区综治中心"
    assert Notice.objects.filter(
        kind="whistle_late", recipient__username="district_leader"
    ).exists()
    assert whistle_escalation_sweep(now=climb) == EscalationResult(0, 0)


def test_acknowledged_or_closed_whistles_are_not_escalated(whistle, staff):
    call = whistle()
    whistle_close(call=call, actor=staff("street_dispatcher"), result="当事人撤回诉求")
    assert whistle_escalation_sweep(now=MONDAY_MORNING + timedelta(days=3)) == EscalationResult(
        0, 0
    )


def test_the_command_and_the_periodic_task_run_the_sweep(whistle, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from pingan.collaboration import tasks

    whistle()
    out = StringIO()
    call_command(
        "collaboration_sweep", at=(MONDAY_MORNING + timedelta(hours=30)).isoformat(), stdout=out
    )
    assert "2 to summoned departments' leaders" in out.getvalue()
    periodic = tasks.collaboration_sweep_task.task_class()
    from datetime import datetime

    assert periodic.validate_datetime(datetime(2026, 12, 3, 10, 5))
    monkeypatch.setattr(tasks.timezone, "now", lambda: MONDAY_MORNING + timedelta(hours=60))
    tasks.collaboration_sweep_task.call_local()
    assert WhistleEscalation.objects.filter(tier=2).count() == 2


# --- figures for evaluation -----------------------------------------------------------------


def test_response_figures_per_department_and_quality_per_street(hard_case, staff, unit):
    housing, court = unit(HOUSING), unit("东城区人民法院")
    responder = Staff.objects.filter(unit=housing, roles__code="officer").first()
    # given five whistles to housing, acknowledged after 30, 60, 90, 120 minutes and 30 hours
    for minutes in (30, 60, 90, 120, 30 * 60):
        call = whistle_blow(
            case=hard_case(),
            actor=staff("street_dispatcher"),
            reason="协同",
            units=[housing, court],
            now=MONDAY_MORNING,
        )
        summons = call.summonses.get(unit=housing)
        summons_acknowledge(
            summons=summons, actor=responder, now=MONDAY_MORNING + timedelta(minutes=minutes)
        )
    whistle_close(call=call, actor=staff("street_dispatcher"), result="已化解")
    period = {
        "start": MONDAY_MORNING - timedelta(days=1),
        "end": MONDAY_MORNING + timedelta(days=7),
    }
    # when the figures are read two days later
    units = selectors.whistle_response_by_unit(**period, now=MONDAY_MORNING + timedelta(days=2))
    # then housing: 4 on time, 1 late, mean and p90 of the five durations
    figures = units[housing.pk]
    assert (figures.summoned, figures.acknowledged, figures.on_time, figures.late) == (5, 5, 4, 1)
    assert figures.avg_minutes == pytest.approx((30 + 60 + 90 + 120 + 1800) / 5)
    assert figures.p90_minutes == pytest.approx(120 + 0.6 * (1800 - 120))
    # and the court, never acknowledging, is late five times
    assert (units[court.pk].late, units[court.pk].avg_minutes) == (5, None)
    streets = selectors.whistle_quality_by_street(**period)
    street = next(iter(streets.values()))
    assert (street.blown, street.parties, street.on_complex_cases, street.with_result) == (
        5,
        10,
        5,
        1,
    )
    assert street.all_on_time == 0 and street.result_share == pytest.approx(0.2)


def test_percentile_matches_linear_interpolation():
    assert selectors.percentile([], 90) is None
    assert selectors.percentile([5.0], 90) == 5.0
    assert selectors.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)


# --- pages -----------------------------------------------------------------------------------


class _WhistleMatrix(PermissionMatrix):
    in_scope = "street_dispatcher"
    out_of_scope = "dispatcher@110101002"

    @pytest.fixture(autouse=True)
    def _call(self, whistle):
        self.call = whistle()

    def url(self):
        return reverse(self.url_name, args=[self.call.pk])


class TestWhistlePage(_WhistleMatrix):
    url_name = "collaboration:whistle-detail"


class TestWhistleList(PermissionMatrix):
    url_name = "collaboration:whistles"
    in_scope = "officer"


class TestDepartments(PermissionMatrix):
    url_name = "collaboration:departments"
    in_scope = "district_leader"
    wrong_role = "street_mediator"


def test_the_summoned_officer_sees_the_whistle_and_acknowledges_on_the_page(whistle, client_as):
    call = whistle()
    summons = summons_of(call, officer=True)
    client = client_as("officer")
    page = client.get(reverse("collaboration:whistle-detail", args=[call.pk]))
    assert 'data-testid="acknowledge"' in page.content.decode()
    response = client.post(
        reverse("collaboration:summons-act", args=[call.pk, summons.pk, "ack"]),
        {"version": summons.version},
    )
    assert response.status_code == 302
    assert WhistleSummons.objects.get(pk=summons.pk).state == "acknowledged"


def test_acknowledging_someone_elses_summons_on_the_page_is_refused(whistle, client_as):
    call = whistle()
    summons = summons_of(call, officer=True)
    response = client_as("street_dispatcher").post(
        reverse("collaboration:summons-act", args=[call.pk, summons.pk, "ack"]), {"version": 1}
    )
    assert response.status_code == 403
    assert "不能代为报到" in response.content.decode()
    assert WhistleSummons.objects.get(pk=summons.pk).state == "summoned"


def test_blowing_from_the_case_page(hard_case, client_as, unit, named_officer):
    case = hard_case()
    client = client_as("street_dispatcher")
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-action="whistle"' in page and "赵勇" in page
    response = client.post(
        reverse("collaboration:whistle-blow", args=[case.number]),
        {
            "units": [unit(HOUSING).pk],
            "officers": [named_officer.pk],
            "report_hours": 12,
            "reason": "需要协同",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("cases:case-detail", args=[case.number])
    call = WhistleCall.objects.get(case=case)
    assert call.report_by - call.blown_at == timedelta(hours=12)
    # a refusal answers with the section and the message, nothing written
    response = client.post(
        reverse("collaboration:whistle-blow", args=[case.number]),
        {"report_hours": 12, "reason": "需要协同"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "请至少选择一个部门或一名下沉干警" in response.content.decode()
    assert WhistleCall.objects.filter(case=case).count() == 1


def test_whistling_on_a_case_outside_ones_scope_is_not_found(hard_case, client_as, unit):
    case = hard_case()
    response = client_as("dispatcher@110101002").post(
        reverse("collaboration:whistle-blow", args=[case.number]),
        {"units": [unit(HOUSING).pk], "report_hours": 12, "reason": "x"},
    )
    assert response.status_code == 404


def test_the_department_page_shows_response_times_in_few_queries(
    hard_case, staff, unit, client_as, django_assert_max_num_queries
):
    housing = unit(HOUSING)
    responder = Staff.objects.filter(unit=housing, roles__code="officer").first()
    for minutes in (45, 300, 2000):
        call = whistle_blow(
            case=hard_case(),
            actor=staff("street_dispatcher"),
            reason="协同",
            units=[housing],
            now=MONDAY_MORNING,
        )
        summons_acknowledge(
            summons=call.summonses.get(),
            actor=responder,
            now=MONDAY_MORNING + timedelta(minutes=minutes),
        )
    client = client_as("district_leader")
    url = (
        reverse("collaboration:department-detail", args=[housing.pk])
        + "?start=2026-11-01&end=2026-11-30"
    )
    with django_assert_max_num_queries(13):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="stat-received">3<' in body
    assert "1 天 9 小时" in body  # the late one, 2000 minutes
    with django_assert_max_num_queries(13):
        listing = client.get(
            reverse("collaboration:departments") + "?start=2026-11-01&end=2026-11-30"
        )
    assert HOUSING in listing.content.decode()


def test_a_department_outside_ones_area_is_not_found(client_as, unit):
    other_station = unit("景山派出所")
    response = client_as("street_dispatcher").get(
        reverse("collaboration:department-detail", args=[other_station.pk])
    )
    assert response.status_code == 404


def test_nobody_reports_on_a_closed_whistle(whistle, staff):
    # given an acknowledged summons whose whistle the street then closes
    call = whistle()
    summons = summons_of(call, officer=True)
    summons_acknowledge(summons=summons, actor=staff("officer"), now=LATER)
    whistle_close(call=call, actor=staff("street_dispatcher"), result="已协调", now=LATER)
    summons.refresh_from_db()
    # when the officer still tries to report, it is refused and nothing is written
    with pytest.raises(ApplicationError, match="该吹哨已办结"):
        summons_report(summons=summons, actor=staff("officer"), report="已处置", now=LATER)
    assert WhistleSummons.objects.get(pk=summons.pk).state == "acknowledged"


def test_a_refused_summons_move_changes_nothing(whistle, staff):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.collaboration.rules import SUMMONS
    from pingan.core.testing import check_refusals_change_nothing

    officer = staff("officer")

    def make(state: str) -> WhistleSummons:
        summons = summons_of(whistle(), officer=True)
        WhistleSummons.objects.filter(pk=summons.pk).update(state=state)
        summons.refresh_from_db()
        return summons

    def act(action: str, summons: WhistleSummons) -> None:
        if action == "acknowledge":
            summons_acknowledge(summons=summons, actor=officer, now=LATER)
        else:
            summons_report(summons=summons, actor=officer, report="已处置", now=LATER)

    def events(summons: WhistleSummons) -> int:
        return CaseEvent.objects.filter(case_id=summons.call.case_id).count()

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(SUMMONS, make=make, act=act, events=events, data=data)

    run()


def test_a_unit_ticked_beside_its_own_officer_is_marked_not_dropped(
    hard_case, client_as, staff, named_officer
):
    # given the officer's unit is one the dispatcher may summon
    case = hard_case()
    client = client_as("street_dispatcher")
    police = staff("officer").unit
    police.kind, police.is_active = "agency", True
    police.save(update_fields=["kind", "is_active"])
    # when both the unit and its named officer are ticked
    response = client.post(
        reverse("collaboration:whistle-blow", args=[case.number]),
        {"units": [police.pk], "officers": [named_officer.pk], "report_hours": 12, "reason": "x"},
        HTTP_HX_REQUEST="true",
    )
    # then nothing is written and the units field says why, marked as at fault
    page = response.content.decode()
    assert response.status_code == 400
    assert "已由下沉干警赵勇代表报到" in page and 'aria-invalid="true"' in page
    assert not WhistleCall.objects.filter(case=case).exists()


def test_only_the_handling_unit_is_offered_the_whistle(hard_case, client_as, staff, unit):
    # given a case the street centre handles
    case = hard_case()
    # when the district dispatcher, who oversees the street, opens it
    client = client_as("district_dispatcher")
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    # then no whistle is offered, and a forced one is refused in words, nothing written
    assert 'data-action="whistle"' not in page
    with pytest.raises(ForbiddenError, match="请由承办单位吹哨"):
        whistle_blow(
            case=case, actor=staff("district_dispatcher"), reason="x", units=[unit(HOUSING)]
        )
    assert not WhistleCall.objects.filter(case=case).exists()
