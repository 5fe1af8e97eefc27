"""divisions_upsert: the one write path of the org tree."""

import pytest

from pingan.core.errors import ApplicationError
from pingan.orgs.models import Division
from pingan.orgs.services import DivisionSpec, divisions_upsert


@pytest.mark.django_db
def test_non_text_values_are_refused_with_a_clear_message():
    # given specs whose code and level are not text (as a careless caller might pass)
    before = Division.objects.count()
    specs = [
        DivisionSpec(["990009"], "某区", "district", None, None, label="第 1 行"),
        DivisionSpec("990009001", "某街道", {"level": "street"}, "990009", None, label="第 2 行"),
    ]
    # when they are upserted
    with pytest.raises(ApplicationError) as refused:
        divisions_upsert(specs=specs, actor=None, source="test")
    # then each is reported and nothing is written
    assert refused.value.extra["errors"] == [
        "第 1 行：代码、名称、层级和上级代码必须是文字。",
        "第 2 行：代码、名称、层级和上级代码必须是文字。",
    ]
    assert Division.objects.count() == before
