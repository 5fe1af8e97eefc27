"""Reads of the register: the safety index's input, work queues, the override signal."""

from collections import Counter
from datetime import date, datetime

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode

from .choices import ProposalState, RegisterState, RiskLevel
from .models import KeyPerson, Measure, RatingProposal


def high_risk_by_grid(*, at: datetime | None = None) -> dict[int, int]:
    """High-risk persons on the register per grid: ``{grid_id: count}`` (for the safety index,
    M7.1). With ``at``, as the register stood then: entries registered by that day and not yet
    left, at the last level confirmed before that moment. One query either way."""
    if at is None:
        rows = (
            KeyPerson.objects.active()
            .filter(level=RiskLevel.HIGH)
            .values("grid_id")
            .annotate(n=Count("pk"))
        )
        return {row["grid_id"]: row["n"] for row in rows}
    day = timezone.localdate(at)
    last_level = (
        RatingProposal.objects.filter(
            person=OuterRef("pk"),
            state__in=[ProposalState.CONFIRMED, ProposalState.OVERRIDDEN],
            decided_at__lte=at,
        )
        .order_by("-decided_at", "-id")
        .values("decided_level")[:1]
    )
    rows = (
        KeyPerson.objects.filter(registered_on__lte=day)
        .exclude(state=RegisterState.PURGED)
        .filter(Q(left_at__isnull=True) | Q(left_at__gt=at))
        .annotate(level_then=Subquery(last_level))
        .filter(level_then=RiskLevel.HIGH)
        .values("grid_id")
        .annotate(n=Count("pk"))
    )
    return {row["grid_id"]: row["n"] for row in rows}


def level_counts(persons) -> dict[str, int]:
    """Active persons per confirmed level ("" = not yet rated): one query."""
    rows = persons.active().values("level").annotate(n=Count("pk"))
    return {row["level"]: row["n"] for row in rows}


def pending_proposals_for(user, persons):
    """Proposals waiting for this user: for persons they are responsible for, and for a
    leader, everyone in their area."""
    proposals = RatingProposal.objects.filter(
        state=ProposalState.PENDING, person__in=persons.active()
    )
    if not (user.is_superuser or has_role(user, RoleCode.LEADER)):
        proposals = proposals.filter(person__responsible=user)
    return proposals.select_related("person__person_type", "person__grid")


def reviews_due_for(user, persons, *, on: date):
    return persons.review_due(on=on).filter(responsible=user)


def overdue_measures_for(user, *, today: date):
    return (
        Measure.objects.overdue(today=today)
        .filter(owner=user, plan__person__state=RegisterState.ACTIVE)
        .select_related("plan__person")
    )


def override_stats(scorecard) -> dict:
    """Overrides of this scorecard's proposals, per officer and per factor (a signal for the
    report): how often officers disagreed, and with which factors."""
    decided = RatingProposal.objects.filter(
        scorecard=scorecard, state__in=[ProposalState.CONFIRMED, ProposalState.OVERRIDDEN]
    )
    per_officer = list(
        decided.values("decided_by__name", "decided_by__username")
        .annotate(
            decided=Count("pk"),
            overridden=Count("pk", filter=Q(state=ProposalState.OVERRIDDEN)),
            raised=Count(
                "pk",
                filter=Q(state=ProposalState.OVERRIDDEN) & Q(decided_level=RiskLevel.HIGH),
            ),
        )
        .order_by("-overridden", "decided_by__username")
    )
    disputed: Counter[str] = Counter()
    contributing: Counter[str] = Counter()
    overridden = decided.filter(state=ProposalState.OVERRIDDEN).values_list(
        "disputed_factors", "breakdown"
    )
    for factors, breakdown in overridden:
        disputed.update(factors or [])
        contributing.update(line["key"] for line in breakdown if line.get("points"))
    labels = {f.key: f.label for f in scorecard.factors.all()}
    per_factor = [
        {
            "key": key,
            "label": labels.get(key, key),
            "disputed": disputed.get(key, 0),
            "contributing": contributing.get(key, 0),
        }
        for key in labels
    ]
    return {
        "decided": sum(row["decided"] for row in per_officer),
        "overridden": sum(row["overridden"] for row in per_officer),
        "per_officer": per_officer,
        "per_factor": per_factor,
    }
