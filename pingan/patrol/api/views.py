"""The patrol API (X4): reports (list, read, file, turn into a case), the caller's patrols
(start, end) and patrol coverage, with the pages' rules and declared actions."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.cases.api.serializers import CaseDetailSerializer
from pingan.cases.models import Case
from pingan.cases.selectors import DeadlineWords
from pingan.core.actions import perform
from pingan.core.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from pingan.orgs.access import access_division, has_role, scope_paths
from pingan.orgs.choices import Level
from pingan.orgs.models import Division

from .. import actions
from ..access import COVERAGE_ROLES, PATROL_ROLES, REPORT_READ_ROLES
from ..filtersets import ReportFilter
from ..models import Patrol, Report
from ..selectors import patrol_coverage
from . import serializers as s


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reports (网格上报) the caller may read; grid workers file new ones with POST."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = Report.objects.none()

    serializer_class = s.ReportSerializer
    filterset_class = ReportFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if not has_role(self.request.user, *REPORT_READ_ROLES):
            raise PermissionDenied(_("您的角色不能查看网格上报。"))
        return (
            Report.objects.visible_to(self.request.user)
            .select_related("grid", "reporter", "case")
            .order_by("-reported_at", "-id")
        )

    @extend_schema(
        request=s.ReportCreateSerializer,
        responses={201: s.ReportSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def create(self, request):
        """File a report from the grid (the phone page's rules: grid, kind, text, position)."""
        data = s.ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = perform(actions.REPORT, None, request.user, dict(data.validated_data))
        report = self.get_queryset().get(pk=report.pk)
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReportToCaseSerializer, responses={201: CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="case")
    def to_case(self, request, pk=None):
        """Register the case a report calls for and link them (the report-to-case page's
        declared action): the front desk roles, once per report."""
        report = self.get_object()
        data = s.ReportToCaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = perform(actions.TO_CASE, report, request.user, dict(data.validated_data))
        case = Case.objects.prefetch_related("parties", "events").get(pk=case.pk)
        DeadlineWords(now=timezone.now()).label(case)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class PatrolViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own patrols (巡查), newest first: start one with POST, end it with
    ``{id}/end/`` (the phone page's declared actions)."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = Patrol.objects.none()

    serializer_class = s.PatrolSerializer
    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    def get_queryset(self):
        if not has_role(self.request.user, *PATROL_ROLES):
            raise PermissionDenied(_("只有网格员可以巡查。"))
        return (
            Patrol.objects.filter(staff=self.request.user)
            .select_related("grid")
            .order_by("-started_at", "-id")
        )

    @extend_schema(request=s.PatrolStartSerializer, responses={201: s.PatrolSerializer})
    def create(self, request):
        """Start a patrol of one of the caller's grids; one open patrol at a time."""
        self.get_queryset()  # the role check
        data = s.PatrolStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grid = request.user.grids.filter(level=Level.GRID, code=data.validated_data["grid"]).first()
        if grid is None:
            raise ValidationError({"grid": [_("这不是您负责的网格。")]})
        patrol = perform(actions.START, grid, request.user, dict(data.validated_data))
        return Response(s.PatrolSerializer(patrol).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PatrolEndSerializer, responses={200: s.PatrolSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the patrol with what was checked (at least one item) and a note."""
        patrol = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.PatrolEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = perform(actions.END, patrol, request.user, dict(data.validated_data))
        return Response(s.PatrolSerializer(patrol).data)


class CoverageView(APIView):
    """Patrolled days per grid between two dates (inclusive) within an area."""

    @extend_schema(
        parameters=[s.CoverageQuerySerializer], responses=s.CoverageRowSerializer(many=True)
    )
    def get(self, request):
        if not has_role(request.user, *COVERAGE_ROLES):
            raise PermissionDenied(_("您的角色不能查看巡查覆盖。"))
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
