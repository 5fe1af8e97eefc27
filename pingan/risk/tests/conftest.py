"""Fixtures for risk tests: cases written directly at chosen moments (analytics only read)."""

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from pingan.cases.models import Case, Category
from pingan.orgs.models import Division, Staff, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW_END = datetime(2026, 6, 1, tzinfo=SHANGHAI)
GRID_CODE = "110101001001001"  # 多福巷社区第1网格, 东华门街道
OTHER_STREET_GRID = "110101002001001"  # a grid of 景山街道
_numbers = count(1)


@pytest.fixture
def grid(db) -> Division:
    return Division.objects.get(code=GRID_CODE)


@pytest.fixture
def make_case(db):
    """Write a case row as the demo generator does; ``at`` is the registration moment."""
    clerk = Staff.objects.get(username="street_clerk")
    unit = Unit.objects.get(division__code="110101001001", kind="community")

    def make(grid: Division, at: datetime, *, category: str = "neighbourhood", **fields) -> Case:
        values = {
            "number": f"T{next(_numbers):08d}",
            "query_code_hash": "x" * 64,
            "channel": "walk_in",
            "category": Category.objects.get(code=category),
            "complexity": "general",
            "title": "测试事项",
            "narrative": "测试",
            "grid": grid,
            "area_path": grid.path,
            "state": "concluded",
            "level": "community",
            "handling_unit": unit,
            "registered_by": clerk,
            "registered_at": at,
            "concluded_at": at + timedelta(hours=1),
        }
        values.update(fields)
        return Case.objects.create(**values)

    return make
