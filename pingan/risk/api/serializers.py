"""Input and output shapes of the risk API; the services do the real checks."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from pingan.orgs.choices import Level

from .. import selectors
from ..choices import InstructionState, RiskColour, WarningKind
from ..models import IndexSnapshot, Instruction, InstructionEvent, RiskWarning


class SnapshotSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="division.code")
    name = serializers.CharField(source="division.name")

    class Meta:
        model = IndexSnapshot
        fields = [
            "id",
            "code",
            "name",
            "level",
            "path",
            "window_start",
            "window_end",
            "value",
            "colour",
            "is_hotspot",
            "gi_z",
            "gi_p",
            "gi_q",
            "computed_at",
        ]


class ComponentSerializer(serializers.Serializer):
    """One component of an index: its value x, expected e, reference r, score s, weight w and
    its share of the index (w·s / Σw)."""

    code = serializers.CharField()
    label = serializers.CharField()
    explanation = serializers.CharField()
    value = serializers.FloatField()
    expected = serializers.FloatField()
    reference = serializers.FloatField()
    score = serializers.FloatField()
    weight = serializers.FloatField()
    contribution = serializers.FloatField()


class SnapshotDetailSerializer(SnapshotSerializer):
    components = serializers.SerializerMethodField()

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "components"]

    @extend_schema_field(ComponentSerializer(many=True))
    def get_components(self, snapshot: IndexSnapshot) -> list[dict]:
        return ComponentSerializer(selectors.component_rows(snapshot.components), many=True).data


class SnapshotQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=[(level.value, level.label) for level in map(Level, selectors.MAP_LEVELS)],
        required=False,
    )
    colour = serializers.ChoiceField(choices=RiskColour.choices, required=False)
    area = serializers.CharField(
        max_length=32, required=False, help_text=gettext_lazy("区划代码：只列该区域及其下级")
    )
    window = serializers.DateField(
        required=False, help_text=gettext_lazy("窗口结束日期，默认最近一期")
    )


class WarningSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="grid.code")
    name = serializers.CharField(source="grid.name")

    class Meta:
        model = RiskWarning
        fields = [
            "id",
            "code",
            "name",
            "path",
            "kind",
            "opened_at",
            "last_flagged_at",
            "closed_at",
            "data",
        ]
        extra_kwargs = {
            "data": {
                "help_text": (
                    "The test's figures at the latest flag. Rising: p, recent (new cases in the "
                    "last 7 days), usual_per_week, inverse_k (the negative-binomial dispersion "
                    "used, 0 for Poisson), days (new cases per day over the 28 days to "
                    "last_flagged_at, oldest first). Hot spot: z, q."
                )
            }
        }


class WarningQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            ("open", gettext_lazy("未解除")),
            ("closed", gettext_lazy("已解除")),
            ("all", gettext_lazy("全部")),
        ],
        required=False,
        default="open",
    )
    kind = serializers.ChoiceField(choices=WarningKind.choices, required=False)


class InstructionEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.name")

    class Meta:
        model = InstructionEvent
        fields = ["kind", "actor", "note", "created_at"]


class InstructionSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    warning = serializers.IntegerField(source="warning_id", allow_null=True)

    class Meta:
        model = Instruction
        fields = [
            "number",
            "grid",
            "grid_name",
            "unit",
            "unit_name",
            "title",
            "content",
            "due_at",
            "state",
            "warning",
            "issued_at",
            "closed_at",
            "result",
            "version",
        ]


class InstructionDetailSerializer(InstructionSerializer):
    events = InstructionEventSerializer(many=True, read_only=True)

    class Meta(InstructionSerializer.Meta):
        fields = [*InstructionSerializer.Meta.fields, "events"]


class InstructionQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[
            ("open", gettext_lazy("未办结")),
            ("overdue", gettext_lazy("已超期")),
            *InstructionState.choices,
        ],
        required=False,
    )


class InstructionCreateSerializer(serializers.Serializer):
    grid = serializers.CharField(max_length=32, help_text=gettext_lazy("网格代码"))
    unit = serializers.IntegerField(help_text=gettext_lazy("承办单位 ID"))
    title = serializers.CharField(max_length=Instruction._meta.get_field("title").max_length)
    content = serializers.CharField()
    due_at = serializers.DateTimeField()
    warning = serializers.IntegerField(
        required=False, allow_null=True, help_text=gettext_lazy("来源预警 ID")
    )


@extend_schema_serializer(component_name="InstructionVersion")
class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text=gettext_lazy("读取时的版本号（乐观锁）")
    )


@extend_schema_serializer(component_name="InstructionClose")
class CloseSerializer(VersionSerializer):
    result = serializers.CharField()
