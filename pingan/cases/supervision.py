"""Supervision of overdue cases (督办, M2.3): a periodic sweep that climbs the whole chain.

A case's chain (``chain``) is who supervises it, tier by tier: 1 the handling unit's leaders,
2 the level above (a community's street center, an agency's parent agency), 3 the district
center's command desk (指挥调度), 4 the district leaders. Steps that would tell the same
people again are left out, so a street center's case has three tiers and the district
center's own case one. Tier 1 is issued as soon as a case is overdue; each next tier once the
previous one is older than the hours its deadline rule gives that tier
(``DeadlinePolicy.tier2_after_hours`` …) and the case is still overdue.

Each supervision is an order (督办单) the handling unit answers (反馈) and the supervisor
closes (``supervision_answer``/``supervision_close``); a leader may issue one by hand
(``supervision_issue``). The sweep issues one per case, tier and deadline, so
a second run issues nothing new, and an approved extension (a new deadline) starts the climb
again from tier 1. It is set-based: a fixed number of queries however many cases are overdue.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core import notify
from pingan.core.bulk import db_value, insert_rows
from pingan.core.calendar import local_date
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.services import require_text, versioned_update
from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode, UnitKind
from pingan.orgs.models import Staff, Unit

from . import rules
from .choices import Audience, Complexity, EventKind, SupervisionState
from .models import Case, CaseEvent, DeadlinePolicy, Supervision

NOTICE_KIND = "supervision"
TIERS = (1, 2, 3, 4)
AUDIENCE_ROLES = {Audience.LEADERS: RoleCode.LEADER, Audience.DISPATCHERS: RoleCode.DISPATCHER}
_CASE_FIELDS = (
    "pk",
    "number",
    "title",
    "due_at",
    "area_path",
    "handler_id",
    "handling_unit_id",
    "handling_unit__name",
    "handling_unit__kind",
    "handling_unit__parent_id",
    "handling_unit__parent__name",
    "handling_unit__parent__kind",
)


@dataclass(frozen=True)
class SweepResult:
    """How many supervisions of each tier one sweep issued."""

    tier1: int
    tier2: int
    tier3: int = 0
    tier4: int = 0


@dataclass(frozen=True)
class Step:
    """One tier of a chain: the unit that supervises and who of it is told."""

    unit_id: int
    unit_name: str
    audience: str


@transaction.atomic
def supervision_sweep(*, now: datetime) -> SweepResult:
    """Issue every supervision (督办) due at ``now``; running it again issues nothing.

    Writes the ``Supervision`` orders, one timeline event per case (``supervise``) and notices
    to the supervisors (texted where they have a phone) and to the case's handler.
    """
    centers = _district_centers()
    issued = [_issue(now=now, tier=tier, rows=_due(now, tier, centers)) for tier in TIERS]
    return SweepResult(*issued)


def case_url(number: str) -> str:
    """The case page. Case numbers (``DC2026-000123``) are letters, digits and a hyphen, which
    ``reverse`` puts in the path as they are: the sweep reverses once and fills in each number.
    """
    return reverse("cases:case-detail", args=[number])


def chain(row: dict, centers: list[tuple[int, str, str]]) -> list[Step]:
    """The supervisors of a case, tier 1 first, from its handling unit (``_CASE_FIELDS``)."""
    steps = [Step(row["handling_unit_id"], row["handling_unit__name"], Audience.LEADERS)]
    if row["handling_unit__kind"] == UnitKind.DISTRICT_CENTER:
        return steps  # its leaders are the district's: nobody above to climb to
    parent = row["handling_unit__parent_id"]
    if parent and row["handling_unit__parent__kind"] != UnitKind.DISTRICT_CENTER:
        steps.append(Step(parent, row["handling_unit__parent__name"], Audience.LEADERS))
    center, name = _district_center_of(row["area_path"], centers)
    if center is not None:
        steps += [Step(center, name, Audience.DISPATCHERS), Step(center, name, Audience.LEADERS)]
    return steps


# --- an order's life: issued by hand, answered, closed ------------------------------------


def _chain_of(case: Case) -> list[Step]:
    unit = case.handling_unit
    parent = unit.parent
    row = {
        "handling_unit_id": unit.pk,
        "handling_unit__name": unit.name,
        "handling_unit__kind": unit.kind,
        "handling_unit__parent_id": parent.pk if parent else None,
        "handling_unit__parent__name": parent.name if parent else "",
        "handling_unit__parent__kind": parent.kind if parent else "",
        "area_path": case.area_path,
    }
    return chain(row, _district_centers())


@transaction.atomic
def supervision_issue(*, case: Case, actor: Staff, reason: str, now: datetime) -> Supervision:
    """A leader supervises a running case by hand (督办), with a reason: the order is the
    leader's unit's, at the tier that unit holds in the case's chain (1 when outside it).
    The declared action (``actions.ACTIONS["supervise"]``) checks the role and the scope."""
    reason = require_text(reason, _("督办事由"), limit=500)
    if case.due_at is None:
        raise ApplicationError(_("事项尚未受理，没有办结期限，不能督办。"))
    if actor.unit_id is None:
        raise ApplicationError(_("您没有所属单位，督办须以单位名义发出。"))
    # a leader issues as the chain's leaders' step of their unit (the district center's
    # leaders are tier 4 of a community's case, not its command desk's tier 3)
    steps = [(step.unit_id, step.audience) for step in _chain_of(case)]
    mine = (actor.unit_id, Audience.LEADERS)
    tier = steps.index(mine) + 1 if mine in steps else 1
    supervision = Supervision.objects.create(
        case=case,
        tier=tier,
        due_at=case.due_at,
        unit_id=actor.unit_id,
        audience=Audience.LEADERS,
        supervised_unit_id=case.handling_unit_id,
        issued_at=now,
        issued_by=actor,
        reason=reason,
        updated_at=now,
    )
    _timeline(supervision, EventKind.SUPERVISE, actor, now, reason)
    return supervision


def _timeline(supervision: Supervision, kind: str, actor, now: datetime, reason: str) -> None:
    CaseEvent.objects.create(
        case_id=supervision.case_id,
        kind=kind,
        actor=actor,
        unit_id=supervision.unit_id if kind == EventKind.SUPERVISE else None,
        reason=reason,
        data={"tier": supervision.tier, "supervision": supervision.pk},
        created_at=now,
    )


def may_answer(user: Staff, supervision: Supervision) -> bool:
    """The supervised unit's leaders and dispatchers, and the case's handler, answer."""
    if user.is_superuser or supervision.case.handler_id == user.pk:
        return True
    return user.unit_id == supervision.supervised_unit_id and has_role(
        user, *rules.SUPERVISION.roles("answer")
    )


def may_close(user: Staff, supervision: Supervision) -> bool:
    """Whoever issued it, or the supervising unit's people it was sent to, close it."""
    if user.is_superuser or supervision.issued_by_id == user.pk:
        return True
    return user.unit_id == supervision.unit_id and has_role(
        user, AUDIENCE_ROLES[supervision.audience], RoleCode.LEADER
    )


