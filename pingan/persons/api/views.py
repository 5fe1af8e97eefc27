"""The register API: the same services, permissions and errors as the pages (X4)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from pingan.core.job_api import JobSerializer
from pingan.core.jobs import job_submit
from pingan.orgs.access import has_role

from .. import access, services
from ..facts import compute_facts
from ..jobs import SCORECARD_FIT
from ..models import KeyPerson, Measure, Scorecard
from ..scoring import LoadedScorecard
from . import serializers as s


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Key persons the caller may see; reading one is logged like the page."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.may_see_register(request.user):
            raise PermissionDenied("您的角色不能查看重点人员。")

    def get_queryset(self):
        return (
            KeyPerson.objects.visible_to(self.request.user)
            .select_related("person_type", "grid", "responsible")
            .order_by("area_path", "name", "id")
        )

    def get_serializer_class(self):
        return s.PersonDetailSerializer if self.action == "retrieve" else s.PersonSerializer

    def retrieve(self, request, pk=None):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        services.record_person_view(person=person, actor=request.user, via="api")
        return Response(self._detail(person))

    def _detail(self, person):
        scorecard = services.active_scorecard()
        rating = None
        if scorecard is not None:
            facts = compute_facts([person.pk], now=timezone.now())[person.pk]
            rating = LoadedScorecard.load(scorecard).rate(facts)
        return s.PersonDetailSerializer(person, context={"rating": rating}).data

    def _person(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    @extend_schema(request=s.PersonCreateSerializer, responses={201: s.PersonDetailSerializer})
    def create(self, request):
        """Register a person (officers, dispatchers, leaders)."""
        data = s.PersonCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        person = services.person_register(
            actor=request.user, data=services.PersonInput(**data.validated_data)
        )
        return Response(self._detail(self._person(person.pk)), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ConfirmSerializer, responses={200: s.PersonDetailSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the pending proposed level."""
        person = self._person(pk)
        data = s.ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = get_object_or_404(person.proposals, pk=data.validated_data["proposal"])
        services.rating_confirm(
            proposal=proposal, actor=request.user, version=data.validated_data["version"]
        )
        return Response(self._detail(self._person(pk)))

    @extend_schema(request=s.OverrideSerializer, responses={200: s.PersonDetailSerializer})
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """Set another level than proposed, with a reason and the disputed factors."""
        person = self._person(pk)
        data = s.OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        proposal = get_object_or_404(person.proposals, pk=v["proposal"])
        services.rating_override(
            proposal=proposal,
            actor=request.user,
            level=v["level"],
            reason=v["reason"],
            disputed_factors=v["disputed_factors"],
            version=v["version"],
        )
        return Response(self._detail(self._person(pk)))

    @extend_schema(request=s.SituationSerializer, responses={200: s.PersonDetailSerializer})
    @action(detail=True, methods=["post"])
    def situation(self, request, pk=None):
        """Update the facts kept on the person (employment, housing, violations, contact)."""
        person = self._person(pk)
        data = s.SituationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version")
        services.person_update(person=person, actor=request.user, version=version, **changes)
        return Response(self._detail(self._person(pk)))

    @extend_schema(request=s.ReviewInputSerializer, responses={201: s.ReviewSerializer})
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        """Record a review; the next one is scheduled by level."""
        person = self._person(pk)
        data = s.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_record(person=person, actor=request.user, **data.validated_data)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MeasureInputSerializer, responses={201: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def measures(self, request, pk=None):
        """Add a measure to the person's plan (an owner and a due date are required)."""
        person = self._person(pk)
        data = s.MeasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measure = services.measure_add(person=person, actor=request.user, **data.validated_data)
        return Response(s.MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


class MeasureViewSet(viewsets.GenericViewSet):
    """Measures of plans the caller may see: complete or cancel one."""

    serializer_class = s.MeasureSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.may_see_register(request.user):
            raise PermissionDenied("您的角色不能查看重点人员。")

    def get_queryset(self):
        persons = KeyPerson.objects.visible_to(self.request.user)
        return Measure.objects.filter(plan__person__in=persons).select_related(
            "plan__person", "owner", "partner"
        )

    @extend_schema(request=s.MeasureResultSerializer, responses={200: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        measure = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.MeasureResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.measure_complete(measure=measure, actor=request.user, **data.validated_data)
        return Response(s.MeasureSerializer(measure).data)

    @extend_schema(request=s.MeasureResultSerializer, responses={200: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        measure = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.MeasureResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.measure_cancel(
            measure=measure,
            actor=request.user,
            reason=data.validated_data["result"],
            version=data.validated_data["version"],
        )
        return Response(s.MeasureSerializer(measure).data)


class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scorecard versions with their reports; fit one from a CSV; review one."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.may_see_scorecards(request.user):
            raise PermissionDenied("您的角色不能查看评分卡。")

    def get_queryset(self):
        return Scorecard.objects.select_related("created_by", "reviewed_by").order_by(
            "-created_at", "-id"
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ScorecardDetailSerializer
        if self.action == "fit":
            return s.ScorecardFitSerializer
        return s.ScorecardSerializer

    @extend_schema(request=s.ScorecardFitSerializer, responses={202: JobSerializer})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def fit(self, request):
        """Fit a scorecard from an uploaded CSV (administrators), in the background: the answer
        is the queued job; follow it at ``/api/jobs/{id}/``. When it succeeds, its ``result``
        names the new version (``scorecard``), which waits for review; when the data has
        problems, ``result.problems`` lists them and nothing is written."""
        if not has_role(request.user, *access.FIT_ROLES):
            raise PermissionDenied("只有系统管理员可以拟合评分卡。")
        data = s.ScorecardFitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = job_submit(
            kind=SCORECARD_FIT,
            owner=request.user,
            params={"outcome": v["outcome"], "group": v["group"], "exclude": v["exclude"]},
            upload=v["csv"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=s.ScorecardReviewSerializer, responses={200: s.ScorecardSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Approve or reject a version's report (not its author)."""
        scorecard = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.ScorecardReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.scorecard_review(scorecard=scorecard, actor=request.user, **data.validated_data)
        return Response(s.ScorecardSerializer(scorecard).data)
