"""Writes of the corrections app: hand-over, resettlement, evidence review, the record chain.

Every service is keyword-only and atomic; a refusal raises ApplicationError (or one of its
kinds) with a sentence for the clerk, and leaves the database as it was.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import notify
from pingan.core.calendar import LOCAL_TZ
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import Notice
from pingan.core.services import audit_record, versioned_update
from pingan.core.validators import validate_id_number
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import Level, RoleCode, UnitKind
from pingan.orgs.models import Division, Staff
from pingan.persons.choices import Employment, MeasureCategory, MeasureKind
from pingan.persons.models import KeyPerson, PersonType
from pingan.persons.services import PersonInput, measure_add, person_register

from . import chain, rules
from .choices import (
    FundEntryKind,
    PlacementOutcome,
    ReviewKind,
)
from .models import (
    Employer,
    EnforcementRecord,
    EvidenceFile,
    EvidenceItem,
    FundEntry,
    Placement,
    Prison,
    Release,
    ReleaseEvent,
)
from .querysets import RECEIVING_ROLES

ZERO = Decimal("0.00")


def notice_days() -> int:
    return getattr(settings, "PINGAN_RELEASE_NOTICE_DAYS", 30)


def no_show_days() -> int:
    return getattr(settings, "PINGAN_RELEASE_NO_SHOW_DAYS", 3)


def _today(now: datetime) -> date:
    return timezone.localtime(now, LOCAL_TZ).date()


def _require_officer_of(actor: Staff, prison: Prison) -> None:
    if not (actor.is_superuser or prison.officers.filter(pk=actor.pk).exists()):
        raise ForbiddenError(_("只有本监狱的民警可以办理此项。"))


def _require_receiving(actor: Staff, release: Release, *roles: str) -> None:
    if not has_role(actor, *(roles or RECEIVING_ROLES)) or not in_scope(actor, release.area_path):
        raise ForbiddenError(_("只有接收社区所在辖区的工作人员可以办理此项。"))


def _event(release: Release, kind: str, actor, now: datetime, note: str = "") -> ReleaseEvent:
    return ReleaseEvent.objects.create(release=release, kind=kind, actor=actor, at=now, note=note)


# --- release hand-over (刑释衔接) ---------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseInput:
    name: str
    id_number: str
    offence: str
    sentence_months: int
    release_date: date
    address: str
    grid_code: str
    health: str = ""
    family_contact: str = ""
    family_phone: str = ""
    skills: str = ""


@transaction.atomic
def release_register(
    *, prison: Prison, actor: Staff, data: ReleaseInput, now: datetime | None = None
) -> Release:
    """A prison registers an upcoming release; the receiving grid is the address's grid."""
    now = now or timezone.now()
    _require_officer_of(actor, prison)
    try:
        validate_id_number(data.id_number)
    except ValidationError as error:
        raise ApplicationError(error.messages[0]) from None
    grid = Division.objects.filter(code=data.grid_code, level=Level.GRID).first()
    if grid is None:
        raise ApplicationError(_("落户地址不在本区任何网格内，请核对地址或选择所在网格。"))
    if data.release_date < _today(now) - timedelta(days=365):
        raise ApplicationError(_("释放日期早于一年前，请核对。"))
    release = Release(
        prison=prison,
        name=data.name.strip(),
        id_number=data.id_number.strip().upper(),
        offence=data.offence,
        sentence_months=data.sentence_months,
        release_date=data.release_date,
        health=data.health,
        family_contact=data.family_contact,
        family_phone=data.family_phone,
        skills=data.skills,
        address=data.address.strip(),
        grid=grid,
        area_path=grid.path,
    )
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError:
        raise ApplicationError(
            _("该人员已有未完成的刑释衔接登记，不能重复登记。请在原登记上继续办理。")
        ) from None
    _event(release, "registered", actor, now, _("{prison}登记释放信息").format(prison=prison))
    audit_record(actor=actor, action="corrections.release_register", target=release)
    return release


