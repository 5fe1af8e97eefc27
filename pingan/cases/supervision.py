"""Supervision of overdue cases (督办, M2.3): a periodic sweep that climbs to higher leaders.

Tier 1 goes to the leaders of the handling unit as soon as a case is overdue. Tier 2 goes to
the leaders of the next level's unit once the tier-1 notice is older than the case's
``DeadlinePolicy.escalate_after_hours`` and the case is still overdue. A supervision is unique
per case, tier and deadline, so a second run issues nothing new, and an approved extension (a
new deadline) starts the climb again from tier 1.

The sweep is set-based: a fixed number of queries however many cases are overdue.
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
from pingan.orgs.choices import RoleCode, UnitKind
from pingan.orgs.models import Staff, Unit

from .choices import Complexity, EventKind
from .models import Case, CaseEvent, DeadlinePolicy, Supervision

NOTICE_KIND = "supervision"
_CASE_FIELDS = (
    "pk",
    "number",
    "title",
    "due_at",
    "area_path",
    "handling_unit_id",
    "handling_unit__name",
)


@dataclass(frozen=True)
class SweepResult:
    """How many supervisions of each tier one sweep issued."""

    tier1: int
    tier2: int


@transaction.atomic
def supervision_sweep(*, now: datetime) -> SweepResult:
    """Issue every supervision notice (督办) due at ``now``; running it again issues nothing.

    Writes the ``Supervision`` rows, one timeline event per case (``supervise``) and notices to
    the leaders of the supervised unit, who are also texted where they have a phone.
    """
    tier1 = _issue(now=now, tier=1, rows=_tier1_due(now))
    tier2 = _issue(now=now, tier=2, rows=_tier2_due(now))
    return SweepResult(tier1=tier1, tier2=tier2)


def case_url(number: str) -> str:
    """The case page. Case numbers (``DC2026-000123``) are letters, digits and a hyphen, which
    ``reverse`` puts in the path as they are: the sweep reverses once and fills in each number.
    """
    return reverse("cases:case-detail", args=[number])


# --- who is due --------------------------------------------------------------------------


def _supervisions(tier: int, **filters):
    """Supervisions of the outer case, at this tier, for the case's current deadline."""
    return Supervision.objects.filter(
        case=OuterRef("pk"), tier=tier, due_at=OuterRef("due_at"), **filters
    )


def _tier1_due(now: datetime) -> list[dict]:
    """Overdue cases with no tier-1 supervision for their current deadline: one query."""
    rows = (
        Case.objects.overdue(now=now)
        .filter(~Exists(_supervisions(1)))
        .values(*_CASE_FIELDS)
        .order_by("pk")
    )
    return [
        {**row, "target_id": row["handling_unit_id"], "target_name": row["handling_unit__name"]}
        for row in rows
    ]


def _escalation_delays() -> dict[str, timedelta]:
    """How long after tier 1 each complexity climbs to tier 2: one query."""
    default = DeadlinePolicy._meta.get_field("escalate_after_hours").default
    hours = dict(DeadlinePolicy.objects.values_list("complexity", "escalate_after_hours"))
    return {c: timedelta(hours=hours.get(c, default)) for c in Complexity.values}


