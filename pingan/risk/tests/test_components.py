"""The one-pass component queries give what their definitions give period by period (the
queries the index used before it read both periods at once), on a small fixed data set with
cases on every boundary; and the early warning's weekly counts match a count by hand."""

from datetime import timedelta

import numpy as np
import pytest
from django.db.models import Count, F, FloatField, Sum, Value
from django.db.models.functions import Coalesce

from pingan.cases.choices import EventKind
from pingan.cases.models import Case, CaseEvent
from pingan.orgs.models import Division, Staff
from pingan.patrol.models import Report
from pingan.risk.components import REGISTRY, open_at
from pingan.risk.early_warning import daily_counts, history_days

from .conftest import OTHER_STREET_GRID, WINDOW_END

pytestmark = pytest.mark.django_db

END = WINDOW_END
START = END - timedelta(days=30)
BASELINE_START = START - timedelta(days=365)


def _grouped(queryset, value, key="grid_id") -> dict[int, float]:
    rows = queryset.values(key).annotate(v=value).values_list(key, "v").order_by()
    return {grid: float(v) for grid, v in rows if v}


def _definitions() -> dict[str, callable]:
    """Each component over one period, as first written: ``(start, end) -> {grid: value}``."""
    severity = Coalesce(
        F("category__risk_severity__severity"), Value(1.0), output_field=FloatField()
    )
    return {
        "new_cases": lambda s, e: _grouped(
            Case.objects.filter(registered_at__gte=s, registered_at__lt=e), Sum(severity)
        ),
        "open_cases": lambda s, e: _grouped(Case.objects.filter(open_at(e)), Count("pk")),
        "overdue_cases": lambda s, e: _grouped(
            Case.objects.filter(open_at(e), due_at__lt=e), Count("pk")
        ),
        "repeat_cases": lambda s, e: _grouped(
            Case.objects.filter(registered_at__gte=s, registered_at__lt=e, repeat_of__isnull=False),
            Count("pk"),
        ),
        "district_escalations": lambda s, e: _grouped(
            CaseEvent.objects.filter(
                kind=EventKind.ESCALATE, to_level="district", created_at__gte=s, created_at__lt=e
            ),
            Count("pk"),
            key="case__grid_id",
        ),
        "early_signs": lambda s, e: _grouped(
            Report.objects.filter(is_early_sign=True, reported_at__gte=s, reported_at__lt=e),
            Count("pk"),
        ),
    }


@pytest.fixture
def boundary_data(grid, make_case):
    """Cases, escalations and early signs just before, on and after every boundary, in two
    grids of different streets."""
    other = Division.objects.get(code=OTHER_STREET_GRID)
    moments = [
        BASELINE_START - timedelta(seconds=1),
        BASELINE_START,
        BASELINE_START + timedelta(days=100, hours=5),
        START - timedelta(microseconds=1),
        START,
        START + timedelta(days=3),
        END - timedelta(seconds=1),
        END,
    ]
    reporter = Staff.objects.get(username="grid_worker")
    first = make_case(grid, BASELINE_START + timedelta(days=1))
    for n, at in enumerate(moments):
        for where in (grid, other):
            # concluded at various moments, some never; rejected; archived without conclusion
            make_case(where, at, category="demolition", concluded_at=at + timedelta(days=n))
            make_case(where, at, state="accepted", concluded_at=None, due_at=at + timedelta(5))
            make_case(where, at, state="rejected", concluded_at=None, archived_at=at)
            make_case(
                where,
                at,
                concluded_at=None,
                archived_at=START if n % 2 else END,
                due_at=START,
            )
            make_case(where, at, repeat_of=first, concluded_at=END if n % 3 else START)
            escalated = make_case(where, at - timedelta(days=2), concluded_at=None, due_at=END)
            CaseEvent.objects.create(
                case=escalated,
                kind=EventKind.ESCALATE,
                from_level="street",
                to_level="district" if n % 4 else "street",
                created_at=at,
            )
            Report.objects.create(
                grid=where,
                kind="event",
                is_early_sign=bool(n % 2) or n == 4,
                reporter=reporter,
                text="苗头",
                reported_at=at,
            )


@pytest.mark.parametrize(
    "code",
    [
        "new_cases",
        "open_cases",
        "overdue_cases",
        "repeat_cases",
        "district_escalations",
        "early_signs",
    ],
)
def test_one_pass_equals_the_definition_period_by_period(boundary_data, code):
    definition = _definitions()[code]
    component = REGISTRY[code]
    assert component.paired
    window, baseline = component.measure(BASELINE_START, START, END)
    assert window == definition(START, END)
    assert baseline == definition(BASELINE_START, START)
    assert window and baseline  # the data exercises both periods


def test_daily_counts_equal_a_count_by_hand(boundary_data, grid):
    ids = np.array(
        list(Division.objects.filter(level="grid").order_by("path").values_list("pk", flat=True))
    )
    days = history_days(364)
    counts = daily_counts(ids, END, days)
    start = END - timedelta(days=days)
    expected = np.zeros_like(counts)
    row = {int(pk): i for i, pk in enumerate(ids)}
    for grid_id, at in Case.objects.values_list("grid_id", "registered_at"):
        if start <= at < END:
            expected[row[grid_id], (at - start) // timedelta(days=1)] += 1
    assert counts.sum() > 0
    assert np.array_equal(counts, expected)
