"""The evaluation API: schemes, scores and reports, with the pages' permissions (X4)."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from pingan.core.validators import parse_pk
from pingan.orgs.models import Division

from .. import report, services
from ..access import is_overseer, reports_visible_to, scores_visible_to
from ..models import IndicatorScore, Scheme
from . import serializers as s


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Evaluation schemes with their indicators (evaluators and leaders)."""

    filterset_fields = ["year", "quarter", "subject_kind", "state"]

    def get_queryset(self):
        if not is_overseer(self.request.user):
            raise PermissionDenied("只有考评员或领导可以查看考评方案。")
        schemes = Scheme.objects.order_by("-year", "-quarter", "subject_kind", "-version")
        if self.action == "retrieve":
            schemes = schemes.prefetch_related("indicators")
        return schemes

    def get_serializer_class(self):
        return s.SchemeDetailSerializer if self.action == "retrieve" else s.SchemeSerializer

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        """Recompute the scheme's scores now (evaluators)."""
        scheme = self.get_object()
        run = services.scores_compute(scheme=scheme, actor=request.user, now=timezone.now())
        return Response({"run": run.pk, "subjects": run.subject_count, "ms": run.duration_ms})


class ScoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Subject scores the caller may see: within scope for evaluators and leaders, only their
    own for everyone else. ``?scheme=`` limits to that scheme's latest run."""

    def get_queryset(self):
        scores = scores_visible_to(self.request.user).select_related(
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


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly analysis reports on areas inside the caller's scope; POST generates one."""

    serializer_class = s.ReportSerializer

    def get_queryset(self):
        return reports_visible_to(self.request.user).select_related("division")

    @extend_schema(request=s.ReportRequestSerializer, responses={201: s.ReportSerializer})
    def create(self, request):
        data = s.ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        division = get_object_or_404(
            Division.objects.visible_to(request.user), code=data.validated_data["area"]
        )
        made = report.report_generate(
            actor=request.user,
            year=data.validated_data["year"],
            quarter=data.validated_data["quarter"],
            division=division,
            now=timezone.now(),
        )
        return Response(s.ReportSerializer(made).data, status=status.HTTP_201_CREATED)
