"""Serializers of the patrol API: reports out, a report in, coverage out."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from pingan.orgs.models import Division

from ..choices import ReportKind
from ..models import Report


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
    text = serializers.CharField()
    is_early_sign = serializers.BooleanField(default=False)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    lon = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class CoverageQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    within = serializers.CharField(required=False, help_text="a division code; default: your area")

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError("截止日期不能早于起始日期。")
        if (attrs["end"] - attrs["start"]).days > 366:
            raise serializers.ValidationError("一次最多查询一年。")
        return attrs


class CoverageRowSerializer(serializers.Serializer):
    grid = serializers.CharField()
    patrolled_days = serializers.IntegerField()
