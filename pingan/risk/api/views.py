"""The risk API (M7): index snapshots, early warnings and dispatch instructions, through the
same selectors, services, scope and errors as the pages (X4)."""

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from pingan.core.actions import perform
from pingan.core.api import validated
from pingan.core.validators import parse_pk
from pingan.orgs.access import access_division, has_role
from pingan.orgs.choices import Level
from pingan.orgs.models import Unit

from .. import selectors, services
from ..access import MONITOR_ROLES
from ..actions import ACTIONS, ISSUE
from ..models import IndexSnapshot, Instruction, RiskWarning
from . import serializers as s


def _require_monitor(user) -> None:
    if not has_role(user, *MONITOR_ROLES):
        raise PermissionDenied(_("只有指挥调度、领导、考评和管理人员可以查看风险监测。"))


def _window(day) -> datetime | None:
    """The stored window ending on ``day`` (latest when not given); 400 if there is none."""
    windows = selectors.snapshot_windows()
    if day is None:
        return windows[0] if windows else None
    for end in windows:
        if timezone.localtime(end).date() == day:
            return end
    raise ValidationError(
        {"window": [_("没有窗口结束于 %(day)s 的平安指数。") % {"day": f"{day:%Y-%m-%d}"}]}
    )


class SnapshotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Safety-index snapshots (平安指数) of the areas the caller may see, one window at a time
    (the latest unless ``?window=``); filter by ``level``, ``colour`` and ``area``."""

    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON
    filter_backends: list = []

    def get_serializer_class(self):
        return s.SnapshotDetailSerializer if self.action == "retrieve" else s.SnapshotSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require_monitor(request.user)

    def get_queryset(self):
        snapshots = IndexSnapshot.objects.visible_to(self.request.user).select_related("division")
        if self.action != "list":
            return snapshots
        query = validated(s.SnapshotQuerySerializer, self.request.query_params)
        window_end = _window(query.get("window"))
        if window_end is None:
            return snapshots.none()
        snapshots = snapshots.filter(window_end=window_end)
        if "level" in query:
            snapshots = snapshots.filter(level=query["level"])
        if "colour" in query:
            snapshots = snapshots.filter(colour=query["colour"])
        if "area" in query:
            try:
                area = access_division(query["area"], self.request.user)
            except Http404:
                raise NotFound(_("找不到该区域，或不在您的工作范围内。")) from None
            snapshots = snapshots.filter(path__startswith=area.path)
        return snapshots.order_by("-value", "path")

    def get_object(self):
        pk = self.kwargs["pk"]
        snapshot = self.get_queryset().filter(pk=parse_pk(pk)).first()
        if snapshot is None:
            raise NotFound(_("找不到该指数快照，或不在您的工作范围内。"))
        return snapshot

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=list(selectors.MAP_LEVELS)),
            OpenApiParameter("colour", str, enum=["green", "yellow", "red"]),
            OpenApiParameter("area", str, description=gettext_lazy("区划代码")),
            OpenApiParameter("window", str, description=gettext_lazy("窗口结束日期 YYYY-MM-DD")),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class WarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Early warnings (风险预警) of grids in the caller's area: open ones unless ``?status=``."""

    lookup_value_regex = "[^/]+"
    filter_backends: list = []
    serializer_class = s.WarningSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require_monitor(request.user)

    def get_queryset(self):
        warnings = RiskWarning.objects.visible_to(self.request.user).select_related("grid")
        if self.action != "list":
            return warnings
        query = validated(s.WarningQuerySerializer, self.request.query_params)
        if query["status"] != "all":
            warnings = warnings.filter(closed_at__isnull=query["status"] == "open")
        if "kind" in query:
            warnings = warnings.filter(kind=query["kind"])
        return warnings.order_by("-opened_at", "-id")

    def get_object(self):
        pk = self.kwargs["pk"]
        warning = self.get_queryset().filter(pk=parse_pk(pk)).first()
        if warning is None:
            raise NotFound(_("找不到该预警，或不在您的工作范围内。"))
        return warning

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "closed", "all"]),
            OpenApiParameter("kind", str, enum=["rising", "hotspot"]),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class InstructionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Dispatch instructions (指挥调度指令) for grids in the caller's area and those addressed
    to their unit; a dispatcher issues one, the unit accepts it, either closes it."""

    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    filter_backends: list = []

    def get_serializer_class(self):
        return (
            s.InstructionDetailSerializer if self.action == "retrieve" else s.InstructionSerializer
        )

    def get_queryset(self):
        instructions = Instruction.objects.visible_to(self.request.user).select_related(
            "grid", "unit"
        )
        if self.action == "retrieve":
            instructions = instructions.prefetch_related("events__actor")
        if self.action != "list":
            return instructions
        state = validated(s.InstructionQuerySerializer, self.request.query_params).get("state")
        if state == "open":
            instructions = instructions.open()
        elif state == "overdue":
            instructions = instructions.overdue(now=timezone.now())
        elif state:
            instructions = instructions.filter(state=state)
        return instructions.order_by("-issued_at", "-id")

    def get_object(self):
        """One instruction in the caller's scope (as ``access_instruction``), 404 otherwise."""
        instruction = self.get_queryset().filter(number=self.kwargs["number"]).first()
        if instruction is None:
            raise NotFound(_("找不到该指令，或不在您的工作范围内。"))
        return instruction

    def _detail(self, instruction: Instruction, *, status_code: int = status.HTTP_200_OK):
        fresh = self.get_queryset().prefetch_related("events__actor").get(pk=instruction.pk)
        return Response(s.InstructionDetailSerializer(fresh).data, status=status_code)

    @extend_schema(parameters=[OpenApiParameter("state", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.InstructionCreateSerializer, responses={201: s.InstructionDetailSerializer}
    )
    def create(self, request):
        """Issue an instruction for a grid in the caller's area (dispatchers only)."""
        if not services.may_issue(request.user):
            raise PermissionDenied(_("只有指挥调度员可以下达指令。"))
        data = validated(s.InstructionCreateSerializer, request.data)
        try:
            grid = access_division(data["grid"], request.user)
        except Http404:
            grid = None
        if grid is None or grid.level != Level.GRID:
            raise ValidationError({"grid": [_("找不到该网格，或不在您的工作范围内。")]})
        unit = Unit.objects.visible_to(request.user).filter(pk=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("找不到该承办单位，或不在您的工作范围内。")]})
        warning = None
        if data.get("warning") is not None:
            warning = (
                RiskWarning.objects.visible_to(request.user).filter(pk=data["warning"]).first()
            )
            if warning is None:
                raise ValidationError({"warning": [_("找不到该预警，或不在您的工作范围内。")]})
        fields = {"title": data["title"], "content": data["content"], "due_at": data["due_at"]}
        instruction = perform(
            ISSUE, None, request.user, {**fields, "grid": grid, "unit": unit, "warning": warning}
        )
        return self._detail(instruction, status_code=status.HTTP_201_CREATED)

    def _act(self, request, name: str):
        instruction = self.get_object()
        declared = ACTIONS[name]
        perform(declared, instruction, request.user, validated(declared.serializer, request.data))
        return self._detail(instruction)

    @extend_schema(request=s.VersionSerializer, responses={200: s.InstructionDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, number=None):
        """The target unit signs for the instruction (签收): the declared action ``accept``."""
        return self._act(request, "accept")

    @extend_schema(request=s.CloseSerializer, responses={200: s.InstructionDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        """The unit, or the dispatcher who issued it, closes the instruction with a result:
        the declared action ``close`` (the issuer is told)."""
        return self._act(request, "close")
