"""Writes of dispatch (指挥调度, M7.2): every change is one service, one transaction, one
trail event; the target unit's inbox hears of new instructions."""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.services import require_text, versioned_update
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import Level, RoleCode
from pingan.orgs.models import Division, Staff, Unit

from . import rules
from .choices import InstructionEventKind
from .models import Instruction, InstructionEvent, RiskSettings, RiskWarning

NOTICE_KIND = "instruction"
TITLE_MAX = Instruction._meta.get_field("title").max_length


ISSUE_ROLES = (RoleCode.DISPATCHER,)


def may_issue(user) -> bool:
    return has_role(user, *ISSUE_ROLES)


@transaction.atomic
def instruction_issue(
    *,
    actor: Staff,
    grid: Division,
    unit: Unit,
    title: str,
    content: str,
    due_at: datetime,
    now: datetime,
    warning: RiskWarning | None = None,
) -> Instruction:
    """A dispatcher tells a unit to act in a grid by a deadline (the declared action
    ``actions.ISSUE`` tells the unit's leaders and dispatchers)."""
    if not may_issue(actor):
        raise ForbiddenError(_("只有指挥调度员可以下达指令。"))
    if grid.level != Level.GRID or not in_scope(actor, grid.path):
        raise ApplicationError(_("请选择您辖区内的网格。"))
    if not unit.is_active or not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        raise ApplicationError(_("请选择您辖区内在用的承办单位。"))
    title = require_text(title, _("指令标题"), limit=TITLE_MAX)
    content = require_text(content, _("指令内容（写明要做什么、做到什么程度）"))
    if due_at <= now:
        raise ApplicationError(_("完成期限必须晚于现在。"))
    if warning is not None and warning.grid_id != grid.pk:
        raise ApplicationError(_("来源预警不属于所选网格。"))
    instruction = Instruction.objects.create(
        # a unique placeholder until the primary key gives the number
        number=uuid.uuid4().hex[:20],
        grid=grid,
        path=grid.path,
        unit=unit,
        title=title,
        content=content,
        due_at=due_at,
        warning=warning,
        issued_by=actor,
        issued_at=now,
    )
    instruction.number = f"ZL{timezone.localtime(now):%Y}{instruction.pk:06d}"
    instruction.save(update_fields=["number"])
    InstructionEvent.objects.create(
        instruction=instruction, kind=InstructionEventKind.ISSUE, actor=actor, created_at=now
    )
    return instruction


@transaction.atomic
def instruction_accept(
    *, instruction: Instruction, actor: Staff, version: int, now: datetime
) -> Instruction:
    """The target unit signs for an instruction (签收)."""
    if actor.unit_id != instruction.unit_id and not actor.is_superuser:
        raise ForbiddenError(_("只有承办单位的工作人员可以签收指令。"))
    state = rules.INSTRUCTION.check("accept", instruction.state)
    versioned_update(instruction, expected_version=version, now=now, state=state)
    InstructionEvent.objects.create(
        instruction=instruction, kind=InstructionEventKind.ACCEPT, actor=actor, created_at=now
    )
    return instruction


@transaction.atomic
def instruction_close(
    *, instruction: Instruction, actor: Staff, result: str, version: int, now: datetime
) -> Instruction:
    """The target unit (or the dispatcher who issued it) closes an instruction with a result."""
    is_party = actor.unit_id == instruction.unit_id or actor.pk == instruction.issued_by_id
    if not (is_party or actor.is_superuser):
        raise ForbiddenError(_("只有承办单位或下达指令的调度员可以办结指令。"))
    state = rules.INSTRUCTION.check("close", instruction.state)
    result = require_text(result, _("办理结果"))
    versioned_update(
        instruction,
        expected_version=version,
        now=now,
        state=state,
        result=result,
        closed_at=now,
    )
    InstructionEvent.objects.create(
        instruction=instruction,
        kind=InstructionEventKind.CLOSE,
        actor=actor,
        note=result,
        created_at=now,
    )
    return instruction


def warning_measurement_store(*, at: datetime) -> dict:
    """Measure the early warning at the current settings on simulated grids (a few seconds,
    run as a job or by the nightly refresh) and keep the figures the warnings page states."""
    from .warning_measure import measure_settings  # the simulation: loaded where it runs

    config = RiskSettings.load()
    measured = measure_settings(config, at=at)
    RiskSettings.objects.filter(pk=config.pk).update(warning_measured=measured)
    return measured
