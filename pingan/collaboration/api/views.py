"""The collaboration API: the same services, scope and errors as the pages (X4)."""

from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.cases.access import access_case
from pingan.core.actions import perform
from pingan.core.api import validated
from pingan.core.calendar import LOCAL_TZ
from pingan.core.validators import parse_pk
from pingan.orgs.models import Staff, Unit

from .. import actions, selectors
from ..access import (
    access_center,
    access_summons,
    agencies_for,
    may_read_board,
    may_read_figures,
    task_owners,
)
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


def _act(declared, obj, request):
    """Run a declared action on ``obj`` with what its serializer accepts from the body."""
    return perform(declared, obj, request.user, validated(declared.serializer, request.data))


def _period(request) -> tuple[datetime, datetime]:
    data = validated(s.PeriodSerializer, request.query_params)
    if data["end"] < data["start"]:
        raise ValidationError({"end": [_("截止日期不能早于起始日期。")]})
    start = datetime.combine(data["start"], datetime.min.time(), LOCAL_TZ)
    end = datetime.combine(data["end"] + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
    return start, end


class DutyShiftViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Duty roster rows at the centers the caller may read; filter with ?center=&date=."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = DutyShift.objects.none()

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
                raise ValidationError({"date": [_("日期格式应为 YYYY-MM-DD。")]}) from None
        return shifts.order_by("date", "center", "agency__name")

    @extend_schema(request=s.DutyShiftCreateSerializer, responses={201: s.DutyShiftSerializer})
    def create(self, request):
        """Put one department on duty at a center for a day (a swap or an extra day)."""
        data = validated(s.DutyShiftCreateSerializer, request.data)
        center = access_center(data["center"], request.user)
        data["agency"] = agencies_for(request.user).filter(pk=data["agency"]).first()
        if data["agency"] is None:
            raise ValidationError({"agency": [_("所选单位不存在，或不在您的工作范围内。")]})
        shift = perform(actions.ROSTER_SHIFT, center, request.user, data)
        return Response(s.DutyShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RosterPlanSerializer, responses={201: s.DutyShiftSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def plan(self, request):
        """Plan a center's roster for a month (permanent every working day, rotating in turn)."""
        data = validated(s.RosterPlanSerializer, request.data)
        center = access_center(data["center"], request.user)
        perform(actions.ROSTER_PLAN, center, request.user, data)
        first = data["month"].replace(day=1)
        shifts = DutyShift.objects.filter(
            center=center, date__gte=first, date__lt=(first + timedelta(days=32)).replace(day=1)
        ).select_related("center", "agency")
        return Response(
            s.DutyShiftSerializer(shifts, many=True).data, status=status.HTTP_201_CREATED
        )


class OfficerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Named officers (三官一师) assigned to streets in the caller's area."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = NamedOfficer.objects.none()

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
        data = validated(s.OfficerCreateSerializer, request.data)
        staff = Staff.objects.visible_to(request.user).filter(pk=data["staff"]).first()
        if staff is None:
            raise ValidationError({"staff": [_("找不到该干警，或不在您的工作范围内。")]})
        data["staff"] = staff
        officer = perform(actions.OFFICER_ASSIGN, data["street"], request.user, data)
        return Response(s.OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)


class WhistleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Whistles blown in the caller's area or summoning them; POST blows one on a case."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = WhistleCall.objects.none()

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
        data = validated(s.WhistleCreateSerializer, request.data)
        try:
            case = access_case(data["case"], request.user)
        except Exception:
            raise NotFound(_("找不到该事项，或不在您的工作范围内。")) from None
        units = list(Unit.objects.visible_to(request.user).filter(pk__in=data["units"]))
        officers = list(
            NamedOfficer.objects.visible_to(request.user)
            .select_related("staff")
            .filter(pk__in=data["officers"])
        )
        if len(units) != len(set(data["units"])) or len(officers) != len(set(data["officers"])):
            raise ValidationError({"detail": _("所选部门或干警不存在，或不在您的工作范围内。")})
        call = perform(
            actions.WHISTLE_BLOW, case, request.user, {**data, "units": units, "officers": officers}
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
        _act(actions.WHISTLE_CLOSE, call, request)
        return Response(s.WhistleSerializer(self.get_queryset().get(pk=call.pk)).data)

    def _answer(self, request, declared, summons_pk):
        summons = access_summons(self.get_object(), summons_pk)
        _act(declared, summons, request)
        return Response(s.SummonsSerializer(summons).data)

    @extend_schema(request=s.VersionSerializer, responses={200: s.SummonsSerializer})
    @action(detail=True, methods=["post"], url_path=r"summonses/(?P<summons_pk>[^/]+)/acknowledge")
    def acknowledge(self, request, pk=None, summons_pk=None):
        """Acknowledge a summons (报到), as the officer or department it names."""
        return self._answer(request, actions.ACKNOWLEDGE, summons_pk)

    @extend_schema(request=s.ReportSerializer, responses={200: s.SummonsSerializer})
    @action(detail=True, methods=["post"], url_path=r"summonses/(?P<summons_pk>[^/]+)/report")
    def report(self, request, pk=None, summons_pk=None):
        """Record what was done (处置情况) after acknowledging; whoever blew the whistle is
        told."""
        return self._answer(request, actions.REPORT, summons_pk)


class TalkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Safety talks in the caller's area; the detail carries the four lists of each problem."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = SafetyTalk.objects.none()

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
        data = validated(s.TalkCreateSerializer, request.data)
        ids = data["officers"]
        data["officers"] = list(NamedOfficer.objects.visible_to(request.user).filter(pk__in=ids))
        if len(data["officers"]) != len(set(ids)):
            raise ValidationError({"officers": [_("所选干警不存在，或不在您的工作范围内。")]})
        talk = perform(actions.TALK_RECORD, data["street"], request.user, data)
        return Response(s.TalkSerializer(talk).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProblemCreateSerializer, responses={201: s.ProblemSerializer})
    @action(detail=True, methods=["post"])
    def problems(self, request, pk=None):
        """Put a problem raised at the talk on the problem list (问题清单)."""
        problem = _act(actions.PROBLEM_ADD, self.get_object(), request)
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
        """Analyse the problem into a task (任务清单): owner unit and deadline required; the
        owner unit is told."""
        problem = self.get_object()
        data = validated(s.TaskCreateSerializer, request.data)
        owner = data["owner"]
        if owner is not None and not task_owners(request.user).filter(pk=owner.pk).exists():
            raise ValidationError({"owner": [_("该单位不在您的工作范围内。")]})
        task = perform(actions.TASK_ADD, problem, request.user, data)
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProblemCaseSerializer, responses={201: s.ProblemSerializer})
    @action(detail=True, methods=["post"])
    def case(self, request, pk=None):
        """Turn the problem into a case in one step (the link stays)."""
        problem = self.get_object()
        _act(actions.PROBLEM_CASE, problem, request)
        return Response(s.ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks of visible talks and tasks the caller's unit owns; ?overdue=1 for overdue ones."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = Task.objects.none()

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
        entry = _act(actions.TASK_PROGRESS, self.get_object(), request)
        return Response(s.ProgressSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ResultCreateSerializer, responses={201: s.TaskSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        """Review the task and record its result with evidence (成效清单)."""
        task = self.get_object()
        _act(actions.TASK_RESULT, task, request)
        return Response(s.TaskSerializer(self.get_queryset().get(pk=task.pk)).data, status=201)


PERIOD = [
    OpenApiParameter("start", str, description=gettext_lazy("起始日期 YYYY-MM-DD"), required=True),
    OpenApiParameter(
        "end", str, description=gettext_lazy("截止日期 YYYY-MM-DD（含）"), required=True
    ),
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
            raise PermissionDenied(_("您的角色不能查看响应统计。"))
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
            raise PermissionDenied(_("您的角色不能查看响应统计。"))
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
            raise PermissionDenied(_("您的角色不能查看四个清单。"))
        start, end = self.period(request)
        rows = selectors.four_list_completion_by_street(
            start=start, end=end, talks=SafetyTalk.objects.visible_to(request.user)
        )
        return Response(s.StreetListsSerializer(rows.values(), many=True).data)
