"""Filters of the collaboration lists, remembered in the URL."""

import django_filters
from django.utils.translation import gettext_lazy as _

from pingan.orgs.models import Division

from .access import streets_for
from .choices import OfficerKind
from .models import NamedOfficer


class OfficerFilter(django_filters.FilterSet):
    street = django_filters.ModelChoiceFilter(
        queryset=lambda request: streets_for(request.user) if request else Division.objects.none(),
        label=_("对接街道"),
    )
    kind = django_filters.ChoiceFilter(choices=OfficerKind.choices, label=_("类别"))
    q = django_filters.CharFilter(
        field_name="staff__name", lookup_expr="icontains", label=_("姓名")
    )

    class Meta:
        model = NamedOfficer
        fields = ["street", "kind", "q"]
