"""Serializers of the corrections API; personal data leaves masked."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.core.masking import mask_id_number, mask_name
from pingan.orgs.models import Division, Staff

from ..choices import FundEntryKind, OffenceCategory, PlacementOutcome, ReviewKind
from ..models import (
    Employer,
    EnforcementRecord,
    EvidenceFile,
    EvidenceItem,
    Release,
    ReleaseEvent,
)


class ReleaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = ReleaseEvent
        fields = ["kind", "note", "actor", "at"]


class ReleaseSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    prison = serializers.StringRelatedField()
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "name",
            "prison",
            "offence",
            "sentence_months",
            "release_date",
            "grid",
            "grid_name",
            "state",
            "notified_at",
            "arrived_at",
            "escalated_at",
            "version",
        ]

    def get_name(self, release: Release) -> str:
        return mask_name(release.name)


class ReleaseDetailSerializer(ReleaseSerializer):
    id_number = serializers.SerializerMethodField()
    responsible = serializers.StringRelatedField()
    events = ReleaseEventSerializer(many=True, read_only=True)

    class Meta(ReleaseSerializer.Meta):
        fields = [
            *ReleaseSerializer.Meta.fields,
            "id_number",
            "address",
            "skills",
            "health",
            "responsible",
            "insurance_enrolled_on",
            "insurance_kind",
            "reoffended_on",
            "events",
        ]

    def get_name(self, release: Release) -> str:
        return release.name

    def get_id_number(self, release: Release) -> str:
        return mask_id_number(release.id_number)


class ReleaseCreateSerializer(serializers.Serializer):
    prison = serializers.CharField(help_text="prison code, e.g. P01")
    name = serializers.CharField(max_length=32)
    id_number = serializers.CharField(max_length=18)
    offence = serializers.ChoiceField(choices=OffenceCategory.choices)
    sentence_months = serializers.IntegerField(min_value=1, max_value=600)
    release_date = serializers.DateField()
    address = serializers.CharField(max_length=200)
    grid_code = serializers.CharField(max_length=24)
    health = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    family_contact = serializers.CharField(
        max_length=32, required=False, default="", allow_blank=True
    )
    family_phone = serializers.CharField(
        max_length=20, required=False, default="", allow_blank=True
    )
    skills = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ArrivalSerializer(serializers.Serializer):
    responsible = serializers.SlugRelatedField(
        slug_field="username",
        queryset=Staff.objects.filter(is_active=True),
        help_text=_("username of the helper (帮教责任人)"),
        error_messages={"does_not_exist": _("帮教责任人须是负责该网格的在岗工作人员。")},
    )
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    version = serializers.IntegerField(required=False)


class FollowupSerializer(serializers.Serializer):
    insurance_enrolled_on = serializers.DateField(required=False, allow_null=True, default=None)
    insurance_kind = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    reoffended_on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False)


class PlacementSerializer(serializers.Serializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.filter(is_active=True))
    job = serializers.CharField(max_length=40)
    outcome = serializers.ChoiceField(choices=PlacementOutcome.choices)
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FundSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FundEntryKind.choices)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    purpose = serializers.CharField(max_length=100)


class EvidenceItemSerializer(serializers.ModelSerializer):
    reviewer = serializers.StringRelatedField()
    second_reviewer = serializers.StringRelatedField()

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "title",
            "source",
            "required",
            "authenticity",
            "completeness",
            "relevance",
            "findings",
            "reviewer",
            "reviewed_at",
            "second_reviewer",
            "second_reviewed_at",
            "excluded",
            "exclusion_reason",
        ]


class EvidenceFileSerializer(serializers.ModelSerializer):
    prison = serializers.StringRelatedField()

    class Meta:
        model = EvidenceFile
        fields = [
            "number",
            "prison",
            "subject",
            "kind",
            "state",
            "conclusion",
            "concluded_at",
            "chain_length",
            "chain_head",
            "version",
        ]


class EvidenceFileDetailSerializer(EvidenceFileSerializer):
    items = EvidenceItemSerializer(many=True, read_only=True)

    class Meta(EvidenceFileSerializer.Meta):
        fields = [*EvidenceFileSerializer.Meta.fields, "items"]


class ItemInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    source = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    required = serializers.BooleanField(default=True)


class EvidenceFileCreateSerializer(serializers.Serializer):
    prison = serializers.CharField(help_text="prison code, e.g. P01")
    subject = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=ReviewKind.choices)
    items = ItemInputSerializer(many=True)


class ReviewSerializer(serializers.Serializer):
    authenticity = serializers.ChoiceField(choices=["pass", "fail"])
    completeness = serializers.ChoiceField(choices=["pass", "fail"])
    relevance = serializers.ChoiceField(choices=["pass", "fail"])
    findings = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    exclude = serializers.BooleanField(default=False)
    exclusion_reason = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True
    )


class ConcludeSerializer(serializers.Serializer):
    conclusion = serializers.CharField(max_length=500)
    version = serializers.IntegerField(required=False)

    class Meta:
        # The cases app has a ConcludeSerializer too; one schema component each.
        ref_name = "EvidenceFileConclude"


class RecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnforcementRecord
        fields = [
            "sequence",
            "kind",
            "content",
            "actor",
            "recorded_at",
            "algorithm",
            "content_hash",
            "prev_hash",
            "entry_hash",
        ]


class ChainReportSerializer(serializers.Serializer):
    file_number = serializers.CharField()
    length = serializers.IntegerField()
    ok = serializers.BooleanField()
    broken_sequence = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField()


class EmployerSerializer(serializers.ModelSerializer):
    """An employer on the list (接收企业名单), with how many released persons it employs."""

    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.CharField(source="grid.parent.parent.name", read_only=True)
    employed = serializers.IntegerField(read_only=True)

    class Meta:
        model = Employer
        fields = ["id", "name", "grid", "street", "address", "contact", "phone", "jobs",
                  "conditions", "employed"]  # fmt: skip


class EmployerCreateSerializer(serializers.Serializer):
    """The page's form, for the API: the grid by its code, within the caller's area."""

    name = serializers.CharField(max_length=100)
    grid = serializers.CharField(max_length=20)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    jobs = serializers.CharField(max_length=200)
    conditions = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_grid(self, code: str) -> Division:
        grid = (
            Division.objects.visible_to(self.context["request"].user)
            .filter(level="grid", code=code)
            .first()
        )
        if grid is None:
            raise serializers.ValidationError(_("所选网格不在您的辖区内，请重新选择。"))
        return grid
