"""Writes to the register: every change is one service, one transaction, one history entry."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.models import Party
from pingan.core import notify
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import AuditEvent, Notice
from pingan.core.services import check_version, require_text, versioned_update
from pingan.core.validators import validate_id_number, validate_phone
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import Level
from pingan.orgs.models import Division, Staff

from . import access, rules
from .choices import (
    ContactResult,
    Employment,
    EventKind,
    Housing,
    MeasureCategory,
    MeasureKind,
    ProposalState,
    RegisterState,
    RiskLevel,
    ScorecardSource,
    ScorecardState,
)
from .facts import FACTS, compute_facts, display_value
from .models import (
    KeyPerson,
    Measure,
    Partner,
    PersonCase,
    PersonEvent,
    PersonType,
    Plan,
    RatingProposal,
    Review,
    Scorecard,
    ScorecardBand,
    ScorecardFactor,
)
from .scoring import LoadedScorecard

MEASURE_NOTICE_KIND = "person_measure"


# --- helpers ------------------------------------------------------------------------------


def review_interval(level: str) -> timedelta:
    """Days to the next review for a confirmed level; unrated persons as high (soon)."""
    days = settings.PINGAN_REVIEW_DAYS
    return timedelta(days=days.get(level or RiskLevel.HIGH, days[RiskLevel.HIGH]))


def person_url(person_id: int) -> str:
    return reverse("persons:person-detail", args=[person_id])


def _event(person: KeyPerson, kind: str, actor, now: datetime, **fields) -> PersonEvent:
    return PersonEvent.objects.create(
        person=person, kind=kind, actor=actor, created_at=now, **fields
    )


def _require_role(actor: Staff, roles, message: str) -> None:
    if not has_role(actor, *roles):
        raise ForbiddenError(message)


def _require_active(person: KeyPerson) -> None:
    if person.state != RegisterState.ACTIVE:
        raise ApplicationError(_("该人员已不在册，不能再办理。"))


def birth_date_from_id(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None


def _clean_contact(id_number: str, phone: str) -> tuple[str, str]:
    id_number = "".join((id_number or "").split()).upper()
    phone = "".join((phone or "").split())
    try:
        if id_number:
            validate_id_number(id_number)
        if phone:
            validate_phone(phone)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0]) from None
    return id_number, phone


# --- the register (M8.1) ------------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    name: str
    person_type: PersonType
    grid: Division
    responsible: Staff
    legal_basis: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    gender: str = ""
    ends_on: date | None = None
    employment: str = Employment.EMPLOYED
    housing: str = Housing.STABLE
    released_on: date | None = None
    violations: int = 0


@transaction.atomic
def person_register(*, actor: Staff, data: PersonInput, now: datetime | None = None) -> KeyPerson:
    """Put a person on the register with a legal basis and an end date; link their cases by ID
    number, open their plan, schedule the first review and propose a first rating."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_role(actor, access.EDIT_ROLES, _("您的角色不能登记重点人员。"))
    name = require_text(data.name, _("姓名"))
    legal_basis = require_text(data.legal_basis, _("登记依据（法律法规或文件依据）"))
    if not data.person_type.is_active:
        raise ApplicationError(_("该人员类别已停用，请选择其他类别。"))
    if data.grid.level != Level.GRID:
        raise ApplicationError(_("请选择到具体网格。"))
    if not in_scope(actor, data.grid.path):
        raise ForbiddenError(_("该网格不在您的工作范围内，不能在此登记。"))
    if not data.responsible.is_active or not in_scope(data.responsible, data.grid.path):
        raise ApplicationError(_("责任人应是负责该网格所在区域的在职工作人员。"))
    id_number, phone = _clean_contact(data.id_number, data.phone)
    if not id_number:
        raise ApplicationError(_("请填写身份证号：登记重点人员须核实身份。"))
    index = KeyPerson._meta.get_field("id_number_index").lookup_value(id_number)
    if KeyPerson.objects.active().filter(id_number_index=index).exists():
        raise ApplicationError(_("此身份证号的人员已在册，请勿重复登记。"))
    ends_on = data.ends_on or _add_months(today, data.person_type.default_months)
    if ends_on <= today:
        raise ApplicationError(_("在册截止日期应晚于今天。"))
    if data.employment not in Employment.values or data.housing not in Housing.values:
        raise ApplicationError(_("就业或居住状况无法识别。"))
    if data.released_on and data.released_on > today:
        raise ApplicationError(_("刑满释放日期不能晚于今天。"))
    person = KeyPerson.objects.create(
        name=name,
        gender=data.gender,
        birth_date=birth_date_from_id(id_number),
        id_number=id_number,
        phone=phone,
        address=(data.address or "").strip(),
        person_type=data.person_type,
        grid=data.grid,
        area_path=data.grid.path,
        responsible=data.responsible,
        legal_basis=legal_basis,
        registered_on=today,
        ends_on=ends_on,
        employment=data.employment,
        housing=data.housing,
        released_on=data.released_on,
        violations=max(0, int(data.violations or 0)),
        next_review_on=today + review_interval(""),
        registered_by=actor,
    )
    Plan.objects.create(person=person)
    _event(
        person,
        EventKind.REGISTER,
        actor,
        now,
        to_value=str(data.person_type.name),
        reason=legal_basis,
        data={"ends_on": ends_on.isoformat()},
    )
    link_cases_by_id_number(now=now, person_ids=[person.pk])
    rating_refresh(now=now, person_ids=[person.pk])
    person.refresh_from_db()
    return person


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


