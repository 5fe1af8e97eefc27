"""Who may see what in the evaluation (X1).

Evaluators and leaders see the subjects inside their scope of the org tree: a district
evaluator every street and every person, a street's evaluator that street and its people.
Everybody else sees only their own scores and list entries.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from pingan.orgs.access import has_role, scope_q
from pingan.orgs.choices import RoleCode

from .models import ListEntry, ManualEntry, QuarterReport, Review, Scheme, SubjectScore

OVERSEER_ROLES = (RoleCode.EVALUATOR, RoleCode.LEADER)


def is_overseer(user) -> bool:
    return has_role(user, *OVERSEER_ROLES)


def subject_filter(user, path_field: str = "subject_path", staff_field: str = "staff") -> Q:
    """Rows about subjects this user may see."""
    own = Q(**{staff_field: user.pk})
    if is_overseer(user):
        return scope_q(user, path_field) | own
    return own


def scores_visible_to(user) -> QuerySet:
    return SubjectScore.objects.filter(subject_filter(user))


def access_subject_score(pk, user) -> SubjectScore:
    try:
        return scores_visible_to(user).select_related("run__scheme", "division", "staff").get(pk=pk)
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
