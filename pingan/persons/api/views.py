"""The register API: the same services, permissions and errors as the pages (X4)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from pingan.core.actions import perform, require_roles
from pingan.core.job_api import JobSerializer

from .. import access, actions, services
from ..facts import compute_facts
from ..models import KeyPerson, Measure, Scorecard
from ..scoring import LoadedScorecard
from . import serializers as s


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Key persons the caller may see; reading one is logged like the page."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.may_see_register(request.user):
            raise PermissionDenied(_("您的角色不能查看重点人员。"))

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
        """Register a person (officers, dispatchers, leaders); the responsible officer is told."""
        data = s.PersonCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        person = perform(actions.REGISTER, None, request.user, dict(data.validated_data))
        return Response(self._detail(self._person(person.pk)), status=status.HTTP_201_CREATED)

    def _act(self, request, declared, pk, target=None):
        """Validate the declared action's input, run it on the person (or ``target(person,
        data)``): the same declaration, checks and notices as the person page."""
        person = self._person(pk)
        data = declared.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        return perform(declared, target(person, values) if target else person, request.user, values)

    def _proposal(self, person, data):
        return get_object_or_404(person.proposals, pk=data["proposal"])

    @extend_schema(request=s.ConfirmSerializer, responses={200: s.PersonDetailSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the pending proposed level (the responsible officer or a leader of the area);
        the responsible officer is told when someone else decides."""
        self._act(request, actions.CONFIRM, pk, self._proposal)
        return Response(self._detail(self._person(pk)))

    @extend_schema(request=s.OverrideSerializer, responses={200: s.PersonDetailSerializer})
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """Set another level than proposed, with a reason and the disputed factors."""
        self._act(request, actions.OVERRIDE, pk, self._proposal)
        return Response(self._detail(self._person(pk)))

    @extend_schema(request=s.SituationSerializer, responses={200: s.PersonDetailSerializer})
    @action(detail=True, methods=["post"])
    def situation(self, request, pk=None):
        """Update the facts kept on the person (employment, housing, violations, contact); when
        the scorecard then proposes another level, the responsible officer is told."""
        self._act(request, actions.SITUATION, pk)
        return Response(self._detail(self._person(pk)))

    @extend_schema(request=s.ReviewInputSerializer, responses={201: s.ReviewSerializer})
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        """Record a review; the next one is scheduled by level."""
        review = self._act(request, actions.REVIEW, pk)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MeasureInputSerializer, responses={201: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def measures(self, request, pk=None):
        """Add a measure to the person's plan (an owner and a due date are required); the owner
        is told."""
        measure = self._act(request, actions.MEASURE_ADD, pk)
        return Response(s.MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


class MeasureViewSet(viewsets.GenericViewSet):
    """Measures of plans the caller may see: complete or cancel one."""

    serializer_class = s.MeasureSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.may_see_register(request.user):
            raise PermissionDenied(_("您的角色不能查看重点人员。"))

    def get_queryset(self):
        persons = KeyPerson.objects.visible_to(self.request.user)
        return Measure.objects.filter(plan__person__in=persons).select_related(
            "plan__person", "owner", "partner"
        )

    def _act(self, request, declared, pk):
        measure = get_object_or_404(self.get_queryset(), pk=pk)
        data = declared.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(declared, measure, request.user, dict(data.validated_data))
        return Response(s.MeasureSerializer(measure).data)

    @extend_schema(request=s.MeasureResultSerializer, responses={200: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The owner (or the responsible officer, or an officer of the area) records the result;
        whoever set the measure is told."""
        return self._act(request, actions.MEASURE_COMPLETE, pk)

    @extend_schema(request=s.MeasureResultSerializer, responses={200: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open measure with a reason; its owner and whoever set it are told."""
        return self._act(request, actions.MEASURE_CANCEL, pk)


class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scorecard versions with their reports; fit one from a CSV; review one."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.may_see_scorecards(request.user):
            raise PermissionDenied(_("您的角色不能查看评分卡。"))

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
        require_roles(request.user, actions.SCORECARD_FIT_ACTION.roles)
        data = s.ScorecardFitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = perform(actions.SCORECARD_FIT_ACTION, None, request.user, dict(data.validated_data))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=s.ScorecardReviewSerializer, responses={200: s.ScorecardSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Approve or reject a version's report (not its author)."""
        scorecard = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.ScorecardReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(actions.SCORECARD_REVIEW, scorecard, request.user, dict(data.validated_data))
        return Response(s.ScorecardSerializer(scorecard).data)