EDITABLE = (
    "phone",
    "address",
    "employment",
    "housing",
    "violations",
    "released_on",
    "responsible",
    "ends_on",
    "legal_basis",
)


@transaction.atomic
def person_update(
    *, person: KeyPerson, actor: Staff, version: int, now: datetime | None = None, **changes
) -> KeyPerson:
    """Change a person's situation or register details; the history names what changed
    (never the personal data itself). Facts feed the next rating refresh."""
    now = now or timezone.now()
    _require_active(person)
    _require_role(actor, access.REVIEW_ROLES, _("您的角色不能修改重点人员信息。"))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ApplicationError(_("这些信息不能在此修改：") + "、".join(sorted(unknown)))
    if "phone" in changes:
        _unused, changes["phone"] = _clean_contact("", changes["phone"])
    if changes.get("employment", Employment.EMPLOYED) not in Employment.values:
        raise ApplicationError(_("就业状况无法识别。"))
    if changes.get("housing", Housing.STABLE) not in Housing.values:
        raise ApplicationError(_("居住状况无法识别。"))
    if ("ends_on" in changes or "legal_basis" in changes) and not has_role(
        actor, *access.EDIT_ROLES
    ):
        raise ForbiddenError(_("您的角色不能修改在册期限或登记依据。"))
    if "ends_on" in changes and changes["ends_on"] <= timezone.localdate(now):
        raise ApplicationError(_("在册截止日期应晚于今天。"))
    if "legal_basis" in changes:
        changes["legal_basis"] = require_text(changes["legal_basis"], _("登记依据"))
    responsible = changes.get("responsible")
    if responsible is not None and not in_scope(responsible, person.area_path):
        raise ApplicationError(_("责任人应是负责该网格所在区域的在职工作人员。"))
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    if not changed:
        return person
    versioned_update(person, expected_version=version, now=now, **{k: changes[k] for k in changed})
    labels = [str(KeyPerson._meta.get_field(name).verbose_name) for name in changed]
    _event(person, EventKind.EDIT, actor, now, reason="、".join(labels), data={"fields": changed})
    # A changed situation is a changed fact: the scorecard may propose another level.
    rating_refresh(now=now, person_ids=[person.pk])
    return person


def link_cases_by_id_number(*, now: datetime, person_ids: list[int] | None = None) -> int:
    """Link every case where an active person is a party (same ID number): two queries and
    one bulk insert however many persons; links already there are left alone."""
    persons = KeyPerson.objects.active().exclude(id_number_index="")
    if person_ids is not None:
        persons = persons.filter(pk__in=person_ids)
    by_index: dict[str, list[int]] = {}
    for pk, index in persons.values_list("pk", "id_number_index"):
        by_index.setdefault(index, []).append(pk)
    if not by_index:
        return 0
    pairs = Party.objects.filter(id_number_index__in=persons.values("id_number_index")).values_list(
        "id_number_index", "case_id"
    )
    links = [
        PersonCase(person_id=pk, case_id=case_id, by_id_number=True, linked_at=now)
        for index, case_id in pairs
        for pk in by_index.get(index, [])
    ]
    # counted over these persons' links only: one person registered reads one person's links
    linked = PersonCase.objects.all()
    if person_ids is not None:
        linked = linked.filter(person_id__in=person_ids)
    before = linked.count()
    PersonCase.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
    return linked.count() - before


