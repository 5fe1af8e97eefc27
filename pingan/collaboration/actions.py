"""The collaboration actions, declared once: the roster, officer, case, whistle and talk pages
and the API run them through ``core.actions.perform``. Assigning a named officer to a street
tells the officer; a whistle hands the case to the summoned parties, who are told (inbox and
SMS); a summoned party's report hands the result back to whoever blew the whistle; a task hands
a problem to its owner unit. The rest keep the work where it is."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.cases.models import Case
from pingan.cases.rules import REGISTER_ROLES
from pingan.core.actions import Action, Handoff
from pingan.orgs.models import Division
from pingan.orgs.selectors import unit_staff

from . import forms, rules, services
from .api import serializers as s
from .choices import OfficerKind
from .models import Problem, WhistleCall, WhistleSummons
from .rules import ORGANISER_ROLES, RESPONDER_ROLES

ROSTER_PLAN = Action(
    name="roster_plan",
    operation="collaboration_roster_plan_create",
    label=gettext_lazy("排班"),
    allowed=ORGANISER_ROLES,
    service=lambda center, actor, data: services.roster_plan_month(
        center=center, month=data["month"], actor=actor
    ),
    form=forms.RosterPlanForm,
    serializer=s.RosterPlanSerializer,
    quiet="a month's rota of the center's own stationed agencies, read on the roster page",
)
ROSTER_SHIFT = Action(
    name="roster_shift",
    operation="collaboration_roster_create",
    label=gettext_lazy("加入值班"),
    allowed=ORGANISER_ROLES,
    service=lambda center, actor, data: services.duty_shift_add(
        center=center, agency=data["agency"], day=data["date"], actor=actor
    ),
    form=forms.DutyShiftForm,
    serializer=s.DutyShiftCreateSerializer,
    quiet="a swap or an extra day in the center's own rota, read on the roster page",
)


def _assigned_message(street: Division, actor, data: dict) -> tuple[str, str]:
    return (
        _("实名下沉：%(street)s") % {"street": street.name},
        _("%(actor)s安排您作为%(kind)s实名下沉到%(street)s，自 %(start)s 起。")
        % {
            "actor": actor,
            "kind": OfficerKind(data["kind"]).label,
            "street": street.name,
            "start": f"{data['starts_on']:%Y-%m-%d}",
        },
    )


OFFICER_ASSIGN = Action(
    name="officer_assign",
    operation="collaboration_officers_create",
    label=gettext_lazy("实名下沉"),
    allowed=ORGANISER_ROLES,
    service=lambda street, actor, data: services.officer_assign(actor=actor, **data),
    form=forms.OfficerForm,
    serializer=s.OfficerCreateSerializer,
    tell=Handoff(
        kind="officer",
        recipients=lambda street, actor, data: [data["staff"]],
        message=_assigned_message,
        url=lambda street: reverse("collaboration:officers"),
    ),
)


# --- whistle-and-report ------------------------------------------------------------------------


def _blown(case: Case) -> WhistleCall:
    """The whistle the action has just blown on the case (its newest)."""
    return case.whistles.select_related("street").order_by("-blown_at", "-pk").first()


def _summoned(case: Case, actor, data: dict):
    """Each named officer, and the responders of each department summoned without a name."""
    summonses = list(_blown(case).summonses.select_related("officer__staff"))
    units = [summons.unit_id for summons in summonses if summons.officer_id is None]
    named = [summons.officer.staff for summons in summonses if summons.officer_id]
    return [*named, *unit_staff(units, *RESPONDER_ROLES)]


def _summons_message(case: Case, actor, data: dict) -> tuple[str, str]:
    call = _blown(case)
    due = timezone.localtime(call.report_by)
    return (
        _("吹哨报到：%(street)s召集，请于 %(due)s 前报到")
        % {"street": call.street.name, "due": f"{due:%m-%d %H:%M}"},
        _("事项 %(number)s “%(title)s”：%(reason)s")
        % {"number": case.number, "title": case.title, "reason": call.reason},
    )


def _reported_message(summons: WhistleSummons, actor, data: dict) -> tuple[str, str]:
    case = summons.call.case
    return (
        _("报到反馈：%(number)s %(title)s") % {"number": case.number, "title": case.title},
        _("%(unit)s（%(actor)s）反馈处置情况：%(report)s")
        % {"unit": summons.unit.name, "actor": actor, "report": summons.report},
    )


WHISTLE_BLOW = Action(
    name="whistle_blow",
    operation="collaboration_whistles_create",
    label=gettext_lazy("吹哨"),
    allowed=ORGANISER_ROLES,
    service=lambda case, actor, data: services.whistle_blow(
        case=case,
        actor=actor,
        reason=data["reason"],
        units=list(data["units"]),
        officers=list(data["officers"]),
        report_hours=data.get("report_hours"),
    ),
    form=forms.WhistleForm,
    serializer=s.WhistleCreateSerializer,
    tell=Handoff(
        kind=services.NOTICE_KIND,
        recipients=_summoned,
        message=_summons_message,
        url=lambda case: services.whistle_url(_blown(case).pk),
        sms=lambda case: True,  # a summons is urgent by nature: report within hours
    ),
)
WHISTLE_CLOSE = Action(
    name="whistle_close",
    operation="collaboration_whistles_close_create",
    label=gettext_lazy("办结吹哨"),
    allowed=ORGANISER_ROLES,
    service=lambda call, actor, data: services.whistle_close(
        call=call, actor=actor, result=data["result"], expected_version=data.get("version")
    ),
    form=forms.CloseForm,
    serializer=s.CloseSerializer,
    quiet="the street ends its own joint work; the result goes on the case's timeline",
)
ACKNOWLEDGE = Action(
    name="acknowledge",
    operation="collaboration_whistles_summonses_acknowledge_create",
    label=gettext_lazy("报到"),
    machine=rules.SUMMONS,
    service=lambda summons, actor, data: services.summons_acknowledge(
        summons=summons, actor=actor, expected_version=data.get("version")
    ),
    form=forms.VersionForm,
    serializer=s.VersionSerializer,
    quiet="the summoned party takes up the work it was handed; the timeline shows the time",
)
REPORT = Action(
    name="report",
    operation="collaboration_whistles_summonses_report_create",
    label=gettext_lazy("反馈处置情况"),
    machine=rules.SUMMONS,
    service=lambda summons, actor, data: services.summons_report(
        summons=summons, actor=actor, report=data["report"], expected_version=data.get("version")
    ),
    form=forms.ReportForm,
    serializer=s.ReportSerializer,
    tell=Handoff(
        kind=services.NOTICE_KIND,
        recipients=lambda summons, actor, data: [summons.call.blown_by],
        message=_reported_message,
        url=lambda summons: services.whistle_url(summons.call_id),
    ),
)


# --- safety talks and the four lists -----------------------------------------------------------


def _problem_url(problem: Problem) -> str:
    return reverse("collaboration:talk-detail", args=[problem.talk_id]) + f"#problem-{problem.pk}"


def _task_message(problem: Problem, actor, data: dict) -> tuple[str, str]:
    return (
        _("任务清单：%(task)s") % {"task": data["description"]},
        _("%(street)s平安恳谈提出的问题交由%(unit)s落实，完成时限 %(deadline)s。问题：%(problem)s")
        % {
            "street": problem.talk.street.name,
            "unit": data["owner"].name,
            "deadline": f"{data['deadline']:%Y-%m-%d}",
            "problem": problem.description,
        },
    )


TALK_RECORD = Action(
    name="talk_record",
    operation="collaboration_talks_create",
    label=gettext_lazy("记录恳谈"),
    allowed=ORGANISER_ROLES,
    service=lambda street, actor, data: services.talk_record(
        actor=actor, **{**data, "officers": list(data["officers"])}
    ),
    form=forms.TalkForm,
    serializer=s.TalkCreateSerializer,
    quiet="the street's own record of a talk it held; its problems become tasks through task_add",
)
PROBLEM_ADD = Action(
    name="problem_add",
    operation="collaboration_talks_problems_create",
    label=gettext_lazy("列入问题清单"),
    allowed=ORGANISER_ROLES,
    service=lambda talk, actor, data: services.problem_add(talk=talk, actor=actor, **data),
    form=forms.ProblemForm,
    serializer=s.ProblemCreateSerializer,
    quiet="the street's own problem list; a task hands a problem on",
)
TASK_ADD = Action(
    name="task_add",
    operation="collaboration_problems_tasks_create",
    label=gettext_lazy("列入任务清单"),
    allowed=ORGANISER_ROLES,
    service=lambda problem, actor, data: services.task_add(problem=problem, actor=actor, **data),
    form=forms.TaskForm,
    serializer=s.TaskCreateSerializer,
    tell=Handoff(
        kind="task",
        recipients=lambda problem, actor, data: unit_staff([data["owner"]], *RESPONDER_ROLES),
        message=_task_message,
        url=_problem_url,
    ),
)
PROBLEM_CASE = Action(
    name="problem_case",
    operation="collaboration_problems_case_create",
    label=gettext_lazy("转为事项"),
    allowed=REGISTER_ROLES,
    service=lambda problem, actor, data: services.problem_to_case(
        problem=problem, actor=actor, data=services.ProblemCaseInput(**data)
    ),
    form=forms.ProblemCaseForm,
    serializer=s.ProblemCaseSerializer,
    quiet="the new case enters the registering unit's own queue",
)
TASK_PROGRESS = Action(
    name="task_progress",
    operation="collaboration_tasks_progress_create",
    label=gettext_lazy("记录落实情况"),
    service=lambda task, actor, data: services.task_progress_add(task=task, actor=actor, **data),
    form=forms.ProgressForm,
    serializer=s.ProgressCreateSerializer,
    quiet="an entry on the task's implementation list; the task stays with its owner",
)
TASK_RESULT = Action(
    name="task_result",
    operation="collaboration_tasks_result_create",
    label=gettext_lazy("复盘办结"),
    allowed=ORGANISER_ROLES,
    service=lambda task, actor, data: services.task_result_record(
        task=task,
        actor=actor,
        rating=data["rating"],
        summary=data["summary"],
        evidence=data["evidence"],
        expected_version=data.get("version"),
    ),
    form=forms.ResultForm,
    serializer=s.ResultCreateSerializer,
    quiet="the organising street closes its own task with the evidence",
)
