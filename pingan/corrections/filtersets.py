"""Filters of the release and evidence-file lists (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from pingan.core.forms import DateInput
from pingan.orgs.models import Division

from .choices import FileState, ReleaseState, ReviewKind
from .models import EvidenceFile, Prison, Release


def _streets(request):
    """Streets the user may see; a prison sends people anywhere in the district."""
    streets = Division.objects.filter(level="street").order_by("code")
    if request is None or request.user.is_superuser or request.user.prisons.exists():
        return streets
    return streets.filter(pk__in=Division.objects.visible_to(request.user).values("pk"))


class ReleaseFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ReleaseState.choices)
    # the street's id; the schema is told, as it cannot read a queryset built per request
    street = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("街道"), queryset=lambda request: _streets(request), method="filter_street"
        )
    )
    prison = django_filters.ModelChoiceFilter(label=_("监狱"), queryset=Prison.objects.all())
    name = django_filters.CharFilter(label=_("姓名"), lookup_expr="icontains")
    released_from = django_filters.DateFilter(
        label=_("释放日期自"), field_name="release_date", lookup_expr="gte", widget=DateInput()
    )
    released_to = django_filters.DateFilter(
        label=_("释放日期至"), field_name="release_date", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = Release
        fields = ["state", "street", "prison", "name"]

    def filter_street(self, queryset, name, value):
        return queryset.filter(area_path__startswith=value.path) if value else queryset


class EvidenceFileFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("状态"), choices=FileState.choices)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ReviewKind.choices)
    prison = django_filters.ModelChoiceFilter(label=_("监狱"), queryset=Prison.objects.all())
    q = django_filters.CharFilter(label=_("案卷编号或姓名"), method="filter_q")

    class Meta:
        model = EvidenceFile
        fields = ["state", "kind", "prison", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(subject__icontains=value))
