"""Filters above the unit and staff tables (remembered in the URL)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AgencyType, Level, RoleCode, UnitKind
from .models import Division, Staff, Unit


def _visible_streets(request):
    if request is None:
        return Division.objects.none()
    return Division.objects.visible_to(request.user).streets().order_by("code")


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=UnitKind.choices)
    agency_type = django_filters.ChoiceFilter(label=_("部门类别"), choices=AgencyType.choices)
    street = django_filters.ModelChoiceFilter(
        label=_("街道"),
        queryset=_visible_streets,
        to_field_name="code",
        method="filter_street",
    )

    class Meta:
        model = Unit
        fields = ["q", "kind", "agency_type", "street"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    def filter_street(self, queryset, name, value):
        return queryset.filter(division__path__startswith=value.path)


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或用户名"), method="filter_q")
    role = django_filters.ChoiceFilter(
        label=_("角色"), choices=RoleCode.choices, field_name="roles__code"
    )
    street = django_filters.ModelChoiceFilter(
        label=_("街道"),
        queryset=_visible_streets,
        to_field_name="code",
        method="filter_street",
    )

    class Meta:
        model = Staff
        fields = ["q", "role", "street"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(username__icontains=value) | Q(unit__name__icontains=value)
        )

    def filter_street(self, queryset, name, value):
        return queryset.filter(unit__division__path__startswith=value.path)


class DivisionFilter(django_filters.FilterSet):
    """API filter for divisions: by level, parent code and name."""

    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级代码"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))

    class Meta:
        model = Division
        fields = ["level", "parent", "q"]
