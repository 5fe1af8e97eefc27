"""Input and output shapes of the collaboration API; the services do the real checks."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.cases.choices import Complexity
from pingan.cases.models import Category
from pingan.orgs.models import Division, Unit

from ..choices import OfficerKind, ResultRating, TalkMode
from ..models import (
    DutyShift,
    NamedOfficer,
    Problem,
    SafetyTalk,
    Task,
    TaskProgress,
    TaskResult,
    WhistleCall,
    WhistleSummons,
)


class DutyShiftSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center.name")
    agency = serializers.CharField(source="agency.name")
    agency_id = serializers.IntegerField()
    stationing = serializers.CharField(source="agency.stationing")

    class Meta:
        model = DutyShift
        fields = ["id", "date", "center", "agency_id", "agency", "stationing"]


class DutyShiftCreateSerializer(serializers.Serializer):
    center = serializers.IntegerField()
    agency = serializers.IntegerField(help_text=_("入驻单位（部门）"))
    date = serializers.DateField()


class RosterPlanSerializer(serializers.Serializer):
    center = serializers.IntegerField()
    month = serializers.DateField(help_text=_("任一该月日期，如 2026-12-01"))


class OfficerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="staff.name")
    unit = serializers.CharField(source="staff.unit.name", default="")
    street = serializers.CharField(source="street.code")
    street_name = serializers.CharField(source="street.name")

    class Meta:
        model = NamedOfficer
        fields = [
            "id",
            "kind",
            "name",
            "unit",
            "street",
            "street_name",
            "contact_phone",
            "starts_on",
            "ends_on",
            "note",
        ]


class OfficerCreateSerializer(serializers.Serializer):
    staff = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OfficerKind.choices)
    street = serializers.SlugRelatedField(
        slug_field="code", queryset=Division.objects.filter(level="street")
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SummonsSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name")
    officer = serializers.CharField(source="officer.staff.name", default=None, allow_null=True)

    class Meta:
        model = WhistleSummons
        fields = [
            "id",
            "unit",
            "officer",
            "state",
            "acknowledged_at",
            "reported_at",
            "report",
            "version",
        ]


class WhistleSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number")
    street = serializers.CharField(source="street.name")
    summonses = SummonsSerializer(many=True, read_only=True)

    class Meta:
        model = WhistleCall
        fields = [
            "id",
            "case",
            "street",
            "blown_at",
            "report_by",
            "reason",
            "result",
            "closed_at",
            "version",
            "summonses",
        ]


class WhistleCreateSerializer(serializers.Serializer):
    case = serializers.CharField(help_text=_("事项编号"))
    reason = serializers.CharField()
    units = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    officers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    report_hours = serializers.IntegerField(required=False, min_value=1, max_value=168)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class ReportSerializer(VersionSerializer):
    report = serializers.CharField()


class CloseSerializer(VersionSerializer):
    result = serializers.CharField()


class ResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskResult
        fields = ["rating", "summary", "evidence", "reviewed_at"]


class ProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskProgress
        fields = ["id", "kind", "note", "recorded_at"]


class TaskSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name")
    progress = ProgressSerializer(many=True, read_only=True)
    result = ResultSerializer(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "problem",
            "description",
            "owner",
            "deadline",
            "done_at",
            "version",
            "progress",
            "result",
        ]


class ProblemSerializer(serializers.ModelSerializer):
    talk = serializers.IntegerField(source="talk_id")
    case = serializers.CharField(source="case.number", default=None, allow_null=True)
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = Problem
        fields = ["id", "talk", "description", "raised_by", "case", "tasks"]


class TalkSerializer(serializers.ModelSerializer):
    street = serializers.CharField(source="street.code")
    street_name = serializers.CharField(source="street.name")

    class Meta:
        model = SafetyTalk
        fields = [
            "id",
            "mode",
            "held_on",
            "place",
            "street",
            "street_name",
            "topic",
            "district_leaders",
            "street_members",
            "resident_count",
            "summary",
        ]


class TalkDetailSerializer(TalkSerializer):
    problems = ProblemSerializer(many=True, read_only=True)
    officers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(TalkSerializer.Meta):
        fields = [*TalkSerializer.Meta.fields, "officers", "problems"]


class TalkCreateSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=TalkMode.choices)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=100)
    street = serializers.SlugRelatedField(
        slug_field="code", queryset=Division.objects.filter(level="street")
    )
    topic = serializers.CharField(max_length=100)
    district_leaders = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street_members = serializers.CharField(max_length=200, required=False, allow_blank=True)
    officers = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    resident_count = serializers.IntegerField(min_value=0, required=False, default=0)
    summary = serializers.CharField(required=False, allow_blank=True)


class ProblemCreateSerializer(serializers.Serializer):
    description = serializers.CharField()
    raised_by = serializers.CharField(max_length=60, required=False, allow_blank=True)


class TaskCreateSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), allow_null=True)
    deadline = serializers.DateField(allow_null=True)


class ProgressCreateSerializer(serializers.Serializer):
    note = serializers.CharField()


class ResultCreateSerializer(VersionSerializer):
    rating = serializers.ChoiceField(choices=ResultRating.choices)
    summary = serializers.CharField()
    evidence = serializers.CharField(allow_blank=True)


class ProblemCaseSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    grid = serializers.SlugRelatedField(
        slug_field="code", queryset=Division.objects.filter(level="grid")
    )
    complexity = serializers.ChoiceField(choices=Complexity.choices)
    applicant = serializers.CharField(max_length=60)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("含当日"))


class UnitResponseSerializer(serializers.Serializer):
    """Whistle response of one department in a period (for evaluation)."""

    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    summoned = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    pending = serializers.IntegerField()
    reported = serializers.IntegerField()
    avg_minutes = serializers.FloatField(allow_null=True)
    p90_minutes = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class StreetWhistlesSerializer(serializers.Serializer):
    """Whistle quality of one street in a period (for evaluation)."""

    street_id = serializers.IntegerField()
    street_name = serializers.CharField()
    blown = serializers.IntegerField()
    parties = serializers.IntegerField()
    on_complex_cases = serializers.IntegerField()
    with_result = serializers.IntegerField()
    all_on_time = serializers.IntegerField()
    result_share = serializers.FloatField(allow_null=True)
    complex_share = serializers.FloatField(allow_null=True)
    all_on_time_share = serializers.FloatField(allow_null=True)


class StreetListsSerializer(serializers.Serializer):
    """Four-list completion of one street's talks in a period (for evaluation)."""

    street_id = serializers.IntegerField()
    street_name = serializers.CharField()
    talks = serializers.IntegerField()
    problems = serializers.IntegerField()
    problems_to_cases = serializers.IntegerField()
    tasks = serializers.IntegerField()
    done = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