def record_person_view(*, person: KeyPerson, actor: Staff, via: str) -> None:
    """Log a read of a person's page or API record (X1: sensitive reads are logged)."""
    AuditEvent.objects.create(
        actor=actor,
        action="persons.view",
        target_type="persons.keyperson",
        target_id=str(person.pk),
        target_repr=person.name[:1] + "**",
        data={"via": via},
    )


# --- ratings (M8.2) and the human in the loop ---------------------------------------------


def active_scorecard() -> Scorecard | None:
    return Scorecard.objects.filter(state=ScorecardState.ACTIVE).first()


@dataclass(frozen=True)
class RefreshResult:
    proposed: int
    superseded: int


@transaction.atomic
def rating_refresh(*, now: datetime, person_ids: list[int] | None = None) -> RefreshResult:
    """Rate active persons with the active scorecard; where the level differs from the
    confirmed one, leave a proposal for the responsible officer. Running it again with the
    same facts proposes nothing new; a pending proposal the facts no longer support is
    superseded."""
    scorecard = active_scorecard()
    if scorecard is None:
        return RefreshResult(0, 0)
    loaded = LoadedScorecard.load(scorecard)
    persons = KeyPerson.objects.active()
    if person_ids is not None:
        persons = persons.filter(pk__in=person_ids)
    current = {pk: level for pk, level in persons.values_list("pk", "level")}
    facts = compute_facts(current.keys(), now=now)
    pending = {
        p.person_id: p
        for p in RatingProposal.objects.filter(
            person_id__in=current.keys(), state=ProposalState.PENDING
        )
    }
    new, stale = [], []
    for pk, level in current.items():
        rating = loaded.rate(facts[pk])
        waiting = pending.get(pk)
        if rating.level == level:
            if waiting:
                stale.append(waiting.pk)
            continue
        if waiting and (waiting.level, waiting.score, waiting.scorecard_id) == (
            rating.level,
            rating.total,
            scorecard.pk,
        ):
            continue
        if waiting:
            stale.append(waiting.pk)
        new.append(
            RatingProposal(
                person_id=pk,
                scorecard=scorecard,
                score=rating.total,
                level=rating.level,
                previous_level=level,
                breakdown=rating.breakdown(),
                created_at=now,
            )
        )
    RatingProposal.objects.filter(pk__in=stale).update(state=ProposalState.SUPERSEDED)
    RatingProposal.objects.bulk_create(new, batch_size=1000)
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(
                person_id=p.person_id,
                kind=EventKind.PROPOSE,
                created_at=now,
                from_value=p.previous_level,
                to_value=p.level,
                data={"score": p.score, "scorecard": scorecard.pk},
            )
            for p in new
        ],
        batch_size=1000,
    )
    return RefreshResult(proposed=len(new), superseded=len(stale))


def _decide(proposal: RatingProposal, actor: Staff, version: int | None, action: str) -> KeyPerson:
    person = proposal.person
    rules.PROPOSAL.check(action, proposal.state)
    _require_active(person)
    if not access.may_decide_rating(actor, person):
        raise ForbiddenError(_("只有该人员的责任人或辖区领导可以确认评级。"))
    check_version(person, version)
    return person


def _apply_level(person: KeyPerson, *, level: str, score: int, now: datetime) -> None:
    due = timezone.localdate(now) + review_interval(level)
    if person.next_review_on and person.next_review_on < due:
        due = person.next_review_on
    versioned_update(
        person,
        expected_version=None,
        now=now,
        level=level,
        score=score,
        rated_at=now,
        next_review_on=due,
    )


