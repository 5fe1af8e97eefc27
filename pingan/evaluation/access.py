"""Who may use the evaluation, and one-object access (X1): 404 for what lies outside the
user's scope, 403 for a role that may not (the scope rules are in ``querysets``)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from pingan.orgs.access import has_role

from . import rules
from .models import ListEntry, ManualEntry, QuarterReport, Review, Scheme, SubjectScore
from .querysets import is_overseer, subject_filter

ENTRY_MODELS = {"manual": ManualEntry, "list": ListEntry}


def require_overseer(user) -> None:
    if not is_overseer(user):
        raise PermissionDenied


def require_evaluator(user) -> None:
    if not has_role(user, *rules.EVALUATORS):
        raise PermissionDenied


def access_subject_score(pk, user) -> SubjectScore:
    try:
        return (
            SubjectScore.objects.visible_to(user)
            .select_related("run__scheme", "division", "staff", "unit")
            .get(pk=pk)
        )
    except (SubjectScore.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _entry_model(kind: str):
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404
    return model


def access_entry(kind: str, pk, user, for_write: bool = False) -> ManualEntry | ListEntry:
    """A manual or list entry about a subject the user may see; deciding on one is for
    overseers (evaluators and leaders of centers)."""
    model = _entry_model(kind)
    if for_write:
        require_overseer(user)
    try:
        return model.objects.visible_to(user).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_evidence(kind: str, pk, user) -> ManualEntry | ListEntry:
    """An entry whose evidence file the user may read: the person (or unit head) evaluated,
    overseers whose scope holds the subject, and whoever decided on the entry."""
    model = _entry_model(kind)
    try:
        return model.objects.filter(subject_filter(user) | Q(decided_by=user.pk)).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_scheme(pk, user, for_write: bool = False) -> Scheme:
    """Schemes are public to overseers (the rules of evaluation are transparent to them) and
    written by evaluators; others reach a scheme through their own scores."""
    if for_write:
        require_evaluator(user)
    else:
        require_overseer(user)
    try:
        return Scheme.objects.select_related("previous", "created_by", "published_by").get(pk=pk)
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_review(pk, user) -> Review:
    """A review: its reviewer, or an evaluator whose scope holds the case."""
    try:
        return (
            Review.objects.visible_to(user)
            .select_related("case__category", "case__handling_unit", "plan")
            .get(pk=pk)
        )
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_report(pk, user) -> QuarterReport:
    try:
        return QuarterReport.objects.visible_to(user).select_related("division").get(pk=pk)
    except (QuarterReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
