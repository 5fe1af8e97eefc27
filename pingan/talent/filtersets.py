"""Filters above the cohort overview, remembered in the URL."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Cohort, Department, Profile, Stage


class ProfileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名"), method="filter_q")
    stage = django_filters.ModelChoiceFilter(
        label=_("阶段"), queryset=Stage.objects.order_by("order"), to_field_name="code"
    )
    cohort = django_filters.ModelChoiceFilter(label=_("培养批次"), queryset=Cohort.objects.all())
    department = django_filters.ModelChoiceFilter(
        label=_("部门"), queryset=Department.objects.filter(is_business=True)
    )

    class Meta:
        model = Profile
        fields = ["q", "stage", "cohort", "department"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(staff__name__icontains=value) | Q(staff__username=value))