@transaction.atomic
def rating_confirm(
    *,
    proposal: RatingProposal,
    actor: Staff,
    version: int | None = None,
    now: datetime | None = None,
) -> RatingProposal:
    """The responsible officer accepts the proposed level; it becomes the person's level."""
    now = now or timezone.now()
    person = _decide(proposal, actor, version, "confirm")
    previous = person.level
    _apply_level(person, level=proposal.level, score=proposal.score, now=now)
    proposal.state = rules.PROPOSAL.moves["confirm"].target
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.decided_level = proposal.level
    proposal.save(update_fields=["state", "decided_by", "decided_at", "decided_level"])
    _event(
        person,
        EventKind.CONFIRM,
        actor,
        now,
        from_value=previous,
        to_value=proposal.level,
        data={"score": proposal.score, "proposal": proposal.pk},
    )
    return proposal


@transaction.atomic
def rating_override(
    *,
    proposal: RatingProposal,
    actor: Staff,
    level: str,
    reason: str,
    disputed_factors: list[str] | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> RatingProposal:
    """The officer sets another level than proposed, with a reason, naming the factors they
    disagree with; overrides are counted per officer and factor in the scorecard report."""
    now = now or timezone.now()
    person = _decide(proposal, actor, version, "override")
    if level not in RiskLevel.values:
        raise ApplicationError(_("请选择风险等级。"))
    if level == proposal.level:
        raise ApplicationError(_("所选等级与提议相同，请直接点击“确认”。"))
    reason = require_text(reason, _("改定理由"))
    keys = {line["key"] for line in proposal.breakdown}
    disputed = [key for key in (disputed_factors or []) if key]
    if set(disputed) - keys:
        raise ApplicationError(_("有异议的因子不在此次评分中。"))
    previous = person.level
    _apply_level(person, level=level, score=proposal.score, now=now)
    proposal.state = rules.PROPOSAL.moves["override"].target
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.decided_level, proposal.reason = level, reason
    proposal.disputed_factors = disputed
    proposal.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_at",
            "decided_level",
            "reason",
            "disputed_factors",
        ]
    )
    _event(
        person,
        EventKind.OVERRIDE,
        actor,
        now,
        from_value=previous,
        to_value=level,
        reason=reason,
        data={"proposed": proposal.level, "score": proposal.score, "disputed": disputed},
    )
    return proposal


# --- reviews and plans (M8.3) -------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    person: KeyPerson,
    actor: Staff,
    contact: str,
    note: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Review:
    """Record a review and schedule the next one by the person's level."""
    now = now or timezone.now()
    _require_active(person)
    _require_role(actor, access.REVIEW_ROLES, _("您的角色不能复核重点人员。"))
    if contact not in ContactResult.values:
        raise ApplicationError(_("请选择联系情况。"))
    note = require_text(note, _("复核情况"))
    review = Review.objects.create(
        person=person,
        due_on=person.next_review_on,
        done_at=now,
        reviewer=actor,
        contact=contact,
        note=note,
        level=person.level,
    )
    next_on = timezone.localdate(now) + review_interval(person.level)
    versioned_update(person, expected_version=version, now=now, next_review_on=next_on)
    _event(
        person,
        EventKind.REVIEW,
        actor,
        now,
        to_value=str(ContactResult(contact).label),
        reason=note,
        data={"review": review.pk, "next_review_on": next_on.isoformat()},
    )
    if contact == ContactResult.LOST:
        rating_refresh(now=now, person_ids=[person.pk])
    return review


