"""Writes to cases: every change is one service, one transaction, one timeline event."""

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import crypto
from pingan.core.actions import require_roles
from pingan.core.calendar import add_days, local_date
from pingan.core.errors import ApplicationError, ConflictError, ForbiddenError
from pingan.core.services import (
    audit_record,
    check_version,
    personal_data_read,
    require_text,
    versioned_update,
)
from pingan.core.validators import validate_id_number, validate_phone
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import FunctionAreaKind, Level, UnitKind
from pingan.orgs.models import Division, Staff, Unit

from . import rules
from .choices import (
    Channel,
    Complexity,
    DayType,
    EventKind,
    ExtensionState,
    LegalRoute,
    Outcome,
    PartyRole,
    ReferralRoute,
    ReferralState,
    State,
    Urgency,
)
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseSequence,
    Category,
    DeadlineExtension,
    DeadlinePolicy,
    Party,
    Referral,
)
from .repeats import comparable, find_repeats, index_case

_UNIT_KIND_AT_LEVEL = {
    Level.DISTRICT: UnitKind.DISTRICT_CENTER,
    Level.STREET: UnitKind.STREET_CENTER,
    Level.COMMUNITY: UnitKind.COMMUNITY,
    Level.GRID: UnitKind.COMMUNITY,  # a grid's matters are handled by its community committee
}
_DEPTH = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 2}


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    id_number: str = ""
    phone: str = ""


# --- helpers -------------------------------------------------------------------------------


def unit_for_level(grid: Division, level: str) -> Unit:
    """The unit that handles a grid's matters at a funnel level."""
    code = grid.path.strip("/").split("/")[_DEPTH[level]]
    try:
        return Unit.objects.get(division__code=code, kind=_UNIT_KIND_AT_LEVEL[level])
    except Unit.DoesNotExist:
        raise ApplicationError(
            _("%(grid)s在“%(level)s”层级没有承办单位，请联系管理员补充单位设置。")
            % {"grid": grid.name, "level": Level(level).label}
        ) from None


def home_level(actor: Staff) -> str:
    """The funnel level of the actor's unit: where a case they register starts."""
    if has_role(actor, "grid_worker") and not actor.is_superuser:
        return Level.GRID
    kind = actor.unit.kind if actor.unit_id else UnitKind.DISTRICT_CENTER
    return {
        UnitKind.DISTRICT_CENTER: Level.DISTRICT,
        UnitKind.STREET_CENTER: Level.STREET,
        UnitKind.COMMUNITY: Level.COMMUNITY,
    }.get(
        kind,
        Level.STREET
        if actor.unit and actor.unit.division.level == Level.STREET
        else Level.DISTRICT,
    )


def query_code_digest(number: str, code: str) -> str:
    return crypto.blind_index("query_code", f"{number}:{code.strip()}")


def can_act_on(user: Staff, case: Case) -> bool:
    """May this user change the case (not only see it)? The handling unit, a joint unit, or
    someone whose scope contains the handling unit (a supervising level)."""
    if user.is_superuser:
        return True
    if user.unit_id and (
        user.unit_id == case.handling_unit_id or case.joint_units.filter(pk=user.unit_id).exists()
    ):
        return True
    return in_scope(user, case.handling_unit.division.path)


def available_actions(user: Staff, case: Case) -> list[str]:
    """The actions this user may take on the case now (what the case page offers)."""
    if not can_act_on(user, case):
        return []
    return [
        action
        for action in rules.CASE.actions_from(case.state)
        if has_role(user, *rules.CASE.roles(action))
    ]


def _authorize(
    actor: Staff, case: Case, action: str, expected_version: int | None = None
) -> str | None:
    check_version(case, expected_version)
    require_roles(actor, rules.CASE.roles(action))
    if not can_act_on(actor, case):
        raise ForbiddenError(_("该事项不由您的单位承办，您只能查看，不能办理。"))
    return rules.CASE.check(action, case.state)


def _event(case: Case, kind: str, actor, now: datetime, **fields) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, created_at=now, **fields)


