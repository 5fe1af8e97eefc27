"""The write kernel every app's services use: versioned updates and required text."""

from datetime import timedelta

import pytest

from pingan.core.errors import ApplicationError, ConflictError
from pingan.core.services import TEXT_LIMIT, check_version, require_text, versioned_update
from pingan.risk.models import Instruction


@pytest.fixture
def instruction(staff, now):
    from pingan.orgs.models import Division, Unit
    from pingan.risk.services import instruction_issue

    grid = Division.objects.get(code="110101001001001")
    return instruction_issue(
        actor=staff("street_dispatcher"),
        grid=grid,
        unit=Unit.objects.get(kind="street_center", division__code="110101001"),
        title="核查",
        content="走访",
        due_at=now + timedelta(days=2),
        now=now,
    )


def test_a_versioned_update_writes_bumps_and_stamps_the_given_moment(instruction, now):
    later = now + timedelta(hours=5)
    versioned_update(instruction, expected_version=1, now=later, result="已走访")
    fresh = Instruction.objects.get(pk=instruction.pk)
    assert (fresh.result, fresh.version, fresh.updated_at) == ("已走访", 2, later)
    assert (instruction.version, instruction.updated_at) == (2, later)


def test_a_stale_write_changes_nothing_and_names_what_changed(instruction, now):
    with pytest.raises(ConflictError) as refused:
        versioned_update(instruction, expected_version=7, now=now, result="覆盖")
    assert "该指挥调度指令刚被其他人更新" in refused.value.message
    fresh = Instruction.objects.get(pk=instruction.pk)
    assert (fresh.result, fresh.version) == ("", 1)
    with pytest.raises(ConflictError):
        check_version(fresh, 0)
    check_version(fresh, None)  # no version given: nothing to compare


def test_required_text_is_stripped_and_refused_when_empty_or_too_long():
    assert require_text("  理由 ", "理由") == "理由"
    with pytest.raises(ApplicationError, match="请填写理由"):
        require_text("   ", "理由")
    with pytest.raises(ApplicationError, match="不能超过 3 个字"):
        require_text("四个字了", "说明", limit=3)
    # without a limit of its own, free text is capped at ten thousand characters
    assert require_text("字" * TEXT_LIMIT, "说明") == "字" * TEXT_LIMIT
    with pytest.raises(ApplicationError, match="不能超过 10000 个字"):
        require_text("字" * (TEXT_LIMIT + 1), "说明")
