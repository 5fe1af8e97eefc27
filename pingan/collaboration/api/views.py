"""The collaboration API: the same services, scope and errors as the pages (X4)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.cases.access import access_case
from pingan.core.calendar import LOCAL_TZ
from pingan.core.validators import parse_pk
from pingan.orgs.models import Staff, Unit

from .. import selectors, services
from ..access import access_center, access_summons, may_read_board, may_read_figures
from ..models import (
    DutyShift,
    NamedOfficer,
    Problem,
    SafetyTalk,
    Task,
    WhistleCall,
    WhistleSummons,
)
from . import serializers as s


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _period(request) -> tuple[datetime, datetime]:
    data = _valid(s.PeriodSerializer, request.query_params)
    if data["end"] < data["start"]:
        raise ValidationError({"end": ["截止日期不能早于起始日期。"]})
    start = datetime.combine(data["start"], datetime.min.time(), LOCAL_TZ)
    end = datetime.combine(data["end"] + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    return start, end


class DutyShiftViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Duty roster rows at the centers the caller may read; filter with ?center=&date=."""

    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    serializer_class = s.DutyShiftSerializer

    def get_queryset(self):
        shifts = DutyShift.objects.visible_to(self.request.user).select_related("center", "agency")
        params = self.request.query_params
        if (center := parse_pk(params.get("center", ""))) is not None:
            shifts = shifts.filter(center=center)
        if params.get("date"):
            try:
                shifts = shifts.filter(date=datetime.fromisoformat(params["date"]).date())
            except ValueError:
                raise ValidationError({"date": ["日期格式应为 YYYY-MM-DD。"]}) from None
        return shifts.order_by("date", "center", "agency__name")

    @extend_schema(
        request=s.RosterPlanSerializer, responses={201: s.DutyShiftSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def plan(self, request):
        """Plan a center's roster for a month (permanent every working day, rotating in turn)."""
        data = _valid(s.RosterPlanSerializer, request.data)
        center = access_center(data["center"], request.user)
        services.roster_plan_month(center=center, month=data["month"], actor=request.user)
        first = data["month"].replace(day=1)
        shifts = DutyShift.objects.filter(
            center=center, date__gte=first, date__lt=(first + timedelta(days=32)).replace(day=1)
        ).select_related("center", "agency")
        return Response(
            s.DutyShiftSerializer(shifts, many=True).data, status=status.HTTP_201_CREATED
        )


class OfficerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Named officers (三官一师) assigned to streets in the caller's area."""

    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    serializer_class = s.OfficerSerializer

    def get_queryset(self):
        return (
            NamedOfficer.objects.visible_to(self.request.user)
            .select_related("staff__unit", "street")
            .order_by("street__code", "kind", "pk")
        )

    @extend_schema(request=s.OfficerCreateSerializer, responses={201: s.OfficerSerializer})
    def create(self, request):
        data = _valid(s.OfficerCreateSerializer, request.data)
        staff = Staff.objects.visible_to(request.user).filter(pk=data.pop("staff")).first()
        if staff is None:
            raise ValidationError({"staff": ["找不到该干警，或不在您的工作范围内。"]})
        officer = services.officer_assign(actor=request.user, staff=staff, **data)
        return Response(s.OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)


class WhistleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Whistles blown in the caller's area or summoning them; POST blows one on a case."""

    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    serializer_class = s.WhistleSerializer

    def get_queryset(self):
        return (
            WhistleCall.objects.visible_to(self.request.user)
            .select_related("case", "street")
            .prefetch_related(
                Prefetch(
                    "summonses",
                    queryset=WhistleSummons.objects.select_related("unit", "officer__staff"),
                )
            )
            .order_by("-blown_at", "-pk")
        )

    @extend_schema(request=s.WhistleCreateSerializer, responses={201: s.WhistleSerializer})
    def create(self, request):
        data = _valid(s.WhistleCreateSerializer, request.data)
        try:
            case = access_case(data["case"], request.user)
        except Exception:
            raise NotFound("找不到该事项，或不在您的工作范围内。") from None
        units = list(Unit.objects.visible_to(request.user).filter(pk__in=data["units"]))
        officers = list(
            NamedOfficer.objects.visible_to(request.user)
            .select_related("staff")
            .filter(pk__in=data["officers"])
        )
        if len(units) != len(set(data["units"])) or len(officers) != len(set(data["officers"])):
            raise ValidationError({"detail": "所选部门或干警不存在，或不在您的工作范围内。"})
        with transaction.atomic():
            call = services.whistle_blow(
                case=case,
                actor=request.user,
                reason=data["reason"],
                units=units,
                officers=officers,
                report_hours=data.get("report_hours"),
            )
        return Response(
            s.WhistleSerializer(self.get_queryset().get(pk=call.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.CloseSerializer, responses={200: s.WhistleSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The street records the result and closes the whistle."""
        call = self.get_object()
        data = _valid(s.CloseSerializer, request.data)
        services.whistle_close(
            call=call,
            actor=request.user,
            result=data["result"],
            expected_version=data.get("version"),
        )
        return Response(s.WhistleSerializer(self.get_queryset().get(pk=call.pk)).data)

    def _summons(self, request, pk, summons_pk):
        call = self.get_object()
        return access_summons(call, summons_pk)

    @extend_schema(request=s.VersionSerializer, responses={200: s.SummonsSerializer})
    @action(detail=True, methods=["post"], url_path=r"summonses/(?P<summons_pk>[^/]+)/acknowledge")
    def acknowledge(self, request, pk=None, summons_pk=None):
        """Acknowledge a summons (报到), as the officer or department it names."""
        summons = self._summons(request, pk, summons_pk)
        data = _valid(s.VersionSerializer, request.data)
        services.summons_acknowledge(
            summons=summons, actor=request.user, expected_version=data.get("version")
        )
        return Response(s.SummonsSerializer(summons).data)

    @extend_schema(request=s.ReportSerializer, responses={200: s.SummonsSerializer})
    @action(detail=True, methods=["post"], url_path=r"summonses/(?P<summons_pk>[^/]+)/report")
    def report(self, request, pk=None, summons_pk=None):
        """Record what was done (处置情况) after acknowledging."""
        summons = self._summons(request, pk, summons_pk)
        data = _valid(s.ReportSerializer, request.data)
        services.summons_report(
            summons=summons,
            actor=request.user,
            report=data["report"],
            expected_version=data.get("version"),
        )
        return Response(s.SummonsSerializer(summons).data)


class TalkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Safety talks in the caller's area; the detail carries the four lists of each problem."""

    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    def get_serializer_class(self):
        return s.TalkDetailSerializer if self.action == "retrieve" else s.TalkSerializer

    def get_queryset(self):
        talks = SafetyTalk.objects.visible_to(self.request.user).select_related("street")
        if self.action == "retrieve":
            talks = talks.prefetch_related(
                "officers",
                Prefetch(
                    "problems",
                    queryset=Problem.objects.select_related("case").prefetch_related(
                        Prefetch(
                            "tasks",
                            queryset=Task.objects.select_related(
                                "owner", "result"
                            ).prefetch_related("progress"),
                        )
                    ),
                ),
            )
        return talks.order_by("-held_on", "-pk")

    @extend_schema(request=s.TalkCreateSerializer, responses={201: s.TalkSerializer})
    def create(self, request):
        data = _valid(s.TalkCreateSerializer, request.data)
        ids = data.pop("officers")
        officers = list(NamedOfficer.objects.visible_to(request.user).filter(pk__in=ids))
        if len(officers) != len(set(ids)):
            raise ValidationError({"officers": ["所选干警不存在，或不在您的工作范围内。"]})
        talk = services.talk_record(actor=request.user, officers=officers, **data)
        return Response(s.TalkSerializer(talk).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProblemCreateSerializer, responses={201: s.ProblemSerializer})
    @action(detail=True, methods=["post"])
    def problems(self, request, pk=None):
        """Put a problem raised at the talk on the problem list (问题清单)."""
        talk = self.get_object()
        problem = services.problem_add(
            talk=talk, actor=request.user, **_valid(s.ProblemCreateSerializer, request.data)
        )
        return Response(s.ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)


class ProblemViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A problem with its tasks, their implementation entries and results."""

    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    serializer_class = s.ProblemSerializer

    def get_queryset(self):
        return Problem.objects.visible_to(self.request.user).select_related("case", "talk")

    @extend_schema(request=s.TaskCreateSerializer, responses={201: s.TaskSerializer})
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        """Analyse the problem into a task (任务清单): owner unit and deadline required."""
        problem = self.get_object()
        data = _valid(s.TaskCreateSerializer, request.data)
        owner = data["owner"]
        if (
            owner is not None
            and not Unit.objects.visible_to(request.user).filter(pk=owner.pk).exists()
        ):
            raise ValidationError({"owner": ["该单位不在您的工作范围内。"]})
        task = services.task_add(problem=problem, actor=request.user, **data)
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProblemCaseSerializer, responses={201: s.ProblemSerializer})
    @action(detail=True, methods=["post"])
    def case(self, request, pk=None):
        """Turn the problem into a case in one step (the link stays)."""
        problem = self.get_object()
        data = _valid(s.ProblemCaseSerializer, request.data)
        services.problem_to_case(
            problem=problem, actor=request.user, data=services.ProblemCaseInput(**data)
        )
        return Response(s.ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks of visible talks and tasks the caller's unit owns; ?overdue=1 for overdue ones."""

    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    serializer_class = s.TaskSerializer

    def get_queryset(self):
        tasks = (
            Task.objects.visible_to(self.request.user)
            .select_related("owner", "result")
            .prefetch_related("progress")
            .order_by("deadline", "pk")
        )
        if self.request.query_params.get("overdue") == "1":
            tasks = tasks.overdue(today=timezone.localdate())
        return tasks

    @extend_schema(request=s.ProgressCreateSerializer, responses={201: s.ProgressSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Record progress (落实清单), as the owner unit or the organising street."""
        task = self.get_object()
        entry = services.task_progress_add(
            task=task, actor=request.user, **_valid(s.ProgressCreateSerializer, request.data)
        )
        return Response(s.ProgressSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ResultCreateSerializer, responses={201: s.TaskSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        """Review the task and record its result with evidence (成效清单)."""
        task = self.get_object()
        data = _valid(s.ResultCreateSerializer, request.data)
        services.task_result_record(
            task=task,
            actor=request.user,
            rating=data["rating"],
            summary=data["summary"],
            evidence=data["evidence"],
            expected_version=data.get("version"),
        )
        return Response(s.TaskSerializer(self.get_queryset().get(pk=task.pk)).data, status=201)


PERIOD = [
    OpenApiParameter("start", str, description="起始日期 YYYY-MM-DD", required=True),
    OpenApiParameter("end", str, description="截止日期 YYYY-MM-DD（含）", required=True),
]


class _FiguresView(APIView):
    """Evaluation figures for a period ``[start, end]`` (local dates), within the caller's
    scope."""

    def period(self, request) -> tuple[datetime, datetime]:
        return _period(request)


class DepartmentFiguresView(_FiguresView):
    """Whistle response per summoned department (the department is evaluated for response)."""

    @extend_schema(parameters=PERIOD, responses={200: s.UnitResponseSerializer(many=True)})
    def get(self, request):
        if not may_read_figures(request.user):
            raise PermissionDenied("您的角色不能查看响应统计。")
        start, end = self.period(request)
        rows = selectors.whistle_response_by_unit(
            start=start, end=end, summonses=WhistleSummons.objects.visible_to(request.user)
        )
        return Response(s.UnitResponseSerializer(rows.values(), many=True).data)


class StreetWhistleFiguresView(_FiguresView):
    """Whistle quality per summoning street (the street is evaluated for whistle quality)."""

    @extend_schema(parameters=PERIOD, responses={200: s.StreetWhistlesSerializer(many=True)})
    def get(self, request):
        if not may_read_figures(request.user):
            raise PermissionDenied("您的角色不能查看响应统计。")
        start, end = self.period(request)
        rows = selectors.whistle_quality_by_street(
            start=start, end=end, calls=WhistleCall.objects.visible_to(request.user)
        )
        return Response(s.StreetWhistlesSerializer(rows.values(), many=True).data)


class FourListFiguresView(_FiguresView):
    """Four-list completion per street, for the talks held in the period."""

    @extend_schema(parameters=PERIOD, responses={200: s.StreetListsSerializer(many=True)})
    def get(self, request):
        if not may_read_board(request.user):
            raise PermissionDenied("您的角色不能查看四个清单。")
        start, end = self.period(request)
        rows = selectors.four_list_completion_by_street(
            start=start, end=end, talks=SafetyTalk.objects.visible_to(request.user)
        )
        return Response(s.StreetListsSerializer(rows.values(), many=True).data)