@transaction.atomic
def supervision_answer(
    *, supervision: Supervision, actor: Staff, answer: str, expected_version: int | None,
    now: datetime,
) -> Supervision:  # fmt: skip
    """The supervised unit answers (反馈): why the case is late and what it will do."""
    rules.SUPERVISION.check("answer", supervision.state)
    if not may_answer(actor, supervision):
        raise ForbiddenError(_("只有被督办单位的领导、指挥调度员或承办人可以反馈。"))
    answer = require_text(answer, _("反馈内容（原因与措施）"), limit=2000)
    versioned_update(
        supervision,
        expected_version=expected_version,
        now=now,
        state=SupervisionState.ANSWERED,
        answer=answer,
        answered_by=actor,
        answered_at=now,
    )
    _timeline(supervision, EventKind.SUPERVISION_ANSWER, actor, now, answer)
    return supervision


@transaction.atomic
def supervision_close(
    *, supervision: Supervision, actor: Staff, note: str, expected_version: int | None,
    now: datetime,
) -> Supervision:  # fmt: skip
    """The supervisor closes the order (办结), with a word on the answer or the outcome."""
    rules.SUPERVISION.check("close", supervision.state)
    if not may_close(actor, supervision):
        raise ForbiddenError(_("只有督办单位或督办人可以办结督办单。"))
    note = require_text(note, _("办结意见"), limit=2000)
    versioned_update(
        supervision,
        expected_version=expected_version,
        now=now,
        state=SupervisionState.CLOSED,
        close_note=note,
        closed_by=actor,
        closed_at=now,
    )
    _timeline(supervision, EventKind.SUPERVISION_CLOSE, actor, now, note)
    return supervision


