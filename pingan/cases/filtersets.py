"""Filters above the work queue, remembered in the URL."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.orgs.choices import FunctionAreaKind, Level

from .choices import Channel, Colour, State
from .models import Case, Category, Party

TABS = {
    "mine": _("我的事项"),
    "unit": _("本单位承办"),
    "area": _("辖区全部"),
}


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("编号、标题或描述"), method="filter_q")
    party = django_filters.CharFilter(
        label=_("当事人身份证号或电话"), max_length=20, method="filter_party"
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("open", _("未办结")), *State.choices],
        method="filter_state",
        empty_label=_("全部"),
    )
    level = django_filters.ChoiceFilter(label=_("层级"), choices=Level.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=Category.objects.order_by("sort_order"), to_field_name="code"
    )
    colour = django_filters.ChoiceFilter(
        label=_("时限"), choices=Colour.choices, method="filter_colour"
    )
    channel = django_filters.ChoiceFilter(label=_("渠道"), choices=Channel.choices)
    function_area = django_filters.ChoiceFilter(label=_("功能区"), choices=FunctionAreaKind.choices)
    registered = django_filters.DateFromToRangeFilter(
        label=_("登记日期"),
        field_name="registered_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Case
        fields = [
            "q", "party", "state", "level", "category", "colour", "channel", "function_area",
            "registered",
        ]  # fmt: skip

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(number__iexact=value) | Q(title__icontains=value) | Q(narrative__icontains=value)
        )

    def filter_party(self, queryset, name, value):
        """Cases with a party of exactly this ID number or phone, found by the blind index
        (the numbers are stored encrypted and never decrypted to search)."""
        by_id, by_phone = (
            Party._meta.get_field(name).lookup_value(value)
            for name in ("id_number_index", "phone_index")
        )
        parties = Party.objects.filter(Q(id_number_index=by_id) | Q(phone_index=by_phone))
        return queryset.filter(pk__in=parties.values("case_id"))

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        return queryset.filter(state=value)

    def filter_colour(self, queryset, name, value):
        return queryset.of_colour(value, now=timezone.now())


def apply_tab(queryset, tab: str, user):
    if tab == "mine":
        return queryset.filter(Q(handler=user) | Q(registered_by=user))
    if tab == "unit" and user.unit_id:
        return queryset.filter(handling_unit=user.unit_id)
    return queryset


class CaseApiFilter(CaseFilter):
    """The API's filters: the page's, and another system's lookup of the case it sent by its
    own reference (``?external_source=12345&external_ref=…``)."""

    external_source = django_filters.CharFilter(label=_("来源系统"), max_length=40)
    external_ref = django_filters.CharFilter(label=_("来源系统编号"), max_length=60)

    class Meta(CaseFilter.Meta):
        fields = [*CaseFilter.Meta.fields, "external_source", "external_ref"]
