"""Filters of the report list, kept in the URL."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ReportKind, ReportSource
from .models import Report


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ReportKind.choices)
    is_early_sign = django_filters.BooleanFilter(
        label=_("苗头隐患"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )
    source = django_filters.ChoiceFilter(label=_("来源"), choices=ReportSource.choices)
    area = django_filters.CharFilter(label=_("区划代码"), method="filter_area")
    reported = django_filters.DateFromToRangeFilter(label=_("上报日期"), field_name="reported_at")
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")

    class Meta:
        model = Report
        fields = ["kind", "is_early_sign", "source"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_path__contains=f"/{value.strip()}/")

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(text__icontains=value) | Q(address__icontains=value))
