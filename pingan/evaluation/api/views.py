"""The evaluation API: schemes, scores, entries, reviews, the scan and reports, with the pages'
permissions (X4). Every change runs a declared action (``evaluation.actions``)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from pingan.core.actions import perform
from pingan.core.validators import parse_pk
from pingan.orgs.models import Division

from .. import actions
from ..access import access_entry, access_review, access_scheme
from ..models import (
    IndicatorScore,
    ListEntry,
    ManualEntry,
    QuarterReport,
    Review,
    ReviewPlan,
    ScanRun,
    Scheme,
    SubjectScore,
)
from ..querysets import is_overseer
from . import serializers as s


class IsOverseer(BasePermission):
    """Evaluators, and leaders who head no agency."""

    message = _("只有考评员或领导可以查看考评方案。")

    def has_permission(self, request, view) -> bool:
        return is_overseer(request.user)


def _run(declared, obj, request):
    """Run a declared action with the request's body, validated by its serializer."""
    data = {}
    if declared.serializer is not None:
        body = declared.serializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
    return perform(declared, obj, request.user, data)


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Evaluation schemes with their indicators (evaluators and leaders); evaluators write
    drafts, publish them and start revisions."""

    filterset_fields = ["year", "quarter", "subject_kind", "state"]
    permission_classes = [IsAuthenticated, IsOverseer]

    def get_queryset(self):
        schemes = Scheme.objects.order_by("-year", "-quarter", "subject_kind", "-version")
        if self.action == "retrieve":
            schemes = schemes.prefetch_related("indicators")
        return schemes

    def get_serializer_class(self):
        return s.SchemeSerializer if self.action == "list" else s.SchemeDetailSerializer

    def _detail(self, scheme: Scheme, code: int = status.HTTP_200_OK) -> Response:
        scheme = Scheme.objects.prefetch_related("indicators").get(pk=scheme.pk)
        return Response(s.SchemeDetailSerializer(scheme).data, status=code)

    def _writable(self, pk) -> Scheme:
        return access_scheme(pk, self.request.user, for_write=True)

    @extend_schema(request=s.SchemeCreateSerializer, responses={201: s.SchemeDetailSerializer})
    def create(self, request):
        """Create a draft scheme for a period and a kind of subject (evaluators)."""
        scheme = _run(actions.SCHEME_CREATE, None, request)
        return self._detail(scheme, status.HTTP_201_CREATED)

    @extend_schema(request=s.IndicatorInputSerializer, responses={201: s.SchemeDetailSerializer})
    @action(detail=True, methods=["post"])
    def indicators(self, request, pk=None):
        """Add an indicator to a draft scheme; ``version`` is the scheme's ``edit_version``."""
        scheme = self._writable(pk)
        _run(actions.INDICATOR_ADD, scheme, request)
        return self._detail(scheme, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.SchemeDetailSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"indicators/(?P<indicator>\d+)/delete",
        url_name="indicator-delete",
    )
    def indicator_delete(self, request, pk=None, indicator=None):
        """Delete an indicator of a draft scheme."""
        scheme = self._writable(pk)
        _run(actions.INDICATOR_DELETE, get_object_or_404(scheme.indicators, pk=indicator), request)
        return self._detail(scheme)

    @extend_schema(request=s.WeightsSerializer, responses={200: s.SchemeDetailSerializer})
    @action(detail=True, methods=["post"])
    def weights(self, request, pk=None):
        """Set a draft scheme's four dimension weights."""
        scheme = self._writable(pk)
        _run(actions.WEIGHTS, scheme, request)
        return self._detail(scheme)

    @extend_schema(request=None, responses={200: s.SchemeDetailSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft whose weights add up; it supersedes the version it revises."""
        scheme = self._writable(pk)
        _run(actions.PUBLISH, scheme, request)
        return self._detail(scheme)

    @extend_schema(request=s.ReviseSerializer, responses={201: s.SchemeDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Start a revision of a published scheme, as a draft copy (with a reason once the
        period has begun); answers the new draft."""
        draft = _run(actions.REVISE, self._writable(pk), request)
        return self._detail(draft, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        """Recompute the scheme's scores now (evaluators)."""
        run = _run(actions.COMPUTE, self._writable(pk), request)
        return Response({"run": run.pk, "subjects": run.subject_count, "ms": run.duration_ms})


class ScoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Subject scores the caller may see: within scope for evaluators and leaders, only their
    own for everyone else. ``?scheme=`` limits to that scheme's latest run."""

    def get_queryset(self):
        scores = SubjectScore.objects.visible_to(self.request.user).select_related(
            "run", "division", "unit", "staff"
        )
        scheme = parse_pk(self.request.query_params.get("scheme", ""))
        if scheme is not None:
            latest = (
                Scheme.objects.filter(pk=scheme)
                .values_list("runs__pk", flat=True)
                .order_by("-runs__computed_at", "-runs__pk")
                .first()
            )
            scores = scores.filter(run=latest)
        if self.action == "retrieve":
            scores = scores.prefetch_related(
                Prefetch("items", queryset=IndicatorScore.objects.select_related("indicator"))
            )
        return scores.order_by("-run__computed_at", "rank", "id")

    def get_serializer_class(self):
        return (
            s.SubjectScoreDetailSerializer
            if self.action == "retrieve"
            else s.SubjectScoreSerializer
        )

    @extend_schema(parameters=[OpenApiParameter("scheme", int, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class EntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Entries about the subjects the caller may see; evaluators enter them with evidence and
    a second person (evaluator or leader) approves or returns them."""

    kind = ""
    model: type = ManualEntry
    output: type = s.ManualEntrySerializer

    def get_queryset(self):
        return (
            self.model.objects.visible_to(self.request.user)
            .select_related("division", "staff", "unit", "entered_by", "decided_by")
            .order_by("-created_at", "-pk")
        )

    def get_serializer_class(self):
        return self.output

    def create(self, request):
        entry = _run(actions.ENTER[self.kind], None, request)
        return Response(self.output(entry).data, status=status.HTTP_201_CREATED)

    def decide(self, request, pk=None):
        entry = access_entry(self.kind, pk, request.user, for_write=True)
        _run(actions.DECIDE[self.kind], entry, request)
        return Response(self.output(self.get_queryset().get(pk=entry.pk)).data)


class ManualEntryViewSet(EntryViewSet):
    """Manual indicator values (人工评价)."""

    kind = "manual"
    model = ManualEntry
    output = s.ManualEntrySerializer

    @extend_schema(request=s.ManualEntryInputSerializer, responses={201: s.ManualEntrySerializer})
    def create(self, request):
        """Enter a manual indicator's value with its evidence; the approvers are told."""
        return super().create(request)

    @extend_schema(request=s.DecideSerializer, responses={200: s.ManualEntrySerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve or return an entry (never one's own, nor one about oneself or one's unit);
        whoever entered it is told."""
        return super().decide(request, pk)


class ListEntryViewSet(EntryViewSet):
    """Positive and negative list entries (正负面清单)."""

    kind = "list"
    model = ListEntry
    output = s.ListEntrySerializer

    def get_queryset(self):
        return super().get_queryset().select_related("case")

    @extend_schema(request=s.ListEntryInputSerializer, responses={201: s.ListEntrySerializer})
    def create(self, request):
        """Put an event on the positive or negative list, with evidence; the approvers are
        told."""
        return super().create(request)

    @extend_schema(request=s.DecideSerializer, responses={200: s.ListEntrySerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve or return an entry (never one's own, nor one about oneself or one's unit);
        whoever entered it is told."""
        return super().decide(request, pk)


class ReviewPlanViewSet(viewsets.GenericViewSet):
    """Case-quality review plans (评查计划), created by evaluators."""

    serializer_class = s.ReviewPlanSerializer
    queryset = ReviewPlan.objects.none()

    @extend_schema(request=s.ReviewPlanInputSerializer, responses={201: s.ReviewPlanSerializer})
    def create(self, request):
        """Select a plan's cases and assign each to an independent reviewer, who is told."""
        plan = _run(actions.PLAN, None, request)
        return Response(s.ReviewPlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class ReviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Case-quality reviews: the caller's own, and (evaluators) those on cases in scope."""

    serializer_class = s.CaseReviewSerializer
    filterset_fields = ["state", "plan"]

    def get_queryset(self):
        return (
            Review.objects.visible_to(self.request.user)
            .select_related("case", "reviewer")
            .order_by("state", "-pk")
        )

    @extend_schema(request=s.ReviewSubmitSerializer, responses={200: s.CaseReviewSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The assigned reviewer records the checklist and grade; a failing grade puts the
        finding on the handler's negative list."""
        review = access_review(pk, request.user)
        _run(actions.SUBMIT, review, request)
        return Response(s.CaseReviewSerializer(self.get_queryset().get(pk=review.pk)).data)


class QualityViewSet(viewsets.GenericViewSet):
    """The data-quality scan (数据质量巡检)."""

    serializer_class = s.ScanRunSerializer
    queryset = ScanRun.objects.none()

    @extend_schema(request=None, responses={200: s.ScanRunSerializer})
    @action(detail=False, methods=["post"])
    def scan(self, request):
        """Run the scan now (evaluators), as the daily job does."""
        return Response(s.ScanRunSerializer(_run(actions.SCAN, None, request)).data)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly analysis reports on areas inside the caller's scope; POST generates one."""

    serializer_class = s.ReportSerializer

    def get_queryset(self):
        return QuarterReport.objects.visible_to(self.request.user).select_related("division")

    @extend_schema(request=s.ReportRequestSerializer, responses={201: s.ReportSerializer})
    def create(self, request):
        data = s.ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["area"] = get_object_or_404(
            Division.objects.visible_to(request.user), code=fields["area"]
        )
        made = perform(actions.REPORT, None, request.user, fields)
        return Response(s.ReportSerializer(made).data, status=status.HTTP_201_CREATED)