def _tier2_due(now: datetime) -> list[dict]:
    """Still-overdue cases whose tier-1 notice is old enough and that have no tier 2 yet.

    A case has one tier-1 supervision per deadline at most (the unique constraint): its
    moment, read once, tells whether the case's complexity's delay has passed.
    """
    first_long_ago = Q()
    for complexity, delay in _escalation_delays().items():
        first_long_ago |= Q(complexity=complexity, first_issued_at__lt=now - delay)
    rows = list(
        Case.objects.overdue(now=now)
        .annotate(first_issued_at=Subquery(_supervisions(1).values("issued_at")[:1]))
        .filter(first_long_ago)
        .filter(~Exists(_supervisions(2)))
        .values(
            *_CASE_FIELDS,
            "handling_unit__kind",
            "handling_unit__parent_id",
            "handling_unit__parent__name",
            "first_issued_at",
        )
        .order_by("pk")
    )
    centers: list[tuple[int, str, str]] | None = None
    for row in rows:
        if row["handling_unit__kind"] == UnitKind.DISTRICT_CENTER:
            # nothing above the district center: its own leaders are reminded again
            row["target_id"] = row["handling_unit_id"]
            row["target_name"] = row["handling_unit__name"]
        elif row["handling_unit__parent_id"]:
            # community committee → street center → district center; agency → parent agency
            row["target_id"] = row["handling_unit__parent_id"]
            row["target_name"] = row["handling_unit__parent__name"]
        else:
            centers = _district_centers() if centers is None else centers
            row["target_id"], row["target_name"] = _district_center_of(row["area_path"], centers)
    return [row for row in rows if row["target_id"]]


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
    """Write the supervisions, their timeline events and the leaders' notices, in bulk.

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
        ("case", "tier", "due_at", "unit", "issued_at"),
        [(row["pk"], tier, stored_due[row["due_at"]], row["target_id"], issued_at) for row in rows],
        ignore_conflicts=True,
    )
    # A sweep running at the same time may have issued some first; the unique constraint kept
    # theirs, and only the rows stamped with this run's moment are ours to announce.
    ours = set(
        Supervision.objects.filter(tier=tier, issued_at=now).values_list("case_id", flat=True)
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
    leaders = _leaders_by_unit({row["target_id"] for row in rows})
    head, _sep, tail = case_url("0").rpartition("0")  # one reverse() for all: see case_url
    notify.send_bulk(
        kind=NOTICE_KIND,
        created_at=now,
        notices=[
            (leader, phone, text["title"], text["body"], f"{head}{row['number']}{tail}")
            for row, text in zip(rows, texts, strict=True)
            for leader, phone in leaders.get(row["target_id"], [])
        ],
    )
    return len(rows)


def _leaders_by_unit(unit_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """(id, phone) of the active leaders of these units: one query, phones for the SMS."""
    by_unit: dict[int, list[tuple[int, str]]] = {}
    leaders = (
        Staff.objects.filter(unit_id__in=unit_ids, is_active=True, roles__code=RoleCode.LEADER)
        .order_by("pk")
        .values_list("pk", "unit_id", "phone")
    )
    for pk, unit_id, phone in leaders:
        by_unit.setdefault(unit_id, []).append((pk, phone))
    return by_unit


def _texts(row: dict, *, tier: int, today: date, due: date) -> dict[str, str]:
    """Title and body of the leaders' notice, and the timeline's reason; ``due`` is the
    deadline's local date."""
    days = max(1, (today - due).days)
    number, title, unit = row["number"], row["title"], row["handling_unit__name"]
    if tier == 1:
        values = {
            "number": number,
            "days": days,
            "title": title,
            "unit": unit,
            "due": f"{due:%Y-%m-%d}",
        }
        return {
            "title": _("督办：%(number)s 已超期 %(days)s 天") % values,
            "body": _(
                "事项“%(title)s”由%(unit)s承办，办结期限为 %(due)s。"
                "请督促尽快办结，确需延长的请按规定申请延期。"
            )
            % values,
            "reason": _("超期 %(days)s 天，向%(unit)s领导督办。") % values,
        }
    first = local_date(row["first_issued_at"])
    values = {
        "number": number,
        "days": days,
        "title": title,
        "unit": unit,
        "due": f"{due:%Y-%m-%d}",
        "month": first.month,
        "day": first.day,
        "target": row["target_name"],
    }
    return {
        "title": _("二级督办：%(number)s 已超期 %(days)s 天") % values,
        "body": _(
            "事项“%(title)s”由%(unit)s承办，办结期限为 %(due)s。%(month)s月%(day)s日"
            "已向该单位领导督办，至今仍未办结，现提请%(target)s督办。"
        )
        % values,
        "reason": _("首次督办后仍未办结，超期 %(days)s 天，向%(target)s领导督办。") % values,
    }
