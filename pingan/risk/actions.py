"""The actions on a dispatch instruction, declared once: the instruction page and the API both
run them through ``core.actions.perform``. Closing hands the result back to the dispatcher who
issued the instruction, who is told."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import Action, Handoff
from pingan.orgs.choices import RoleCode
from pingan.orgs.selectors import unit_staff

from . import forms, rules, services
from .api import serializers as s
from .models import Instruction


def _url(instruction: Instruction) -> str:
    return reverse("risk:instruction-detail", args=[instruction.number])


def _closed_message(instruction: Instruction, actor, data: dict) -> tuple[str, str]:
    return (
        _("指令已办结：%(number)s %(title)s")
        % {"number": instruction.number, "title": instruction.title},
        _("%(actor)s反馈办理结果：%(result)s") % {"actor": actor, "result": instruction.result},
    )


def _issued_message(instruction: Instruction, actor, data: dict) -> tuple[str, str]:
    return (
        _("调度指令：%(title)s") % {"title": instruction.title},
        _("%(actor)s下达：%(grid)s，请于 %(due)s 前办理并反馈结果。")
        % {
            "actor": actor,
            "grid": instruction.grid.name,
            "due": f"{timezone.localtime(instruction.due_at):%Y-%m-%d %H:%M}",
        },
    )


# Issuing an instruction (下达指令): a creation, so outside ``ACTIONS`` (which act on one).
ISSUE = Action(
    name="issue",
    operation="risk_instructions_create",
    label=gettext_lazy("下达指令"),
    allowed=services.ISSUE_ROLES,
    service=lambda _none, actor, data: services.instruction_issue(
        actor=actor, now=timezone.now(), **data
    ),
    form=forms.InstructionForm,
    serializer=s.InstructionCreateSerializer,
    tell=Handoff(
        kind=services.NOTICE_KIND,
        recipients=lambda instruction, actor, data: unit_staff(
            [instruction.unit], RoleCode.LEADER, RoleCode.DISPATCHER
        ),
        message=_issued_message,
        url=_url,
    ),
)

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            name="accept",
            operation="risk_instructions_accept_create",
            label=gettext_lazy("签收"),
            machine=rules.INSTRUCTION,
            service=lambda instruction, actor, data: services.instruction_accept(
                instruction=instruction, actor=actor, version=data["version"], now=timezone.now()
            ),
            form=forms.VersionForm,
            serializer=s.VersionSerializer,
            quiet="the issuer follows the instruction's state; the handling unit keeps it",
        ),
        Action(
            name="close",
            operation="risk_instructions_close_create",
            label=gettext_lazy("办结反馈"),
            machine=rules.INSTRUCTION,
            service=lambda instruction, actor, data: services.instruction_close(
                instruction=instruction,
                actor=actor,
                result=data["result"],
                version=data["version"],
                now=timezone.now(),
            ),
            form=forms.CloseForm,
            serializer=s.CloseSerializer,
            tell=Handoff(
                kind=services.NOTICE_KIND,
                recipients=lambda instruction, actor, data: [instruction.issued_by],
                message=_closed_message,
                url=_url,
            ),
        ),
    ]
}


def may(user, name: str, instruction: Instruction) -> bool:
    """Would the declared action be open to this user now (what the page offers)?"""
    if not rules.INSTRUCTION.allows(name, instruction.state):
        return False
    in_unit = user.unit_id == instruction.unit_id or user.is_superuser
    return in_unit or (name == "close" and user.pk == instruction.issued_by_id)
