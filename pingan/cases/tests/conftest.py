"""Fixtures for case tests: a grid of 东华门 and a helper that registers a case."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pingan.cases.models import Category
from pingan.cases.services import PartyInput, case_accept, case_register
from pingan.orgs.models import Division

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday morning, away from holidays, so natural and working days are easy to check.
MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
VALID_ID = "11010519491231002X"


@pytest.fixture
def grid(db):
    return Division.objects.get(code="110101001001001")  # 多福巷社区第1网格, 东华门街道


@pytest.fixture
def register(staff, grid):
    """Register a case as a persona; returns (case, query_code)."""

    def make(persona: str = "street_clerk", **overrides):
        fields = {
            "actor": staff(persona),
            "channel": "walk_in",
            "category": Category.objects.get(code="neighbourhood"),
            "complexity": "general",
            "title": "楼上漏水纠纷",
            "narrative": "楼上住户卫生间漏水，渗到楼下厨房，多次协商未果，请求调解赔偿。",
            "grid": grid,
            "parties": [
                PartyInput("applicant", "王某某", VALID_ID, "13812345678"),
                PartyInput("respondent", "李某某", "", ""),
            ],
            "now": MONDAY_MORNING,
        }
        fields.update(overrides)
        return case_register(**fields)

    return make


@pytest.fixture
def overdue_case(register, staff):
    """Register and accept street cases on Monday morning; by 3 December they are overdue."""

    def make(persona: str = "street_clerk", acceptor: str = "street_dispatcher", **overrides):
        case, _ = register(persona, **overrides)
        case_accept(case=case, actor=staff(acceptor), now=MONDAY_MORNING)
        return case

    return make
