"""Filters of the report list, kept in the URL."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.orgs.choices import Level
from pingan.orgs.models import Division

from .choices import ReportKind, ReportSource
from .models import Report

# a name matching more areas than this (a single character, say) is read as its first ones
AREA_MATCHES = 50


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ReportKind.choices)
    is_early_sign = django_filters.BooleanFilter(
        label=_("苗头隐患"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )
    source = django_filters.ChoiceFilter(label=_("来源"), choices=ReportSource.choices)
    area = django_filters.CharFilter(label=_("区域"), max_length=60, method="filter_area")
    reported = django_filters.DateFromToRangeFilter(label=_("上报日期"), field_name="reported_at")
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")

    class Meta:
        model = Report
        fields = ["kind", "is_early_sign", "source"]

    def filter_area(self, queryset, name, value):
        """A street, community or grid by its code or by a part of its name (多福巷)."""
        value = value.strip()
        if value.isdigit():
            return queryset.filter(area_path__contains=f"/{value}/")
        paths = list(
            Division.objects.filter(name__icontains=value)
            .exclude(level=Level.DISTRICT)
            .values_list("path", flat=True)[:AREA_MATCHES]
        )
        matches = Q(pk__in=[])
        for path in paths:
            matches |= Q(area_path__startswith=path)
        return queryset.filter(matches)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(text__icontains=value) | Q(address__icontains=value))
