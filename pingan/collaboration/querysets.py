"""Collaboration querysets that speak the domain and apply scope (X1)."""

from datetime import date, datetime

from django.db import models
from django.db.models import Q

from pingan.orgs.access import scope_paths, scope_q


def _own_or_area(user, area_field: str, own: Q) -> Q | None:
    """The user's area, or what is theirs by unit or name; ``None`` means everything."""
    if scope_paths(user) is None:
        return None
    if not user.is_authenticated:
        return Q(pk__in=[])
    return scope_q(user, area_field) | own


class DutyShiftQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DutyShiftQuerySet":
        """Shifts at centers the user can see, and their own unit's shifts."""
        from pingan.orgs.models import Unit

        centers = Unit.objects.visible_to(user).values("pk")
        return self.filter(Q(center__in=centers) | Q(agency=user.unit_id or 0))

    def on(self, day: date) -> "DutyShiftQuerySet":
        return self.filter(date=day)


class NamedOfficerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NamedOfficerQuerySet":
        """Officers assigned to streets in the user's area, their own unit's, and themself."""
        condition = _own_or_area(
            user, "street__path", Q(staff=user.pk) | Q(staff__unit=user.unit_id or 0)
        )
        return self if condition is None else self.filter(condition)

    def active_on(self, day: date) -> "NamedOfficerQuerySet":
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class WhistleCallQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WhistleCallQuerySet":
        """Whistles blown in the user's area, and those that summoned them or their unit."""
        from .models import WhistleSummons

        if scope_paths(user) is None:
            return self
        summoned = WhistleSummons.objects.filter(
            Q(unit=user.unit_id or 0) | Q(officer__staff=user.pk)
        ).values("call_id")
        condition = _own_or_area(user, "area_path", Q(pk__in=summoned))
        return self.filter(condition)

    def blown_between(self, start: datetime, end: datetime) -> "WhistleCallQuerySet":
        return self.filter(blown_at__gte=start, blown_at__lt=end)


class WhistleSummonsQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WhistleSummonsQuerySet":
        """Summonses of whistles in the user's area, and those addressed to them or their unit."""
        condition = _own_or_area(
            user, "call__area_path", Q(unit=user.unit_id or 0) | Q(officer__staff=user.pk)
        )
        return self if condition is None else self.filter(condition)

    def addressed_to(self, user) -> "WhistleSummonsQuerySet":
        """What this user must answer: summonses naming them, or their unit without a name."""
        return self.filter(
            Q(officer__staff=user.pk) | Q(officer__isnull=True, unit=user.unit_id or 0)
        )

    def pending(self) -> "WhistleSummonsQuerySet":
        from .choices import SummonsState

        return self.filter(state=SummonsState.SUMMONED)

    def late(self, *, now: datetime) -> "WhistleSummonsQuerySet":
        """Acknowledged after the deadline, or still not acknowledged past it."""
        return self.filter(
            Q(acknowledged_at__gt=models.F("call__report_by"))
            | Q(acknowledged_at__isnull=True, call__report_by__lt=now)
        )


class SafetyTalkQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SafetyTalkQuerySet":
        """Talks in the user's area, and those their named officers took part in."""
        condition = _own_or_area(
            user,
            "area_path",
            Q(officers__staff=user.pk) | Q(officers__staff__unit=user.unit_id or 0),
        )
        if condition is None:
            return self
        return self.filter(pk__in=self.filter(condition).values("pk"))


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProblemQuerySet":
        from .models import SafetyTalk

        if scope_paths(user) is None:
            return self
        return self.filter(talk__in=SafetyTalk.objects.visible_to(user).values("pk"))


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TaskQuerySet":
        """Tasks of talks the user can see, and tasks their unit owns."""
        from .models import SafetyTalk

        if scope_paths(user) is None:
            return self
        return self.filter(
            Q(problem__talk__in=SafetyTalk.objects.visible_to(user).values("pk"))
            | Q(owner=user.unit_id or 0)
        )

    def overdue(self, *, today: date) -> "TaskQuerySet":
        return self.filter(done_at__isnull=True, deadline__lt=today)
