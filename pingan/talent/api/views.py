"""The talent API: the same services, scope and errors as the pages (X4)."""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pingan.core.actions import Action, perform
from pingan.core.api import declared_operations

from .. import selectors
from ..actions import ACTIONS
from ..filtersets import ProfileFilter
from ..models import Milestone, Profile, Rotation
from . import serializers as s


def _detail(profile: Profile) -> dict:
    today = timezone.localdate()
    progress = selectors.profile_with_progress(profile)
    readiness = selectors.StageLadder().readiness(progress, today=today)
    progress.rank = selectors.cohort_ranks([profile.cohort_id]).get(profile.pk)
    progress.ready = readiness.ready
    progress.readiness = readiness.as_dict()
    progress.matrix = [
        {
            "stage": stage.name,
            "transformation": str(cell.transformation),
            "state": cell.state,
            "milestones_confirmed": cell.milestones_confirmed,
            "milestones_total": cell.milestones_total,
            "study_confirmed": cell.study_confirmed,
            "study_total": cell.study_total,
            "activities": cell.activities,
        }
        for stage, row in selectors.transformation_matrix(profile)
        for cell in row
    ]
    progress.study = [
        {
            "code": item.code,
            "title": item.title,
            "track": item.track,
            "state": record.state if record else "missing",
            "completed_on": record.completed_on if record else None,
        }
        for item, record in selectors.study_progress(profile)
    ]
    records = {record.milestone_id: record for record in profile.milestone_records.all()}
    reached = (
        Milestone.objects.filter(transformation__stage__order__lte=profile.stage.order)
        .select_related("transformation")
        .order_by("transformation__stage__order", "transformation__order", "order")
    )
    progress.milestones = [
        {
            "id": milestone.pk,
            "transformation": str(milestone.transformation),
            "name": milestone.name,
            "state": record.state if record else "missing",
            "completed_on": record.completed_on if record else None,
        }
        for milestone, record in ((m, records.get(m.pk)) for m in reached)
    ]
    rotations = Rotation.objects.select_related("department").order_by("-starts_on", "-pk")
    prefetch_related_objects(
        [progress], Prefetch("rotations", queryset=rotations), "rotations__cases"
    )
    return s.ProfileDetailSerializer(progress).data


class ProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assistants' development records the caller may see: their own, their mentees', their
    department's, or (talent committee) their procuratorate's."""

    filterset_class = ProfileFilter
    serializer_class = s.ProfileSerializer

    def get_queryset(self):
        return selectors.with_progress(
            Profile.objects.visible_to(self.request.user).select_related(
                "staff", "stage", "department", "cohort", "mentor"
            )
        ).order_by("cohort", "staff__name", "pk")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        ranks = selectors.cohort_ranks({p.cohort_id for p in page})
        ladder, today = selectors.StageLadder(), timezone.localdate()
        for profile in page:
            profile.rank = ranks.get(profile.pk)
            profile.ready = ladder.readiness(profile, today=today).ready
        return self.get_paginated_response(s.ProfileSerializer(page, many=True).data)

    @extend_schema(responses={200: s.ProfileDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One record with readiness, the nine-transformation matrix and study progress."""
        return Response(_detail(self.get_object()))

    @extend_schema(responses={200: s.LedgerEntrySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def ledger(self, request, pk=None):
        """The points ledger in date order with the running total of approved points."""
        profile = self.get_object()
        return Response(s.LedgerEntrySerializer(selectors.ledger(profile), many=True).data)

    def _act(self, request, declared: Action):
        profile = self.get_object()
        data = declared.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(declared, profile, request.user, dict(data.validated_data))
        return Response(_detail(Profile.objects.get(pk=profile.pk)))


# Every declared action is an operation: /api/talent/profiles/{id}/<action>/ (POST).
declared_operations(
    ProfileViewSet, ACTIONS.values(), response=s.ProfileDetailSerializer, owner="profile"
)
