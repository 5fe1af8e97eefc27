"""Fixtures for risk tests: cases written directly at chosen moments (analytics only read)."""

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from pingan.cases.models import Case, Category
from pingan.orgs.models import Division, Staff, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW_END = datetime(2026, 6, 1, tzinfo=SHANGHAI)
GRID_CODE = "110101001001001"  # 多福巷社区第1网格, 东华门街道
OTHER_STREET_GRID = "110101002001001"  # a grid of 景山街道
OTHER_STREET_DISPATCHER = "dispatcher@110101002"  # a dispatcher of 景山街道
UNIT_MEMBER = "u26-leader-1"  # of 多福巷社区居委会, the unit the instructions go to
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


@pytest.fixture
def snapshots(db, grid):
    """Stored index snapshots for one window: our grid red, its community and street yellow,
    a grid of another street green; what the map and pages read."""
    from pingan.risk.models import IndexSnapshot

    other = Division.objects.get(code=OTHER_STREET_GRID)
    start = WINDOW_END - timedelta(days=30)
    components = {
        "new_cases": {"value": 16, "expected": 6, "reference": 6, "score": 72.7, "weight": 3},
        "overdue_cases": {"value": 1, "expected": 0, "reference": 0.5, "score": 66.7, "weight": 2},
    }
    rows = [
        (grid, "grid", 71.0, "red"),
        (grid.parent, "community", 45.0, "yellow"),
        (grid.parent.parent, "street", 42.0, "yellow"),
        (other, "grid", 10.0, "green"),
        (other.parent, "community", 10.0, "green"),
        (other.parent.parent, "street", 10.0, "green"),
    ]
    return IndexSnapshot.objects.bulk_create(
        [
            IndexSnapshot(
                division=division,
                level=level,
                path=division.path,
                window_start=start,
                window_end=WINDOW_END,
                value=value,
                colour=colour,
                components=components,
                computed_at=WINDOW_END,
            )
            for division, level, value, colour in rows
        ]
    )


@pytest.fixture
def community_unit(db) -> Unit:
    return Unit.objects.get(division__code="110101001001", kind="community")


@pytest.fixture
def warning(grid):
    """An open early warning on our grid."""
    from pingan.risk.models import RiskWarning

    return RiskWarning.objects.create(
        grid=grid, path=grid.path, kind="rising", opened_at=WINDOW_END, last_flagged_at=WINDOW_END
    )


@pytest.fixture
def instruction(staff, grid, community_unit):
    """An instruction the street dispatcher issued for our grid to the community committee."""
    from pingan.risk.services import instruction_issue

    now = timezone.now()
    return instruction_issue(
        actor=staff("street_dispatcher"),
        grid=grid,
        unit=community_unit,
        title="核查多福巷第1网格矛盾上升",
        content="三日内上门走访涉事住户，反馈处置情况。",
        due_at=now + timedelta(days=3),
        now=now,
    )
