"""Evaluation querysets that apply scope (X1).

Evaluators and leaders of centers see the subjects inside their scope of the org tree: a
district evaluator every street, every unit and every person, a street's evaluator that
street, the units sitting in it and its people. The leader of an agency (a unit evaluated as
such) is its head: they see their unit's scores and entries, not the others'. Everybody else
sees only their own scores and list entries.
"""

from django.db import models
from django.db.models import Q

from pingan.orgs.access import has_role, scope_q
from pingan.orgs.choices import RoleCode, UnitKind

_HEADED_UNIT = "_pingan_evaluation_headed_unit"


def headed_unit(user) -> int | None:
    """The agency whose head (leader) the user is, read once per request; else ``None``."""
    from pingan.orgs.models import Unit

    if not user.is_authenticated or not user.unit_id or not has_role(user, RoleCode.LEADER):
        return None
    if not hasattr(user, _HEADED_UNIT):
        is_agency = Unit.objects.filter(pk=user.unit_id, kind=UnitKind.AGENCY).exists()
        setattr(user, _HEADED_UNIT, user.unit_id if is_agency else None)
    return getattr(user, _HEADED_UNIT)


def is_overseer(user) -> bool:
    """Evaluators, and leaders who head no agency: those who oversee subjects in their scope."""
    if has_role(user, RoleCode.EVALUATOR):
        return True
    return has_role(user, RoleCode.LEADER) and headed_unit(user) is None


def own_filter(user) -> Q:
    """Rows about the user themself, and about the agency they head."""
    own = Q(staff=user.pk)
    unit = headed_unit(user)
    if unit is not None:
        own |= Q(unit=unit)
    return own


def subject_filter(user) -> Q:
    """Rows about subjects this user may see."""
    if is_overseer(user):
        return scope_q(user, "subject_path") | own_filter(user)
    return own_filter(user)


class SubjectQuerySet(models.QuerySet):
    """Scores and entries: rows about a subject (a street, a unit or a person)."""

    def visible_to(self, user) -> "SubjectQuerySet":
        return self.filter(subject_filter(user))

    def about(self, user) -> "SubjectQuerySet":
        """Rows about the user (or the agency they head), whatever else they oversee."""
        return self.filter(own_filter(user))


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReviewQuerySet":
        """A review: its reviewer's, or an evaluator's whose scope holds the case."""
        if not has_role(user, RoleCode.EVALUATOR):
            return self.filter(reviewer=user.pk)
        return self.filter(scope_q(user, "case__area_path") | Q(reviewer=user.pk))


class CorrectionItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CorrectionItemQuerySet":
        return self.filter(scope_q(user, "area_path"))


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Reports on an area inside the user's scope (overseers only)."""
        if not is_overseer(user):
            return self.none()
        return self.filter(scope_q(user, "division__path"))
