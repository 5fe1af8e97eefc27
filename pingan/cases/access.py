"""One case by number, if the user may see it; 404 otherwise (X1)."""

from django.http import Http404

from pingan.core.validators import parse_pk

from .models import Case, Supervision


def access_case(number: str, user) -> Case:
    try:
        return (
            Case.objects.visible_to(user)
            .select_related(
                "category",
                "grid",
                "handling_unit__division",
                "handler",
                "first_contact_unit",
                "registered_by",
                "repeat_of",
            )
            .get(number=number)
        )
    except Case.DoesNotExist:
        raise Http404 from None


def access_supervision(pk, user) -> Supervision:
    """One supervision order, if the user may see its case; 404 otherwise."""
    try:
        return Supervision.objects.select_related(
            "case__handling_unit",
            "case__handler",
            "unit",
            "supervised_unit",
            "issued_by",
            "answered_by",
            "closed_by",
        ).get(pk=parse_pk(pk), case__in=Case.objects.visible_to(user))
    except Supervision.DoesNotExist:
        raise Http404 from None