# --- who is due --------------------------------------------------------------------------


def _supervisions(tier: int, **filters):
    """The sweep's supervisions of the outer case, at this tier, for its current deadline."""
    return Supervision.objects.filter(
        case=OuterRef("pk"), tier=tier, due_at=OuterRef("due_at"), issued_by=None, **filters
    )


def _delays(tier: int) -> dict[str, timedelta]:
    """How long after the previous tier each complexity climbs to ``tier``: one query."""
    field = f"tier{tier}_after_hours"
    default = DeadlinePolicy._meta.get_field(field).default
    hours = dict(DeadlinePolicy.objects.values_list("complexity", field))
    return {c: timedelta(hours=hours.get(c, default)) for c in Complexity.values}


def _due(now: datetime, tier: int, centers) -> list[dict]:
    """Overdue cases due for ``tier``: for tier 1, any with none yet for their deadline; for
    the next tiers, those whose previous tier is old enough (per complexity) and whose chain
    is long enough. One query per tier."""
    cases = Case.objects.overdue(now=now).filter(~Exists(_supervisions(tier)))
    fields = list(_CASE_FIELDS)
    if tier > 1:
        long_ago = Q()
        for complexity, delay in _delays(tier).items():
            long_ago |= Q(complexity=complexity, previous_at__lt=now - delay)
        previous = _supervisions(tier - 1).values("issued_at")[:1]
        cases = cases.annotate(previous_at=Subquery(previous)).filter(long_ago)
        fields.append("previous_at")
    rows = []
    for row in cases.values(*fields).order_by("pk"):
        steps = chain(row, centers)
        if len(steps) >= tier:
            step = steps[tier - 1]
            rows.append({**row, "target_id": step.unit_id, "target_name": step.unit_name,
                         "audience": step.audience})  # fmt: skip
    return rows


def _district_centers() -> list[tuple[int, str, str]]:
    """(id, name, division path) of the district centers: for units with no parent unit."""
    return list(
        Unit.objects.filter(kind=UnitKind.DISTRICT_CENTER, is_active=True)
        .order_by("pk")
        .values_list("pk", "name", "division__path")
    )


def _district_center_of(
    area_path: str, centers: list[tuple[int, str, str]]
) -> tuple[int | None, str]:
    for pk, name, path in centers:
        if area_path.startswith(path):
            return pk, name
    return (centers[0][0], centers[0][1]) if centers else (None, "")


# --- issuing -----------------------------------------------------------------------------