def _receiving_staff(grid_paths: set[str]) -> dict[str, list[Staff]]:
    """Who is told of a release bound for each grid: the grid's workers and the leaders and
    dispatchers of its community committee and street center."""
    grids = Division.objects.filter(path__in=grid_paths).select_related("parent__parent")
    wanted: dict[str, set[int]] = {}
    unit_divisions = set()
    for grid in grids:
        unit_divisions.update({grid.parent_id, grid.parent.parent_id})
    members = (
        Staff.objects.filter(
            is_active=True,
            unit__division__in=unit_divisions,
            unit__kind__in=[UnitKind.COMMUNITY, UnitKind.STREET_CENTER],
            roles__code__in=[RoleCode.LEADER, RoleCode.DISPATCHER],
        )
        .values_list("pk", "unit__division_id")
        .distinct()
    )
    by_division: dict[int, set[int]] = {}
    for pk, division_id in members:
        by_division.setdefault(division_id, set()).add(pk)
    workers = Staff.grids.through.objects.filter(division__path__in=grid_paths).values_list(
        "staff_id", "division__path"
    )
    for grid in grids:
        wanted[grid.path] = by_division.get(grid.parent_id, set()) | by_division.get(
            grid.parent.parent_id, set()
        )
    for staff_id, path in workers:
        wanted.setdefault(path, set()).add(staff_id)
    people = Staff.objects.in_bulk({pk for ids in wanted.values() for pk in ids})
    return {path: [people[pk] for pk in sorted(ids)] for path, ids in wanted.items()}


