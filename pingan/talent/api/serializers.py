"""Input and output shapes of the talent API; the services do the real checks."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.orgs.models import Staff

from ..choices import (
    ActivityKind,
    HonourLevel,
    OutcomeKind,
    PointState,
    RecordState,
    TransferState,
    TransferTrack,
)
from ..models import (
    Department,
    Milestone,
    PointEntry,
    Profile,
    Rotation,
    Stage,
    Transformation,
)


class ProfileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="staff.name", read_only=True)
    username = serializers.CharField(source="staff.username", read_only=True)
    stage = serializers.CharField(source="stage.code", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    cohort = serializers.CharField(source="cohort.name", read_only=True)
    mentor = serializers.CharField(source="mentor.name", default=None, read_only=True)
    points_total = serializers.DecimalField(max_digits=9, decimal_places=1, read_only=True)
    points_pending = serializers.DecimalField(max_digits=9, decimal_places=1, read_only=True)
    study_done = serializers.IntegerField(read_only=True)
    milestones_done = serializers.IntegerField(read_only=True)
    rank = serializers.IntegerField(read_only=True, allow_null=True)
    ready = serializers.BooleanField(read_only=True)

    class Meta:
        model = Profile
        fields = [
            "id",
            "name",
            "username",
            "stage",
            "stage_name",
            "stage_entered_on",
            "department",
            "cohort",
            "mentor",
            "points_total",
            "points_pending",
            "study_done",
            "milestones_done",
            "rank",
            "ready",
            "version",
        ]


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()
    required = serializers.CharField()
    met = serializers.BooleanField()


class ReadinessSerializer(serializers.Serializer):
    stage = serializers.CharField()
    next_stage = serializers.CharField(allow_null=True)
    ready = serializers.BooleanField()
    criteria = CriterionSerializer(many=True)


class CellSerializer(serializers.Serializer):
    stage = serializers.CharField()
    transformation = serializers.CharField()
    state = serializers.CharField()
    milestones_confirmed = serializers.IntegerField()
    milestones_total = serializers.IntegerField()
    study_confirmed = serializers.IntegerField()
    study_total = serializers.IntegerField()
    activities = serializers.IntegerField()


class StudySerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    track = serializers.CharField()
    state = serializers.ChoiceField(
        choices=[("missing", _("未完成")), *RecordState.choices], allow_null=True
    )
    completed_on = serializers.DateField(allow_null=True)


class MilestoneStateSerializer(serializers.Serializer):
    """A milestone of a stage the assistant has reached: its id is what the milestone and
    milestone-confirm operations take."""

    id = serializers.IntegerField()
    transformation = serializers.CharField()
    name = serializers.CharField()
    state = serializers.ChoiceField(
        choices=[("missing", _("未录入")), *RecordState.choices], allow_null=True
    )
    completed_on = serializers.DateField(allow_null=True)


class RotationSerializer(serializers.ModelSerializer):
    """A rotation: its id is what the rotation-case and rotation-entered operations take."""

    department = serializers.CharField(source="department.name", read_only=True)
    cases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = Rotation
        fields = [
            "id",
            "department",
            "starts_on",
            "ends_on",
            "required_cases",
            "entered_cases",
            "cases",
        ]


class ProfileDetailSerializer(ProfileSerializer):
    readiness = ReadinessSerializer(read_only=True)
    matrix = CellSerializer(many=True, read_only=True)
    study = StudySerializer(many=True, read_only=True)
    milestones = MilestoneStateSerializer(many=True, read_only=True)
    rotations = RotationSerializer(many=True, read_only=True)

    class Meta(ProfileSerializer.Meta):
        fields = [
            *ProfileSerializer.Meta.fields,
            "readiness",
            "matrix",
            "study",
            "milestones",
            "rotations",
        ]


class LedgerEntrySerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.code", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.__str__", read_only=True)
    approver = serializers.CharField(source="approver.__str__", default=None, read_only=True)
    running_total = serializers.DecimalField(max_digits=9, decimal_places=1, read_only=True)
    state = serializers.ChoiceField(choices=PointState.choices, read_only=True)

    class Meta:
        model = PointEntry
        fields = [
            "id",
            "occurred_on",
            "rule",
            "rule_name",
            "points",
            "evidence",
            "state",
            "submitted_by",
            "approver",
            "decided_at",
            "decision_note",
            "running_total",
        ]


# --- the input of each declared action (talent.actions): the page's form takes the same fields


class StudyInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=16, help_text=_("必研必学目录中的编号，如 Z01"))
    completed_on = serializers.DateField()
    evidence = serializers.CharField(max_length=2000)


class StudyConfirmSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=16)


class MilestoneInputSerializer(serializers.Serializer):
    milestone = serializers.PrimaryKeyRelatedField(queryset=Milestone.objects.all())
    completed_on = serializers.DateField()
    evidence = serializers.CharField(max_length=2000)


class MilestoneConfirmSerializer(serializers.Serializer):
    milestone = serializers.IntegerField(min_value=1, help_text=_("转化节点的编号"))


class PointsInputSerializer(serializers.Serializer):
    rule = serializers.CharField(max_length=32, allow_blank=True)
    evidence = serializers.CharField(max_length=2000, allow_blank=True)
    occurred_on = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1, max_value=50, default=1)


class PointsDecideSerializer(serializers.Serializer):
    entry = serializers.IntegerField(min_value=1)
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ActivityInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=100)
    occurred_on = serializers.DateField()
    level = serializers.ChoiceField(choices=HonourLevel.choices)
    result = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    transformation = serializers.PrimaryKeyRelatedField(
        queryset=Transformation.objects.all(), required=False, allow_null=True, default=None
    )
    evidence = serializers.CharField(max_length=2000)


class RotationInputSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    required_cases = serializers.IntegerField(min_value=0, max_value=500)


class RotationCaseSerializer(serializers.Serializer):
    rotation = serializers.IntegerField(min_value=1)
    case_number = serializers.CharField(max_length=20)


class RotationEnteredSerializer(serializers.Serializer):
    rotation = serializers.IntegerField(min_value=1)
    count = serializers.IntegerField(min_value=0, max_value=500)
    reason = serializers.CharField(max_length=200)


class StageInputSerializer(serializers.Serializer):
    to_stage = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Stage.objects.all(),
        help_text=_("阶段代码：intermediate、senior"),
        error_messages={"does_not_exist": _("没有这个培养阶段。")},
    )
    reason = serializers.CharField(max_length=2000)
    override_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    changed_on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class MentorInputSerializer(serializers.Serializer):
    mentor = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.filter(is_active=True))
    reason = serializers.CharField(max_length=200)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class TransferInputSerializer(serializers.Serializer):
    track = serializers.ChoiceField(choices=TransferTrack.choices)
    state = serializers.ChoiceField(choices=TransferState.choices)
    decided_on = serializers.DateField()
    note = serializers.CharField(max_length=200)


class OutcomeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    level = serializers.ChoiceField(choices=HonourLevel.choices)
    title = serializers.CharField(max_length=100)
    awarded_on = serializers.DateField()
    evidence = serializers.CharField(max_length=2000)


class EvaluationInputSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=16)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=100)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
