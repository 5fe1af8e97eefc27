"""Input and output shapes of the case API; the services do the real checks."""

import re

from django.utils.translation import gettext as _
from rest_framework import serializers

from pingan.core.masking import mask_id_number, mask_phone
from pingan.core.validators import validate_id_number, validate_phone
from pingan.orgs.choices import FunctionAreaKind
from pingan.orgs.models import Division, Staff, Unit

from ..choices import (
    Channel,
    Complexity,
    LegalRoute,
    Outcome,
    PartyRole,
    ReferralRoute,
    Urgency,
)
from ..models import (
    Case,
    CaseEvent,
    Category,
    DeadlineExtension,
    DeadlinePolicy,
    Party,
    Referral,
    Supervision,
)


def _django_validator(validator):
    def run(value):
        if value:
            try:
                validator(value)
            except Exception as exc:  # Django ValidationError -> DRF ValidationError
                raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc

    return run


class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(
        max_length=18,
        required=False,
        allow_blank=True,
        validators=[_django_validator(validate_id_number)],
    )
    phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        validators=[_django_validator(validate_phone)],
    )


class CaseCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    complexity = serializers.ChoiceField(choices=Complexity.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    title = serializers.CharField(max_length=80)
    narrative = serializers.CharField(min_length=10, max_length=10000)
    grid = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.none())
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    parties = PartyInputSerializer(many=True, min_length=1, max_length=20)
    function_area = serializers.ChoiceField(
        choices=FunctionAreaKind.choices,
        required=False,
        help_text="the function area; left out, the suggested area is taken",
    )
    external_source = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="the sending system (e.g. 12345), with external_ref",
    )
    external_ref = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "the matter's number in the sending system: one case per (external_source, "
            "external_ref); sending it again answers 409 with the case's number"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["grid"].queryset = Division.objects.visible_to(request.user).grids()


class PartySerializer(serializers.ModelSerializer):
    """Parties with identifiers masked: the API never returns them in full."""

    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["role", "name", "id_number", "phone"]

    def get_id_number(self, party: Party) -> str:
        return mask_id_number(party.id_number)

    def get_phone(self, party: Party) -> str:
        return mask_phone(party.phone)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", default=None, read_only=True)
    unit = serializers.CharField(source="unit.name", default=None, read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "kind",
            "actor",
            "from_state",
            "to_state",
            "from_level",
            "to_level",
            "unit",
            "reason",
            "created_at",
        ]


class CaseSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    handling_unit = serializers.PrimaryKeyRelatedField(read_only=True)
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)
    colour = serializers.CharField(read_only=True, help_text="green / yellow / red / grey")

    class Meta:
        model = Case
        fields = [
            "number",
            "title",
            "channel",
            "category",
            "complexity",
            "urgency",
            "state",
            "level",
            "handling_unit",
            "handling_unit_name",
            "grid",
            "registered_at",
            "accepted_at",
            "due_at",
            "due_provisional",
            "concluded_at",
            "concluded_level",
            "outcome",
            "legal_route",
            "satisfaction",
            "suggested_area",
            "function_area",
            "external_source",
            "external_ref",
            "colour",
            "version",
        ]


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = ["id", "route", "body", "referred_on", "reference_number", "follow_up_on",
                  "state", "result", "result_on"]  # fmt: skip


class CaseDetailSerializer(CaseSerializer):
    parties = PartySerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    referrals = ReferralSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "narrative", "address", "parties", "events",
                  "referrals", "judicially_confirmed", "judicial_court", "judicial_confirmed_on",
                  "judicial_ruling_number"]  # fmt: skip


class SuggestionSerializer(serializers.Serializer):
    """One routing suggestion: where the matter could go, and why."""

    unit = serializers.IntegerField(source="unit.pk", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    function_area = serializers.CharField(read_only=True)
    score = serializers.FloatField(read_only=True)
    reason = serializers.CharField(read_only=True)


class CaseCreatedSerializer(CaseDetailSerializer):
    """The case just registered, from the rows the service wrote (nothing is read back)."""

    parties = PartySerializer(source="written_parties", many=True, read_only=True)
    events = EventSerializer(source="written_events", many=True, read_only=True)
    referrals = serializers.SerializerMethodField()
    query_code = serializers.CharField(read_only=True, help_text="shown once, for the receipt")
    suggestions = SuggestionSerializer(
        many=True,
        read_only=True,
        help_text="routing suggestions, best first; the first is recorded as the suggested unit",
    )
    area_reason = serializers.CharField(
        read_only=True, help_text="why the suggested function area was suggested"
    )

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "query_code", "suggestions", "area_reason"]

    def get_referrals(self, case) -> list:
        return []  # a case just registered has been handed nowhere


# --- actions ---------------------------------------------------------------------------------


class ActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="the version you read; a stale one gets 409"
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignSerializer(ActionSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False)
    handler = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False)


class ConcludeSerializer(ActionSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    legal_route = serializers.ChoiceField(
        choices=LegalRoute.choices, required=False, allow_blank=True, default=""
    )


class FollowUpSerializer(ActionSerializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)


class AssignDownSerializer(ActionSerializer):
    level = serializers.ChoiceField(choices=["grid", "community", "street"])


class JointSerializer(ActionSerializer):
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True)


class ExtensionRequestSerializer(ActionSerializer):
    days = serializers.IntegerField(min_value=1, max_value=60)


