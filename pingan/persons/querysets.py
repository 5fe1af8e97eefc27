"""Querysets of the register that speak the domain and apply scope (X1)."""

from datetime import date

from django.db import models
from django.db.models import Q

from .choices import MeasureState, RegisterState


class KeyPersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> "KeyPersonQuerySet":
        """Persons in the user's area, and those they are responsible for; nobody for roles
        that do not work with the register (see ``access.READ_ROLES``)."""
        from pingan.orgs.access import scope_paths, scope_q

        from .access import may_see_register

        if not may_see_register(user):
            return self.none()
        if scope_paths(user) is None:
            return self.all()
        return self.filter(scope_q(user, "area_path") | Q(responsible=user.pk))

    def active(self) -> "KeyPersonQuerySet":
        return self.filter(state=RegisterState.ACTIVE)

    def review_due(self, *, on: date) -> "KeyPersonQuerySet":
        return self.active().filter(next_review_on__lte=on)


class MeasureQuerySet(models.QuerySet):
    def open(self) -> "MeasureQuerySet":
        return self.filter(state=MeasureState.OPEN)

    def overdue(self, *, today: date) -> "MeasureQuerySet":
        return self.open().filter(due_on__lt=today)
