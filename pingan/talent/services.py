"""Writes to talent development: every change is one service, one transaction, one timeline
event on the profile. Who may do what follows from how the actor stands to the assistant
(themself, mentor, department head, committee; see ``access.relations``)."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.models import Case
from pingan.core.errors import ApplicationError, ConflictError, ForbiddenError
from pingan.core.services import require_text, versioned_update
from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from . import rules, selectors
from .access import HEAD, MAY, MENTOR, SELF, relations
from .choices import (
    ActivityKind,
    Dimension,
    EventKind,
    HonourLevel,
    OutcomeKind,
    RecordState,
    TransferState,
    TransferTrack,
)
from .models import (
    Activity,
    Cohort,
    Department,
    Evaluation,
    Milestone,
    MilestoneRecord,
    Outcome,
    PointEntry,
    PointRule,
    Profile,
    ProfileEvent,
    Rotation,
    Stage,
    StageChange,
    StudyItem,
    StudyRecord,
    Transfer,
    Transformation,
)

# --- helpers -------------------------------------------------------------------------------


def _require(actor: Staff, profile: Profile, action: str, what: str) -> frozenset[str]:
    """The actor's relations to the assistant, if they include one that may take ``action``."""
    found = relations(actor, profile)
    if not found & MAY[action]:
        raise ForbiddenError(_("您不能%(what)s。") % {"what": what})
    return found


def _past_date(value: date | None, what: str, now: datetime) -> date:
    if value is None:
        raise ApplicationError(_("请填写%(what)s。") % {"what": what})
    if value > timezone.localdate(now):
        raise ApplicationError(_("%(what)s不能晚于今天。") % {"what": what})
    return value


def _event(profile: Profile, kind: str, actor, now: datetime, summary: str, reason: str = ""):
    return ProfileEvent.objects.create(
        profile=profile,
        kind=kind,
        actor=actor,
        summary=summary[:200],
        reason=reason,
        created_at=now,
    )


# --- profiles --------------------------------------------------------------------------------


@transaction.atomic
def profile_enroll(
    *,
    staff: Staff,
    actor: Staff,
    department: Department,
    cohort: Cohort,
    stage: Stage,
    stage_entered_on: date,
    joined_on: date,
    mentor: Staff | None = None,
    now: datetime | None = None,
) -> Profile:
    """Open a development record for a prosecutor assistant (committee only)."""
    now = now or timezone.now()
    if not (actor.is_superuser or has_role(actor, RoleCode.TALENT_COMMITTEE)):
        raise ForbiddenError(_("只有人才评审委员会可以建立培养档案。"))
    if Profile.objects.filter(staff=staff).exists():
        raise ApplicationError(_("%(name)s已有培养档案。") % {"name": staff})
    if department.unit_id != cohort.unit_id:
        raise ApplicationError(_("部门与培养批次不属于同一检察院。"))
    if mentor is not None and not has_role(mentor, RoleCode.MENTOR):
        raise ApplicationError(_("%(name)s不是带教导师。") % {"name": mentor})
    if stage_entered_on < joined_on:
        raise ApplicationError(_("进入本阶段日期不能早于入职日期。"))
    profile = Profile.objects.create(
        staff=staff,
        unit=department.unit,
        department=department,
        cohort=cohort,
        stage=stage,
        stage_entered_on=stage_entered_on,
        joined_on=joined_on,
        mentor=mentor,
    )
    StageChange.objects.create(
        profile=profile,
        to_stage=stage,
        changed_on=stage_entered_on,
        reason=_("建立培养档案"),
        decided_by=actor,
        created_at=now,
    )
    _event(profile, EventKind.ENROLLED, actor, now, _("建立培养档案，进入%s") % stage.name)
    return profile


