"""The patrol API (X4): reports (list, read, file) and patrol coverage, with the pages' rules."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.orgs.access import access_division, has_role, scope_paths
from pingan.orgs.models import Division

from ..access import COVERAGE_ROLES, REPORT_READ_ROLES
from ..filtersets import ReportFilter
from ..models import Report
from ..selectors import patrol_coverage
from ..services import report_create
from . import serializers as s


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reports (网格上报) the caller may read; grid workers file new ones with POST."""

    serializer_class = s.ReportSerializer
    filterset_class = ReportFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if not has_role(self.request.user, *REPORT_READ_ROLES):
            raise PermissionDenied("您的角色不能查看网格上报。")
        return (
            Report.objects.visible_to(self.request.user)
            .select_related("grid", "reporter", "case")
            .order_by("-reported_at", "-id")
        )

    @extend_schema(request=s.ReportCreateSerializer, responses={201: s.ReportSerializer})
    def create(self, request):
        """File a report from the grid (the phone page's rules: grid, kind, text, position)."""
        data = s.ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            report = report_create(actor=request.user, **data.validated_data)
        report = self.get_queryset().get(pk=report.pk)
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class CoverageView(APIView):
    """Patrolled days per grid between two dates (inclusive) within an area."""

    @extend_schema(
        parameters=[s.CoverageQuerySerializer], responses=s.CoverageRowSerializer(many=True)
    )
    def get(self, request):
        if not has_role(request.user, *COVERAGE_ROLES):
            raise PermissionDenied("您的角色不能查看巡查覆盖。")
        query = s.CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data.get("within")
        if code:
            within = access_division(code, request.user)
        else:
            paths = scope_paths(request.user)
            within = None if paths is None else Division.objects.filter(path__in=paths).first()
            if paths is not None and within is None:
                return Response([])
        coverage = patrol_coverage(
            start=query.validated_data["start"], end=query.validated_data["end"], within=within
        )
        codes = dict(Division.objects.filter(pk__in=coverage).values_list("pk", "code"))
        rows = [{"grid": codes[pk], "patrolled_days": days} for pk, days in coverage.items()]
        return Response(sorted(rows, key=lambda row: row["grid"]))