def release_notify_due(*, now: datetime | None = None) -> int:
    """Tell the receiving communities of releases due within the notice period (default 30
    days ahead). Set-based and idempotent: a release is notified once."""
    now = now or timezone.now()
    horizon = _today(now) + timedelta(days=notice_days())
    with transaction.atomic():
        due = list(
            Release.objects.select_for_update(of=("self",))
            .filter(state__in=rules.RELEASE.moves["notify"].sources, release_date__lte=horizon)
            .select_related("prison")
        )
        if not due:
            return 0
        # The sweep's change bumps the version too, so a page opened before it is stale.
        Release.objects.filter(pk__in=[r.pk for r in due]).update(
            state=rules.RELEASE.moves["notify"].target,
            notified_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        ReleaseEvent.objects.bulk_create(
            ReleaseEvent(release=r, kind="notified", at=now, note=_("系统提前通知接收社区"))
            for r in due
        )
        recipients = _receiving_staff({r.area_path for r in due})
        notify.send(
            [
                Notice(
                    recipient=person,
                    created_at=now,
                    kind="release",
                    title=_("刑释人员将于 {day} 释放，请做好衔接").format(
                        day=r.release_date.strftime(_("%m月%d日"))
                    ),
                    body=_("{prison}，落户{address}。请在报到后确认接收并指定帮教责任人。").format(
                        prison=r.prison, address=r.address
                    ),
                    url=f"/corrections/releases/{r.pk}/",
                )
                for r in due
                for person in recipients.get(r.area_path, [])
            ]
        )
    return len(due)


def release_escalate_no_shows(*, now: datetime | None = None) -> int:
    """Releases whose person has not reported some days after release (人员未报到) are marked
    and escalated to the street and district dispatchers, once."""
    now = now or timezone.now()
    cutoff = _today(now) - timedelta(days=no_show_days())
    with transaction.atomic():
        late = list(
            Release.objects.select_for_update(of=("self",))
            .filter(
                state__in=rules.RELEASE.moves["flag_no_show"].sources,
                release_date__lt=cutoff,
            )
            .select_related("grid__parent__parent")
        )
        if not late:
            return 0
        Release.objects.filter(pk__in=[r.pk for r in late]).update(
            state=rules.RELEASE.moves["flag_no_show"].target,
            escalated_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        ReleaseEvent.objects.bulk_create(
            ReleaseEvent(
                release=r,
                kind="no_show",
                at=now,
                note=_("释放后 {days} 天未报到，已上报街道和区综治中心").format(
                    days=no_show_days()
                ),
            )
            for r in late
        )
        streets = {r.grid.parent.parent_id for r in late}
        dispatchers = (
            Staff.objects.filter(
                is_active=True,
                roles__code__in=[RoleCode.DISPATCHER, RoleCode.LEADER],
            )
            .filter(
                Q(unit__kind=UnitKind.STREET_CENTER, unit__division__in=streets)
                | Q(unit__kind=UnitKind.DISTRICT_CENTER, roles__code=RoleCode.DISPATCHER)
            )
            .select_related("unit")
            .distinct()
        )
        notices = []
        for person in dispatchers:
            for r in late:
                street = r.grid.parent.parent_id
                if person.unit.kind == UnitKind.STREET_CENTER and person.unit.division_id != street:
                    continue
                notices.append(
                    Notice(
                        recipient=person,
                        created_at=now,
                        kind="release_no_show",
                        title=_("刑释人员 {name} 释放后未报到").format(
                            name=_("{surname}某").format(surname=r.name[:1])
                        ),
                        body=_("释放日期 {day}，落户{grid}。请组织查找并督促报到。").format(
                            day=f"{r.release_date:%Y-%m-%d}", grid=r.grid.name
                        ),
                        url=f"/corrections/releases/{r.pk}/",
                    )
                )
        notify.send(notices)
    return len(late)


@transaction.atomic
def release_confirm_arrival(
    *,
    release: Release,
    actor: Staff,
    responsible: Staff,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Release:
    """The receiving community confirms the person has reported and names who helps them."""
    now = now or timezone.now()
    _require_receiving(actor, release, *rules.RECEIVING)
    arrived = rules.RELEASE.check("confirm_arrival", release.state)
    if release.release_date > _today(now):
        raise ApplicationError(_("尚未到释放日期，不能确认报到。"))
    if not responsible.is_active or not in_scope(responsible, release.area_path):
        raise ApplicationError(_("帮教责任人须是负责该网格的在岗工作人员。"))
    versioned_update(
        release,
        expected_version=expected_version,
        now=now,
        state=arrived,
        arrived_at=now,
        responsible=responsible,
    )
    person = _open_register_entry(release, actor=actor, responsible=responsible, now=now)
    Release.objects.filter(pk=release.pk).update(key_person=person)
    release.key_person = person
    late = (_today(now) - release.release_date).days
    text = _("确认报到，帮教责任人：{who}").format(who=responsible)
    if late > no_show_days():
        text += _("（释放后第 {days} 天报到）").format(days=late)
    _event(release, "arrived", actor, now, f"{text}。{note}".rstrip("。") + "。")
    audit_record(actor=actor, action="corrections.release_arrived", target=release, reason=note)
    notify.send(
        [
            Notice(
                recipient=responsible,
                created_at=now,
                kind="release",
                title=_("您被指定为刑释人员的帮教责任人"),
                url=f"/corrections/releases/{release.pk}/",
            )
        ]
    )
    return release


def _open_register_entry(
    release: Release, *, actor: Staff, responsible: Staff, now: datetime
) -> KeyPerson:
    """The person joins the key-person register (M8) as a released person, with a first
    support measure (jobs) owned by the helper; an entry already on the register is kept."""
    index = KeyPerson._meta.get_field("id_number_index").lookup_value(release.id_number)
    existing = KeyPerson.objects.active().filter(id_number_index=index).first()
    if existing is not None:
        return existing
    released = PersonType.objects.get(code="released")
    person = person_register(
        actor=actor,
        data=PersonInput(
            name=release.name,
            person_type=released,
            grid=release.grid,
            responsible=responsible,
            legal_basis=released.legal_basis,
            id_number=release.id_number,
            address=release.address,
            employment=Employment.UNEMPLOYED,
            released_on=release.release_date,
        ),
        now=now,
    )
    skills = _("（技能：{skills}）").format(skills=release.skills) if release.skills else ""
    measure_add(
        person=person,
        actor=actor,
        kind=MeasureKind.SUPPORT,
        category=MeasureCategory.JOBS,
        description=_("刑释衔接：推荐就业岗位，登记社会保险{skills}").format(skills=skills),
        owner=responsible,
        due_on=_today(now) + timedelta(days=30),
        now=now,
    )
    return person


@transaction.atomic
def release_record_followup(
    *,
    release: Release,
    actor: Staff,
    insurance_enrolled_on: date | None,
    insurance_kind: str,
    reoffended_on: date | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Release:
    """Social-insurance enrolment and, sadly, reoffending, as the community learns of them."""
    now = now or timezone.now()
    _require_receiving(actor, release, *rules.RECEIVING)
    rules.RELEASE.check("record_followup", release.state)
    for day in (insurance_enrolled_on, reoffended_on):
        if day and (day < release.release_date or day > _today(now)):
            raise ApplicationError(_("日期须在释放日期之后、今天之前。"))
    if insurance_enrolled_on and not insurance_kind.strip():
        raise ApplicationError(_("请填写参保险种。"))
    versioned_update(
        release,
        expected_version=expected_version,
        now=now,
        insurance_enrolled_on=insurance_enrolled_on,
        insurance_kind=insurance_kind.strip(),
        reoffended_on=reoffended_on,
    )
    _event(release, "followup", actor, now, _("更新参保与回访情况"))
    return release


# --- resettlement (安置帮教) ----------------------------------------------------------------------


@transaction.atomic
def employer_add(*, actor: Staff, name: str, grid: Division, jobs: str, **details) -> Employer:
    """Add a company to the list of employers willing to hire released persons."""
    if not has_role(actor, RoleCode.LEADER, RoleCode.DISPATCHER, RoleCode.OFFICER):
        raise ForbiddenError(_("您的角色不能维护接收企业名单。"))
    name, jobs = name.strip(), jobs.strip()
    if not name or not jobs:
        raise ApplicationError(_("请填写企业名称和可提供的岗位。"))
    if Employer.objects.filter(name=name).exists():
        raise ApplicationError(_("该企业已在名单中。"))
    employer = Employer.objects.create(name=name, grid=grid, jobs=jobs, **details)
    audit_record(actor=actor, action="corrections.employer_add", target=employer)
    return employer


@transaction.atomic
def placement_record(
    *,
    release: Release,
    actor: Staff,
    employer,
    job: str,
    outcome: str = PlacementOutcome.OFFERED,
    started_on: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Placement:
    now = now or timezone.now()
    _require_receiving(actor, release, *rules.RECEIVING)
    rules.RELEASE.check("record_placement", release.state)
    if not employer.is_active:
        raise ApplicationError(_("该企业已不在接收企业名单中。"))
    if outcome == PlacementOutcome.EMPLOYED and not started_on:
        raise ApplicationError(_("已就业的，请填写入职日期。"))
    placement = Placement.objects.create(
        release=release,
        employer=employer,
        job=job.strip(),
        outcome=outcome,
        started_on=started_on,
        note=note,
        recorded_by=actor,
    )
    _event(
        release,
        "placement",
        actor,
        now,
        _("就业安置：{employer} {job}（{outcome}）").format(
            employer=employer, job=placement.job, outcome=placement.get_outcome_display()
        ),
    )
    return placement


def fund_balance(release: Release) -> tuple[Decimal, Decimal]:
    """(approved balance, disbursements awaiting approval) of a person's reserve fund."""
    approved = Q(approved_at__isnull=False)
    totals = FundEntry.objects.filter(release=release).aggregate(
        paid_in=Sum("amount", filter=approved & Q(kind=FundEntryKind.CONTRIBUTION)),
        paid_out=Sum("amount", filter=approved & Q(kind=FundEntryKind.DISBURSEMENT)),
        pending=Sum("amount", filter=Q(approved_at__isnull=True, kind=FundEntryKind.DISBURSEMENT)),
    )
    paid_in, paid_out, pending = (
        Decimal(totals[k] or 0) for k in ("paid_in", "paid_out", "pending")
    )
    return (paid_in - paid_out).quantize(ZERO), pending.quantize(ZERO)


def _lock(release: Release) -> None:
    """Serialise fund changes of one person (the balance check and the write are one step)."""
    Release.objects.select_for_update().filter(pk=release.pk).first()


@transaction.atomic
def fund_record(
    *,
    release: Release,
    actor: Staff,
    kind: str,
    amount: Decimal,
    purpose: str,
    now: datetime | None = None,
) -> FundEntry:
    """Record a contribution to or a disbursement from the reserve fund (刑释安置储备金).

    A disbursement may not exceed the approved balance less the disbursements awaiting approval.
    """
    now = now or timezone.now()
    # the prison pays in the person's savings before release; the community manages the rest
    if not release.prison.officers.filter(pk=actor.pk).exists():
        _require_receiving(actor, release, *rules.RECEIVING)
    if kind not in FundEntryKind.values:
        raise ApplicationError(_("请选择存入或支出。"))
    amount = Decimal(amount).quantize(ZERO)
    if amount <= 0:
        raise ApplicationError(_("金额必须大于 0。"))
    if not purpose.strip():
        raise ApplicationError(_("请写明资金来源或用途。"))
    _lock(release)
    if kind == FundEntryKind.DISBURSEMENT:
        balance, pending = fund_balance(release)
        if amount > balance - pending:
            raise ApplicationError(
                _(
                    "支出 {amount} 元超过可用余额 {available} 元（余额 {balance} 元，待审批支出 "
                    "{pending} 元）。"
                ).format(
                    amount=amount, available=balance - pending, balance=balance, pending=pending
                )
            )
    entry = FundEntry.objects.create(
        release=release, kind=kind, amount=amount, purpose=purpose.strip(), recorded_by=actor
    )
    _event(
        release,
        "fund",
        actor,
        now,
        _("储备金{kind} {amount} 元：{purpose}（待审批）").format(
            kind=entry.get_kind_display(), amount=amount, purpose=entry.purpose
        ),
    )
    return entry


@transaction.atomic
def fund_approve(*, entry: FundEntry, actor: Staff, now: datetime | None = None) -> FundEntry:
    """A leader of the receiving side approves an entry; never the person who recorded it."""
    now = now or timezone.now()
    release = entry.release
    _require_receiving(actor, release, RoleCode.LEADER)
    if entry.recorded_by_id == actor.pk:
        raise ForbiddenError(_("不能审批自己登记的储备金记录。"))
    _lock(release)
    entry = FundEntry.objects.get(pk=entry.pk)
    if entry.approved_at:
        raise ApplicationError(_("该记录已审批。"))
    if entry.kind == FundEntryKind.DISBURSEMENT:
        balance, _pending = fund_balance(release)
        if entry.amount > balance:
            raise ApplicationError(
                _("支出 {amount} 元超过余额 {balance} 元，不能批准。").format(
                    amount=entry.amount, balance=balance
                )
            )
    FundEntry.objects.filter(pk=entry.pk).update(approved_by=actor, approved_at=now)
    entry.approved_by, entry.approved_at = actor, now
    _event(
        release,
        "fund_approved",
        actor,
        now,
        _("批准储备金{kind} {amount} 元").format(
            kind=entry.get_kind_display(), amount=entry.amount
        ),
    )
    audit_record(actor=actor, action="corrections.fund_approve", target=release)
    return entry


# --- evidence review (减假暂证据审核) and the record chain ---------------------------------------


def record_append(
    *, file: EvidenceFile, kind: str, content: dict, actor, now: datetime
) -> EnforcementRecord:
    """Append one entry to the file's chain; call inside the transaction of the change."""
    locked = EvidenceFile.objects.select_for_update().get(pk=file.pk)
    sequence = locked.chain_length + 1
    algorithm = chain.default_algorithm()
    if locked.chain_length:
        algorithm = locked.records.values_list("algorithm", flat=True).first()
    prev = locked.chain_head or chain.genesis(algorithm, locked.number)
    record = EnforcementRecord(
        file=locked,
        sequence=sequence,
        kind=kind,
        content=content,
        actor=actor,
        recorded_at=now,
        algorithm=algorithm,
        prev_hash=prev,
    )
    record.content_hash = chain.record_content_hash(record, locked.number)
    record.entry_hash = chain.link(algorithm, prev, sequence, record.content_hash)
    record.save()
    EvidenceFile.objects.filter(pk=file.pk).update(
        chain_length=sequence, chain_head=record.entry_hash
    )
    file.chain_length, file.chain_head = sequence, record.entry_hash
    return record


def record_refuse_change(*, record: EnforcementRecord, actor, action: str) -> None:
    """Records are append-only: an attempt to change or delete one is refused, and logged in
    its own transaction so the refusal cannot roll the log back."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="corrections.record_tamper_attempt",
            target=record.file,
            reason=_("试图{action}执法记录 #{sequence}").format(
                action=action, sequence=record.sequence
            ),
            data={"record": record.pk, "attempt": action},
        )
    raise ForbiddenError(_("执法记录只能追加，不能修改或删除。本次操作已记录。"))


def _next_file_number(now: datetime) -> str:
    prefix = f"JX{timezone.localtime(now, LOCAL_TZ):%Y}"
    last = (
        EvidenceFile.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


@transaction.atomic
def evidence_file_open(
    *,
    prison: Prison,
    actor: Staff,
    subject: str,
    kind: str,
    items: list[tuple[str, str, bool]],
    now: datetime | None = None,
) -> EvidenceFile:
    """Open a 减假暂 file with its evidence items (title, source, required)."""
    now = now or timezone.now()
    _require_officer_of(actor, prison)
    if kind not in ReviewKind.values:
        raise ApplicationError(_("请选择减刑、假释或暂予监外执行。"))
    if not subject.strip():
        raise ApplicationError(_("请填写罪犯姓名。"))
    items = [(t.strip(), s.strip(), r) for t, s, r in items if t.strip()]
    if not items:
        raise ApplicationError(_("案卷至少要有一项证据。"))
    file = EvidenceFile.objects.create(
        prison=prison, number=_next_file_number(now), subject=subject.strip(), kind=kind
    )
    created = EvidenceItem.objects.bulk_create(
        EvidenceItem(file=file, title=t, source=s, required=r) for t, s, r in items
    )
    record_append(
        file=file,
        kind="opened",
        content={
            "subject": file.subject,
            "kind": kind,
            "items": [
                {"title": i.title, "source": i.source, "required": i.required} for i in created
            ],
        },
        actor=actor,
        now=now,
    )
    return file


def _open_file_of(item: EvidenceItem, actor: Staff) -> EvidenceFile:
    file = item.file
    _require_officer_of(actor, file.prison)
    rules.EVIDENCE_FILE.check("review_item", file.state)
    return file


@transaction.atomic
def evidence_item_review(
    *,
    item: EvidenceItem,
    actor: Staff,
    authenticity: str,
    completeness: str,
    relevance: str,
    findings: str,
    exclude: bool = False,
    exclusion_reason: str = "",
    now: datetime | None = None,
) -> EvidenceItem:
    """The first review of an item against the three criteria (真实性、完整性、关联性)."""
    now = now or timezone.now()
    file = _open_file_of(item, actor)
    if item.second_reviewed_at is not None:
        # a confirmed item is settled: a new first review would void the second person's check
        raise ApplicationError(_("该证据已复核确认，不能重新初审。"))
    checks = {"authenticity": authenticity, "completeness": completeness, "relevance": relevance}
    if any(value not in ("pass", "fail") for value in checks.values()):
        raise ApplicationError(_("真实性、完整性、关联性三项都要给出审核结论。"))
    if exclude and not exclusion_reason.strip():
        raise ApplicationError(_("排除证据必须写明理由（如：以非法方法收集）。"))
    if "fail" in checks.values() and not findings.strip():
        raise ApplicationError(_("有不符合项的，请写明审核意见。"))
    fields = dict(
        **checks,
        findings=findings.strip(),
        excluded=exclude,
        exclusion_reason=exclusion_reason.strip() if exclude else "",
        reviewer=actor,
        reviewed_at=now,
        second_reviewer=None,
        second_reviewed_at=None,
    )
    EvidenceItem.objects.filter(pk=item.pk).update(**fields)
    for name, value in fields.items():
        setattr(item, name, value)
    record_append(
        file=file,
        kind="excluded" if exclude else "reviewed",
        content={
            "item": item.pk,
            "title": item.title,
            **checks,
            "findings": item.findings,
            "excluded": exclude,
            "exclusion_reason": item.exclusion_reason,
        },
        actor=actor,
        now=now,
    )
    return item


@transaction.atomic
def evidence_item_confirm(
    *, item: EvidenceItem, actor: Staff, now: datetime | None = None
) -> EvidenceItem:
    """The second reviewer (复核) confirms the first review; never the first reviewer."""
    now = now or timezone.now()
    file = _open_file_of(item, actor)
    if item.reviewed_at is None:
        raise ApplicationError(_("该证据尚未初审，不能复核。"))
    if item.reviewer_id == actor.pk:
        raise ForbiddenError(_("复核人不能是初审人本人。"))
    if item.second_reviewed_at:
        raise ApplicationError(_("该证据已复核。"))
    EvidenceItem.objects.filter(pk=item.pk).update(second_reviewer=actor, second_reviewed_at=now)
    item.second_reviewer, item.second_reviewed_at = actor, now
    record_append(
        file=file,
        kind="confirmed",
        content={"item": item.pk, "title": item.title},
        actor=actor,
        now=now,
    )
    return item


@transaction.atomic
def evidence_file_conclude(
    *,
    file: EvidenceFile,
    actor: Staff,
    conclusion: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> EvidenceFile:
    """Conclude a file: only when every required item has been reviewed and confirmed."""
    now = now or timezone.now()
    _require_officer_of(actor, file.prison)
    concluded = rules.EVIDENCE_FILE.check("conclude", file.state)
    if not conclusion.strip():
        raise ApplicationError(_("请填写审核结论。"))
    waiting = list(
        file.items.filter(required=True, second_reviewed_at__isnull=True).values_list(
            "title", flat=True
        )
    )
    if waiting:
        raise ApplicationError(
            _("还有 {count} 项必审证据未完成审核和复核：{titles}。").format(
                count=len(waiting),
                titles="、".join(waiting[:5]) + (_("等") if len(waiting) > 5 else ""),
            )
        )
    versioned_update(
        file,
        expected_version=expected_version,
        now=now,
        state=concluded,
        conclusion=conclusion.strip(),
        concluded_by=actor,
        concluded_at=now,
    )
    excluded = list(file.items.filter(excluded=True).values_list("title", flat=True))
    record_append(
        file=file,
        kind="concluded",
        content={"conclusion": file.conclusion, "excluded": excluded},
        actor=actor,
        now=now,
    )
    return file
