"""The patrol actions, declared once: the phone pages and the API run them through
``core.actions.perform``. None changes a declared state (a patrol is open until ``ended_at``;
a report is linked to its case), so each names its roles itself."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from pingan.cases.rules import REGISTER_ROLES
from pingan.core.actions import Action

from . import forms, services
from .access import PATROL_ROLES
from .api import serializers as s

START = Action(
    name="start",
    operation="patrol_patrols_create",
    label=gettext_lazy("开始巡查"),
    allowed=PATROL_ROLES,
    service=lambda grid, actor, data: services.patrol_start(
        actor=actor, grid=grid, now=timezone.now()
    ),
    serializer=s.PatrolStartSerializer,
    quiet="a grid worker's own patrol",
)
END = Action(
    name="end",
    operation="patrol_patrols_end_create",
    label=gettext_lazy("结束巡查"),
    allowed=PATROL_ROLES,
    service=lambda patrol, actor, data: services.patrol_end(
        patrol=patrol,
        actor=actor,
        checked=list(data["checked"]),
        note=data.get("note", ""),
        now=timezone.now(),
    ),
    form=forms.PatrolEndForm,
    serializer=s.PatrolEndSerializer,
    quiet="a grid worker's own patrol; its problems become cases through to_case",
)
REPORT = Action(
    name="report",
    operation="patrol_reports_create",
    label=gettext_lazy("上报"),
    allowed=PATROL_ROLES,
    service=lambda _none, actor, data: services.report_create(actor=actor, **data),
    form=forms.ReportForm,
    serializer=s.ReportCreateSerializer,
    quiet="the report waits in its grid's list, which the street's dispatchers work from",
)
TO_CASE = Action(
    name="to_case",
    operation="patrol_reports_case_create",
    label=gettext_lazy("转为事项"),
    allowed=REGISTER_ROLES,
    service=lambda report, actor, data: services.report_to_case(
        report=report, actor=actor, now=timezone.now(), **data
    ),
    form=forms.ReportToCaseForm,
    serializer=s.ReportToCaseSerializer,
    quiet="the new case enters the registering unit's own queue",
)
