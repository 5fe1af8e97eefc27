"""Dispatch instructions: issue, sign for, close; refusals; the unit's inbox; the trail."""

from datetime import timedelta

import pytest
import time_machine

from pingan.core.actions import perform
from pingan.core.errors import ApplicationError, ConflictError, ForbiddenError
from pingan.core.models import Notice
from pingan.orgs.models import Division, Unit
from pingan.risk.actions import ISSUE
from pingan.risk.choices import InstructionState
from pingan.risk.models import Instruction
from pingan.risk.services import instruction_accept, instruction_close

from .conftest import OTHER_STREET_GRID, WINDOW_END

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(staff, grid, community_unit):
    def make(persona="street_dispatcher", **overrides):
        # the declared action, as the page and the API run it, at the window's end
        fields = {
            "grid": grid,
            "unit": community_unit,
            "title": "核查多福巷第1网格矛盾上升",
            "content": "三日内上门走访涉事住户，排查纠纷源头，反馈处置情况。",
            "due_at": WINDOW_END + timedelta(days=3),
        }
        fields.update(overrides)
        with time_machine.travel(WINDOW_END, tick=False):
            return perform(ISSUE, None, staff(persona), fields)

    return make


def test_issue_reaches_the_units_inbox_and_starts_the_trail(issue, community_unit):
    instruction = issue()
    assert instruction.number.startswith("ZL2026")
    assert instruction.state == InstructionState.ISSUED
    assert list(instruction.events.values_list("kind", flat=True)) == ["issue"]
    notices = Notice.objects.filter(kind="instruction")
    assert set(notices.values_list("recipient__unit", flat=True)) == {community_unit.pk}
    assert set(notices.values_list("recipient__username", flat=True)) == {
        "u26-dispatcher-1",
        "u26-leader-1",
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "请填写指令标题。"),
        ({"content": ""}, "请填写指令内容"),
        ({"due_at": WINDOW_END - timedelta(hours=1)}, "完成期限必须晚于现在。"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(issue, overrides, message):
    with pytest.raises(ApplicationError, match=message):
        issue(**overrides)
    assert not Instruction.objects.exists()
    assert not Notice.objects.exists()


def test_only_dispatchers_in_scope_may_issue(issue):
    with pytest.raises(ForbiddenError):
        issue("street_clerk")
    with pytest.raises(ApplicationError, match="辖区内的网格"):
        issue(grid=Division.objects.get(code=OTHER_STREET_GRID))
    with pytest.raises(ApplicationError, match="承办单位"):
        issue(unit=Unit.objects.get(division__code="110101002", kind="street_center"))


def test_the_unit_signs_for_and_closes_it(issue, staff):
    instruction = issue()
    unit_member = staff("u26-leader-1")
    instruction_accept(instruction=instruction, actor=unit_member, version=1, now=WINDOW_END)
    with pytest.raises(ApplicationError, match="请填写办理结果"):
        instruction_close(
            instruction=instruction, actor=unit_member, result=" ", version=2, now=WINDOW_END
        )
    instruction_close(
        instruction=instruction,
        actor=unit_member,
        result="已走访 6 户，纠纷已调解。",
        version=2,
        now=WINDOW_END + timedelta(days=1),
    )
    instruction.refresh_from_db()
    assert instruction.state == InstructionState.CLOSED
    assert instruction.result == "已走访 6 户，纠纷已调解。"
    assert list(instruction.events.values_list("kind", "actor__username")) == [
        ("issue", "street_dispatcher"),
        ("accept", "u26-leader-1"),
        ("close", "u26-leader-1"),
    ]


def test_refusals_and_conflicts(issue, staff):
    instruction = issue()
    with pytest.raises(ForbiddenError):  # not the unit
        instruction_accept(
            instruction=instruction, actor=staff("street_clerk"), version=1, now=WINDOW_END
        )
    with pytest.raises(ConflictError):  # someone changed it since version 0 was read
        instruction_accept(
            instruction=instruction, actor=staff("u26-leader-1"), version=0, now=WINDOW_END
        )
    # the dispatcher who issued it may close it too
    instruction_close(
        instruction=instruction,
        actor=staff("street_dispatcher"),
        result="已现场处置。",
        version=1,
        now=WINDOW_END,
    )
    with pytest.raises(ApplicationError, match="已办结"):
        instruction_close(
            instruction=instruction,
            actor=staff("street_dispatcher"),
            result="再次",
            version=2,
            now=WINDOW_END,
        )
