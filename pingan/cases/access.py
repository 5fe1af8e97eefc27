"""One case by number, if the user may see it; 404 otherwise (X1)."""

from django.http import Http404

from .models import Case


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