@transaction.atomic
def measure_add(
    *,
    person: KeyPerson,
    actor: Staff,
    kind: str,
    category: str,
    description: str,
    owner: Staff | None,
    due_on: date | None,
    partner: Partner | None = None,
    now: datetime | None = None,
) -> Measure:
    """Add a management or support measure to the person's plan, with an owner and due date."""
    now = now or timezone.now()
    _require_active(person)
    _require_role(actor, access.REVIEW_ROLES, _("您的角色不能制定措施。"))
    if kind not in MeasureKind.values:
        raise ApplicationError(_("请选择措施类型（管控或帮扶）。"))
    if category not in MeasureCategory.values:
        raise ApplicationError(_("请选择措施内容类别。"))
    description = require_text(description, _("措施内容"))
    if owner is None:
        raise ApplicationError(_("请指定措施负责人：每项措施都要有人负责落实。"))
    if not owner.is_active:
        raise ApplicationError(_("负责人已停用，请另选负责人。"))
    if owner.pk != person.responsible_id and not in_scope(owner, person.area_path):
        raise ApplicationError(_("负责人应是该人员所在区域的工作人员。"))
    if due_on is None:
        raise ApplicationError(_("请填写完成期限。"))
    if due_on < timezone.localdate(now):
        raise ApplicationError(_("完成期限不能早于今天。"))
    if partner is not None and not partner.is_active:
        raise ApplicationError(_("该帮扶资源已停用。"))
    plan, _created = Plan.objects.get_or_create(person=person)
    measure = Measure.objects.create(
        plan=plan,
        kind=kind,
        category=category,
        description=description,
        owner=owner,
        due_on=due_on,
        partner=partner,
        created_by=actor,
    )
    _event(
        person,
        EventKind.MEASURE_ADD,
        actor,
        now,
        to_value=str(MeasureCategory(category).label),
        reason=description,
        data={"measure": measure.pk, "owner": owner.pk, "due_on": due_on.isoformat()},
    )
    return measure


def _measure_guard(
    measure: Measure, actor: Staff, version: int | None, action: str
) -> tuple[KeyPerson, str]:
    person = measure.plan.person
    _require_active(person)
    target = rules.MEASURE.check(action, measure.state)
    check_version(measure, version)
    if not (
        measure.owner_id == actor.pk
        or person.responsible_id == actor.pk
        or has_role(actor, *access.EDIT_ROLES)
    ):
        raise ForbiddenError(_("只有措施负责人、人员责任人或管理人员可以办理此措施。"))
    return person, target


