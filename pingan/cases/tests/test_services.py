"""Case services: intake, the lifecycle, the funnel, deadlines and conflicts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from pingan.cases import services
from pingan.cases.choices import EventKind
from pingan.cases.models import Case, CaseEvent, CaseSequence, Category, Party
from pingan.cases.services import PartyInput
from pingan.core import crypto
from pingan.core.errors import ApplicationError, ConflictError, ForbiddenError
from pingan.orgs.models import Unit

from .conftest import MONDAY_MORNING, VALID_ID

pytestmark = pytest.mark.django_db


def test_register_starts_at_the_street_with_a_number_and_query_code(register):
    # when a street clerk registers a walk-in matter
    case, code = register()
    # then it is registered at street level, handled by the street center
    assert (case.state, case.level, case.handling_unit.name) == (
        "registered",
        "street",
        "东华门街道综治中心",
    )
    assert case.number.startswith("DC2026-") and len(code) == 6
    assert case.query_code_hash == services.query_code_digest(case.number, code)
    assert case.area_path == case.grid.path
    # and parties keep their ID numbers encrypted, found by blind index
    applicant = Party.objects.get(case=case, role="applicant")
    assert applicant.id_number == VALID_ID
    assert (
        Party.objects.filter(id_number_index=crypto.blind_index("id_number", VALID_ID)).count() == 1
    )
    # and the timeline has its first event
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.to_state, event.actor.username) == (
        "register",
        "registered",
        "street_clerk",
    )


def test_numbers_increase(register):
    first, _ = register()
    second, _ = register()
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"parties": [PartyInput("applicant", "王某", "110105194912310021")]}, "校验位不正确"),
        ({"parties": [PartyInput("respondent", "李某")]}, "至少填写一名申请人"),
        ({"parties": []}, "至少填写一名当事人"),
        ({"parties": [PartyInput("applicant", "王某", "", "12345")]}, "电话号码格式不正确"),
        ({"narrative": "太短"}, "事项描述过短"),
        ({"title": "  "}, "请填写事项标题"),
        ({"complexity": "hard"}, "复杂程度"),
        ({"channel": "pigeon"}, "来源渠道"),
    ],
)
def test_bad_intake_is_refused_and_nothing_is_written(register, overrides, message):
    before = (Case.objects.count(), Party.objects.count(), CaseEvent.objects.count())
    with pytest.raises(ApplicationError, match=message):
        register(**overrides)
    assert (Case.objects.count(), Party.objects.count(), CaseEvent.objects.count()) == before


def test_register_outside_scope_is_refused(register):
    from pingan.orgs.models import Division

    jingshan_grid = Division.objects.filter(
        path__startswith="/110101/110101002/", level="grid"
    ).first()
    with pytest.raises(ForbiddenError):
        register(grid=jingshan_grid)


def test_grid_worker_registers_at_grid_level(register, staff):
    grid = staff("grid_worker").grids.first()
    case, _ = register("grid_worker", grid=grid, channel="grid_report")
    assert (case.level, case.handling_unit.name) == ("grid", "多福巷社区居委会")


def test_district_case_records_first_contact(register):
    case, _ = register("district_dispatcher")
    assert case.level == "district"
    assert case.first_contact_unit.name == "东城区综治中心"


def test_full_lifecycle_writes_an_ordered_timeline(register, staff):
    case, _ = register()
    t = MONDAY_MORNING
    services.case_accept(case=case, actor=staff("street_dispatcher"), now=t + timedelta(minutes=5))
    assert case.due_at is not None and case.warn_at < case.due_at
    services.case_assign(
        case=case,
        actor=staff("street_dispatcher"),
        handler=staff("street_mediator"),
        now=t + timedelta(hours=1),
    )
    services.case_start_mediation(
        case=case, actor=staff("street_mediator"), now=t + timedelta(hours=2)
    )
    services.case_conclude(
        case=case,
        actor=staff("street_mediator"),
        outcome="agreement",
        summary="双方达成赔偿协议",
        now=t + timedelta(days=2),
    )
    services.case_follow_up(
        case=case, actor=staff("street_clerk"), satisfaction=5, now=t + timedelta(days=3)
    )
    services.case_archive(case=case, actor=staff("street_dispatcher"), now=t + timedelta(days=4))
    case.refresh_from_db()
    assert (case.state, case.concluded_level, case.satisfaction) == ("archived", "street", 5)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "register",
        "accept",
        "assign",
        "start_mediation",
        "conclude",
        "follow_up",
        "archive",
    ]
    times = list(case.events.values_list("created_at", flat=True))
    assert times == sorted(times)
    assert case.version == 7


def test_reject_needs_a_reason(register, staff):
    case, _ = register()
    with pytest.raises(ApplicationError, match="不予受理的理由"):
        services.case_reject(case=case, actor=staff("street_clerk"), reason=" ")
    services.case_reject(
        case=case, actor=staff("street_clerk"), reason="不属于受理范围，已告知当事人向法院起诉"
    )
    assert Case.objects.get(pk=case.pk).state == "rejected"


def test_transition_not_in_the_table_is_refused_and_changes_nothing(register, staff):
    case, _ = register()
    with pytest.raises(ApplicationError, match="当前状态“已登记”下不能执行此操作"):
        services.case_conclude(
            case=case, actor=staff("street_mediator"), outcome="agreement", summary="x"
        )
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == ("registered", 1)
    assert fresh.events.count() == 1


def test_wrong_role_and_wrong_unit_are_refused(register, staff):
    case, _ = register()
    with pytest.raises(ForbiddenError, match="角色"):
        services.case_accept(case=case, actor=staff("street_mediator"))
    # a dispatcher of another street cannot act on it (they cannot even see it)
    other = staff("dispatcher@110101002")
    with pytest.raises(ForbiddenError, match="不由您的单位承办"):
        services.case_accept(case=case, actor=other)


def test_no_agreement_needs_a_legal_route(register, staff):
    case, _ = register()
    dispatcher, mediator = staff("street_dispatcher"), staff("street_mediator")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign(case=case, actor=dispatcher)
    services.case_start_mediation(case=case, actor=mediator)
    with pytest.raises(ApplicationError, match="法律途径"):
        services.case_conclude(
            case=case, actor=mediator, outcome="no_agreement", summary="调解不成"
        )
    services.case_conclude(
        case=case,
        actor=mediator,
        outcome="no_agreement",
        summary="调解不成",
        legal_route="litigation",
    )
    assert Case.objects.get(pk=case.pk).legal_route == "litigation"


def test_unsatisfied_follow_up_reopens(register, staff):
    case, _ = register()
    dispatcher, mediator = staff("street_dispatcher"), staff("street_mediator")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign(case=case, actor=dispatcher)
    services.case_start_mediation(case=case, actor=mediator)
    services.case_conclude(case=case, actor=mediator, outcome="agreement", summary="已调解")
    with pytest.raises(ApplicationError, match="不满意的具体原因"):
        services.case_follow_up(case=case, actor=staff("street_clerk"), satisfaction=1)
    services.case_follow_up(
        case=case, actor=staff("street_clerk"), satisfaction=2, note="赔偿未兑现"
    )
    case.refresh_from_db()
    assert (case.state, case.concluded_at, case.outcome) == ("mediating", None, "")
    assert case.events.last().kind == EventKind.REOPEN


def test_escalate_and_assign_down_move_level_and_unit(register, staff):
    case, _ = register()
    dispatcher = staff("street_dispatcher")
    services.case_accept(case=case, actor=dispatcher)
    with pytest.raises(ApplicationError, match="上提理由"):
        services.case_escalate(case=case, actor=dispatcher, reason="")
    services.case_escalate(case=case, actor=dispatcher, reason="涉及多个部门，需区级协调")
    assert (case.level, case.handling_unit.name, case.first_contact_unit.name) == (
        "district",
        "东城区综治中心",
        "东城区综治中心",
    )
    # the street can no longer act on it; the district can hand it down again
    with pytest.raises(ForbiddenError):
        services.case_escalate(case=case, actor=dispatcher, reason="再上提")
    services.case_assign_down(
        case=case,
        actor=staff("district_dispatcher"),
        level="community",
        reason="属社区可化解的邻里纠纷",
    )
    assert (case.level, case.handling_unit.name) == ("community", "多福巷社区居委会")
    events = list(
        case.events.filter(kind__in=["escalate", "assign_down"]).values_list(
            "from_level", "to_level"
        )
    )
    assert events == [("street", "district"), ("district", "community")]


def test_escalate_beyond_district_is_refused(register, staff):
    case, _ = register("district_dispatcher")
    services.case_accept(case=case, actor=staff("district_dispatcher"))
    with pytest.raises(ApplicationError, match="不能再上提"):
        services.case_escalate(case=case, actor=staff("district_dispatcher"), reason="x")


def test_joint_mediation_lets_the_joint_unit_see_and_act(register, staff):
    case, _ = register()
    dispatcher = staff("street_dispatcher")
    services.case_accept(case=case, actor=dispatcher)
    police = Unit.objects.get(name="东华门派出所")
    services.case_add_joint_units(
        case=case, actor=dispatcher, units=[police], reason="涉及治安隐患"
    )
    officer = staff("officer")
    assert Case.objects.visible_to(officer).filter(pk=case.pk).exists()
    assert services.can_act_on(officer, case)


def test_numbers_run_on_within_a_year_and_start_again_at_one_in_the_next(register):
    # given no case numbered yet: the first creates the year's counter
    first, _ = register(now=datetime(2026, 12, 31, 10, tzinfo=UTC))
    second, _ = register(now=datetime(2026, 12, 31, 11, tzinfo=UTC))
    # and a case registered after New Year (local time) starts that year's numbering
    new_year, _ = register(now=datetime(2026, 12, 31, 17, tzinfo=UTC))  # 01:00 in Beijing

    assert [first.number, second.number, new_year.number] == [
        "DC2026-000001",
        "DC2026-000002",
        "DC2027-000001",
    ]
    assert dict(CaseSequence.objects.values_list("year", "last")) == {2026: 2, 2027: 1}


def test_concurrent_update_conflicts_and_keeps_the_first(register, staff):
    # given two users who loaded the same case (version 1)
    case, _ = register()
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    # when the first accepts it
    services.case_accept(case=first, actor=staff("street_dispatcher"), expected_version=1)
    # then the second user's reject, based on version 1, is refused
    with pytest.raises(ConflictError, match="刚被其他人更新"):
        services.case_reject(
            case=second, actor=staff("street_clerk"), reason="重复", expected_version=1
        )
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == ("accepted", 2)
    assert not fresh.events.filter(kind="reject").exists()


def test_extension_needs_a_leaders_approval(register, staff):
    case, _ = register()
    dispatcher = staff("street_dispatcher")
    services.case_accept(case=case, actor=dispatcher, now=MONDAY_MORNING)
    before = case.due_at
    # 7 working days after Monday 2026-11-23: Tue 24 … Wed 2 December, end of day
    assert timezone.localtime(before).strftime("%Y-%m-%d %H:%M") == "2026-12-02 23:59"
    extension = services.extension_request(case=case, actor=dispatcher, days=5, reason="当事人出差")
    assert Case.objects.get(pk=case.pk).due_at == before  # nothing moves before approval
    with pytest.raises(ApplicationError, match="待审批"):
        services.extension_request(case=case, actor=dispatcher, days=3, reason="再延")
    with pytest.raises(ForbiddenError, match="角色"):
        services.extension_decide(extension=extension, actor=dispatcher, approve=True)
    services.extension_decide(extension=extension, actor=staff("street_leader"), approve=True)
    case.refresh_from_db()
    # five more working days: 3, 4, 7, 8, 9 December
    assert timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M") == "2026-12-09 23:59"
    assert list(
        case.events.filter(kind__startswith="extension").values_list("kind", flat=True)
    ) == [
        "extension_request",
        "extension_approve",
    ]


def test_judicial_confirmation_only_for_agreements(register, staff, today):
    case, _ = register()
    dispatcher, mediator = staff("street_dispatcher"), staff("street_mediator")
    services.case_accept(case=case, actor=dispatcher)
    services.case_assign(case=case, actor=dispatcher)
    services.case_start_mediation(case=case, actor=mediator)
    services.case_conclude(case=case, actor=mediator, outcome="agreement", summary="达成协议")
    ruling = {"court": "北京市东城区人民法院", "ruling_number": "（2026）京0101民特12号"}
    # a confirmation dated in the future, or without its court, is refused
    with pytest.raises(ApplicationError, match="不能晚于今天"):
        services.case_confirm_judicially(
            case=case, actor=mediator, confirmed_on=today + timedelta(days=1), **ruling
        )
    with pytest.raises(ApplicationError, match="请填写确认法院"):
        services.case_confirm_judicially(
            case=case, actor=mediator, confirmed_on=today, court=" ", ruling_number="x"
        )
    services.case_confirm_judicially(
        case=case, actor=mediator, confirmed_on=today, note="已出具确认裁定", **ruling
    )
    case = Case.objects.get(pk=case.pk)
    assert case.judicially_confirmed and case.judicial_ruling_number == "（2026）京0101民特12号"
    assert (case.judicial_court, case.judicial_confirmed_on) == (
        "北京市东城区人民法院",
        today,
    )
    event = case.events.get(kind="judicial_confirmation")
    assert event.data["ruling"] == "（2026）京0101民特12号"
    with pytest.raises(ApplicationError, match="已经司法确认"):
        services.case_confirm_judicially(case=case, actor=mediator, confirmed_on=today, **ruling)


def test_repeat_matter_is_flagged_and_linked(register):
    # given an open case with a party's ID number
    first, _ = register()
    # when the same person comes again with another matter
    second, _ = register(
        title="再次反映漏水", narrative="上次反映的漏水问题仍未解决，墙面发霉，请尽快处理。"
    )
    # then the new case is flagged as a repeat and linked, and the timeline says why
    assert second.repeat_of == first
    assert "同一当事人" in second.events.get(kind="register").data["repeat_reason"]


def test_merge_visit_adds_to_the_earlier_case(register, staff):
    case, _ = register()
    services.case_merge_visit(
        case=case, actor=staff("street_clerk"), channel="phone", narrative="当事人来电催问进展"
    )
    assert case.events.last().kind == "merge"
    assert Case.objects.count() >= 1 and Case.objects.get(pk=case.pk).version == 2


def test_clerk_may_choose_the_suggested_agency(register):
    police = Unit.objects.get(name="东华门派出所")
    case, _ = register(chosen_unit=police, suggested_unit=police)
    assert case.handling_unit == police and case.suggestion_followed is True
    other, _ = register(
        suggested_unit=police, narrative="另一起邻里噪音纠纷，晚间施工扰民，请求协调处理。"
    )
    assert other.suggestion_followed is False


def test_chosen_unit_outside_scope_is_refused(register):
    with pytest.raises(ApplicationError, match="不在您的工作范围内"):
        register(chosen_unit=Unit.objects.get(name="景山派出所"))


def test_a_case_sent_to_another_unit_at_intake_tells_that_units_dispatchers(staff, grid):
    # given the clerk registers a matter and sends it to the police station (the suggestion)
    from pingan.cases.actions import REGISTER
    from pingan.core.actions import perform
    from pingan.core.models import Notice

    police = Unit.objects.get(name="东华门派出所")
    fields = {
        "channel": "walk_in",
        "category": Category.objects.get(code="neighbourhood"),
        "complexity": "general",
        "title": "深夜噪音扰民",
        "narrative": "楼下商户深夜施工噪音扰民，多次劝阻无效，请求处理。",
        "grid": grid,
        "parties": [PartyInput("applicant", "王某某", VALID_ID, "13812345678")],
    }
    case, _code = perform(REGISTER, None, staff("street_clerk"), {**fields, "chosen_unit": police})
    # then the station's dispatchers are told, by name of the case
    told = Notice.objects.filter(kind="case", url__endswith=f"/{case.number}/")
    assert told.exists()
    assert {notice.recipient.unit_id for notice in told} == {police.pk}
    assert "新登记事项" in told.first().title
    # and a case kept by the clerk's own center tells nobody
    own, _code = perform(REGISTER, None, staff("street_clerk"), fields)
    assert not Notice.objects.filter(url__endswith=f"/{own.number}/").exists()


def test_a_repeat_visit_tells_whoever_handles_the_case(register, staff):
    from pingan.cases.actions import MERGE_VISIT
    from pingan.core.actions import perform
    from pingan.core.models import Notice

    # given an open case of the street center, handled by nobody in person yet
    case, _ = register()
    # when the citizen comes again and the clerk records the visit on it
    visit = {"channel": "phone", "narrative": "当事人来电催问进展"}
    perform(MERGE_VISIT, case, staff("street_clerk"), visit)
    # then the center's dispatchers hear that the citizen is waiting
    told = Notice.objects.filter(url__endswith=f"/{case.number}/")
    assert {notice.recipient.username for notice in told} >= {"street_dispatcher"}
    assert "群众再次来访" in told.first().title
    # and a visit without its request, or through no known channel, is refused, writing nothing
    for bad in ({"narrative": " "}, {"channel": "carrier_pigeon"}):
        with pytest.raises(ApplicationError):
            perform(MERGE_VISIT, case, staff("street_clerk"), {**visit, **bad})
    assert case.events.filter(kind="merge").count() == 1
