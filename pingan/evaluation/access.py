"""Who may see what in the evaluation (X1).

Evaluators and leaders of centers see the subjects inside their scope of the org tree: a
district evaluator every street, every unit and every person, a street's evaluator that
street, the units sitting in it and its people. The leader of an agency (a unit evaluated as
such) is its head: they see their unit's scores and entries, not the others'. Everybody else
sees only their own scores and list entries.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from pingan.orgs.access import has_role, scope_q
from pingan.orgs.choices import RoleCode, UnitKind
from pingan.orgs.models import Unit

from .models import ListEntry, ManualEntry, QuarterReport, Review, Scheme, SubjectScore

OVERSEER_ROLES = (RoleCode.EVALUATOR, RoleCode.LEADER)
_HEADED_UNIT = "_pingan_evaluation_headed_unit"


def headed_unit(user) -> int | None:
    """The agency whose head (leader) the user is, read once per request; else ``None``."""
    if not user.is_authenticated or not user.unit_id or not has_role(user, RoleCode.LEADER):
        return None
    if not hasattr(user, _HEADED_UNIT):
        is_agency = Unit.objects.filter(pk=user.unit_id, kind=UnitKind.AGENCY).exists()
        setattr(user, _HEADED_UNIT, user.unit_id if is_agency else None)
    return getattr(user, _HEADED_UNIT)


def is_overseer(user) -> bool:
    if has_role(user, RoleCode.EVALUATOR):
        return True
    return has_role(user, RoleCode.LEADER) and headed_unit(user) is None


def subject_filter(
    user, path_field: str = "subject_path", staff_field: str = "staff", unit_field: str = "unit"
) -> Q:
    """Rows about subjects this user may see."""
    own = Q(**{staff_field: user.pk})
    unit = headed_unit(user)
    if unit is not None:
        own |= Q(**{unit_field: unit})
    if is_overseer(user):
        return scope_q(user, path_field) | own
    return own


def scores_visible_to(user) -> QuerySet:
    return SubjectScore.objects.filter(subject_filter(user))


def access_subject_score(pk, user) -> SubjectScore:
    try:
        return (
            scores_visible_to(user)
            .select_related("run__scheme", "division", "staff", "unit")
            .get(pk=pk)
        )
    except (SubjectScore.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def list_entries_visible_to(user) -> QuerySet:
    return ListEntry.objects.filter(subject_filter(user))


def manual_entries_visible_to(user) -> QuerySet:
    return ManualEntry.objects.filter(subject_filter(user))


def access_entry(model, pk, user):
    try:
        return model.objects.filter(subject_filter(user)).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_evidence(model, pk, user):
    """An entry whose evidence file the user may read: the person (or unit head) evaluated,
    overseers whose scope holds the subject, and whoever decided on the entry."""
    try:
        return model.objects.filter(subject_filter(user) | Q(decided_by=user.pk)).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_scheme(pk, user) -> Scheme:
    """Schemes are public to overseers (the rules of evaluation are transparent to them);
    others reach a scheme through their own scores."""
    try:
        return Scheme.objects.select_related("previous", "created_by", "published_by").get(pk=pk)
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_review(pk, user) -> Review:
    """A review: its reviewer, or an evaluator whose scope holds the case."""
    reviews = Review.objects.select_related("case__category", "case__handling_unit", "plan")
    if not has_role(user, RoleCode.EVALUATOR):
        reviews = reviews.filter(reviewer=user.pk)
    else:
        reviews = reviews.filter(scope_q(user, "case__area_path") | Q(reviewer=user.pk))
    try:
        return reviews.get(pk=pk)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reports_visible_to(user) -> QuerySet:
    """Reports on an area inside the user's scope (overseers only)."""
    if not is_overseer(user):
        return QuarterReport.objects.none()
    return QuarterReport.objects.filter(scope_q(user, "division__path"))


def access_report(pk, user) -> QuarterReport:
    try:
        return reports_visible_to(user).select_related("division").get(pk=pk)
    except (QuarterReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
