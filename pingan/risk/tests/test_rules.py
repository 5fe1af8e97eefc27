"""The instruction's declared machine: refused moves change nothing (property-based)."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.core.actions import perform
from pingan.core.testing import check_refusals_change_nothing
from pingan.risk.actions import ACTIONS
from pingan.risk.models import Instruction
from pingan.risk.rules import INSTRUCTION
from pingan.risk.services import instruction_issue


@pytest.mark.django_db
def test_a_refused_instruction_move_changes_nothing(staff, grid, community_unit, now):
    dispatcher, member = staff("street_dispatcher"), staff("u26-leader-1")

    def make(state: str) -> Instruction:
        instruction = instruction_issue(
            actor=dispatcher,
            grid=grid,
            unit=community_unit,
            title="核查",
            content="走访",
            due_at=now + timedelta(days=2),
            now=now,
        )
        closed = {"result": "已办理", "closed_at": now} if state == "closed" else {}
        Instruction.objects.filter(pk=instruction.pk).update(state=state, **closed)
        instruction.refresh_from_db()
        return instruction

    def act(action: str, instruction: Instruction) -> None:
        data = {"version": instruction.version, "result": "已办理"}
        perform(ACTIONS[action], instruction, member, data)

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(
            INSTRUCTION, make=make, act=act, events=lambda i: i.events.count(), data=data
        )

    run()
