"""Shapes of the evaluation API."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Division, Staff, Unit

from .. import sources
from ..choices import CHECKLIST, Dimension, Direction, Grade, ListKind, PlanKind, Rule, SubjectKind
from ..forms import QUARTERS
from ..models import (
    Indicator,
    IndicatorScore,
    ListEntry,
    ManualEntry,
    QuarterReport,
    Review,
    ReviewPlan,
    ScanRun,
    Scheme,
    SubjectScore,
)
from ..services import EVALUATED_UNIT_KINDS


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


# --- the inputs of the declared actions (the pages' forms take the same fields) ----------------


class SchemeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.ChoiceField(choices=QUARTERS, help_text="0: the whole year")
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    role = serializers.ChoiceField(
        choices=RoleCode.choices, required=False, allow_blank=True, default=""
    )


class IndicatorInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="the scheme's edit_version")
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=60)
    source = serializers.ChoiceField(choices=())
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    direction = serializers.ChoiceField(choices=Direction.choices)
    rule = serializers.ChoiceField(choices=Rule.choices)
    target = serializers.DecimalField(
        max_digits=12, decimal_places=4, required=False, allow_null=True
    )
    bands = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        required=False,
        help_text="[[threshold, share of the points], …]",
    )
    points_per_event = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    sort_order = serializers.IntegerField(min_value=0, required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sources.source_choices()


class WeightsSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="the scheme's edit_version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Dimension.choices:
            self.fields[code] = serializers.DecimalField(
                max_digits=None, decimal_places=2, min_value=0, max_value=100, label=label
            )


class ReviseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class SubjectSerializer(serializers.Serializer):
    """A subject: a street (by code), an agency (by id) or a member of staff (by username)."""

    street = serializers.SlugRelatedField(
        slug_field="code", queryset=Division.objects.streets(), required=False, allow_null=True
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind__in=EVALUATED_UNIT_KINDS, is_active=True),
        required=False,
        allow_null=True,
    )
    username = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only subjects in the caller's scope, as the page offers them.
            self.fields["street"].queryset = Division.objects.visible_to(request.user).streets()
            self.fields["unit"].queryset = Unit.objects.visible_to(request.user).filter(
                kind__in=EVALUATED_UNIT_KINDS, is_active=True
            )

    def validate(self, attrs):
        username = (attrs.get("username") or "").strip()
        attrs["staff"] = None
        if username:
            attrs["staff"] = Staff.objects.filter(username=username).first()
            if attrs["staff"] is None:
                raise serializers.ValidationError({"username": _("没有这个用户名。")})
        return attrs


class ManualEntryInputSerializer(SubjectSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.ChoiceField(choices=QUARTERS)
    indicator_code = serializers.SlugField()
    value = serializers.DecimalField(max_digits=10, decimal_places=2)
    evidence = serializers.CharField()
    evidence_file = serializers.FileField(required=False)


class ListEntryInputSerializer(SubjectSerializer):
    kind = serializers.ChoiceField(choices=ListKind.choices)
    title = serializers.CharField(max_length=120)
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    occurred_on = serializers.DateField()
    evidence = serializers.CharField()
    evidence_file = serializers.FileField(required=False)


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true approves, false returns the entry")
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewPlanInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    start = serializers.DateField()
    end = serializers.DateField()
    sample_rate = serializers.FloatField(
        min_value=0.001, max_value=1, required=False, allow_null=True
    )
    seed = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class ReviewSubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    note = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CHECKLIST:
            self.fields[f"check_{code}"] = serializers.BooleanField(required=False, label=label)


# --- what the API answers about entries, plans and reviews ------------------------------------


class EntrySerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    staff = serializers.SlugRelatedField(slug_field="username", read_only=True)
    entered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        fields = [
            "id",
            "division",
            "unit",
            "staff",
            "state",
            "evidence",
            "entered_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class ManualEntrySerializer(EntrySerializer):
    class Meta(EntrySerializer.Meta):
        model = ManualEntry
        fields = ["year", "quarter", "indicator_code", "value", *EntrySerializer.Meta.fields]
        read_only_fields = fields


class ListEntrySerializer(EntrySerializer):
    class Meta(EntrySerializer.Meta):
        model = ListEntry
        fields = ["kind", "title", "points", "occurred_on", "case", *EntrySerializer.Meta.fields]
        read_only_fields = fields


class ReviewPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewPlan
        fields = ["id", "name", "kind", "start", "end", "sample_rate", "seed", "case_count"]
        read_only_fields = fields


class CaseReviewSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="number", read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "plan",
            "case",
            "reviewer",
            "state",
            "checklist",
            "grade",
            "note",
            "reviewed_at",
            "version",
        ]
        read_only_fields = fields


class ScanRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanRun
        fields = ["id", "started_at", "opened", "resolved"]
        read_only_fields = fields
