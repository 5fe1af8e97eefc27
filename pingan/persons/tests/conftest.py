"""Fixtures for register tests: a grid of 东华门, a helper that registers a key person."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pingan.core.validators import id_number_check_digit
from pingan.orgs.models import Division
from pingan.persons.models import PersonType
from pingan.persons.services import PersonInput, person_register

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)


def id_number(serial: int) -> str:
    first17 = f"11010119800101{serial:03d}"
    return first17 + id_number_check_digit(first17)


@pytest.fixture
def grid(db):
    return Division.objects.get(code="110101001001001")  # 多福巷社区第1网格, 东华门街道


@pytest.fixture
def register_person(staff, grid):
    """Register a key person as the 东华门 officer (responsible too, unless overridden)."""
    serials = iter(range(1, 999))

    def make(*, actor="officer", responsible="officer", type_code="released", now=NOW, **fields):
        data = {
            "name": "测试人",
            "person_type": PersonType.objects.get(code=type_code),
            "grid": grid,
            "responsible": staff(responsible),
            "legal_basis": "《刑满释放人员安置帮教工作的意见》",
            "id_number": id_number(next(serials)),
            "phone": "13812345678",
            "address": "东城区多福巷12号院3号",
        }
        data.update(fields)
        return person_register(actor=staff(actor), data=PersonInput(**data), now=now)

    return make
