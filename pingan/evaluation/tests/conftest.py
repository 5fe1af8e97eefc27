"""Fixtures for evaluation tests: hand-built cases in two streets, and a scored scheme."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pingan.cases.models import Case, Category
from pingan.evaluation import services
from pingan.evaluation.choices import ListKind, Rule, SubjectKind
from pingan.evaluation.models import Review
from pingan.orgs.choices import UnitKind
from pingan.orgs.models import Division, Staff, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Q3 2026 is the period under evaluation; "now" is after it.
Q3_START = datetime(2026, 7, 1, tzinfo=SHANGHAI)
NOW = datetime(2026, 10, 15, 9, 0, tzinfo=SHANGHAI)
DONGHUAMEN_GRID = "110101001001001"  # 多福巷社区第1网格, 东华门街道
JINGSHAN = "110101002"
DONGHUAMEN = "110101001"

_numbers = itertools.count(1)


@pytest.fixture
def grids(db):
    donghuamen = Division.objects.get(code=DONGHUAMEN_GRID)
    jingshan = Division.objects.filter(level="grid", path__contains=f"/{JINGSHAN}/").first()
    return {"donghuamen": donghuamen, "jingshan": jingshan}


@pytest.fixture
def make_case(db, staff, grids):
    """Create a case row directly with the facts a source reads (no lifecycle)."""
    category = Category.objects.order_by("pk").first()
    clerk = staff("street_clerk")

    def make(street="donghuamen", *, handler=None, unit=None, **fields):
        grid = grids[street]
        if unit is None:
            unit = Unit.objects.get(kind=UnitKind.STREET_CENTER, division=grid.parent.parent)
        values = {
            "number": f"T{next(_numbers):08d}",
            "query_code_hash": "x",
            "channel": "walk_in",
            "category": category,
            "complexity": "general",
            "title": "测试事项",
            "narrative": "用于考评测试的事项。",
            "grid": grid,
            "area_path": grid.path,
            "level": "street",
            "handling_unit": unit,
            "handler": handler,
            "registered_by": clerk,
            "registered_at": Q3_START + timedelta(days=3),
            "state": "archived",
            "accepted_at": Q3_START + timedelta(days=3, hours=1),
            "due_at": Q3_START + timedelta(days=10),
            "concluded_at": Q3_START + timedelta(days=8),
            "concluded_level": "street",
            "outcome": "agreement",
            "satisfaction": 5,
        }
        values.update(fields)
        return Case.objects.create(**values)

    return make


def indicator(dimension, code, weight, rule, source, **extra) -> services.IndicatorInput:
    return services.IndicatorInput(
        dimension=dimension,
        code=code,
        name=code,
        weight=Decimal(str(weight)),
        rule=rule,
        source=source,
        **extra,
    )


@pytest.fixture
def street_scheme(staff):
    """A published Q3 street scheme: on-time rate 40 (linear to 1), cases handled 30 (linear
    to 2), overdue 20 (deduction 5 per case), cooperation (manual) 10 (linear to 100)."""
    actor = staff("evaluator")
    scheme = services.scheme_create(
        actor=actor,
        name="测试街道方案",
        year=2026,
        quarter=3,
        subject_kind=SubjectKind.STREET,
        dimension_weights={"function": 30, "efficacy": 60, "building": 0, "overall": 10},
    )
    for data in [
        indicator("efficacy", "on_time", 40, Rule.LINEAR, "on_time_rate", target=Decimal("1")),
        indicator("function", "handled", 30, Rule.LINEAR, "cases_handled", target=Decimal("2")),
        indicator(
            "efficacy", "overdue", 20, Rule.DEDUCTION, "overdue_count", points_per_event=Decimal(5)
        ),
        indicator("overall", "cooperation", 10, Rule.LINEAR, "manual", target=Decimal("100")),
    ]:
        services.indicator_save(actor=actor, scheme=scheme, data=data)
    return services.scheme_publish(actor=actor, scheme=scheme, now=Q3_START)


@pytest.fixture
def second_evaluator(db):
    return (
        Staff.objects.filter(roles__code="evaluator")
        .exclude(username="evaluator")
        .order_by("pk")
        .first()
    )


@pytest.fixture
def draft(staff):
    """A Q4 street draft whose weights add up: one function indicator worth 100."""
    actor = staff("evaluator")
    scheme = services.scheme_create(
        actor=actor,
        name="第四季度街道方案",
        year=2026,
        quarter=4,
        subject_kind="street",
        dimension_weights={"function": 100, "efficacy": 0, "building": 0, "overall": 0},
    )
    services.indicator_save(
        actor=actor,
        scheme=scheme,
        data=indicator("function", "on_time", 100, Rule.LINEAR, "on_time_rate", target=1),
    )
    scheme.refresh_from_db()
    return scheme


@pytest.fixture
def pending(staff, street_scheme):
    """A manual entry about 东华门 street and a list entry about its mediator, both entered by
    the evaluator and awaiting a second person."""
    actor = staff("evaluator")
    manual = services.manual_entry_create(
        actor=actor,
        year=2026,
        quarter=3,
        indicator_code="cooperation",
        value=90,
        evidence="联席会议纪要三份",
        division=Division.objects.get(code=DONGHUAMEN),
    )
    listed = services.list_entry_create(
        actor=actor,
        kind=ListKind.POSITIVE,
        title="调解工作获区级表彰",
        points=2,
        occurred_on=date(2026, 8, 1),
        evidence="区司法局通报",
        staff=staff("street_mediator"),
    )
    return {"manual": manual, "list": listed}


@pytest.fixture
def review(staff, make_case):
    """One pending review of a case 东华门's mediator handled."""
    make_case(handler=staff("street_mediator"))
    plan = services.review_plan_create(
        actor=staff("evaluator"),
        name="每案必检",
        kind="every",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
    )
    found = Review.objects.select_related("reviewer").get(plan=plan)
    assert found.reviewer.username != "evaluator"
    return found
