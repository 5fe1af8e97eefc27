"""Risk querysets that speak the domain and apply scope (X1)."""

from datetime import datetime

from django.db import models
from django.db.models import Q

from pingan.core.security import declare_read
from pingan.orgs.access import has_role, scope_paths, scope_q
from pingan.orgs.choices import RoleCode

from .choices import OPEN_INSTRUCTION_STATES

# Roles that may open the risk map, index pages and warnings.
MONITOR_ROLES = (RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.EVALUATOR, RoleCode.ADMINISTRATOR)

declare_read("risk.RiskWarning", [(MONITOR_ROLES, "their area's")])


class SnapshotQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SnapshotQuerySet":
        return self.filter(scope_q(user, "path"))

    def at(self, window_end: datetime) -> "SnapshotQuerySet":
        return self.filter(window_end=window_end)


class WarningQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WarningQuerySet":
        """Warnings of the user's area, for the roles that monitor risk."""
        if not has_role(user, *MONITOR_ROLES):
            return self.none()
        return self.filter(scope_q(user, "path"))

    def open(self) -> "WarningQuerySet":
        return self.filter(closed_at__isnull=True)


class InstructionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InstructionQuerySet":
        """Instructions for grids in the user's area, and those addressed to their unit."""
        if scope_paths(user) is None:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = scope_q(user, "path")
        if user.unit_id:
            condition |= Q(unit=user.unit_id)
        return self.filter(condition)

    def open(self) -> "InstructionQuerySet":
        return self.filter(state__in=OPEN_INSTRUCTION_STATES)

    def overdue(self, *, now: datetime) -> "InstructionQuerySet":
        return self.open().filter(due_at__lt=now)
