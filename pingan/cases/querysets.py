"""Case querysets that speak the domain and apply scope (X1)."""

from django.apps import apps
from django.db import models
from django.db.models import Case as CaseWhen
from django.db.models import F, Q, Value, When

from pingan.core.security import declare_read
from pingan.orgs.access import has_role, scope_paths, scope_q
from pingan.orgs.choices import CENTER_ROLES, RoleCode

from .choices import CLOCK_STATES, OPEN_STATES, Colour

# The deadline of a case whose clock runs, NULL for every other case. Indexed as an expression
# (``case_running_due_expr_idx``) so that PostgreSQL's statistics describe the running cases'
# deadlines alone: from ``state`` and ``due_at`` separately it took 16,000 of 1,000,000 cases
# for overdue where 937 were, and walked a year of cases newest first looking for one street's
# 38 (0.55 s; 3 ms with the expression). ``overdue`` and ``due_soon`` filter on it besides
# ``state`` and ``due_at``, which SQLite's (state, due_at) index serves.
RUNNING_DUE = CaseWhen(When(state__in=CLOCK_STATES, then=F("due_at")))


# Roles whose work is the cases of an area (the center's own staff): they see those cases,
# and the cases their unit handles or joins. Anyone else (the procuratorate's talent roles,
# the auditor, prison officers, staff with no role) sees only the cases linked to them: those
# they handle in person, and the cases assisted during the rotations of the assistants whose
# records they may read (least privilege, issue 20).
AREA_ROLES = CENTER_ROLES
TALENT_ROLES = frozenset(
    {RoleCode.ASSISTANT, RoleCode.MENTOR, RoleCode.DEPARTMENT_HEAD, RoleCode.TALENT_COMMITTEE}
)


def sees_area_cases(user) -> bool:
    """Does the user see the cases of their area (not only those linked to them)?"""
    return has_role(user, *AREA_ROLES)


declare_read(
    "cases.Case",
    [
        (AREA_ROLES, "their area's, and those their unit handles or joins"),
        (TALENT_ROLES, "linked to a rotation of an assistant whose record they read"),
        (RoleCode.values, "those they handle in person"),
    ],
)


def visible_q(user, prefix: str = "") -> Q | None:
    """The condition of ``CaseQuerySet.visible_to`` on a model reached from cases through
    ``prefix`` (``"case__"`` for extensions …). ``None`` when everything is visible.
    Filtering the related rows by it joins the case once, where ``case__in=visible_to(user)``
    makes SQLite evaluate the set of every visible case first (48 ms for a district leader's
    pending extensions at 60,000)."""
    from .models import Case

    paths = scope_paths(user)
    if paths is None:
        return None
    if not user.is_authenticated:
        return Q(pk__in=[])
    if not sees_area_cases(user):
        return _linked_q(user, prefix)
    condition = scope_q(user, f"{prefix}area_path")
    if user.unit_id:
        # Joint cases through the indexed link table, not a subquery over all cases joined
        # to it: that one scanned every case on every scoped list (make bench, issue 8).
        joint = Case.joint_units.through.objects.filter(unit_id=user.unit_id)
        condition |= Q(**{f"{prefix}handling_unit": user.unit_id}) | Q(
            **{f"{prefix}pk__in": joint.values("case_id")}
        )
    return condition


def _linked_q(user, prefix: str) -> Q:
    """Cases linked to a user outside the area roles: handled by them in person, or assisted
    during a rotation of an assistant whose record they may read."""
    from .models import Case

    condition = Q(**{f"{prefix}handler": user.pk})
    if has_role(user, *TALENT_ROLES):
        readable = apps.get_model("talent", "Profile").objects.visible_to(user)
        assisted = Case.talent_rotations.through.objects.filter(rotation__profile__in=readable)
        condition |= Q(**{f"{prefix}pk__in": assisted.values("case_id")})
    return condition


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """For the area roles, cases in the user's area and those their unit handles or joins;
        for anyone else, the cases linked to them (``visible_q``)."""
        condition = visible_q(user)
        return self.all() if condition is None else self.filter(condition)

    def of_unit(self, unit_id) -> "CaseQuerySet":
        """Cases the unit handles or joins."""
        joint = self.model.joint_units.through.objects.filter(unit_id=unit_id)
        return self.filter(Q(handling_unit=unit_id) | Q(pk__in=joint.values("case_id")))

    def open(self) -> "CaseQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def running(self) -> "CaseQuerySet":
        """Cases whose deadline clock runs (accepted and not yet concluded)."""
        return self.filter(state__in=CLOCK_STATES)

    def overdue(self, *, now) -> "CaseQuerySet":
        return (
            self.running()
            .filter(due_at__lt=now)
            .alias(running_due=RUNNING_DUE)
            .filter(running_due__lt=now)
        )

    def due_soon(self, *, now) -> "CaseQuerySet":
        return (
            self.running()
            .filter(warn_at__lte=now, due_at__gte=now)
            .alias(running_due=RUNNING_DUE)
            .filter(running_due__gte=now)
        )

    def with_colour(self, *, now) -> "CaseQuerySet":
        """Annotate ``colour``: red overdue, yellow due soon, green on time, grey closed."""
        return self.annotate(
            colour=CaseWhen(
                When(~Q(state__in=CLOCK_STATES), then=Value(Colour.GREY)),
                When(due_at__lt=now, then=Value(Colour.RED)),
                When(warn_at__lte=now, then=Value(Colour.YELLOW)),
                default=Value(Colour.GREEN),
                output_field=models.CharField(),
            )
        )

    def of_colour(self, colour: str, *, now) -> "CaseQuerySet":
        if colour == Colour.RED:
            return self.overdue(now=now)
        if colour == Colour.YELLOW:
            return self.due_soon(now=now)
        if colour == Colour.GREEN:
            return self.running().filter(Q(warn_at__gt=now) | Q(warn_at__isnull=True))
        return self.exclude(state__in=CLOCK_STATES)
