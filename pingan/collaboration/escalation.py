"""Late acknowledgements (报到超时督办, M4.2): a periodic sweep that climbs like case supervision.

Tier 1 goes to the leaders of the summoned department once a summons is past its report-by
deadline without an acknowledgement. Tier 2 goes to the leaders of the level above (the
department's parent unit, or the district center) once the tier-1 notice is older than
``PINGAN_WHISTLE_ESCALATE_AFTER_HOURS`` and the summons is still unanswered. One escalation per
summons and tier (a database constraint), so a second run issues nothing new.

Set-based: a fixed number of queries however many summonses are late.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from pingan.cases.choices import EventKind
from pingan.cases.services import case_events_record
from pingan.core import notify
from pingan.core.models import Notice
from pingan.orgs.choices import RoleCode, UnitKind
from pingan.orgs.models import Staff, Unit

from .choices import SummonsState
from .models import WhistleEscalation, WhistleSummons
from .rules import RESPONDER_ROLES
from .services import whistle_url

NOTICE_KIND = "whistle_late"


@dataclass(frozen=True)
class EscalationResult:
    tier1: int
    tier2: int


def escalate_after() -> timedelta:
    return timedelta(hours=int(getattr(settings, "PINGAN_WHISTLE_ESCALATE_AFTER_HOURS", 24)))


@transaction.atomic
def whistle_escalation_sweep(*, now: datetime) -> EscalationResult:
    """Issue every late-acknowledgement notice due at ``now``; running it again issues nothing."""
    tier1 = _issue(now=now, tier=1, rows=_tier1_due(now))
    tier2 = _issue(now=now, tier=2, rows=_tier2_due(now))
    return EscalationResult(tier1=tier1, tier2=tier2)


_FIELDS = (
    "pk",
    "call_id",
    "call__case_id",
    "call__case__number",
    "call__street__name",
    "call__report_by",
    "unit_id",
    "unit__name",
    "unit__parent_id",
    "unit__parent__name",
    "officer__staff__name",
)


def _unanswered(now: datetime):
    return WhistleSummons.objects.filter(
        state=SummonsState.SUMMONED, call__closed_at__isnull=True, call__report_by__lt=now
    )


def _escalations(tier: int, **filters):
    return WhistleEscalation.objects.filter(summons=OuterRef("pk"), tier=tier, **filters)


def _tier1_due(now: datetime) -> list[dict]:
    rows = _unanswered(now).filter(~Exists(_escalations(1))).values(*_FIELDS).order_by("pk")
    return [{**row, "target_id": row["unit_id"], "target_name": row["unit__name"]} for row in rows]


def _tier2_due(now: datetime) -> list[dict]:
    rows = list(
        _unanswered(now)
        .filter(Exists(_escalations(1, issued_at__lt=now - escalate_after())))
        .filter(~Exists(_escalations(2)))
        .values(*_FIELDS)
        .order_by("pk")
    )
    center = None
    for row in rows:
        if row["unit__parent_id"]:
            row["target_id"], row["target_name"] = row["unit__parent_id"], row["unit__parent__name"]
        else:
            if center is None:
                center = (
                    Unit.objects.filter(kind=UnitKind.DISTRICT_CENTER, is_active=True)
                    .order_by("pk")
                    .values_list("pk", "name")
                    .first()
                ) or (None, "")
            row["target_id"], row["target_name"] = center
    return [row for row in rows if row["target_id"]]


def leaders_by_unit(unit_ids: set[int]) -> dict[int, list[Staff]]:
    """Who is told about a unit's lateness: its leaders, or, in a unit without a leader on the
    system, its responders (officers, dispatchers). Two queries (staff, their roles)."""
    people = (
        Staff.objects.filter(
            unit_id__in=unit_ids,
            is_active=True,
            roles__code__in=[RoleCode.LEADER, *RESPONDER_ROLES],
        )
        .prefetch_related("roles")
        .only("pk", "unit_id", "phone")
        .order_by("pk")
        .distinct()
    )
    leaders: dict[int, list[Staff]] = {}
    others: dict[int, list[Staff]] = {}
    for person in people:
        is_leader = any(role.code == RoleCode.LEADER for role in person.roles.all())
        (leaders if is_leader else others).setdefault(person.unit_id, []).append(person)
    return {unit: leaders.get(unit) or others.get(unit, []) for unit in unit_ids}


def _issue(*, now: datetime, tier: int, rows: list[dict]) -> int:
    if not rows:
        return 0
    WhistleEscalation.objects.bulk_create(
        [
            WhistleEscalation(
                summons_id=row["pk"], tier=tier, unit_id=row["target_id"], issued_at=now
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )
    # A sweep running at the same time may have issued some first: announce only ours.
    ours = set(
        WhistleEscalation.objects.filter(tier=tier, issued_at=now).values_list(
            "summons_id", flat=True
        )
    )
    rows = [row for row in rows if row["pk"] in ours]
    texts = [_texts(row, tier=tier, now=now) for row in rows]
    case_events_record(
        kind=EventKind.WHISTLE_LATE,
        now=now,
        rows=[
            {
                "case_id": row["call__case_id"],
                "unit_id": row["target_id"],
                "reason": text["reason"],
                "data": {"whistle": row["call_id"], "summons": row["pk"], "tier": tier},
            }
            for row, text in zip(rows, texts, strict=True)
        ],
    )
    leaders = leaders_by_unit({row["target_id"] for row in rows})
    notify.send(
        [
            Notice(
                recipient=leader,
                kind=NOTICE_KIND,
                title=text["title"],
                body=text["body"],
                url=whistle_url(row["call_id"]),
                created_at=now,
            )
            for row, text in zip(rows, texts, strict=True)
            for leader in leaders.get(row["target_id"], [])
        ]
    )
    return len(rows)


def _texts(row: dict, *, tier: int, now: datetime) -> dict[str, str]:
    hours = max(1, int((now - row["call__report_by"]).total_seconds() // 3600))
    who = row["unit__name"] + (
        f"（{row['officer__staff__name']}）" if row["officer__staff__name"] else ""
    )
    facts = {
        "number": row["call__case__number"],
        "street": row["call__street__name"],
        "who": who,
        "hours": hours,
        "target": row["target_name"],
    }
    if tier == 1:
        return {
            "title": _("报到超时：%(number)s 已超时 %(hours)s 小时") % facts,
            "body": _("%(street)s就事项 %(number)s 吹哨，%(who)s至今未报到，请督促立即报到。")
            % facts,
            "reason": _("%(who)s超时 %(hours)s 小时未报到，向其单位领导督办。") % facts,
        }
    return {
        "title": _("二级督办：%(number)s 报到超时 %(hours)s 小时") % facts,
        "body": _("%(street)s就事项 %(number)s 吹哨，%(who)s督办后仍未报到，现提请%(target)s督办。")
        % facts,
        "reason": _("%(who)s督办后仍未报到，向%(target)s领导督办。") % facts,
    }


# --- overdue tasks of the four lists (督办生成落实清单, M5.2) ------------------------------------

TASK_NOTICE_KIND = "task_overdue"


@transaction.atomic
def task_overdue_sweep(*, now: datetime) -> int:
    """Supervise every task past its deadline without a result: one supervision entry on the
    implementation list (落实清单) per task and deadline, and a notice to the owner unit's
    leaders. Running it again writes nothing new. Set-based: a fixed number of queries."""
    from django.urls import reverse

    from pingan.core.calendar import local_date

    from .choices import ProgressKind
    from .models import Task, TaskProgress

    today = local_date(now)
    supervised = TaskProgress.objects.filter(
        task=OuterRef("pk"), kind=ProgressKind.SUPERVISION, deadline=OuterRef("deadline")
    )
    rows = list(
        Task.objects.overdue(today=today)
        .filter(~Exists(supervised))
        .values("pk", "deadline", "owner_id", "owner__name", "problem__talk_id", "description")
        .order_by("pk")
    )
    if not rows:
        return 0
    texts = {
        row["pk"]: _("任务已超期 %(days)s 天，督促%(owner)s加快落实。")
        % {"days": (today - row["deadline"]).days, "owner": row["owner__name"]}
        for row in rows
    }
    TaskProgress.objects.bulk_create(
        [
            TaskProgress(
                task_id=row["pk"],
                kind=ProgressKind.SUPERVISION,
                deadline=row["deadline"],
                note=texts[row["pk"]],
                recorded_at=now,
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )
    ours = set(
        TaskProgress.objects.filter(kind=ProgressKind.SUPERVISION, recorded_at=now).values_list(
            "task_id", flat=True
        )
    )
    rows = [row for row in rows if row["pk"] in ours]
    leaders = leaders_by_unit({row["owner_id"] for row in rows})
    notify.send(
        [
            Notice(
                recipient=leader,
                kind=TASK_NOTICE_KIND,
                title=_("任务超期督办：%(task)s") % {"task": row["description"][:40]},
                body=texts[row["pk"]],
                url=reverse("collaboration:talk-detail", args=[row["problem__talk_id"]])
                + f"#task-{row['pk']}",
                created_at=now,
            )
            for row in rows
            for leader in leaders.get(row["owner_id"], [])
        ]
    )
    return len(rows)
