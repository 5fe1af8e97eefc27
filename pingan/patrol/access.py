"""Scoped access to patrols and reports (X1): lists through ``visible_to``, one object through
``access_report``, which answers 404 for missing and out-of-scope alike."""

from django.db import models
from django.http import Http404

from pingan.core.security import declare_read
from pingan.orgs.access import has_role, scope_q
from pingan.orgs.choices import RoleCode

R = RoleCode
# Who may file reports and patrol: grid workers (日日格上走).
PATROL_ROLES = frozenset({R.GRID_WORKER})
# Who may read reports (they may name people, 人): the grid's worker and the dispatchers and
# leaders whose area contains the grid.
REPORT_READ_ROLES = frozenset({R.GRID_WORKER, R.DISPATCHER, R.LEADER})
# Who may read patrol coverage of a community or street.
COVERAGE_ROLES = frozenset({R.DISPATCHER, R.LEADER, R.EVALUATOR})

declare_read(
    "patrol.Report",
    [
        ([R.GRID_WORKER], "their grids'"),
        ([R.DISPATCHER, R.LEADER], "their area's"),
    ],
)
declare_read("patrol.Patrol", [(COVERAGE_ROLES, "their area's"), (PATROL_ROLES, "their own")])


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Reports in grids inside the user's scope, for users whose role may read them."""
        if not has_role(user, *REPORT_READ_ROLES):
            return self.none()
        return self.filter(scope_q(user, "area_path"))

    def early_signs(self) -> "ReportQuerySet":
        return self.filter(is_early_sign=True)

    def between(self, start, end) -> "ReportQuerySet":
        """Reported in [start, end)."""
        return self.filter(reported_at__gte=start, reported_at__lt=end)


class PatrolQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PatrolQuerySet":
        """Patrols of the user's area for the roles that read coverage; a grid worker's own."""
        if has_role(user, *COVERAGE_ROLES):
            return self.filter(scope_q(user, "grid__path"))
        if has_role(user, *PATROL_ROLES):
            return self.filter(staff=user.pk)
        return self.none()

    def open(self) -> "PatrolQuerySet":
        return self.filter(ended_at__isnull=True)


def access_report(pk, user):
    """One report by id, if the user may read it; 404 otherwise (also for a malformed id)."""
    from .models import Report

    try:
        return (
            Report.objects.visible_to(user)
            .select_related("grid__parent", "reporter", "category", "case", "patrol")
            .get(pk=pk)
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
