"""Filters above the instruction and warning lists, remembered in the URL."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import InstructionState, WarningKind
from .models import Instruction, RiskWarning


class InstructionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("open", _("未办结")), ("overdue", _("已超期")), *InstructionState.choices],
        method="filter_state",
    )
    q = django_filters.CharFilter(label=_("编号或标题"), method="filter_q")

    class Meta:
        model = Instruction
        fields = ["state", "q"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue(now=timezone.now())
        return queryset.filter(state=value)

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


class WarningFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("open", _("未解除")), ("closed", _("已解除"))],
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(label=_("预警类型"), choices=WarningKind.choices)

    class Meta:
        model = RiskWarning
        fields = ["status", "kind"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(closed_at__isnull=value == "open")
