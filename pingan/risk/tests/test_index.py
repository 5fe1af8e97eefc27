"""The safety index formula on a small hand-computed case, and the snapshot job."""

from datetime import timedelta

import pytest

from pingan.cases.choices import EventKind
from pingan.cases.models import CaseEvent
from pingan.orgs.models import Division
from pingan.risk import index
from pingan.risk.components import REGISTRY
from pingan.risk.index import component_score, index_refresh
from pingan.risk.models import ComponentWeight, IndexSnapshot

from .conftest import WINDOW_END

pytestmark = pytest.mark.django_db

CASE_COMPONENTS = {
    "new_cases",
    "open_cases",
    "overdue_cases",
    "repeat_cases",
    "district_escalations",
}


@pytest.fixture(autouse=True)
def _case_components_only():
    """The hand computations here are about the case components; the components other apps
    register (early signs, key persons) are switched off (weight 0), as an administrator may."""
    ComponentWeight.objects.bulk_create(
        [ComponentWeight(code=code, weight=0) for code in REGISTRY if code not in CASE_COMPONENTS],
        ignore_conflicts=True,
    )
    ComponentWeight.objects.exclude(code__in=CASE_COMPONENTS).update(weight=0)


def test_component_score_is_fifty_at_the_reference_level():
    assert component_score(0, 6) == 0
    assert component_score(6, 6) == 50
    assert component_score(12, 6) == pytest.approx(200 / 3)


def _hand_case(grid, make_case):
    """Baseline: 73 ordinary cases over the 365 days before the window (6 expected in 30
    days). Window: 12 ordinary cases, a repeat of one of them, and a demolition case (severity
    3) still open and overdue at the end, escalated to the district."""
    window_start = WINDOW_END - timedelta(days=30)
    first = None
    for day in range(73):
        case = make_case(grid, window_start - timedelta(days=365) + timedelta(days=day * 5))
        first = first or case
    for day in range(12):
        make_case(grid, window_start + timedelta(days=day * 2, hours=3))
    make_case(grid, window_start + timedelta(days=3), repeat_of=first)
    overdue = make_case(
        grid,
        WINDOW_END - timedelta(days=20),
        category="demolition",
        state="accepted",
        concluded_at=None,
        due_at=WINDOW_END - timedelta(days=5),
    )
    CaseEvent.objects.create(
        case=overdue,
        kind=EventKind.ESCALATE,
        from_level="street",
        to_level="district",
        created_at=WINDOW_END - timedelta(days=10),
    )


def test_index_of_a_hand_computed_grid(grid, make_case):
    # given
    _hand_case(grid, make_case)
    # when
    result = index_refresh(window_end=WINDOW_END, now=WINDOW_END)
    # then: new cases x = 12 + 1 + 3 (severity) = 16, e = 73 × 30/365 = 6 → s = 100·16/22;
    # open, overdue, repeat and escalation are 1 against the floor 0.5 → s = 200/3 each.
    snap = IndexSnapshot.objects.get(division=grid, window_end=WINDOW_END)
    components = snap.components
    assert components["new_cases"]["value"] == 16
    assert components["new_cases"]["expected"] == pytest.approx(6.0)
    assert components["new_cases"]["score"] == pytest.approx(72.73, abs=0.01)
    for code in ("open_cases", "overdue_cases", "repeat_cases", "district_escalations"):
        assert components[code]["value"] == 1
        assert components[code]["reference"] == 0.5
        assert components[code]["score"] == pytest.approx(66.67, abs=0.01)
    expected = (3 * 100 * 16 / 22 + (1 + 2 + 2 + 2) * 200 / 3) / 10
    assert snap.value == round(expected, 1) == 68.5
    assert snap.colour == "red"
    # the community and the street add up the same cases: the same components and value
    community = IndexSnapshot.objects.get(division=grid.parent, window_end=WINDOW_END)
    assert community.value == 68.5
    assert community.components["new_cases"]["value"] == 16
    quiet = IndexSnapshot.objects.filter(window_end=WINDOW_END, level="grid", value=0)
    assert quiet.count() == Division.objects.filter(level="grid").count() - 1
    assert result.snapshots == IndexSnapshot.objects.filter(window_end=WINDOW_END).count()


def test_weights_change_the_index(grid, make_case):
    _hand_case(grid, make_case)
    ComponentWeight.objects.exclude(code="new_cases").update(weight=0)
    index_refresh(window_end=WINDOW_END, now=WINDOW_END)
    snap = IndexSnapshot.objects.get(division=grid, window_end=WINDOW_END)
    assert snap.value == round(100 * 16 / 22, 1)


def test_refresh_is_idempotent_per_window(grid, make_case):
    _hand_case(grid, make_case)
    index_refresh(window_end=WINDOW_END, now=WINDOW_END)
    first = IndexSnapshot.objects.filter(window_end=WINDOW_END).count()
    index_refresh(window_end=WINDOW_END, now=WINDOW_END + timedelta(hours=1))
    assert IndexSnapshot.objects.filter(window_end=WINDOW_END).count() == first
    assert IndexSnapshot.objects.get(division=grid, window_end=WINDOW_END).value == 68.5


def test_refresh_queries_do_not_grow_with_cases(grid, make_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _hand_case(grid, make_case)
    for day in range(4):  # a surge in the last week: a warning opens and is announced
        make_case(grid, WINDOW_END - timedelta(days=1 + day))
    with CaptureQueriesContext(connection) as few:
        index_refresh(window_end=WINDOW_END, now=WINDOW_END)
    for other in Division.objects.filter(level="grid").order_by("path")[100:160]:
        for day in range(3):
            make_case(other, WINDOW_END - timedelta(days=3 + day))
    with CaptureQueriesContext(connection) as many:
        index_refresh(window_end=WINDOW_END, now=WINDOW_END)

    # the same reads and updates whatever the number of cases; only the batched inserts of
    # snapshots, warnings and notices vary with the number of rows written
    def reads(context):
        return [q["sql"][:30] for q in context.captured_queries if "INSERT" not in q["sql"]]

    # (the second run also continues and opens episodes: a few fixed queries more, never one
    # per case, grid or warning: 60 more grids with cases would add 60 or more)
    assert len(reads(few)) <= 30
    assert len(reads(many)) <= len(reads(few)) + 5


def test_a_new_component_is_one_registered_function(grid, make_case):
    # given: a component registered like the patrol app will register its early signs
    from pingan.risk.choices import ComponentKind
    from pingan.risk.components import component

    @component(
        "test_constant",
        label="测试",
        explanation="每个网格 2",
        kind=ComponentKind.FLOW,
        default_weight=5,
    )
    def constant(start, end):
        return {grid.pk: 2.0}

    try:
        # when
        index_refresh(window_end=WINDOW_END, now=WINDOW_END)
        # then: its weight row is created with the default and the snapshot explains it
        assert ComponentWeight.objects.get(code="test_constant").weight == 5
        snap = IndexSnapshot.objects.get(division=grid, window_end=WINDOW_END)
        assert snap.components["test_constant"]["value"] == 2
    finally:
        REGISTRY.pop("test_constant")


def test_window_scale():
    config = type("C", (), {"window_days": 30, "baseline_days": 365})()
    window = index.window_for(WINDOW_END, config)
    assert window.scale == pytest.approx(30 / 365)
