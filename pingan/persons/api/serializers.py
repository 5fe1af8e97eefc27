"""Input and output shapes of the register API; the services do the real checks."""

from rest_framework import serializers

from pingan.core.masking import mask_id_number, mask_phone
from pingan.orgs.models import Division, Staff

from .. import forms
from ..choices import (
    ContactResult,
    Employment,
    Gender,
    Housing,
    MeasureCategory,
    MeasureKind,
    RiskLevel,
)
from ..models import KeyPerson, Measure, Partner, PersonType, RatingProposal, Review, Scorecard


class PersonSerializer(serializers.ModelSerializer):
    """A register entry with identifiers masked: the API never returns them in full."""

    id_number = serializers.SerializerMethodField()
    person_type = serializers.CharField(source="person_type.code")
    grid = serializers.CharField(source="grid.code")
    responsible = serializers.CharField(source="responsible.username")

    class Meta:
        model = KeyPerson
        fields = [
            "id",
            "name",
            "id_number",
            "person_type",
            "grid",
            "responsible",
            "state",
            "level",
            "score",
            "registered_on",
            "ends_on",
            "next_review_on",
            "version",
        ]

    def get_id_number(self, person: KeyPerson) -> str:
        return mask_id_number(person.id_number)


class LineSerializer(serializers.Serializer):
    key = serializers.CharField()
    factor = serializers.CharField()
    fact_text = serializers.CharField()
    band = serializers.CharField()
    points = serializers.IntegerField()
    cases = serializers.ListField(child=serializers.CharField())


class ProposalSerializer(serializers.ModelSerializer):
    breakdown = LineSerializer(many=True)

    class Meta:
        model = RatingProposal
        fields = ["id", "score", "level", "previous_level", "state", "created_at", "breakdown"]


class MeasureSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    partner = serializers.CharField(source="partner.name", default=None)

    class Meta:
        model = Measure
        fields = [
            "id",
            "kind",
            "category",
            "description",
            "owner",
            "partner",
            "due_on",
            "state",
            "result",
            "version",
        ]


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")

    class Meta:
        model = Review
        fields = ["id", "due_on", "done_at", "reviewer", "contact", "note", "level"]


class PersonDetailSerializer(PersonSerializer):
    phone = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    pending_proposal = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [
            *PersonSerializer.Meta.fields,
            "phone",
            "employment",
            "housing",
            "legal_basis",
            "rating",
            "pending_proposal",
            "measures",
            "reviews",
            "cases",
        ]

    def get_phone(self, person) -> str:
        return mask_phone(person.phone)

    def get_rating(self, person) -> dict | None:
        rating = self.context.get("rating")
        if rating is None:
            return None
        return {
            "total": rating.total,
            "level": rating.level,
            "lines": LineSerializer(rating.lines, many=True).data,
        }

    def get_pending_proposal(self, person) -> dict | None:
        proposal = person.proposals.filter(state="pending").first()
        return ProposalSerializer(proposal).data if proposal else None

    def get_measures(self, person) -> list:
        plan = getattr(person, "plan", None)
        if plan is None:
            return []
        return MeasureSerializer(plan.measures.select_related("owner", "partner"), many=True).data

    def get_reviews(self, person) -> list:
        return ReviewSerializer(person.reviews.select_related("reviewer")[:20], many=True).data

    def get_cases(self, person) -> list[str]:
        return list(person.case_links.values_list("case__number", flat=True))


class PersonCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=32)
    id_number = serializers.CharField(max_length=18)
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, default=""
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    person_type = serializers.SlugRelatedField(
        slug_field="code", queryset=PersonType.objects.filter(is_active=True)
    )
    grid = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.none())
    responsible = serializers.SlugRelatedField(
        slug_field="username", queryset=Staff.objects.filter(is_active=True)
    )
    legal_basis = serializers.CharField(max_length=2000)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    employment = serializers.ChoiceField(choices=Employment.choices, default=Employment.EMPLOYED)
    housing = serializers.ChoiceField(choices=Housing.choices, default=Housing.STABLE)
    released_on = serializers.DateField(required=False, allow_null=True, default=None)
    violations = serializers.IntegerField(min_value=0, max_value=99, default=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["grid"].queryset = Division.objects.visible_to(request.user).grids()


class ConfirmSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class OverrideSerializer(ConfirmSerializer):
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    disputed_factors = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, default=list
    )


class ReviewInputSerializer(serializers.Serializer):
    contact = serializers.ChoiceField(choices=ContactResult.choices)
    note = serializers.CharField(max_length=2000, allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class MeasureInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    category = serializers.ChoiceField(choices=MeasureCategory.choices)
    description = serializers.CharField(max_length=2000, allow_blank=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=Staff.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )


class SituationSerializer(serializers.Serializer):
    employment = serializers.ChoiceField(choices=Employment.choices, required=False)
    housing = serializers.ChoiceField(choices=Housing.choices, required=False)
    violations = serializers.IntegerField(min_value=0, max_value=99, required=False)
    phone = serializers.CharField(max_length=20, required=False)
    address = serializers.CharField(max_length=200, required=False)
    version = serializers.IntegerField()


class MeasureResultSerializer(serializers.Serializer):
    result = serializers.CharField(max_length=2000, allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class ScorecardSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", default=None, allow_null=True
    )

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "name",
            "source",
            "state",
            "medium_from",
            "high_from",
            "auc",
            "auc_low",
            "auc_high",
            "created_by",
            "created_at",
            "reviewed_by",
            "reviewed_at",
        ]


class ScorecardDetailSerializer(ScorecardSerializer):
    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "report", "review_note"]


class ScorecardFitSerializer(serializers.Serializer):
    csv = serializers.FileField()
    outcome = serializers.CharField(max_length=80)
    group = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    exclude = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, default=list
    )

    def validate_csv(self, upload):
        if upload.size > forms.MAX_CSV_BYTES:  # as the fitting page
            raise serializers.ValidationError(forms.CSV_TOO_LARGE)
        return upload


class ScorecardReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