class ExtensionDecideSerializer(ActionSerializer):
    approve = serializers.BooleanField()


class JudicialConfirmationSerializer(ActionSerializer):
    court = serializers.CharField(max_length=100)
    confirmed_on = serializers.DateField()
    ruling_number = serializers.CharField(max_length=60, help_text="the court's ruling number")


class ReferSerializer(serializers.Serializer):
    route = serializers.ChoiceField(choices=ReferralRoute.choices)
    body = serializers.CharField(max_length=100, help_text="the receiving court or body")
    referred_on = serializers.DateField()
    reference_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    follow_up_on = serializers.DateField(help_text="when to ask the body for its result")


class ReferralResultSerializer(serializers.Serializer):
    result = serializers.CharField(max_length=2000)
    result_on = serializers.DateField()
    reference_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )


class SuperviseSerializer(ActionSerializer):
    reason = serializers.CharField(
        max_length=500, help_text="why the unit is supervised and what it must do"
    )


class SupervisionAnswerSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="the version you read; a stale one gets 409"
    )
    answer = serializers.CharField(
        max_length=2000, help_text="the answer: why the case is late, and the plan"
    )


class SupervisionCloseSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="the version you read; a stale one gets 409"
    )
    note = serializers.CharField(max_length=2000, help_text="the supervisor's closing word")


class SupervisionSerializer(serializers.ModelSerializer):
    """A supervision order (督办单): answer it with .../answer/, close it with .../close/."""

    case = serializers.CharField(source="case.number", read_only=True)
    title = serializers.CharField(source="case.title", read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True)
    supervised_unit = serializers.CharField(source="supervised_unit.name", read_only=True)
    issued_by = serializers.CharField(source="issued_by.__str__", default=None, read_only=True)
    answered_by = serializers.CharField(source="answered_by.__str__", default=None, read_only=True)
    closed_by = serializers.CharField(source="closed_by.__str__", default=None, read_only=True)

    class Meta:
        model = Supervision
        fields = ["id", "case", "title", "tier", "due_at", "unit", "audience",
                  "supervised_unit", "issued_at", "issued_by", "reason", "state", "answer",
                  "answered_by", "answered_at", "close_note", "closed_by", "closed_at",
                  "version"]  # fmt: skip


class MergeVisitSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    narrative = serializers.CharField(max_length=2000, help_text="what the citizen asked this time")


class PartyRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "phone"])
    reason = serializers.CharField(max_length=200, help_text="why you need it; it is logged")


class PartyNumberSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField(help_text="the full number; this read is in the audit log")


class PendingExtensionSerializer(serializers.ModelSerializer):
    """One extension request awaiting a leader's decision (decide it with
    POST /api/cases/{number}/extension-decide/)."""

    case = serializers.CharField(source="case.number", read_only=True)
    title = serializers.CharField(source="case.title", read_only=True)
    version = serializers.IntegerField(source="case.version", read_only=True)
    due_at = serializers.DateTimeField(source="case.due_at", read_only=True)
    requested_by = serializers.CharField(source="requested_by.__str__", read_only=True)
    requested_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = ["id", "case", "title", "version", "due_at", "days", "reason", "requested_by",
                  "requested_at"]  # fmt: skip


# --- configuration ---------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name", "function_area", "keywords", "sort_order", "is_active",
                  "version", "updated_at"]  # fmt: skip


class CategoryChangeSerializer(serializers.ModelSerializer):
    """A change of a category: the fields to change, the version read and why."""

    version = serializers.IntegerField(
        min_value=1, required=False, help_text="the version you read; a stale one gets 409"
    )
    reason = serializers.CharField(max_length=200, help_text="why; kept in the audit log")

    class Meta:
        model = Category
        fields = ["name", "function_area", "keywords", "sort_order", "is_active", "version",
                  "reason"]  # fmt: skip
        extra_kwargs = {
            "name": {"required": False, "validators": []},
            "function_area": {"required": False},
        }


class CategoryAddSerializer(CategoryChangeSerializer):
    class Meta(CategoryChangeSerializer.Meta):
        fields = ["code", *(f for f in CategoryChangeSerializer.Meta.fields if f != "version")]
        extra_kwargs = {"code": {"validators": []}, "name": {"validators": []}}

    def validate_code(self, code: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise serializers.ValidationError(
                _("类别代码只能用小写英文字母、数字和下划线，并以字母开头。")
            )
        return code


TIER_HOURS = ["tier2_after_hours", "tier3_after_hours", "tier4_after_hours"]


class DeadlineRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadlinePolicy
        fields = ["complexity", "days", "day_type", "warn_ratio", *TIER_HOURS, "version",
                  "updated_at"]  # fmt: skip


class DeadlineRuleChangeSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="the version you read; a stale one gets 409"
    )
    reason = serializers.CharField(max_length=200, help_text="why; kept in the audit log")

    class Meta:
        model = DeadlinePolicy
        fields = [
            "days",
            "day_type",
            "warn_ratio",
            "tier2_after_hours",
            "tier3_after_hours",
            "tier4_after_hours",
            "version",
            "reason",
        ]
        extra_kwargs = {"days": {"required": False}}


class QueryCodeSerializer(serializers.Serializer):
    number = serializers.CharField()
    query_code = serializers.CharField(help_text="six digits for the public query (/q/)")
