"""The supervision sweep (督办, M2.3) and the SMS notifier it texts through (X5)."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured

from pingan.cases import services
from pingan.cases.models import CaseEvent, DeadlinePolicy, Supervision
from pingan.cases.supervision import SweepResult, case_url, supervision_sweep
from pingan.core import notify
from pingan.core.models import Notice
from pingan.orgs.models import Staff, Unit

from .conftest import MONDAY_MORNING, SHANGHAI

pytestmark = pytest.mark.django_db

STREET_CENTER = "东华门街道综治中心"
DISTRICT_CENTER = "东城区综治中心"
# Accepted on Monday 23 November, a general case is due at the end of Wednesday 2 December.
DUE = datetime(2026, 12, 2, 23, 59, 59, 999999, tzinfo=SHANGHAI)
AN_HOUR_LATE = DUE + timedelta(hours=1)
AFTER_DELAY = AN_HOUR_LATE + timedelta(hours=49)  # the default delay is 48 hours


def leaders_of(unit_name: str, role: str = "leader") -> set[str]:
    return set(
        Staff.objects.filter(unit__name=unit_name, roles__code=role, is_active=True).values_list(
            "username", flat=True
        )
    )


def dispatchers_of(unit_name: str) -> set[str]:
    return leaders_of(unit_name, role="dispatcher")


def notified(case=None, **filters) -> set[str]:
    notices = Notice.objects.filter(kind="supervision", **filters)
    if case is not None:
        notices = notices.filter(url=case_url(case.number))
    return set(notices.values_list("recipient__username", flat=True))


# --- tier 1 --------------------------------------------------------------------------------


def test_an_overdue_case_is_supervised_at_the_handling_units_leaders(overdue_case):
    # given a street case past its deadline
    case = overdue_case()
    assert case.due_at == DUE
    # when the sweep runs an hour after the deadline
    result = supervision_sweep(now=AN_HOUR_LATE)
    # then one tier-1 supervision goes to the street center, for this deadline
    assert result == SweepResult(tier1=1, tier2=0)
    supervision = Supervision.objects.get(case=case)
    assert (supervision.tier, supervision.unit.name, supervision.due_at) == (
        1,
        STREET_CENTER,
        case.due_at,
    )
    # and the street center's leaders (street_leader among them), and nobody else, are told
    assert "street_leader" in leaders_of(STREET_CENTER)
    assert notified(case) == leaders_of(STREET_CENTER)
    notice = Notice.objects.filter(recipient__username="street_leader").get()
    assert notice.title == f"督办：{case.number} 已超期 1 天"
    assert case.title in notice.body and STREET_CENTER in notice.body
    assert notice.url == case_url(case.number)
    assert notice.url.endswith(f"/cases/{case.number}/")
    assert (notice.created_at, notice.read_at) == (AN_HOUR_LATE, None)
    # and the timeline shows the supervision
    event = CaseEvent.objects.get(case=case, kind="supervise")
    assert (event.data["tier"], event.unit.name, event.actor) == (1, STREET_CENTER, None)


def test_nothing_is_issued_before_the_deadline(overdue_case):
    overdue_case()
    assert supervision_sweep(now=DUE - timedelta(hours=1)) == SweepResult(0, 0)
    assert not Supervision.objects.exists() and not Notice.objects.exists()


def test_running_the_sweep_again_issues_nothing_new(overdue_case):
    # given a sweep that supervised an overdue case
    overdue_case()
    supervision_sweep(now=AN_HOUR_LATE)
    counts = (Supervision.objects.count(), Notice.objects.count(), CaseEvent.objects.count())
    # when it runs again, at the same moment or later but before the escalation delay
    again = supervision_sweep(now=AN_HOUR_LATE)
    later = supervision_sweep(now=AN_HOUR_LATE + timedelta(hours=5))
    # then nothing new is issued
    assert again == later == SweepResult(0, 0)
    assert (Supervision.objects.count(), Notice.objects.count(), CaseEvent.objects.count()) == (
        counts
    )


def test_a_concluded_case_is_not_supervised(overdue_case, staff):
    case = overdue_case()
    mediator = staff("street_mediator")
    services.case_assign(case=case, actor=staff("street_dispatcher"), now=MONDAY_MORNING)
    services.case_start_mediation(case=case, actor=mediator, now=MONDAY_MORNING)
    services.case_conclude(
        case=case, actor=mediator, outcome="agreement", summary="达成协议", now=MONDAY_MORNING
    )
    assert supervision_sweep(now=AN_HOUR_LATE) == SweepResult(0, 0)


# --- tier 2 --------------------------------------------------------------------------------


def test_still_overdue_after_the_delay_climbs_to_the_district_center(overdue_case):
    # given a street case supervised at tier 1
    case = overdue_case()
    supervision_sweep(now=AN_HOUR_LATE)
    # when 47 hours pass, nothing climbs yet
    assert supervision_sweep(now=AN_HOUR_LATE + timedelta(hours=47)) == SweepResult(0, 0)
    # when more than 48 hours have passed and it is still overdue
    result = supervision_sweep(now=AFTER_DELAY)
    # then a tier-2 order goes to the district center's command desk (the street's level
    # above is the district)
    assert result == SweepResult(tier1=0, tier2=1)
    tier2 = Supervision.objects.get(case=case, tier=2)
    assert (tier2.unit.name, tier2.audience, tier2.due_at, tier2.issued_at) == (
        DISTRICT_CENTER,
        "dispatchers",
        case.due_at,
        AFTER_DELAY,
    )
    assert tier2.supervised_unit.name == STREET_CENTER and tier2.state == "open"
    assert "district_dispatcher" in dispatchers_of(DISTRICT_CENTER)
    assert notified(case, title__startswith="二级督办") == dispatchers_of(DISTRICT_CENTER)
    notice = Notice.objects.get(recipient__username="district_dispatcher")
    assert notice.title == f"二级督办：{case.number} 已超期 3 天"
    assert STREET_CENTER in notice.body and "12月3日" in notice.body
    assert CaseEvent.objects.get(case=case, kind="supervise", data__tier=2).unit == tier2.unit
    # and it is issued once
    assert supervision_sweep(now=AFTER_DELAY + timedelta(hours=1)) == SweepResult(0, 0)
    # and 48 hours later the district leaders are asked, the last tier a street case has
    assert supervision_sweep(now=AFTER_DELAY + timedelta(hours=49)) == SweepResult(0, 0, 1)
    assert notified(case, title__startswith="三级督办") == leaders_of(DISTRICT_CENTER)
    assert supervision_sweep(now=AFTER_DELAY + timedelta(days=30)) == SweepResult(0, 0)


def test_the_delay_is_configured_per_complexity(overdue_case):
    # given general cases climb after 2 hours
    DeadlinePolicy.objects.filter(complexity="general").update(tier2_after_hours=2)
    overdue_case()
    supervision_sweep(now=AN_HOUR_LATE)
    # then 3 hours later the case is at tier 2
    assert supervision_sweep(now=AN_HOUR_LATE + timedelta(hours=3)) == SweepResult(0, 1)


def test_a_community_case_climbs_the_whole_chain_to_the_district_leaders(overdue_case, staff):
    # given a grid worker's case, handled by the community committee
    grid = staff("grid_worker").grids.first()
    case = overdue_case("grid_worker", channel="grid_report", grid=grid)
    assert case.handling_unit.name == "多福巷社区居委会"
    # when it stays overdue: tier 1 the committee, 2 the street, 3 the district's command
    # desk, 4 the district leaders (48, 48 and 72 hours apart by default)
    assert supervision_sweep(now=AN_HOUR_LATE) == SweepResult(1, 0)
    assert supervision_sweep(now=AFTER_DELAY) == SweepResult(0, 1)
    assert supervision_sweep(now=AFTER_DELAY + timedelta(hours=49)) == SweepResult(0, 0, 1)
    assert supervision_sweep(now=AFTER_DELAY + timedelta(hours=49 + 71)) == SweepResult(0, 0)
    assert supervision_sweep(now=AFTER_DELAY + timedelta(hours=49 + 73)) == SweepResult(0, 0, 0, 1)
    chain = list(
        Supervision.objects.filter(case=case)
        .order_by("tier")
        .values_list("tier", "unit__name", "audience")
    )
    assert chain == [
        (1, "多福巷社区居委会", "leaders"),
        (2, STREET_CENTER, "leaders"),
        (3, DISTRICT_CENTER, "dispatchers"),
        (4, DISTRICT_CENTER, "leaders"),
    ]
    # the committee's leader (社区党委书记) first, then the street's, the desk, the district's
    assert notified(case) == (
        leaders_of("多福巷社区居委会")
        | leaders_of(STREET_CENTER)
        | dispatchers_of(DISTRICT_CENTER)
        | leaders_of(DISTRICT_CENTER)
    )
    assert leaders_of("多福巷社区居委会")
    last = Notice.objects.get(recipient__username="district_leader")
    assert last.title.startswith("四级督办") and "提请区领导督办" in last.body


def test_a_district_case_has_one_tier_its_leaders_being_the_districts(overdue_case):
    case = overdue_case("district_dispatcher", acceptor="district_dispatcher")
    supervision_sweep(now=AN_HOUR_LATE)
    supervision_sweep(now=AFTER_DELAY)
    supervision_sweep(now=AFTER_DELAY + timedelta(days=10))
    units = dict(Supervision.objects.filter(case=case).values_list("tier", "unit__name"))
    assert units == {1: DISTRICT_CENTER}
    assert Notice.objects.filter(recipient__username="district_leader").count() == 1


def test_an_agencys_case_climbs_to_its_parent_unit(overdue_case, staff):
    case = overdue_case()
    police = Unit.objects.get(name="东华门派出所")
    services.case_assign(case=case, actor=staff("street_dispatcher"), unit=police)
    supervision_sweep(now=AN_HOUR_LATE)
    supervision_sweep(now=AFTER_DELAY)
    units = dict(Supervision.objects.filter(case=case).values_list("tier", "unit__name"))
    assert units == {1: "东华门派出所", 2: police.parent.name}


def test_an_agency_without_a_parent_climbs_to_the_district_center(overdue_case, staff):
    case = overdue_case("district_dispatcher", acceptor="district_dispatcher")
    court = Unit.objects.get(name="东城区人民法院")
    assert court.parent is None
    services.case_assign(case=case, actor=staff("district_dispatcher"), unit=court)
    supervision_sweep(now=AN_HOUR_LATE)
    supervision_sweep(now=AFTER_DELAY)
    units = dict(Supervision.objects.filter(case=case).values_list("tier", "unit__name"))
    assert units == {1: "东城区人民法院", 2: DISTRICT_CENTER}


# --- a new deadline starts again ---------------------------------------------------------


def test_after_an_approved_extension_a_new_overdue_is_supervised_again(overdue_case, staff):
    # given a supervised case whose deadline a leader then extends by five working days
    case = overdue_case()
    supervision_sweep(now=AN_HOUR_LATE)
    extension = services.extension_request(
        case=case, actor=staff("street_dispatcher"), days=5, reason="当事人出差", now=AN_HOUR_LATE
    )
    services.extension_decide(
        extension=extension, actor=staff("street_leader"), approve=True, now=AN_HOUR_LATE
    )
    case.refresh_from_db()
    # when the sweep runs before the new deadline: nothing, not even tier 2 for the old one
    assert supervision_sweep(now=AFTER_DELAY) == SweepResult(0, 0)
    # when the new deadline passes too
    result = supervision_sweep(now=case.due_at + timedelta(hours=1))
    # then a new tier-1 supervision is issued for the new deadline, and no tier 2 yet
    assert result == SweepResult(tier1=1, tier2=0)
    assert sorted(Supervision.objects.filter(case=case).values_list("tier", "due_at")) == [
        (1, DUE),
        (1, case.due_at),
    ]
    assert Notice.objects.filter(recipient__username="street_leader").count() == 2


# --- the periodic job ---------------------------------------------------------------------


def test_the_periodic_task_runs_the_sweep_every_five_minutes(overdue_case, monkeypatch):
    from pingan.cases import tasks

    periodic = tasks.supervision_sweep_task.task_class()
    assert periodic.validate_datetime(datetime(2026, 12, 3, 10, 5))
    assert not periodic.validate_datetime(datetime(2026, 12, 3, 10, 7))
    case = overdue_case()
    monkeypatch.setattr(tasks.timezone, "now", lambda: AN_HOUR_LATE)
    tasks.supervision_sweep_task.call_local()
    assert Supervision.objects.filter(case=case, tier=1).exists()


# --- SMS -----------------------------------------------------------------------------------


def test_leaders_with_a_phone_are_texted_in_full(overdue_case, django_capture_on_commit_callbacks):
    # given the street leader has a phone and a colleague has none
    case = overdue_case()
    leader = Staff.objects.get(username="street_leader")
    assert len(leader.phone) == 11
    colleague = (
        Staff.objects.filter(unit=leader.unit, roles__code="leader").exclude(pk=leader.pk).get()
    )
    Staff.objects.filter(pk=colleague.pk).update(phone="")
    # when the sweep commits
    with django_capture_on_commit_callbacks(execute=True):
        supervision_sweep(now=AN_HOUR_LATE)
    # then one full, unmasked message goes to the leader with a phone
    assert [message.phone for message in notify.outbox] == [leader.phone]
    text = notify.outbox[0].text
    assert text.startswith(f"【平安综治】督办：{case.number} 已超期 1 天")
    assert case.title in text and "*" not in text
    # and both leaders have the notice in their inbox
    assert len(notified(case)) == 2


def test_no_text_is_sent_when_the_sweep_rolls_back(
    overdue_case, django_capture_on_commit_callbacks
):
    overdue_case()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        supervision_sweep(now=AN_HOUR_LATE)
    # texts wait for the commit; nothing has left yet
    assert callbacks and notify.outbox == []


def test_the_console_backend_masks_the_phone():
    stream = StringIO()
    backend = notify.ConsoleSMSBackend(stream=stream)
    sent = backend.send_messages([notify.SMSMessage("13812345678", "【平安综治】督办：测试")])
    assert sent == 1
    assert stream.getvalue() == "SMS to 138****5678: 【平安综治】督办：测试\n"


def test_the_gateway_backend_is_configured_like_an_email_backend(settings):
    settings.PINGAN_SMS_GATEWAY_URL = "http://sms-gateway.internal/send"
    backend = notify.HttpSMSGatewayBackend(fail_silently=True)
    assert (backend.url, backend.timeout, backend.fail_silently) == (
        "http://sms-gateway.internal/send",
        5.0,
        True,
    )
    assert backend.send_messages([]) == 0  # nothing to send, nothing posted
    settings.PINGAN_SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured, match="PINGAN_SMS_GATEWAY_URL"):
        notify.HttpSMSGatewayBackend()


def test_backends_come_from_the_setting(settings):
    settings.PINGAN_NOTIFIERS = [
        "pingan.core.notify.LocmemSMSBackend",
        "pingan.core.notify.ConsoleSMSBackend",
    ]
    kinds = [type(backend).__name__ for backend in notify.get_backends()]
    assert kinds == ["LocmemSMSBackend", "ConsoleSMSBackend"]


# --- set-based ---------------------------------------------------------------------------

# savepoint, district centers; for the tier issued: candidates, insert orders, read back
# ours, insert events, the supervisors, the handlers, insert notices; for every other tier
# its candidates (none), and for tiers 2-4 their policies first; release
TIER1_QUERIES = 15
TIER2_QUERIES = 15


@pytest.mark.parametrize("count", [3, 30])
def test_the_sweep_costs_the_same_queries_for_3_or_30_cases(
    count, overdue_case, django_assert_num_queries
):
    for _ in range(count):
        overdue_case()
    with django_assert_num_queries(TIER1_QUERIES):
        assert supervision_sweep(now=AN_HOUR_LATE) == SweepResult(count, 0)
    with django_assert_num_queries(TIER2_QUERIES):
        assert supervision_sweep(now=AFTER_DELAY) == SweepResult(0, count)


def test_the_command_runs_the_sweep_once(overdue_case):
    from io import StringIO

    from django.core.management import call_command

    overdue_case()
    out = StringIO()
    call_command("supervision_sweep", at="2026-12-10T09:00:00+08:00", stdout=out)
    assert "督办 issued: 1" in out.getvalue()
    out = StringIO()
    call_command("supervision_sweep", at="2026-12-10T09:00:00+08:00", stdout=out)
    assert "督办 issued: 0" in out.getvalue()


def test_the_periodic_task_runs_through_the_real_queue(register, staff, monkeypatch):
    from datetime import timedelta

    import huey.contrib.djhuey as djhuey
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY as huey

    from pingan.cases.tasks import supervision_sweep_task

    # given a case accepted forty days ago, long overdue now
    case, _ = register()
    services.case_accept(
        case=case, actor=staff("street_dispatcher"), now=timezone.now() - timedelta(days=40)
    )
    huey.flush()
    # A worker recycles database connections around each task; here the task must run inside the
    # test's transaction (as Django's test client keeps it across requests), so keep it open.
    monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
    # when the scheduler enqueues the periodic task and a worker takes it from the SQLite queue
    supervision_sweep_task()
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    # then the supervision notice exists, and the queue is empty
    assert Supervision.objects.filter(case=case, tier=1).exists()
    assert huey.pending_count() == 0
