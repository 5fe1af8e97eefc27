"""Serializers of the patrol API: reports and patrols out; a report, a patrol's start and end,
and a report's case in; coverage out."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from pingan.cases.choices import Complexity, Urgency
from pingan.cases.models import Category
from pingan.core.validators import validate_phone
from pingan.orgs.models import Division

from ..choices import CheckItem, ReportKind
from ..models import Patrol, Report


@extend_schema_serializer(component_name="PatrolReport")
class ReportSerializer(serializers.ModelSerializer):
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    reporter = serializers.CharField(source="reporter.username", default=None, read_only=True)
    case = serializers.CharField(source="case.number", default=None, read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id", "grid", "grid_name", "kind", "kind_display", "is_early_sign", "text",
            "address", "reported_at", "reporter", "source", "lon", "lat", "position_source",
            "has_photo", "case",
        ]  # fmt: skip

    def get_has_photo(self, report: Report) -> bool:
        return bool(report.photo)


class ReportCreateSerializer(serializers.Serializer):
    """A report from the grid; ``lon``/``lat`` from the phone, or both left out."""

    grid = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.grids())
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    text = serializers.CharField(min_length=5, max_length=2000)
    is_early_sign = serializers.BooleanField(default=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class CoverageQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    within = serializers.CharField(required=False, help_text="a division code; default: your area")

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError(_("截止日期不能早于起始日期。"))
        if (attrs["end"] - attrs["start"]).days > 366:
            raise serializers.ValidationError(_("一次最多查询一年。"))
        return attrs


class CoverageRowSerializer(serializers.Serializer):
    grid = serializers.CharField()
    patrolled_days = serializers.IntegerField()


class PatrolSerializer(serializers.ModelSerializer):
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = Patrol
        fields = ["id", "grid", "grid_name", "day", "started_at", "ended_at", "checked", "note"]


class PatrolStartSerializer(serializers.Serializer):
    grid = serializers.CharField(max_length=32, help_text="the code of one of the caller's grids")


class PatrolEndSerializer(serializers.Serializer):
    checked = serializers.MultipleChoiceField(choices=CheckItem.choices, allow_empty=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_checked(self, value) -> list[str]:
        return sorted(value)


class ReportToCaseSerializer(serializers.Serializer):
    """The case intake, as the report-to-case page asks it."""

    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    complexity = serializers.ChoiceField(choices=Complexity.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    title = serializers.CharField(max_length=80)
    narrative = serializers.CharField(min_length=10, max_length=10000)
    applicant_name = serializers.CharField(max_length=60)
    applicant_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )

    def validate_applicant_phone(self, value: str) -> str:
        if value:
            try:
                validate_phone(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from error
        return value
