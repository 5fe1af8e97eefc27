"""Shapes of the evaluation API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ..models import Indicator, IndicatorScore, QuarterReport, Scheme, SubjectScore


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "dimension",
            "code",
            "name",
            "weight",
            "direction",
            "rule",
            "target",
            "bands",
            "points_per_event",
            "source",
            "sort_order",
        ]


class SchemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scheme
        fields = [
            "id",
            "name",
            "year",
            "quarter",
            "subject_kind",
            "role",
            "version",
            "state",
            "dimension_weights",
            "previous",
            "revision_reason",
            "published_at",
        ]


class SchemeDetailSerializer(SchemeSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta(SchemeSerializer.Meta):
        fields = [*SchemeSerializer.Meta.fields, "indicators"]


class IndicatorScoreSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    name = serializers.CharField(source="indicator.name", read_only=True)
    dimension = serializers.CharField(source="indicator.dimension", read_only=True)

    class Meta:
        model = IndicatorScore
        fields = [
            "id",
            "indicator",
            "name",
            "dimension",
            "value",
            "numerator",
            "denominator",
            "points",
        ]


class SubjectScoreSerializer(serializers.ModelSerializer):
    scheme = serializers.IntegerField(source="run.scheme_id", read_only=True)
    computed_at = serializers.DateTimeField(source="run.computed_at", read_only=True)
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.PrimaryKeyRelatedField(read_only=True)
    staff = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SubjectScore
        fields = [
            "id",
            "scheme",
            "run",
            "computed_at",
            "subject_name",
            "division",
            "unit",
            "staff",
            "function_points",
            "efficacy_points",
            "building_points",
            "overall_points",
            "total",
            "rank",
        ]


class SubjectScoreDetailSerializer(SubjectScoreSerializer):
    items = IndicatorScoreSerializer(many=True, read_only=True)

    class Meta(SubjectScoreSerializer.Meta):
        fields = [*SubjectScoreSerializer.Meta.fields, "items"]


@extend_schema_serializer(component_name="QuarterReport")
class ReportSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(source="division", slug_field="code", read_only=True)
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = QuarterReport
        fields = ["id", "year", "quarter", "area", "generated_at", "pdf_url", "xlsx_url", "data"]

    def get_pdf_url(self, report) -> str:
        return f"/evaluation/reports/{report.pk}/file.pdf" if report.pdf else ""

    def get_xlsx_url(self, report) -> str:
        return f"/evaluation/reports/{report.pk}/file.xlsx" if report.xlsx else ""


class ReportRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    area = serializers.CharField(max_length=32, help_text="division code (district or street)")