@transaction.atomic
def mentor_assign(
    *,
    profile: Profile,
    actor: Staff,
    mentor: Staff,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Profile:
    """Assign or change the mentor (带教导师): the department head or the committee."""
    now = now or timezone.now()
    _require(actor, profile, "mentor", _("为该助理指定导师"))
    reason = require_text(reason, _("更换理由"))
    if not has_role(mentor, RoleCode.MENTOR):
        raise ApplicationError(_("%(name)s不是带教导师。") % {"name": mentor})
    if mentor.pk == profile.staff_id:
        raise ApplicationError(_("不能指定本人为自己的导师。"))
    if mentor.unit_id != profile.unit_id:
        raise ApplicationError(_("只能指定本院的带教导师。"))
    versioned_update(profile, expected_version=expected_version, now=now, mentor=mentor)
    _event(profile, EventKind.MENTOR, actor, now, _("带教导师：%s") % mentor, reason)
    return profile


@transaction.atomic
def stage_change(
    *,
    profile: Profile,
    actor: Staff,
    to_stage: Stage,
    reason: str,
    override_reason: str = "",
    changed_on: date | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> StageChange:
    """Move an assistant up to a later stage, as confirmed by the talent committee.

    The next stage needs the readiness criteria met, or an override reason (破格); skipping a
    stage always needs an override reason. The readiness at the moment is kept with the change.
    """
    now = now or timezone.now()
    _require(actor, profile, "stage", _("确认阶段变更（须人才评审委员会）"))
    reason = require_text(reason, _("变更理由"))
    override_reason = (override_reason or "").strip()
    changed_on = _past_date(changed_on or timezone.localdate(now), _("变更日期"), now)
    current = profile.stage
    if to_stage.order <= current.order:
        raise ApplicationError(_("只能晋升到比“%(stage)s”更高的阶段。") % {"stage": current.name})
    readiness = selectors.readiness_of(profile, today=timezone.localdate(now))
    skips = Stage.objects.filter(order__gt=current.order, order__lt=to_stage.order).exists()
    if skips and not override_reason:
        raise ApplicationError(
            _("从“%(from)s”直接晋升到“%(to)s”跨越了阶段，请填写破格理由。")
            % {"from": current.name, "to": to_stage.name}
        )
    if not readiness.ready and not override_reason:
        missing = "、".join(c.label for c in readiness.criteria if not c.met)
        raise ApplicationError(
            _("尚未达到晋阶条件（%(missing)s未达标）。如确需破格晋阶，请填写破格理由。")
            % {"missing": missing}
        )
    versioned_update(
        profile,
        expected_version=expected_version,
        now=now,
        stage=to_stage,
        stage_entered_on=changed_on,
    )
    change = StageChange.objects.create(
        profile=profile,
        from_stage=current,
        to_stage=to_stage,
        changed_on=changed_on,
        reason=reason,
        override_reason=override_reason,
        readiness=readiness.as_dict(),
        decided_by=actor,
        created_at=now,
    )
    summary = _("%(from)s → %(to)s") % {"from": current.name, "to": to_stage.name}
    if override_reason:
        summary += _("（破格）")
    _event(profile, EventKind.STAGE, actor, now, summary, reason)
    return change


# --- study and milestones ------------------------------------------------------------------


def _catalogue_item(item_code: str) -> StudyItem:
    code = (item_code or "").strip()
    try:
        return StudyItem.objects.get(code=code, is_active=True)
    except StudyItem.DoesNotExist:
        raise ApplicationError(
            _("“%(code)s”不在必研必学目录中，请从目录中选择学习项目。") % {"code": code}
        ) from None


@transaction.atomic
def study_record(
    *,
    profile: Profile,
    actor: Staff,
    item_code: str,
    completed_on: date | None,
    evidence: str,
    now: datetime | None = None,
) -> StudyRecord:
    """Record completion of a catalogue item. Entered by the assistant it waits for the
    mentor; entered by the mentor it is confirmed at once."""
    now = now or timezone.now()
    found = _require(actor, profile, "study", _("为该助理录入学习记录"))
    item = _catalogue_item(item_code)
    completed_on = _past_date(completed_on, _("完成日期"), now)
    evidence = require_text(evidence, _("佐证材料"))
    by_mentor = MENTOR in found and SELF not in found
    existing = StudyRecord.objects.filter(profile=profile, item=item).first()
    if existing and existing.state == RecordState.CONFIRMED:
        raise ApplicationError(_("“%(item)s”已由导师确认，无需重复录入。") % {"item": item.title})
    fields = {
        "completed_on": completed_on,
        "evidence": evidence,
        "recorded_by": actor,
        "state": RecordState.CONFIRMED if by_mentor else RecordState.SUBMITTED,
        "confirmed_by": actor if by_mentor else None,
        "confirmed_at": now if by_mentor else None,
    }
    record, _created = StudyRecord.objects.update_or_create(
        profile=profile, item=item, defaults=fields
    )
    summary = _("完成 %(code)s %(title)s") % {"code": item.code, "title": item.title}
    if by_mentor:
        summary += _("（导师录入并确认）")
    _event(profile, EventKind.STUDY, actor, now, summary)
    return record


def _confirm(record, actor: Staff, what: str, kind: str, title: str, now: datetime | None):
    now = now or timezone.now()
    study = isinstance(record, StudyRecord)
    action = "study_confirm" if study else "milestone_confirm"
    _require(actor, record.profile, action, _("确认%(what)s（须带教导师）") % {"what": what})
    machine = rules.STUDY_RECORD if study else rules.MILESTONE_RECORD
    confirmed = machine.check("confirm", record.state)
    # Compare-and-set on the state the table starts from: two mentors at once, one wins.
    updated = (
        type(record)
        .objects.filter(pk=record.pk, state__in=machine.moves["confirm"].sources)
        .update(state=confirmed, confirmed_by=actor, confirmed_at=now, updated_at=now)
    )
    if updated != 1:
        raise ConflictError(_("该记录刚被其他人处理，请刷新页面。"))
    record.state, record.confirmed_by, record.confirmed_at = confirmed, actor, now
    _event(record.profile, kind, actor, now, _("确认：%s") % title)
    return record


@transaction.atomic
def study_confirm(*, record: StudyRecord, actor: Staff, now: datetime | None = None):
    """The mentor confirms a study record the assistant entered."""
    return _confirm(record, actor, _("学习记录"), EventKind.STUDY_CONFIRM, str(record.item), now)


@transaction.atomic
def milestone_record(
    *,
    profile: Profile,
    actor: Staff,
    milestone: Milestone,
    completed_on: date | None,
    evidence: str,
    now: datetime | None = None,
) -> MilestoneRecord:
    """Record that a milestone of a transformation was reached (confirmed at once when the
    mentor enters it)."""
    now = now or timezone.now()
    found = _require(actor, profile, "milestone", _("为该助理录入转化节点"))
    completed_on = _past_date(completed_on, _("完成日期"), now)
    evidence = require_text(evidence, _("佐证材料"))
    by_mentor = MENTOR in found and SELF not in found
    existing = MilestoneRecord.objects.filter(profile=profile, milestone=milestone).first()
    if existing and existing.state == RecordState.CONFIRMED:
        raise ApplicationError(_("该节点已由导师确认，无需重复录入。"))
    record, _created = MilestoneRecord.objects.update_or_create(
        profile=profile,
        milestone=milestone,
        defaults={
            "completed_on": completed_on,
            "evidence": evidence,
            "recorded_by": actor,
            "state": RecordState.CONFIRMED if by_mentor else RecordState.SUBMITTED,
            "confirmed_by": actor if by_mentor else None,
            "confirmed_at": now if by_mentor else None,
        },
    )
    _event(profile, EventKind.MILESTONE, actor, now, _("转化节点：%s") % milestone.name)
    return record


@transaction.atomic
def milestone_confirm(*, record: MilestoneRecord, actor: Staff, now: datetime | None = None):
    """The mentor confirms a milestone the assistant entered."""
    return _confirm(
        record, actor, _("转化节点"), EventKind.MILESTONE_CONFIRM, record.milestone.name, now
    )


# --- rotations and activities ------------------------------------------------------------------


@transaction.atomic
def rotation_add(
    *,
    profile: Profile,
    actor: Staff,
    department: Department,
    starts_on: date | None,
    ends_on: date | None,
    required_cases: int,
    now: datetime | None = None,
) -> Rotation:
    """Place the assistant in a department for a period with a required number of cases."""
    now = now or timezone.now()
    _require(actor, profile, "rotation", _("安排该助理轮岗"))
    if starts_on is None or ends_on is None:
        raise ApplicationError(_("请填写轮岗的开始和结束日期。"))
    if ends_on < starts_on:
        raise ApplicationError(_("轮岗结束日期不能早于开始日期。"))
    if department.unit_id != profile.unit_id:
        raise ApplicationError(_("只能在本院的部门轮岗。"))
    if required_cases is None or required_cases < 0:
        raise ApplicationError(_("要求协助办案数不能为负数。"))
    rotation = Rotation.objects.create(
        profile=profile,
        department=department,
        starts_on=starts_on,
        ends_on=ends_on,
        required_cases=required_cases,
        recorded_by=actor,
    )
    _event(
        profile,
        EventKind.ROTATION,
        actor,
        now,
        _("轮岗：%(dept)s %(start)s 至 %(end)s，要求协助办案 %(n)s 件")
        % {"dept": department, "start": starts_on, "end": ends_on, "n": required_cases},
    )
    return rotation


@transaction.atomic
def rotation_link_case(
    *, rotation: Rotation, actor: Staff, case_number: str, now: datetime | None = None
) -> Rotation:
    """Count a case from the case system as assisted during the rotation."""
    now = now or timezone.now()
    profile = rotation.profile
    _require(actor, profile, "rotation_case", _("为该轮岗关联事项"))
    number = (case_number or "").strip()
    # a case the actor may see, or one their procuratorate handles or joins (the talent roles
    # see no others until a rotation links them)
    found = Case.objects.filter(number=number)
    case = found.visible_to(actor).first() or found.of_unit(actor.unit_id).first()
    if case is None:
        raise ApplicationError(_("没有找到编号为“%(n)s”的事项，或您无权查看。") % {"n": number})
    if rotation.cases.filter(pk=case.pk).exists():
        raise ApplicationError(_("事项 %(n)s 已关联到本次轮岗。") % {"n": number})
    rotation.cases.add(case)
    _event(profile, EventKind.ROTATION, actor, now, _("协助办理事项 %s") % number)
    return rotation


@transaction.atomic
def rotation_set_entered(
    *, rotation: Rotation, actor: Staff, count: int, reason: str, now: datetime | None = None
) -> Rotation:
    """Enter the number of assisted cases handled outside the case system."""
    now = now or timezone.now()
    _require(actor, rotation.profile, "rotation_entered", _("录入系统外协助办案数"))
    reason = require_text(reason, _("说明"))
    if count is None or count < 0:
        raise ApplicationError(_("协助办案数不能为负数。"))
    Rotation.objects.filter(pk=rotation.pk).update(entered_cases=count, updated_at=now)
    rotation.entered_cases = count
    _event(
        rotation.profile,
        EventKind.ROTATION,
        actor,
        now,
        _("%(dept)s轮岗：系统外协助办案 %(n)s 件") % {"dept": rotation.department, "n": count},
        reason,
    )
    return rotation


@transaction.atomic
def activity_record(
    *,
    profile: Profile,
    actor: Staff,
    kind: str,
    title: str,
    occurred_on: date | None,
    evidence: str,
    level: str = HonourLevel.INSTITUTION,
    result: str = "",
    transformation: Transformation | None = None,
    now: datetime | None = None,
) -> Activity:
    """Record practice, a competition (团队对垒 …) or written work as evidence."""
    now = now or timezone.now()
    _require(actor, profile, "activity", _("为该助理录入实践与竞赛"))
    if kind not in ActivityKind.values:
        raise ApplicationError(_("请选择实践与竞赛的类型。"))
    if level not in HonourLevel.values:
        raise ApplicationError(_("请选择级别。"))
    activity = Activity.objects.create(
        profile=profile,
        kind=kind,
        title=require_text(title, _("名称"), limit=100),
        occurred_on=_past_date(occurred_on, _("日期"), now),
        evidence=require_text(evidence, _("佐证材料")),
        level=level,
        result=(result or "").strip()[:40],
        transformation=transformation,
        recorded_by=actor,
    )
    _event(
        profile,
        EventKind.ACTIVITY,
        actor,
        now,
        f"{ActivityKind(kind).label}：{activity.title}",
    )
    return activity


# --- points ----------------------------------------------------------------------------------


@transaction.atomic
def points_submit(
    *,
    profile: Profile,
    actor: Staff,
    rule_code: str,
    evidence: str,
    occurred_on: date | None,
    quantity: int = 1,
    now: datetime | None = None,
) -> PointEntry:
    """Submit a points entry under a rule, with evidence; it counts once someone else approves."""
    now = now or timezone.now()
    _require(actor, profile, "points", _("为该助理申报积分"))
    rule = PointRule.objects.filter(code=(rule_code or "").strip(), is_active=True).first()
    if rule is None:
        raise ApplicationError(_("请选择积分规则：每条积分都须有对应的积分规则。"))
    evidence = require_text(evidence, _("佐证材料"))
    if not isinstance(quantity, int) or not 1 <= quantity <= 50:
        raise ApplicationError(_("数量须为 1 至 50 之间的整数。"))
    entry = PointEntry.objects.create(
        profile=profile,
        rule=rule,
        points=rule.points * quantity,
        occurred_on=_past_date(occurred_on, _("发生日期"), now),
        evidence=evidence,
        submitted_by=actor,
    )
    _event(
        profile,
        EventKind.POINTS,
        actor,
        now,
        _("申报积分：%(rule)s %(points)s") % {"rule": rule.name, "points": f"{entry.points:+}"},
    )
    return entry


@transaction.atomic
def points_decide(
    *,
    entry: PointEntry,
    actor: Staff,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> PointEntry:
    """Approve or reject a pending entry. Nobody approves their own submission or their own
    points; the approver is the mentor, the department head or the committee."""
    now = now or timezone.now()
    profile = entry.profile
    if actor.pk in (entry.submitted_by_id, profile.staff_id):
        raise ForbiddenError(_("不能审批本人申报的积分或本人的积分，请由导师或部门负责人审批。"))
    _require(actor, profile, "points_decide", _("审批该助理的积分"))
    action = "approve" if approve else "reject"
    state = rules.POINTS.check(action, entry.state)
    note = (note or "").strip()
    if not approve and not note:
        raise ApplicationError(_("不予通过时请填写审批意见。"))
    if len(note) > 200:
        raise ApplicationError(_("审批意见不能超过 200 个字。"))
    updated = PointEntry.objects.filter(
        pk=entry.pk, state__in=rules.POINTS.moves[action].sources
    ).update(state=state, approver=actor, decided_at=now, decision_note=note, updated_at=now)
    if updated != 1:
        raise ConflictError(_("该积分已被审批，请刷新页面。"))
    entry.state, entry.approver, entry.decided_at, entry.decision_note = state, actor, now, note
    verdict = _("通过") if approve else _("不予通过")
    _event(
        profile,
        EventKind.POINTS_DECIDE,
        actor,
        now,
        _("积分%(verdict)s：%(rule)s %(points)s")
        % {"verdict": verdict, "rule": entry.rule.name, "points": f"{entry.points:+}"},
        note,
    )
    return entry


# --- evaluation ------------------------------------------------------------------------------


def peers_of(actor: Staff):
    """Assistants of the actor's own cohort whom they may score as peers."""
    own = Profile.objects.filter(staff=actor).values("cohort")
    return Profile.objects.filter(cohort__in=own).exclude(staff=actor)


@transaction.atomic
def evaluation_submit(
    *,
    profile: Profile,
    actor: Staff,
    period: str,
    score,
    comment: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """One score of the multi-dimensional evaluation; the dimension follows from who scores:
    the assistant (self), the mentor, the department head, or a peer of the same cohort."""
    now = now or timezone.now()
    found = relations(actor, profile)
    if SELF in found:
        dimension = Dimension.SELF
    elif MENTOR in found:
        dimension = Dimension.MENTOR
    elif HEAD in found:
        dimension = Dimension.DEPARTMENT
    elif peers_of(actor).filter(pk=profile.pk).exists():
        dimension = Dimension.PEER
    else:
        raise ForbiddenError(_("您不能评价该助理：只有本人、导师、部门负责人和同批助理可以评价。"))
    period = require_text(period, _("考评周期"), limit=16)
    try:
        value = Decimal(str(score)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("分数须为 0 至 100 之间的数字。")) from None
    if not Decimal("0") <= value <= Decimal("100"):
        raise ApplicationError(_("分数须为 0 至 100 之间的数字。"))
    evaluation, _created = Evaluation.objects.update_or_create(
        profile=profile,
        period=period,
        evaluator=actor,
        defaults={"dimension": dimension, "score": value, "comment": (comment or "")[:200]},
    )
    _event(
        profile,
        EventKind.EVALUATION,
        actor,
        now,
        _("%(period)s %(dimension)s：%(score)s")
        % {"period": period, "dimension": Dimension(dimension).label, "score": value},
    )
    return evaluation


# --- transfers and outcomes ----------------------------------------------------------------


@transaction.atomic
def transfer_record(
    *,
    profile: Profile,
    actor: Staff,
    track: str,
    state: str,
    decided_on: date | None,
    note: str,
    now: datetime | None = None,
) -> Transfer:
    """Record a step on a transfer track (员额检察官遴选 / 转任司法行政人员): committee only."""
    now = now or timezone.now()
    _require(actor, profile, "transfer", _("记录转任（须人才评审委员会）"))
    if track not in TransferTrack.values:
        raise ApplicationError(_("请选择转任通道。"))
    if state not in TransferState.values:
        raise ApplicationError(_("请选择转任状态。"))
    transfer = Transfer.objects.create(
        profile=profile,
        track=track,
        state=state,
        decided_on=_past_date(decided_on, _("日期"), now),
        note=require_text(note, _("说明"), limit=200),
        recorded_by=actor,
    )
    _event(
        profile,
        EventKind.TRANSFER,
        actor,
        now,
        f"{TransferTrack(track).label}：{TransferState(state).label}",
        transfer.note,
    )
    return transfer


@transaction.atomic
def outcome_record(
    *,
    profile: Profile,
    actor: Staff,
    kind: str,
    level: str,
    title: str,
    awarded_on: date | None,
    evidence: str,
    now: datetime | None = None,
) -> Outcome:
    """Record a recognised outcome (标兵能手, talent-pool entry …): department head or committee."""
    now = now or timezone.now()
    _require(actor, profile, "outcome", _("记录培养成效"))
    if kind not in OutcomeKind.values:
        raise ApplicationError(_("请选择成效类型。"))
    if level not in HonourLevel.values:
        raise ApplicationError(_("请选择级别。"))
    outcome = Outcome.objects.create(
        profile=profile,
        kind=kind,
        level=level,
        title=require_text(title, _("名称"), limit=100),
        awarded_on=_past_date(awarded_on, _("日期"), now),
        evidence=require_text(evidence, _("佐证材料")),
        recorded_by=actor,
    )
    _event(profile, EventKind.OUTCOME, actor, now, f"{OutcomeKind(kind).label}：{outcome.title}")
    return outcome