@transaction.atomic
def measure_complete(
    *,
    measure: Measure,
    actor: Staff,
    result: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Measure:
    now = now or timezone.now()
    person, state = _measure_guard(measure, actor, version, "complete")
    result = require_text(result, _("落实结果"))
    versioned_update(
        measure,
        expected_version=version,
        now=now,
        state=state,
        result=result,
        done_at=now,
    )
    _event(
        person,
        EventKind.MEASURE_DONE,
        actor,
        now,
        to_value=str(MeasureCategory(measure.category).label),
        reason=result,
        data={"measure": measure.pk},
    )
    return measure


@transaction.atomic
def measure_cancel(
    *,
    measure: Measure,
    actor: Staff,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Measure:
    now = now or timezone.now()
    person, state = _measure_guard(measure, actor, version, "cancel")
    reason = require_text(reason, _("取消理由"))
    versioned_update(
        measure,
        expected_version=version,
        now=now,
        state=state,
        result=reason,
    )
    _event(
        person,
        EventKind.MEASURE_CANCEL,
        actor,
        now,
        to_value=str(MeasureCategory(measure.category).label),
        reason=reason,
        data={"measure": measure.pk},
    )
    return measure


# --- the daily sweep: expiry, erasure, overdue measures -----------------------------------


@dataclass(frozen=True)
class SweepResult:
    expired: int
    purged: int
    measures_notified: int


@transaction.atomic
def register_sweep(*, now: datetime) -> SweepResult:
    """Entries past their end date leave the register (kept until ``retain_until``, their
    retention review); entries past retention lose their personal data; overdue measures go to
    their owner's inbox once per due date. Set-based; running it again changes nothing."""
    today = timezone.localdate(now)
    retain = today + timedelta(days=settings.PINGAN_PERSON_RETENTION_DAYS)

    due = KeyPerson.objects.active().filter(ends_on__lt=today)
    expired_ids = list(due.values_list("pk", flat=True))
    if expired_ids:
        KeyPerson.objects.filter(pk__in=expired_ids).update(
            state=RegisterState.EXPIRED,
            left_at=now,
            retain_until=retain,
            next_review_on=retain,
            version=F("version") + 1,
            updated_at=now,
        )
        RatingProposal.objects.filter(
            person_id__in=expired_ids, state=ProposalState.PENDING
        ).update(state=ProposalState.SUPERSEDED)
        PersonEvent.objects.bulk_create(
            [
                PersonEvent(
                    person_id=pk,
                    kind=EventKind.EXPIRE,
                    created_at=now,
                    from_value=RegisterState.ACTIVE,
                    to_value=RegisterState.EXPIRED,
                    reason=_("在册期限届满，自动出册；信息保留至 %(date)s。")
                    % {"date": retain.isoformat()},
                )
                for pk in expired_ids
            ]
        )

    purge = KeyPerson.objects.filter(state=RegisterState.EXPIRED, retain_until__lt=today)
    purged_ids = list(purge.values_list("pk", flat=True))
    if purged_ids:
        KeyPerson.objects.filter(pk__in=purged_ids).update(
            state=RegisterState.PURGED,
            name=_("（已销毁）"),
            id_number="",
            id_number_index="",
            phone="",
            phone_index="",
            address="",
            birth_date=None,
            next_review_on=None,
            version=F("version") + 1,
            updated_at=now,
        )
        PersonEvent.objects.bulk_create(
            [
                PersonEvent(
                    person_id=pk,
                    kind=EventKind.PURGE,
                    created_at=now,
                    reason=_("保留期满，个人信息已销毁。"),
                )
                for pk in purged_ids
            ]
        )

    overdue = list(
        Measure.objects.overdue(today=today)
        .filter(plan__person__state=RegisterState.ACTIVE)
        .exclude(overdue_notified_on=F("due_on"))
        .values("pk", "owner_id", "due_on", "category", "plan__person_id", "plan__person__name")
    )
    if overdue:
        notify.send(
            [
                Notice(
                    recipient_id=row["owner_id"],
                    kind=MEASURE_NOTICE_KIND,
                    title=_("帮教措施已超期：%(name)s") % {"name": row["plan__person__name"]},
                    body=_("“%(category)s”措施应于 %(due)s 前完成，请尽快落实并登记结果。")
                    % {
                        "category": MeasureCategory(row["category"]).label,
                        "due": row["due_on"].isoformat(),
                    },
                    url=person_url(row["plan__person_id"]) + "#plan",
                    created_at=now,
                )
                for row in overdue
            ]
        )
        Measure.objects.filter(pk__in=[row["pk"] for row in overdue]).update(
            overdue_notified_on=F("due_on")
        )
        PersonEvent.objects.bulk_create(
            [
                PersonEvent(
                    person_id=row["plan__person_id"],
                    kind=EventKind.MEASURE_OVERDUE,
                    created_at=now,
                    to_value=str(MeasureCategory(row["category"]).label),
                    data={"measure": row["pk"], "owner": row["owner_id"]},
                )
                for row in overdue
            ]
        )
    return SweepResult(len(expired_ids), len(purged_ids), len(overdue))


# --- scorecard versions -------------------------------------------------------------------


@transaction.atomic
def scorecard_fit(
    *,
    actor: Staff | None,
    data: bytes,
    filename: str,
    outcome: str,
    group: str | None = None,
    exclude: tuple[str, ...] = (),
    seed: int = 2026,
    min_group_rows: int | None = None,
) -> Scorecard:
    """Fit a scorecard from a history table and write it as a version waiting for review.
    Bad input raises ApplicationError before anything is written. ``min_group_rows``: the
    held-out rows an audit group needs to count in the gaps (default: the setting)."""
    if actor is not None:
        _require_role(actor, access.FIT_ROLES, _("只有系统管理员可以拟合评分卡。"))
    from . import fitting  # scikit-learn and SciPy: loaded by the process that fits, only

    table = fitting.read_table(data, name=filename)
    prepared = fitting.prepare(table, outcome=outcome, group=group or None, exclude=exclude)
    labels = {key: str(fact.label) for key, fact in FACTS.items()}
    result = fitting.fit(prepared, seed=seed, labels=labels, min_group_rows=min_group_rows)
    for factor in result.factors:
        if factor["key"] in FACTS and not factor["numeric"]:
            for band in factor["bands"]:
                if band["kind"] == "category":
                    band["label"] = display_value(factor["key"], band["category"])
    scorecard = Scorecard.objects.create(
        name=_("拟合自 %(file)s") % {"file": filename[:60]},
        source=ScorecardSource.FITTED,
        state=ScorecardState.PENDING,
        medium_from=result.medium_from,
        high_from=result.high_from,
        created_by=actor,
        point_log_odds=result.point_log_odds,
        calibration_a=result.calibration_a,
        calibration_b=result.calibration_b,
        csv_name=filename[:200],
        csv_sha256=table.sha256,
        outcome_column=outcome,
        group_column=group or "",
        rows=len(table.rows),
        auc=result.auc,
        auc_low=result.auc_low,
        auc_high=result.auc_high,
        report=result.report,
    )
    for position, factor in enumerate(result.factors):
        row = ScorecardFactor.objects.create(
            scorecard=scorecard, key=factor["key"], label=factor["label"], position=position
        )
        ScorecardBand.objects.bulk_create(
            [
                ScorecardBand(
                    factor=row,
                    kind=band["kind"],
                    lower=band["lower"],
                    upper=band["upper"],
                    category=band["category"],
                    label=band["label"],
                    points=band["points"],
                    position=index,
                )
                for index, band in enumerate(factor["bands"])
            ]
        )
    AuditEvent.objects.create(
        actor=actor,
        action="persons.scorecard_fit",
        target_type="persons.scorecard",
        target_id=str(scorecard.pk),
        target_repr=str(scorecard)[:200],
        data={"rows": scorecard.rows, "auc": round(result.auc, 4), "sha256": table.sha256},
    )
    return scorecard


@transaction.atomic
def scorecard_copy(*, scorecard: Scorecard, actor: Staff) -> Scorecard:
    """Copy a version's factors, bands and cut-offs into a new configured version that waits
    for review: how an administrator changes the scorecard in use."""
    copy = Scorecard.objects.create(
        name=_("%(name)s（修订）") % {"name": scorecard.name[:70]},
        source=ScorecardSource.CONFIGURED,
        state=ScorecardState.PENDING,
        medium_from=scorecard.medium_from,
        high_from=scorecard.high_from,
        created_by=actor,
    )
    for factor in scorecard.factors.prefetch_related("bands"):
        bands = list(factor.bands.all())
        factor.pk, factor.scorecard = None, copy
        factor.save()
        for band in bands:
            band.pk, band.factor = None, factor
        ScorecardBand.objects.bulk_create(bands)
    AuditEvent.objects.create(
        actor=actor,
        action="persons.scorecard_copy",
        target_type="persons.scorecard",
        target_id=str(copy.pk),
        target_repr=str(copy)[:200],
        data={"from": scorecard.pk},
    )
    return copy


@transaction.atomic
def scorecard_review(
    *,
    scorecard: Scorecard,
    actor: Staff,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> Scorecard:
    """A reviewer other than the author approves or rejects a version's report. An approved
    version whose factors are all facts of the register becomes the active one (the previous
    one retires) and the register is re-rated; any other is approved as a report only."""
    now = now or timezone.now()
    if not access.may_approve_scorecards(actor):
        raise ForbiddenError(_("只有区级领导或系统管理员可以审核评分卡。"))
    rules.SCORECARD.check("reject" if not approve else "activate", scorecard.state)
    if scorecard.created_by_id == actor.pk:
        raise ForbiddenError(_("不能审核自己制作的评分卡，请由另一位审核人审核。"))
    if not approve:
        note = require_text(note, _("退回理由"))
    loaded = LoadedScorecard.load(scorecard)
    unknown = loaded.unknown_keys()
    if not loaded.factors:
        unknown = ["—"]
    if not approve:
        state = rules.SCORECARD.check("reject", scorecard.state)
    elif unknown:
        state = rules.SCORECARD.check("approve_report", scorecard.state)
    else:
        state = rules.SCORECARD.check("activate", scorecard.state)
        Scorecard.objects.filter(state=ScorecardState.ACTIVE).update(
            state=ScorecardState.RETIRED, updated_at=now
        )
        scorecard.activated_at = now
    scorecard.state = state
    scorecard.reviewed_by, scorecard.reviewed_at = actor, now
    scorecard.review_note = (note or "").strip()
    scorecard.save(
        update_fields=[
            "state",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "activated_at",
            "updated_at",
        ]
    )
    AuditEvent.objects.create(
        actor=actor,
        action=f"persons.scorecard_{state}",
        target_type="persons.scorecard",
        target_id=str(scorecard.pk),
        target_repr=str(scorecard)[:200],
        reason=scorecard.review_note,
        data={"unknown_factors": unknown},
    )
    if state == ScorecardState.ACTIVE:
        rating_refresh(now=now)
    return scorecard