def _issue(*, now: datetime, tier: int, rows: list[dict]) -> int:
    """Write the orders, their timeline events and the notices, in bulk.

    Thousands of rows at city scale: they are written as plain rows (``insert_rows``), and
    what many rows share (a deadline's stored form, local date and event data, the moment,
    the case page's path) is worked out once.
    """
    if not rows:
        return 0
    deadlines = {row["due_at"] for row in rows}
    stored_due = {due: db_value(Supervision, "due_at", due) for due in deadlines}
    issued_at = db_value(Supervision, "issued_at", now)
    insert_rows(
        Supervision,
        ("case", "tier", "due_at", "unit", "audience", "supervised_unit", "issued_at",
         "reason", "state", "answer", "close_note", "version", "updated_at"),
        [
            (row["pk"], tier, stored_due[row["due_at"]], row["target_id"], row["audience"],
             row["handling_unit_id"], issued_at, "", SupervisionState.OPEN, "", "", 1, issued_at)
            for row in rows
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    # A sweep running at the same time may have issued some first; the unique constraint kept
    # theirs, and only the rows stamped with this run's moment are ours to announce.
    ours = set(
        Supervision.objects.filter(tier=tier, issued_at=now, issued_by=None).values_list(
            "case_id", flat=True
        )
    )
    rows = [row for row in rows if row["pk"] in ours]
    today = local_date(now)
    local_due = {due: local_date(due) for due in deadlines}
    texts = [_texts(row, tier=tier, today=today, due=local_due[row["due_at"]]) for row in rows]
    data = {
        due: db_value(CaseEvent, "data", {"tier": tier, "due_at": due.isoformat()})
        for due in deadlines
    }
    created_at = db_value(CaseEvent, "created_at", now)
    insert_rows(
        CaseEvent,
        ("case", "kind", "unit", "reason", "data", "created_at"),
        [
            (
                row["pk"],
                EventKind.SUPERVISE,
                row["target_id"],
                text["reason"],
                data[row["due_at"]],
                created_at,
            )
            for row, text in zip(rows, texts, strict=True)
        ],
    )
    told = _staff_by_unit({(row["target_id"], row["audience"]) for row in rows})
    handlers = dict(
        Staff.objects.filter(
            pk__in={row["handler_id"] for row in rows}, is_active=True
        ).values_list("pk", "phone")
    )
    head, _sep, tail = case_url("0").rpartition("0")  # one reverse() for all: see case_url
    notices = []
    for row, text in zip(rows, texts, strict=True):
        recipients = dict(told.get((row["target_id"], row["audience"]), []))
        if row["handler_id"] in handlers:  # the handler answers: told too
            recipients.setdefault(row["handler_id"], handlers[row["handler_id"]])
        url = f"{head}{row['number']}{tail}"
        notices += [
            (pk, phone, text["title"], text["body"], url) for pk, phone in recipients.items()
        ]
    notify.send_bulk(kind=NOTICE_KIND, created_at=now, notices=notices)
    return len(rows)


def _staff_by_unit(targets: set[tuple[int, str]]) -> dict[tuple[int, str], list[tuple[int, str]]]:
    """(id, phone) of the active leaders or dispatchers of these units: one query."""
    by_target: dict[tuple[int, str], list[tuple[int, str]]] = {}
    roles = {AUDIENCE_ROLES[audience] for _unit, audience in targets}
    staff = (
        Staff.objects.filter(
            unit_id__in={unit for unit, _audience in targets},
            is_active=True,
            roles__code__in=roles,
        )
        .order_by("pk")
        .values_list("pk", "unit_id", "phone", "roles__code")
    )
    for pk, unit_id, phone, role in staff:
        for audience, code in AUDIENCE_ROLES.items():
            if code == role and (unit_id, audience) in targets:
                by_target.setdefault((unit_id, audience), []).append((pk, phone))
    return by_target


TIER_NAMES = {1: _("一级督办"), 2: _("二级督办"), 3: _("三级督办"), 4: _("四级督办")}


def _texts(row: dict, *, tier: int, today: date, due: date) -> dict[str, str]:
    """Title and body of the notice, and the timeline's reason; ``due`` is the deadline's
    local date."""
    days = max(1, (today - due).days)
    values = {
        "number": row["number"],
        "days": days,
        "title": row["title"],
        "unit": row["handling_unit__name"],
        "due": f"{due:%Y-%m-%d}",
        "target": row["target_name"],
        "tier": TIER_NAMES[tier],
    }
    if tier == 1:
        return {
            "title": _("督办：%(number)s 已超期 %(days)s 天") % values,
            "body": _(
                "事项“%(title)s”由%(unit)s承办，办结期限为 %(due)s。"
                "请督促尽快办结，确需延长的请按规定申请延期；承办单位请在督办单上反馈原因与措施。"
            )
            % values,
            "reason": _("超期 %(days)s 天，向%(unit)s领导督办。") % values,
        }
    previous = local_date(row["previous_at"])
    values.update(month=previous.month, day=previous.day)
    if row["audience"] == Audience.DISPATCHERS:
        values["who"] = _("%(target)s指挥调度") % values
    elif tier == 4:
        values["who"] = _("区领导")
    else:
        values["who"] = _("%(target)s领导") % values
    return {
        "title": _("%(tier)s：%(number)s 已超期 %(days)s 天") % values,
        "body": _(
            "事项“%(title)s”由%(unit)s承办，办结期限为 %(due)s。%(month)s月%(day)s日"
            "已督办，至今仍未办结，现提请%(who)s督办。"
        )
        % values,
        "reason": _("上一级督办后仍未办结，超期 %(days)s 天，提请%(who)s督办。") % values,
    }
