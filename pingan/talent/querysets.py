"""Profile querysets that apply the talent scope (X1, M10)."""

from django.db import models
from django.db.models import Q

from pingan.core.security import declare_read
from pingan.orgs.access import has_role, scope_paths, scope_q
from pingan.orgs.choices import RoleCode

declare_read(
    "talent.Profile",
    [
        ([RoleCode.ASSISTANT], "their own"),
        ([RoleCode.MENTOR], "their mentees'"),
        ([RoleCode.DEPARTMENT_HEAD], "their department's"),
        ([RoleCode.TALENT_COMMITTEE], "their procuratorate's"),
    ],
)


class ProfileQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProfileQuerySet":
        """An assistant sees their own record, a mentor their mentees, a department head their
        department, the talent committee every assistant of the procuratorates in its scope."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if scope_paths(user) is None:
            return self.all()
        condition = Q(pk__in=[])
        if has_role(user, RoleCode.ASSISTANT):
            condition |= Q(staff=user)
        if has_role(user, RoleCode.MENTOR):
            condition |= Q(mentor=user)
        if has_role(user, RoleCode.DEPARTMENT_HEAD):
            condition |= Q(department__head=user)
        if has_role(user, RoleCode.TALENT_COMMITTEE):
            condition |= scope_q(user, "unit__division__path")
        return self.filter(condition)

    def in_stage(self, stage) -> "ProfileQuerySet":
        return self.filter(stage=stage)