def case_event_record(
    *,
    case_id: int,
    kind: str,
    actor: Staff | None,
    now: datetime,
    unit_id: int | None = None,
    reason: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Write one row on a case's timeline for another app's step on it (a whistle, say).

    The timeline belongs to cases: other apps call this (or ``case_events_record``) inside
    their own transaction and never create ``CaseEvent`` rows themselves.
    """
    return CaseEvent.objects.create(
        case_id=case_id,
        kind=kind,
        actor=actor,
        unit_id=unit_id,
        created_at=now,
        reason=reason,
        data=data or {},
    )


_EVENT_ROW_FIELDS = frozenset(
    {"case_id", "kind", "created_at", "actor_id", "unit_id", "reason", "data"}
    | {"from_state", "to_state", "from_level", "to_level"}
)


def case_events_record(
    *, rows: list[dict], kind: str = "", now: datetime | None = None
) -> list[CaseEvent]:
    """``case_event_record`` for many rows at once (a sweep, another app's demo history).
    Each row names ``case_id`` and may name any of ``_EVENT_ROW_FIELDS``; ``kind`` and ``now``
    stand for rows that name no ``kind`` or ``created_at``. No actor means the system."""
    defaults = {"kind": kind, "created_at": now}
    events = []
    for row in rows:
        unknown = row.keys() - _EVENT_ROW_FIELDS
        if unknown:
            raise ValueError(f"not a timeline field: {sorted(unknown)}")
        event = CaseEvent(**{**defaults, **row})
        event.data = event.data or {}
        events.append(event)
    return CaseEvent.objects.bulk_create(events, batch_size=1000)


def _deadline(case: Case, start: datetime) -> dict:
    policy = DeadlinePolicy.objects.get(complexity=case.complexity)
    deadline = add_days(start=start, days=policy.days, working=policy.day_type == DayType.WORKING)
    return {
        "due_at": deadline.due_at,
        "warn_at": start + (deadline.due_at - start) * policy.warn_ratio,
        "due_provisional": deadline.provisional,
    }


def _next_number(now: datetime) -> str:
    """The next case number of the year. One statement: the increment locks the year's row
    and returns the new value (``UPDATE … RETURNING``, in PostgreSQL and SQLite ≥ 3.35); a
    year's first case creates the row."""
    year = timezone.localtime(now).year
    table, last = (connection.ops.quote_name(n) for n in (CaseSequence._meta.db_table, "last"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 WHERE year = %s RETURNING {last}",
            [year],
        )
        row = cursor.fetchone()
    if row is None:
        CaseSequence.objects.get_or_create(year=year)
        return _next_number(now)
    return f"DC{year}-{row[0]:06d}"


def _clean_parties(parties: list[PartyInput]) -> list[PartyInput]:
    if not parties:
        raise ApplicationError(_("请至少填写一名当事人。"))
    if not any(party.role == PartyRole.APPLICANT for party in parties):
        raise ApplicationError(_("请至少填写一名申请人。"))
    cleaned = []
    for index, party in enumerate(parties, start=1):
        name = (party.name or "").strip()
        if not name:
            raise ApplicationError(_("第 %(index)s 位当事人：请填写姓名。") % {"index": index})
        if party.role not in PartyRole.values:
            raise ApplicationError(_("第 %(index)s 位当事人：身份无法识别。") % {"index": index})
        id_number = "".join((party.id_number or "").split()).upper()
        phone = "".join((party.phone or "").split())
        try:
            if id_number:
                validate_id_number(id_number)
            if phone:
                validate_phone(phone)
        except ValidationError as exc:
            raise ApplicationError(
                _("第 %(index)s 位当事人（%(name)s）：%(message)s")
                % {"index": index, "name": name, "message": exc.messages[0]}
            ) from None
        cleaned.append(PartyInput(party.role, name, id_number, phone))
    return cleaned


# --- intake (M1) ---------------------------------------------------------------------------


@transaction.atomic
def _external(source: str, ref: str) -> tuple[str, str]:
    """Another system's reference: both parts or neither, and not registered already."""
    source, ref = (source or "").strip(), (ref or "").strip()
    if bool(source) != bool(ref):
        raise ApplicationError(
            _("请同时填写来源系统和来源系统编号，或都不填。"),
            field="external_ref" if source else "external_source",
        )
    if ref:
        _refuse_known_reference(source, ref)
    return source, ref


def _refuse_known_reference(source: str, ref: str) -> None:
    known = Case.objects.filter(external_source=source, external_ref=ref).first()
    if known is not None:
        raise ConflictError(
            _("来源系统“%(source)s”的编号 %(ref)s 已登记为事项 %(number)s，请勿重复提交。")
            % {"source": source, "ref": ref, "number": known.number},
            extra={"number": known.number},
        )


@contextmanager
def _one_case_per_reference(source: str, ref: str):
    """Two senders' retries racing past the check meet the unique constraint: the second is
    refused like a known reference, in a savepoint so the caller's transaction lives on (a
    case without a reference needs neither)."""
    if not ref:
        yield
        return
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        _refuse_known_reference(source, ref)
        raise


def case_register(
    *,
    actor: Staff,
    channel: str,
    category: Category,
    complexity: str,
    title: str,
    narrative: str,
    grid: Division,
    parties: list[PartyInput],
    urgency: str = Urgency.NORMAL,
    address: str = "",
    attachments: list | None = None,
    suggested_unit: Unit | None = None,
    chosen_unit: Unit | None = None,
    suggested_area: str = "",
    function_area: str = "",
    external_source: str = "",
    external_ref: str = "",
    now: datetime | None = None,
) -> tuple[Case, str]:
    """Register a matter at the one window; return the case and its public query code.

    The case starts at the registering unit's level, handled by that level's center unless
    the clerk chose another unit (e.g. the routing suggestion's agency); whether the choice
    followed the suggestion is recorded. The matter is served in the function area the clerk
    chose, else the suggested one, else its category's (M3.1). A repeat of an open or recent
    matter (same party ID number, or near-identical narrative in the same grid) is flagged and
    linked (M1.3). A matter sent by another system keeps its reference there
    (``external_source`` and ``external_ref``, one case per reference).
    """
    now = now or timezone.now()
    if not has_role(actor, *rules.REGISTER_ROLES):
        raise ForbiddenError(_("您的角色不能登记事项。"))
    if channel not in Channel.values:
        raise ApplicationError(_("来源渠道无法识别。"))
    if complexity not in Complexity.values:
        raise ApplicationError(_("复杂程度应为“一般”或“复杂”。"))
    if urgency not in Urgency.values:
        raise ApplicationError(_("紧急程度无法识别。"))
    if not category.is_active:
        raise ApplicationError(
            _("事项类别“%(category)s”已停用，请选择其他类别。") % {"category": category.name}
        )
    if grid.level != Level.GRID:
        raise ApplicationError(_("请选择到具体网格。"))
    if not in_scope(actor, grid.path):
        raise ForbiddenError(_("该网格不在您的工作范围内，不能在此登记。"))
    title, narrative = (title or "").strip(), (narrative or "").strip()
    if not title:
        raise ApplicationError(_("请填写事项标题。"))
    if len(narrative) < 10:
        raise ApplicationError(_("事项描述过短，请写明事由、经过和诉求（至少10个字）。"))
    parties = _clean_parties(parties)
    external_source, external_ref = _external(external_source, external_ref)
    if {suggested_area, function_area} - {"", *FunctionAreaKind.values}:
        raise ApplicationError(_("功能区无法识别，请重新选择。"))

    level = home_level(actor)
    unit = unit_for_level(grid, level)
    if chosen_unit is not None:
        if not Unit.objects.visible_to(actor).filter(pk=chosen_unit.pk, is_active=True).exists():
            raise ApplicationError(_("所选承办单位不在您的工作范围内，请重新选择。"))
        unit = chosen_unit
    matches = find_repeats(
        id_numbers=[p.id_number for p in parties if p.id_number],
        narrative=narrative,
        grid=grid,
        now=now,
    )
    code = f"{secrets.randbelow(10**6):06d}"
    number = _next_number(now)
    with _one_case_per_reference(external_source, external_ref):
        case = Case.objects.create(
            number=number,
            query_code_hash=query_code_digest(number, code),
            channel=channel,
            category=category,
            complexity=complexity,
            urgency=urgency,
            title=title[:80],
            narrative=narrative,
            narrative_words=comparable(narrative),
            address=(address or "").strip(),
            grid=grid,
            area_path=grid.path,
            level=level,
            handling_unit=unit,
            first_contact_unit=actor.unit if level == Level.DISTRICT else None,
            registered_by=actor,
            registered_at=now,
            suggested_unit=suggested_unit,
            suggestion_followed=None if suggested_unit is None else suggested_unit == unit,
            suggested_area=suggested_area,
            function_area=function_area or suggested_area or category.function_area,
            repeat_of=matches[0].case if matches else None,
            external_source=external_source,
            external_ref=external_ref,
        )
    index_case(case)
    written_parties = Party.objects.bulk_create(
        [
            Party(case=case, role=p.role, name=p.name, id_number=p.id_number, phone=p.phone)
            for p in parties
        ]
    )
    for upload in attachments or []:
        Attachment.objects.create(
            case=case,
            file=upload,
            original_name=upload.name[:200],
            size=upload.size,
            content_type=getattr(upload, "content_type", "") or "",
            uploaded_by=actor,
        )
    event = _event(
        case,
        EventKind.REGISTER,
        actor,
        now,
        to_state=State.REGISTERED,
        to_level=level,
        unit=unit,
        data={
            "channel": channel,
            "suggested_unit": suggested_unit.pk if suggested_unit else None,
            "suggestion_followed": case.suggestion_followed,
            "function_area": case.function_area,
            "repeat_of": matches[0].case.number if matches else None,
            "repeat_reason": matches[0].reason if matches else "",
            "attachments": [upload.name[:200] for upload in attachments or []],
        },
    )
    # The rows just written, for an answer that need not read them back (the API's).
    case.written_parties, case.written_events = written_parties, [event]
    return case, code


@transaction.atomic
def case_merge_visit(
    *, case: Case, actor: Staff, channel: str, narrative: str, now: datetime | None = None
) -> Case:
    """Record a repeat visit on the earlier case instead of opening a new one (合并重复事项)."""
    now = now or timezone.now()
    if not has_role(actor, *rules.REGISTER_ROLES):
        raise ForbiddenError(_("您的角色不能登记事项。"))
    narrative = require_text(narrative, _("本次来访的诉求"))
    if channel not in Channel.values:
        raise ApplicationError(_("请选择本次来访的渠道。"))
    if not case.is_open:
        raise ApplicationError(
            _(
                "事项 %(number)s 当前为“%(state)s”，不能合并；"
                "请登记为新事项，系统会将其与该事项关联。"
            )
            % {"number": case.number, "state": case.get_state_display()}
        )
    return _record(
        case,
        actor=actor,
        kind=EventKind.MERGE,
        now=now,
        expected_version=None,
        reason=narrative,
        data={"channel": channel},
    )


# --- the lifecycle (M2.2) ------------------------------------------------------------------


def _record(
    case: Case,
    *,
    actor: Staff,
    kind: str,
    now: datetime,
    expected_version: int | None,
    reason: str = "",
    unit: Unit | None = None,
    data: dict | None = None,
    **fields,
) -> Case:
    """Write the change (optimistic lock) and its timeline event, with the state and level
    moves the change makes (from -> to), in the caller's transaction."""
    moves = {}
    if "state" in fields:
        moves.update(from_state=case.state, to_state=fields["state"])
    if "level" in fields:
        moves.update(from_level=case.level, to_level=fields["level"])
    versioned_update(case, expected_version=expected_version, now=now, **fields)
    _event(case, kind, actor, now, unit=unit, reason=reason, data=data or {}, **moves)
    return case


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor: Staff,
    expected_version: int | None = None,
    now: datetime | None = None,
    reason: str = "",
) -> Case:
    """Accept a registered case; its deadline starts now (M2.3)."""
    now = now or timezone.now()
    target = _authorize(actor, case, "accept", expected_version)
    deadline = _deadline(case, now)
    return _record(
        case,
        actor=actor,
        kind=EventKind.ACCEPT,
        now=now,
        expected_version=expected_version,
        reason=reason,
        data={"due_at": deadline["due_at"].isoformat()},
        state=target,
        accepted_at=now,
        **deadline,
    )


@transaction.atomic
def case_reject(
    *,
    case: Case,
    actor: Staff,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Decline a matter (不予受理); the reason is required and shown to the citizen."""
    now = now or timezone.now()
    target = _authorize(actor, case, "reject", expected_version)
    reason = require_text(reason, _("不予受理的理由"))
    return _record(
        case,
        actor=actor,
        kind=EventKind.REJECT,
        now=now,
        expected_version=expected_version,
        reason=reason,
        state=target,
        rejection_reason=reason,
    )


@transaction.atomic
def case_assign(
    *,
    case: Case,
    actor: Staff,
    unit: Unit | None = None,
    handler: Staff | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Assign the case to a unit (default: the current one) and optionally a handler."""
    now = now or timezone.now()
    target = _authorize(actor, case, "assign", expected_version)
    unit = unit or case.handling_unit
    if not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        raise ApplicationError(_("所选单位不在您的工作范围内。"))
    if handler is not None and handler.unit_id != unit.pk:
        raise ApplicationError(
            _("%(handler)s不属于%(unit)s，请重新选择承办人。") % {"handler": handler, "unit": unit}
        )
    return _record(
        case,
        actor=actor,
        kind=EventKind.ASSIGN,
        now=now,
        expected_version=expected_version,
        reason=reason,
        unit=unit,
        data={"handler": handler.pk if handler else None},
        state=target,
        handling_unit=unit,
        handler=handler,
    )


@transaction.atomic
def case_start_mediation(
    *,
    case: Case,
    actor: Staff,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Start mediating (调处); the actor becomes the handler if none was named."""
    now = now or timezone.now()
    target = _authorize(actor, case, "start_mediation", expected_version)
    return _record(
        case,
        actor=actor,
        kind=EventKind.START_MEDIATION,
        now=now,
        expected_version=expected_version,
        reason=reason,
        state=target,
        handler=case.handler or actor,
    )


@transaction.atomic
def case_conclude(
    *,
    case: Case,
    actor: Staff,
    outcome: str,
    summary: str,
    legal_route: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Conclude: an agreement, or none and the legal route the parties are referred to."""
    now = now or timezone.now()
    target = _authorize(actor, case, "conclude", expected_version)
    summary = require_text(summary, _("办结情况说明"))
    if outcome not in Outcome.values:
        raise ApplicationError(_("请选择办理结果。"))
    if outcome == Outcome.NO_AGREEMENT and legal_route not in LegalRoute.values:
        raise ApplicationError(
            _("未达成协议的，请选择引导当事人的法律途径（诉讼、仲裁或行政复议）。"),
            field="legal_route",
        )
    if outcome == Outcome.AGREEMENT:
        legal_route = ""
    return _record(
        case,
        actor=actor,
        kind=EventKind.CONCLUDE,
        now=now,
        expected_version=expected_version,
        reason=summary,
        data={"outcome": outcome, "legal_route": legal_route},
        state=target,
        concluded_at=now,
        concluded_level=case.level,
        outcome=outcome,
        legal_route=legal_route,
    )


@transaction.atomic
def case_follow_up(
    *,
    case: Case,
    actor: Staff,
    satisfaction: int,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Record the follow-up visit (回访); an unsatisfied citizen (1–2) reopens the case."""
    now = now or timezone.now()
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise ApplicationError(_("满意度应为 1 到 5 分。"))
    satisfied = satisfaction >= rules.SATISFIED_FROM
    target = _authorize(actor, case, "follow_up" if satisfied else "reopen", expected_version)
    common = {
        "actor": actor,
        "now": now,
        "expected_version": expected_version,
        "data": {"satisfaction": satisfaction},
        "state": target,
        "satisfaction": satisfaction,
    }
    if satisfied:
        return _record(case, kind=EventKind.FOLLOW_UP, reason=note, **common)
    note = require_text(note, _("群众不满意的具体原因"))
    return _record(
        case,
        kind=EventKind.REOPEN,
        reason=note,
        concluded_at=None,
        concluded_level="",
        outcome="",
        legal_route="",
        **_deadline(case, now),
        **common,
    )


@transaction.atomic
def case_archive(
    *,
    case: Case,
    actor: Staff,
    reason: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Archive a followed-up or declined case (归档): the loop is closed."""
    now = now or timezone.now()
    target = _authorize(actor, case, "archive", expected_version)
    return _record(
        case,
        actor=actor,
        kind=EventKind.ARCHIVE,
        now=now,
        expected_version=expected_version,
        reason=reason,
        state=target,
        archived_at=now,
    )


@transaction.atomic
def case_confirm_judicially(
    *,
    case: Case,
    actor: Staff,
    court: str,
    confirmed_on: date,
    ruling_number: str,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Record the court's judicial confirmation (司法确认) of a mediation agreement: which
    court, when, and the number of its ruling (裁定书文号)."""
    now = now or timezone.now()
    _authorize(actor, case, "judicial_confirmation", expected_version)
    if case.outcome != Outcome.AGREEMENT:
        raise ApplicationError(_("只有达成调解协议的事项才能申请司法确认。"))
    if case.judicially_confirmed:
        raise ApplicationError(_("该调解协议已经司法确认。"))
    court = require_text(court, _("确认法院"), limit=100)
    ruling_number = require_text(ruling_number, _("裁定书文号"), limit=60)
    if confirmed_on is None or confirmed_on > local_date(now):
        raise ApplicationError(_("请填写确认日期（不能晚于今天）。"))
    return _record(
        case,
        actor=actor,
        kind=EventKind.JUDICIAL_CONFIRMATION,
        now=now,
        expected_version=expected_version,
        reason=note or _("%(court)s %(number)s") % {"court": court, "number": ruling_number},
        data={"court": court, "on": confirmed_on.isoformat(), "ruling": ruling_number},
        judicially_confirmed=True,
        judicial_court=court,
        judicial_confirmed_on=confirmed_on,
        judicial_ruling_number=ruling_number,
    )


@transaction.atomic
def case_refer(
    *,
    case: Case,
    actor: Staff,
    route: str,
    body: str,
    referred_on: date,
    follow_up_on: date,
    reference_number: str = "",
    now: datetime | None = None,
) -> Referral:
    """Hand a concluded matter outside the center (转出): to a court, arbitration, an
    administrative review or another channel, with a date to follow it up. The case keeps
    its state; the referral is followed until its result is recorded."""
    now = now or timezone.now()
    _authorize(actor, case, "refer")
    if route not in ReferralRoute.values:
        raise ApplicationError(_("请选择转出途径。"))
    body = require_text(body, _("接收机关"), limit=100)
    today = local_date(now)
    if referred_on is None or referred_on > today:
        raise ApplicationError(_("请填写转出日期（不能晚于今天）。"))
    if follow_up_on is None or follow_up_on < referred_on:
        raise ApplicationError(_("跟进日期不能早于转出日期。"))
    if case.referrals.filter(state=ReferralState.REFERRED).exists():
        raise ApplicationError(_("该事项已有跟进中的转出记录，请先登记其结果。"))
    referral = Referral.objects.create(
        case=case,
        route=route,
        body=body,
        referred_on=referred_on,
        follow_up_on=follow_up_on,
        reference_number=reference_number.strip(),
        referred_by=actor,
    )
    _event(
        case,
        EventKind.REFER,
        actor,
        now,
        reason=_("转%(route)s：%(body)s") % {"route": referral.get_route_display(), "body": body},
        data={"referral": referral.pk, "route": route, "follow_up_on": follow_up_on.isoformat()},
    )
    return referral


@transaction.atomic
def referral_record_result(
    *,
    case: Case,
    actor: Staff,
    result: str,
    result_on: date,
    reference_number: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Referral:
    """Record what the receiving body decided (转出结果) on the case's open referral."""
    now = now or timezone.now()
    _authorize(actor, case, "referral_result")
    referral = case.referrals.filter(state=ReferralState.REFERRED).first()
    if referral is None:
        raise ApplicationError(_("该事项没有跟进中的转出记录。"))
    target = rules.REFERRAL.check("record_result", referral.state)
    result = require_text(result, _("处理结果"), limit=2000)
    if result_on is None or result_on > local_date(now) or result_on < referral.referred_on:
        raise ApplicationError(_("结果日期应在转出日期与今天之间。"))
    fields = {"state": target, "result": result, "result_on": result_on}
    if reference_number.strip():
        fields["reference_number"] = reference_number.strip()
    versioned_update(referral, expected_version=expected_version, now=now, **fields)
    _event(
        case,
        EventKind.REFERRAL_RESULT,
        actor,
        now,
        reason=result,
        data={"referral": referral.pk, "result_on": result_on.isoformat()},
    )
    return referral


# --- the funnel (M2.1, M2.4) ---------------------------------------------------------------


@transaction.atomic
def case_escalate(
    *,
    case: Case,
    actor: Staff,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Move the case one level up (上提) to that level's center, with a reason."""
    now = now or timezone.now()
    _authorize(actor, case, "escalate", expected_version)
    reason = require_text(reason, _("上提理由"))
    target_level = rules.level_above(case.level)
    if target_level is None:
        raise ApplicationError(_("事项已在区级办理，不能再上提。"))
    unit = unit_for_level(case.grid, target_level)
    fields = {"level": target_level, "handling_unit": unit, "handler": None}
    if target_level == Level.DISTRICT and case.first_contact_unit_id is None:
        fields["first_contact_unit"] = unit
    return _record(
        case,
        actor=actor,
        kind=EventKind.ESCALATE,
        now=now,
        expected_version=expected_version,
        reason=reason,
        unit=unit,
        **fields,
    )


@transaction.atomic
def case_assign_down(
    *,
    case: Case,
    actor: Staff,
    level: str,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Hand the case down (交办) to a lower level's unit, with a reason."""
    now = now or timezone.now()
    _authorize(actor, case, "assign_down", expected_version)
    reason = require_text(reason, _("交办理由"))
    if level not in rules.levels_below(case.level):
        raise ApplicationError(_("只能交办给比当前层级更低的层级。"))
    unit = unit_for_level(case.grid, level)
    return _record(
        case,
        actor=actor,
        kind=EventKind.ASSIGN_DOWN,
        now=now,
        expected_version=expected_version,
        reason=reason,
        unit=unit,
        level=level,
        handling_unit=unit,
        handler=None,
    )


@transaction.atomic
def case_add_joint_units(
    *,
    case: Case,
    actor: Staff,
    units: list[Unit],
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Bring other units into a joint mediation (联动调处)."""
    now = now or timezone.now()
    _authorize(actor, case, "joint", expected_version)
    reason = require_text(reason, _("联动调处的事由"))
    new = [unit for unit in units if unit.pk != case.handling_unit_id]
    if not new:
        raise ApplicationError(_("请选择承办单位以外的联动单位。"))
    visible = set(
        Unit.objects.visible_to(actor)
        .filter(pk__in=[u.pk for u in new])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({unit.pk for unit in new}):
        raise ApplicationError(_("所选联动单位不在您的工作范围内。"))
    case.joint_units.add(*new)
    return _record(
        case,
        actor=actor,
        kind=EventKind.JOINT,
        now=now,
        expected_version=expected_version,
        reason=reason,
        data={"units": [unit.pk for unit in new], "names": [unit.name for unit in new]},
    )


# --- deadlines (M2.3) ----------------------------------------------------------------------


@transaction.atomic
def extension_request(
    *, case: Case, actor: Staff, days: int, reason: str, now: datetime | None = None
) -> DeadlineExtension:
    """Ask for more time; nothing changes until a leader approves."""
    now = now or timezone.now()
    _authorize(actor, case, "extension_request")
    reason = require_text(reason, _("延期理由"))
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise ApplicationError(_("延长天数应为 1 到 60 天。"))
    if case.extensions.filter(state=ExtensionState.PENDING).exists():
        raise ApplicationError(_("该事项已有待审批的延期申请，请等待领导审批。"))
    extension = DeadlineExtension.objects.create(
        case=case, days=days, reason=reason, requested_by=actor
    )
    _event(
        case,
        EventKind.EXTENSION_REQUEST,
        actor,
        now,
        reason=reason,
        data={"days": days, "extension": extension.pk},
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    extension: DeadlineExtension,
    actor: Staff,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> DeadlineExtension:
    """A leader approves or refuses an extension; approval moves the deadline."""
    now = now or timezone.now()
    case = extension.case
    _authorize(actor, case, "extension_decide", expected_version)
    decided = rules.EXTENSION.check(
        "decide_approve" if approve else "decide_reject", extension.state
    )
    if extension.requested_by_id == actor.pk:
        raise ForbiddenError(_("不能审批自己提出的延期申请。"))
    if not approve:
        note = require_text(note, _("驳回理由"))
    extension.state = decided
    extension.decided_by, extension.decided_at, extension.decision_note = actor, now, note
    extension.save(
        update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    if approve:
        policy = DeadlinePolicy.objects.get(complexity=case.complexity)
        deadline = add_days(
            start=case.due_at, days=extension.days, working=policy.day_type == DayType.WORKING
        )
        versioned_update(
            case,
            expected_version=expected_version,
            now=now,
            due_at=deadline.due_at,
            due_provisional=deadline.provisional,
            warn_at=now + (deadline.due_at - now) * policy.warn_ratio,
        )
    _event(
        case,
        EventKind.EXTENSION_APPROVE if approve else EventKind.EXTENSION_REJECT,
        actor,
        now,
        reason=note,
        data={"days": extension.days, "due_at": case.due_at.isoformat() if approve else None},
    )
    return extension


@transaction.atomic
def case_reissue_query_code(*, case: Case, actor: Staff, now: datetime | None = None) -> str:
    """Issue a new query code for a reprinted receipt; the old code stops working. Only the
    front desk (the roles that register) of a unit that may act on the case reissues."""
    now = now or timezone.now()
    require_roles(actor, rules.REGISTER_ROLES)
    if not can_act_on(actor, case):
        raise ForbiddenError(_("该事项不由您的单位承办，您只能查看，不能办理。"))
    code = f"{secrets.randbelow(10**6):06d}"
    versioned_update(
        case, expected_version=None, now=now, query_code_hash=query_code_digest(case.number, code)
    )
    audit_record(
        actor=actor,
        action="cases.query_code_reissued",
        target=case,
        reason=_("补打回执，重新生成查询码"),
    )
    return code


def party_number_reveal(*, party: Party, actor: Staff, field: str, reason: str) -> str:
    """A party's full ID number or phone, for a person who must contact them; the read is
    logged with its reason (X2). The case's handler may, whatever their role."""
    if field not in rules.PARTY_NUMBERS:
        raise ApplicationError(_("只能查看身份证号或联系电话。"))
    if party.case.handler_id != actor.pk:
        require_roles(actor, rules.CONTACT_ROLES)
    reason = require_text(reason, _("查看原因"), limit=200)
    return personal_data_read(actor=actor, obj=party, field=field, reason=reason)


# --- configuration: categories (事项类别) and deadline rules (时限规则) ------------------------

CATEGORY_FIELDS = frozenset({"name", "function_area", "keywords", "sort_order", "is_active"})
DEADLINE_RULE_FIELDS = frozenset(
    {
        "days",
        "day_type",
        "warn_ratio",
        "tier2_after_hours",
        "tier3_after_hours",
        "tier4_after_hours",
    }
)


def _configuration_input(reason: str, fields: dict, allowed: frozenset) -> str:
    """The reason given for a configuration change (required), once the fields are known."""
    unknown = sorted(fields.keys() - allowed)
    if unknown:
        raise ApplicationError(_("不能设置这些字段：%(names)s") % {"names": ", ".join(unknown)})
    return require_text(reason, _("修改原因"), limit=200)


def _name_taken(name: str, *, but: Category | None = None) -> None:
    others = Category.objects.filter(name=name)
    if but is not None:
        others = others.exclude(pk=but.pk)
    if others.exists():
        raise ApplicationError(_("类别名称“%(name)s”已被使用。") % {"name": name})


@transaction.atomic
def category_add(*, actor: Staff, reason: str, code: str, name: str, **fields) -> Category:
    """Add a category of matter; intake offers it at once. The administrator gives a reason,
    kept in the audit log with who and when (as the admin site's changes are)."""
    reason = _configuration_input(reason, fields, CATEGORY_FIELDS)
    if Category.objects.filter(code=code).exists():
        raise ApplicationError(_("类别代码“%(code)s”已被使用。") % {"code": code})
    _name_taken(name)
    category = Category.objects.create(code=code, name=name, **fields)
    audit_record(
        actor=actor,
        action="cases.category.add",
        target=category,
        reason=reason,
        data={"changed": sorted({"code", "name", *fields})},
    )
    return category


@transaction.atomic
def category_change(
    *, category: Category, actor: Staff, reason: str, expected_version: int | None, now, **fields
) -> Category:
    """Change a category: rename it, move it to another function area, edit its keywords,
    or switch it off (cases keep it; intake stops offering it). The code never changes."""
    reason = _configuration_input(reason, fields, CATEGORY_FIELDS)
    if "name" in fields:
        _name_taken(fields["name"], but=category)
    changed = sorted(name for name, value in fields.items() if getattr(category, name) != value)
    versioned_update(category, expected_version=expected_version, now=now, **fields)
    audit_record(
        actor=actor,
        action="cases.category.change",
        target=category,
        reason=reason,
        data={"changed": changed},
    )
    return category


@transaction.atomic
def deadline_rule_change(
    *, policy: DeadlinePolicy, actor: Staff, reason: str, expected_version: int | None, now,
    **fields,
) -> DeadlinePolicy:  # fmt: skip
    """Change the time limit of a complexity (general 7 days, complex 30 by default). Cases
    registered before keep the deadline they were given; new ones get the new rule."""
    reason = _configuration_input(reason, fields, DEADLINE_RULE_FIELDS)
    ratio = fields.get("warn_ratio", policy.warn_ratio)
    if not 0.1 <= ratio <= 0.99:
        raise ApplicationError(_("临期提醒比例应在 0.1 到 0.99 之间。"))
    if fields.get("days", policy.days) < 1:
        raise ApplicationError(_("时限天数至少为 1 天。"))
    changed = sorted(name for name, value in fields.items() if getattr(policy, name) != value)
    versioned_update(policy, expected_version=expected_version, now=now, **fields)
    audit_record(
        actor=actor,
        action="cases.deadline_rule.change",
        target=policy,
        reason=reason,
        data={"changed": changed},
    )
    return policy
