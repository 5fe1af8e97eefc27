"""The talent API: the same services, scope and errors as the pages (X4)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from pingan.core.errors import ApplicationError

from .. import selectors, services
from ..filtersets import ProfileFilter
from ..models import PointEntry, Profile, Stage, StudyRecord
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
            "status": cell.status,
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
            "status": record.status if record else "missing",
            "completed_on": record.completed_on if record else None,
        }
        for item, record in selectors.study_progress(profile)
    ]
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

    def _run(self, request, serializer_class, run):
        profile = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        run(profile, dict(data.validated_data))
        return Response(_detail(Profile.objects.get(pk=profile.pk)))

    @extend_schema(request=s.StudyInputSerializer, responses={200: s.ProfileDetailSerializer})
    @action(detail=True, methods=["post"])
    def study(self, request, pk=None):
        """Record completion of a required-study item (the mentor's entries count at once)."""
        return self._run(
            request,
            s.StudyInputSerializer,
            lambda p, d: services.study_record(
                profile=p,
                actor=request.user,
                item_code=d["item"],
                completed_on=d["completed_on"],
                evidence=d["evidence"],
            ),
        )

    @extend_schema(request=s.StudyConfirmSerializer, responses={200: s.ProfileDetailSerializer})
    @action(detail=True, methods=["post"], url_path="study-confirm")
    def study_confirm(self, request, pk=None):
        """The mentor confirms a study record of the assistant."""

        def run(profile, data):
            record = StudyRecord.objects.filter(profile=profile, item__code=data["item"]).first()
            if record is None:
                raise ApplicationError("该助理没有这一项学习记录。")
            services.study_confirm(record=record, actor=request.user)

        return self._run(request, s.StudyConfirmSerializer, run)

    @extend_schema(request=s.PointsInputSerializer, responses={200: s.ProfileDetailSerializer})
    @action(detail=True, methods=["post"])
    def points(self, request, pk=None):
        """Submit a points entry under a rule with evidence; it counts once approved."""
        return self._run(
            request,
            s.PointsInputSerializer,
            lambda p, d: services.points_submit(
                profile=p,
                actor=request.user,
                rule_code=d["rule"],
                evidence=d["evidence"],
                occurred_on=d["occurred_on"],
                quantity=d["quantity"],
            ),
        )

    @extend_schema(request=s.PointsDecideSerializer, responses={200: s.ProfileDetailSerializer})
    @action(detail=True, methods=["post"], url_path="points-decide")
    def points_decide(self, request, pk=None):
        """Approve or reject a pending entry (never one's own submission or own points)."""

        def run(profile, data):
            entry = get_object_or_404(PointEntry, pk=data["entry"], profile=profile)
            services.points_decide(
                entry=entry, actor=request.user, approve=data["approve"], note=data["note"]
            )

        return self._run(request, s.PointsDecideSerializer, run)

    @extend_schema(request=s.StageInputSerializer, responses={200: s.ProfileDetailSerializer})
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        """The talent committee confirms a move to a later stage."""

        def run(profile, data):
            to_stage = Stage.objects.filter(code=data["to_stage"]).first()
            if to_stage is None:
                raise ApplicationError("没有这个培养阶段。")
            services.stage_change(
                profile=profile,
                actor=request.user,
                to_stage=to_stage,
                reason=data["reason"],
                override_reason=data["override_reason"],
                changed_on=data["changed_on"],
                expected_version=data["version"],
            )

        return self._run(request, s.StageInputSerializer, run)

    @extend_schema(request=s.EvaluationInputSerializer, responses={200: s.ProfileDetailSerializer})
    @action(detail=True, methods=["post"])
    def evaluation(self, request, pk=None):
        """A score of the multi-dimensional evaluation (self, mentor or department)."""
        return self._run(
            request,
            s.EvaluationInputSerializer,
            lambda p, d: services.evaluation_submit(profile=p, actor=request.user, **d),
        )
