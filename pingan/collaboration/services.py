"""Writes of collaboration: one service per use case, one transaction, one recorded event.

Whistle steps are written on the case's timeline (``CaseEvent``); roster, officer, talk and
four-list changes on the audit trail (``AuditEvent``) or as rows of the lists themselves.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.choices import OPEN_STATES, EventKind, State
from pingan.cases.models import Case, Category
from pingan.cases.services import PartyInput, case_event_record, case_register
from pingan.core.calendar import local_date, workdays_in
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.services import audit_record, require_text, versioned_update
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import Level, RoleCode, Stationing, UnitKind
from pingan.orgs.models import Division, Staff, Unit

from . import rules
from .access import may_answer, may_report_progress, may_whistle
from .choices import OfficerKind, ProgressKind, ResultRating, TalkMode
from .models import (
    DutyShift,
    NamedOfficer,
    Problem,
    SafetyTalk,
    Task,
    TaskProgress,
    TaskResult,
    WhistleCall,
    WhistleSummons,
)

# Rotating agencies on duty per working day at a center.
ROTATION_PER_DAY = 3
NOTICE_KIND = "whistle"


def _require_organiser(actor: Staff) -> None:
    if not has_role(actor, *rules.ORGANISER_ROLES):
        raise ForbiddenError(_("您的角色不能执行此操作。"))


# --- duty rosters (M3.2) -------------------------------------------------------------------


def rotation(
    *, agencies: Sequence[int], days: Sequence[date], start: int, per_day: int
) -> dict[date, list[int]]:
    """Rotating agencies in turn: ``per_day`` of them each day, continuing from ``start``
    (an index into ``agencies``) and wrapping round, whatever month the days fall in."""
    if not agencies:
        return {}
    per_day = min(per_day, len(agencies))
    plan, index = {}, start % len(agencies)
    for day in days:
        plan[day] = [agencies[(index + offset) % len(agencies)] for offset in range(per_day)]
        index = (index + per_day) % len(agencies)
    return plan


def _stationed(center: Unit, stationing: str) -> list[Unit]:
    return list(
        Unit.objects.filter(
            kind=UnitKind.AGENCY,
            is_active=True,
            stationing=stationing,
            division=center.division_id,
        ).order_by("name")
    )


def _next_rotation_index(center: Unit, agencies: list[Unit], before: date) -> int:
    """Where the rotation stands: after the last rotating agency on duty before ``before``."""
    ids = [agency.pk for agency in agencies]
    last = (
        DutyShift.objects.filter(center=center, agency__in=ids, date__lt=before)
        .order_by("-date", "-agency__name")
        .values_list("agency_id", flat=True)
        .first()
    )
    return 0 if last is None else ids.index(last) + 1


@transaction.atomic
def roster_plan_month(*, center: Unit, month: date, actor: Staff | None) -> int:
    """Plan a center's duty roster for a month; return how many shifts were written.

    Every working day of the official calendar (make-up working days included, holidays
    not) the permanent agencies (常驻) are on duty and ``ROTATION_PER_DAY`` rotating ones
    (轮驻) in turn, the turn carrying on from the previous month. A month already planned is
    refused, and so is a shift that would put an agency in two places on one day.
    """
    if actor is not None:
        _require_organiser(actor)
        if not in_scope(actor, center.division.path):
            raise ForbiddenError(_("该中心不在您的工作范围内。"))
    if center.kind not in (UnitKind.DISTRICT_CENTER, UnitKind.STREET_CENTER):
        raise ApplicationError(_("只能为综治中心排班。"))
    first = month.replace(day=1)
    if not 2000 <= first.year <= 2100:
        raise ApplicationError(_("请选择 2000 年至 2100 年之间的月份。"))
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if DutyShift.objects.filter(center=center, date__range=(first, last)).exists():
        raise ApplicationError(
            _("%(center)s %(month)s 的值班表已经排过。")
            % {"center": center.name, "month": first.strftime(_("%Y年%m月"))}
        )
    days = sorted(workdays_in(first=first, last=last))
    permanent = _stationed(center, Stationing.PERMANENT)
    rotating = _stationed(center, Stationing.ROTATING)
    plan = rotation(
        agencies=[agency.pk for agency in rotating],
        days=days,
        start=_next_rotation_index(center, rotating, first),
        per_day=ROTATION_PER_DAY,
    )
    shifts = [
        DutyShift(center=center, agency_id=agency_id, date=day, created_by=actor)
        for day in days
        for agency_id in [agency.pk for agency in permanent] + plan.get(day, [])
    ]
    _refuse_double_booking(shifts)
    DutyShift.objects.bulk_create(shifts)
    audit_record(
        actor=actor,
        action="collaboration.roster_plan",
        target=center,
        reason=_("排定 %(month)s 值班表") % {"month": f"{first:%Y-%m}"},
        data={"month": f"{first:%Y-%m}", "shifts": len(shifts), "workdays": len(days)},
    )
    return len(shifts)


def _refuse_double_booking(shifts: list[DutyShift]) -> None:
    """An agency is in one place a day: name the first clash in Chinese."""
    if not shifts:
        return
    wanted = {(shift.agency_id, shift.date) for shift in shifts}
    clash = (
        DutyShift.objects.filter(
            agency__in={agency for agency, _day in wanted}, date__in={day for _a, day in wanted}
        )
        .select_related("agency", "center")
        .order_by("date", "agency__name")
    )
    for shift in clash:
        if (shift.agency_id, shift.date) in wanted:
            raise ApplicationError(
                _("%(agency)s %(day)s 已安排在%(center)s值班，同一天不能在两处值班。")
                % {
                    "agency": shift.agency.name,
                    "day": f"{shift.date:%Y-%m-%d}",
                    "center": shift.center.name,
                }
            )


@transaction.atomic
def duty_shift_add(*, center: Unit, agency: Unit, day: date, actor: Staff) -> DutyShift:
    """Put one agency on duty at a center for a day (a swap or an extra day)."""
    _require_organiser(actor)
    if not in_scope(actor, center.division.path):
        raise ForbiddenError(_("该中心不在您的工作范围内。"))
    if agency.kind != UnitKind.AGENCY:
        raise ApplicationError(_("只有部门单位可以入驻值班。"))
    shift = DutyShift(center=center, agency=agency, date=day, created_by=actor)
    _refuse_double_booking([shift])
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError:  # booked between our check and the insert
        raise ApplicationError(
            _("%(agency)s %(day)s 已有值班安排。")
            % {"agency": agency.name, "day": f"{day:%Y-%m-%d}"}
        ) from None
    audit_record(actor=actor, action="collaboration.duty_add", target=shift, data={"day": str(day)})
    return shift


# --- named officers (M4.1) -----------------------------------------------------------------


@transaction.atomic
def officer_assign(
    *,
    staff: Staff,
    kind: str,
    street: Division,
    starts_on: date,
    actor: Staff,
    ends_on: date | None = None,
    contact_phone: str = "",
    note: str = "",
) -> NamedOfficer:
    """Assign an officer by name to a street for a period (实名制下沉)."""
    _require_organiser(actor)
    if kind not in OfficerKind.values:
        raise ApplicationError(_("请选择法官、检察官、警官或律师。"))
    if street.level != Level.STREET:
        raise ApplicationError(_("请选择一个街道。"))
    if not in_scope(actor, street.path):
        raise ForbiddenError(_("该街道不在您的工作范围内。"))
    if not has_role(staff, RoleCode.OFFICER) or staff.unit_id is None:
        raise ApplicationError(
            _("%(name)s 不是驻点干警，不能下沉。请先在人员中为其设置“驻点干警”角色。")
            % {"name": staff}
        )
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError(_("下沉截止日期不能早于起始日期。"))
    overlapping = NamedOfficer.objects.filter(staff=staff, street=street).filter(
        **({"starts_on__lte": ends_on} if ends_on else {})
    )
    if overlapping.active_on(starts_on).exists() or (
        ends_on is None and overlapping.filter(ends_on__isnull=True).exists()
    ):
        raise ApplicationError(
            _("%(name)s 在该期间已下沉到%(street)s。") % {"name": staff, "street": street.name}
        )
    officer = NamedOfficer.objects.create(
        staff=staff,
        kind=kind,
        street=street,
        starts_on=starts_on,
        ends_on=ends_on,
        contact_phone=(contact_phone or "").strip(),
        note=(note or "").strip(),
    )
    audit_record(actor=actor, action="collaboration.officer_assign", target=officer)
    return officer


# --- whistle-and-report (M4.2) -------------------------------------------------------------


def case_street(case: Case) -> Division:
    codes = case.area_path.strip("/").split("/")
    if len(codes) < 2:
        raise ApplicationError(_("该事项不在任何街道，不能吹哨。"))
    return Division.objects.get(code=codes[1])


def default_report_hours() -> int:
    return int(getattr(settings, "PINGAN_WHISTLE_REPORT_HOURS", 24))


def whistle_url(call_id: int) -> str:
    return reverse("collaboration:whistle-detail", args=[call_id])


@transaction.atomic
def whistle_blow(
    *,
    case: Case,
    actor: Staff,
    reason: str,
    units: Sequence[Unit] = (),
    officers: Sequence[NamedOfficer] = (),
    report_hours: int | None = None,
    now: datetime | None = None,
) -> WhistleCall:
    """Blow the whistle on a hard case (街道吹哨): summon departments and/or named officers,
    who must report (报到) within ``report_hours`` (``PINGAN_WHISTLE_REPORT_HOURS`` by default).

    The case timeline shows the whistle; the declared action (``actions.WHISTLE_BLOW``) tells
    every summoned party.
    """
    now = now or timezone.now()
    _require_organiser(actor)
    if not in_scope(actor, case.area_path):
        raise ForbiddenError(_("该事项不在您的工作范围内，不能吹哨。"))
    if case.state not in OPEN_STATES:
        raise ApplicationError(
            _("该事项已“%(state)s”，不能再吹哨。") % {"state": State(case.state).label}
        )
    if not may_whistle(actor, case):
        raise ForbiddenError(
            _("该事项由%(unit)s承办，请由承办单位吹哨。") % {"unit": case.handling_unit.name}
        )
    reason = require_text(reason, _("需要协同的事项"))
    hours = default_report_hours() if report_hours is None else report_hours
    if not 1 <= hours <= 168:
        raise ApplicationError(_("报到时限应在 1 到 168 小时之间。"))
    units, officers = list(dict.fromkeys(units)), list(dict.fromkeys(officers))
    if not units and not officers:
        raise ApplicationError(_("请至少选择一个部门或一名下沉干警。"))
    street = case_street(case)
    for unit in units:
        if unit.kind != UnitKind.AGENCY or not unit.is_active:
            raise ApplicationError(_("%(name)s 不是可以吹哨报到的部门。") % {"name": unit.name})
    today = local_date(now)
    assigned = set(
        NamedOfficer.objects.filter(street=street).active_on(today).values_list("pk", flat=True)
    )
    for officer in officers:
        if officer.pk not in assigned:
            raise ApplicationError(
                _("%(name)s 不是%(street)s当前的下沉干警。")
                % {"name": officer.staff, "street": street.name}
            )
    call = WhistleCall.objects.create(
        case=case,
        street=street,
        area_path=case.area_path,
        blown_by=actor,
        blown_at=now,
        report_by=now + timedelta(hours=hours),
        reason=reason,
    )
    named_units = {officer.staff.unit_id for officer in officers}
    summonses = WhistleSummons.objects.bulk_create(
        [WhistleSummons(call=call, unit=unit) for unit in units if unit.pk not in named_units]
        + [WhistleSummons(call=call, unit_id=o.staff.unit_id, officer=o) for o in officers]
    )
    names = [unit.name for unit in units if unit.pk not in named_units] + [
        f"{officer.get_kind_display()}{officer.staff}" for officer in officers
    ]
    case_event_record(
        case_id=case.pk,
        kind=EventKind.WHISTLE,
        actor=actor,
        now=now,
        reason=_("%(street)s吹哨：%(reason)s。召集：%(names)s，限 %(hours)s 小时内报到。")
        % {"street": street.name, "reason": reason, "names": "、".join(names), "hours": hours},
        data={"whistle": call.pk, "summonses": [s.pk for s in summonses], "hours": hours},
    )
    return call


def _check_answerer(user: Staff, summons: WhistleSummons) -> None:
    if not may_answer(user, summons):
        raise ForbiddenError(_("这不是召集您或您单位的报到，不能代为报到或反馈。"))


def _require_open(call: WhistleCall) -> None:
    if call.closed_at is not None:
        raise ApplicationError(_("该吹哨已办结，无需再报到或反馈。"))


@transaction.atomic
def summons_acknowledge(
    *,
    summons: WhistleSummons,
    actor: Staff,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> WhistleSummons:
    """Acknowledge a summons (报到); after the deadline it counts as late."""
    now = now or timezone.now()
    _check_answerer(actor, summons)
    state = rules.SUMMONS.check("acknowledge", summons.state)
    call = summons.call
    _require_open(call)
    versioned_update(
        summons,
        expected_version=expected_version,
        now=now,
        state=state,
        acknowledged_at=now,
        acknowledged_by=actor,
    )
    minutes = round((now - call.blown_at).total_seconds() / 60)
    late = now > call.report_by
    case_event_record(
        case_id=call.case_id,
        kind=EventKind.WHISTLE_ACK,
        actor=actor,
        unit_id=summons.unit_id,
        now=now,
        reason=(_("超时报到，用时 %(time)s。") if late else _("按时报到，用时 %(time)s。"))
        % {"time": duration_words(minutes)},
        data={"whistle": call.pk, "summons": summons.pk, "minutes": minutes, "late": late},
    )
    return summons


@transaction.atomic
def summons_report(
    *,
    summons: WhistleSummons,
    actor: Staff,
    report: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> WhistleSummons:
    """Record what the summoned party did (处置情况), after acknowledging."""
    now = now or timezone.now()
    _check_answerer(actor, summons)
    state = rules.SUMMONS.check("report", summons.state)
    _require_open(summons.call)
    report = require_text(report, _("处置情况"))
    versioned_update(
        summons,
        expected_version=expected_version,
        now=now,
        state=state,
        reported_at=now,
        report=report,
    )
    case_event_record(
        case_id=summons.call.case_id,
        kind=EventKind.WHISTLE_REPORT,
        actor=actor,
        unit_id=summons.unit_id,
        now=now,
        reason=report,
        data={"whistle": summons.call_id, "summons": summons.pk},
    )
    return summons


@transaction.atomic
def whistle_close(
    *,
    call: WhistleCall,
    actor: Staff,
    result: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> WhistleCall:
    """The street records the result of the joint work and closes the whistle."""
    now = now or timezone.now()
    _require_organiser(actor)
    if not in_scope(actor, call.area_path):
        raise ForbiddenError(_("只有吹哨街道可以办结吹哨。"))
    if call.closed_at is not None:
        raise ApplicationError(_("该吹哨已经办结。"))
    result = require_text(result, _("协同结果"))
    versioned_update(
        call,
        expected_version=expected_version,
        now=now,
        result=result,
        closed_at=now,
        closed_by=actor,
    )
    case_event_record(
        case_id=call.case_id,
        kind=EventKind.WHISTLE_CLOSE,
        actor=actor,
        now=now,
        reason=result,
        data={"whistle": call.pk},
    )
    return call


def duration_words(minutes: float | None) -> str:
    """45 分钟, 3 小时 20 分钟, 2 天 4 小时: response times as a clerk reads them."""
    if minutes is None:
        return "—"
    minutes = round(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": mins}
    return _("%(m)s 分钟") % {"m": mins}


# --- safety talks (M5.1) and the four lists (M5.2) ------------------------------------------


@transaction.atomic
def talk_record(
    *,
    actor: Staff,
    mode: str,
    held_on: date,
    place: str,
    street: Division,
    topic: str,
    district_leaders: str = "",
    street_members: str = "",
    officers: Sequence[NamedOfficer] = (),
    resident_count: int = 0,
    summary: str = "",
) -> SafetyTalk:
    """Record a safety talk (平安恳谈) and who took part."""
    _require_organiser(actor)
    if mode not in TalkMode.values:
        raise ApplicationError(_("请选择集中座谈、随机访谈或定向约访。"))
    if street.level != Level.STREET:
        raise ApplicationError(_("请选择一个街道。"))
    if not in_scope(actor, street.path):
        raise ForbiddenError(_("该街道不在您的工作范围内。"))
    if resident_count < 0:
        raise ApplicationError(_("居民人数不能为负数。"))
    for officer in officers:
        if officer.street_id != street.pk:
            raise ApplicationError(
                _("%(name)s 不是%(street)s的下沉干警。")
                % {"name": officer.staff, "street": street.name}
            )
    talk = SafetyTalk.objects.create(
        mode=mode,
        held_on=held_on,
        place=require_text(place, _("地点")),
        street=street,
        area_path=street.path,
        topic=require_text(topic, _("主题")),
        district_leaders=(district_leaders or "").strip(),
        street_members=(street_members or "").strip(),
        resident_count=resident_count,
        summary=(summary or "").strip(),
        recorded_by=actor,
    )
    talk.officers.set(officers)
    audit_record(actor=actor, action="collaboration.talk_record", target=talk)
    return talk


@transaction.atomic
def problem_add(
    *, talk: SafetyTalk, actor: Staff, description: str, raised_by: str = ""
) -> Problem:
    """Put a problem raised at a talk on the problem list (问题清单)."""
    _require_organiser(actor)
    if not in_scope(actor, talk.area_path):
        raise ForbiddenError(_("该恳谈不在您的工作范围内。"))
    return Problem.objects.create(
        talk=talk,
        description=require_text(description, _("问题描述")),
        raised_by=(raised_by or "").strip(),
        recorded_by=actor,
    )


@transaction.atomic
def task_add(
    *,
    problem: Problem,
    actor: Staff,
    description: str,
    owner: Unit | None,
    deadline: date | None,
) -> Task:
    """Analyse a problem into a task (任务清单) with an owner unit and a deadline."""
    _require_organiser(actor)
    if not in_scope(actor, problem.talk.area_path):
        raise ForbiddenError(_("该问题不在您的工作范围内。"))
    description = require_text(description, _("任务内容"))
    if owner is None:
        raise ApplicationError(_("请选择责任单位。"))
    if deadline is None:
        raise ApplicationError(_("请填写完成时限。"))
    if deadline < problem.talk.held_on:
        raise ApplicationError(_("完成时限不能早于恳谈日期。"))
    return Task.objects.create(
        problem=problem, description=description, owner=owner, deadline=deadline, created_by=actor
    )


@transaction.atomic
def task_progress_add(
    *,
    task: Task,
    actor: Staff | None,
    note: str,
    kind: str = ProgressKind.PROGRESS,
    now: datetime | None = None,
) -> TaskProgress:
    """Record progress or supervision on a task (落实清单): the owner unit or the organisers."""
    now = now or timezone.now()
    if actor is not None and not may_report_progress(actor, task):
        raise ForbiddenError(_("只有责任单位或组织恳谈的街道可以记录落实情况。"))
    if task.done_at is not None:
        raise ApplicationError(_("该任务已复盘办结，不能再记录落实情况。"))
    return TaskProgress.objects.create(
        task=task,
        kind=kind,
        note=require_text(note, _("落实情况")),
        recorded_by=actor,
        recorded_at=now,
    )


@transaction.atomic
def task_result_record(
    *,
    task: Task,
    actor: Staff,
    rating: str,
    summary: str,
    evidence: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> TaskResult:
    """Review a task and record its result with evidence (成效清单); the task is then done."""
    now = now or timezone.now()
    _require_organiser(actor)
    if not in_scope(actor, task.problem.talk.area_path):
        raise ForbiddenError(_("该任务不在您的工作范围内。"))
    if rating not in ResultRating.values:
        raise ApplicationError(_("请选择成效：已解决、部分解决或未解决。"))
    summary = require_text(summary, _("成效说明"))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ApplicationError(
            _("请填写佐证材料（如回访记录、现场照片编号、协议文书），没有佐证不能复盘办结。")
        )
    if task.done_at is not None:
        raise ApplicationError(_("该任务已经复盘办结。"))
    versioned_update(task, expected_version=expected_version, now=now, done_at=now)
    return TaskResult.objects.create(
        task=task,
        rating=rating,
        summary=summary,
        evidence=evidence,
        reviewed_by=actor,
        reviewed_at=now,
    )


@dataclass(frozen=True)
class ProblemCaseInput:
    category: Category
    grid: Division
    complexity: str
    applicant: str


@transaction.atomic
def problem_to_case(
    *, problem: Problem, actor: Staff, data: ProblemCaseInput, now: datetime | None = None
) -> Case:
    """Turn a problem into a case in one step; the problem keeps the link (and the case its
    source). The case is registered by the usual intake service, with all its checks."""
    if problem.case_id is not None:
        raise ApplicationError(_("该问题已转为事项 %(number)s。") % {"number": problem.case.number})
    if not data.grid.path.startswith(problem.talk.area_path):
        raise ApplicationError(
            _("请选择%(street)s内的网格。") % {"street": problem.talk.street.name}
        )
    talk = problem.talk
    case, _code = case_register(
        actor=actor,
        channel="agency_transfer",
        category=data.category,
        complexity=data.complexity,
        title=problem.description[:80],
        narrative=_("平安恳谈（%(mode)s，%(day)s，%(place)s）提出：%(text)s")
        % {
            "mode": talk.get_mode_display(),
            "day": f"{talk.held_on:%Y-%m-%d}",
            "place": talk.place,
            "text": problem.description,
        },
        grid=data.grid,
        parties=[PartyInput("applicant", require_text(data.applicant, _("申请人")))],
        now=now,
    )
    problem.case = case
    problem.save(update_fields=["case", "updated_at"])
    return case
