"""Who sees what in corrections: prisons see their own, the district side sees its scope."""

from django.db import models
from django.db.models import Q

from pingan.core.security import declare_read
from pingan.orgs.access import has_role, scope_q, supervising_officer
from pingan.orgs.choices import RoleCode

# Roles on the receiving side that work with released persons (their personal data included).
RECEIVING_ROLES = (RoleCode.LEADER, RoleCode.DISPATCHER, RoleCode.OFFICER, RoleCode.GRID_WORKER)
# Of the officers, those the police or justice station read them (``supervising_officer``).
_AREA_READERS = tuple(role for role in RECEIVING_ROLES if role != RoleCode.OFFICER)

declare_read(
    "corrections.Release",
    [
        ([RoleCode.PRISON_OFFICER], "their prisons'"),
        (_AREA_READERS, "their area's"),
        ([RoleCode.OFFICER], "their area's, if of the police or justice"),
    ],
)
declare_read(
    "corrections.EvidenceFile",
    [([RoleCode.PRISON_OFFICER], "their prisons'"), ([RoleCode.AUDITOR], "all")],
)


class ReleaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReleaseQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        condition = Q(pk__in=[])
        if has_role(user, RoleCode.PRISON_OFFICER):
            condition |= Q(prison__in=user.prisons.values("pk"))
        if has_role(user, *_AREA_READERS) or supervising_officer(user):
            condition |= scope_q(user, "area_path")
        return self.filter(condition)


class EvidenceFileQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EvidenceFileQuerySet":
        """A prison's officers see its files; auditors (执法监督员) read every file."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or has_role(user, RoleCode.AUDITOR):
            return self
        if has_role(user, RoleCode.PRISON_OFFICER):
            return self.filter(prison__in=user.prisons.values("pk"))
        return self.none()
