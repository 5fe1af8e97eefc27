"""Filters above the register, remembered in the URL."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import RegisterState, RiskLevel
from .models import KeyPerson, PersonType


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或身份证号"), method="filter_q")
    person_type = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=PersonType.objects.all(), to_field_name="code"
    )
    level = django_filters.ChoiceFilter(
        label=_("风险等级"),
        choices=[*RiskLevel.choices, ("none", _("未评级"))],
        method="filter_level",
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=RegisterState.choices, empty_label=None
    )
    due = django_filters.ChoiceFilter(
        label=_("复核"), choices=[("due", _("已到期"))], method="filter_due"
    )
    mine = django_filters.BooleanFilter(
        label=_("我负责的"), method="filter_mine", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = KeyPerson
        fields = ["q", "person_type", "level", "state", "due"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("state", RegisterState.ACTIVE)
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__contains=value)
        if len(value) == 18:
            field = KeyPerson._meta.get_field("id_number_index")
            condition |= Q(id_number_index=field.lookup_value(value.upper()))
        return queryset.filter(condition)

    def filter_level(self, queryset, name, value):
        return queryset.filter(level="" if value == "none" else value)

    def filter_due(self, queryset, name, value):
        return queryset.filter(next_review_on__lte=timezone.localdate()) if value else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(responsible=self.request.user) if value else queryset
