"""The demo: surges are injected once and the snapshots show them."""

from datetime import timedelta

import pytest

from pingan.cases.models import Case, Category
from pingan.orgs.models import Division, Staff, Unit
from pingan.risk import demo_data
from pingan.risk.models import IndexSnapshot, RiskWarning

from .conftest import WINDOW_END

pytestmark = pytest.mark.django_db


def test_load_demo_is_deterministic_and_idempotent(monkeypatch):
    # given one old case in every grid (what the case generator leaves behind)
    monkeypatch.setattr(demo_data, "HISTORY_WEEKS", 1)
    clerk = Staff.objects.get(username="street_clerk")
    unit = Unit.objects.get(division__code="110101001001", kind="community")
    category = Category.objects.get(code="neighbourhood")
    at = WINDOW_END - timedelta(days=100)
    Case.objects.bulk_create(
        [
            Case(
                number=f"D{grid.pk:08d}",
                query_code_hash="x" * 64,
                channel="walk_in",
                category=category,
                complexity="general",
                title="旧事项",
                narrative="旧事项",
                grid=grid,
                area_path=grid.path,
                state="concluded",
                level="community",
                handling_unit=unit,
                registered_by=clerk,
                registered_at=at,
                concluded_at=at + timedelta(days=2),
            )
            for grid in Division.objects.filter(level="grid")
        ]
    )
    # when the demo loads twice
    summary = demo_data.load_demo(seed=2026, end=WINDOW_END)
    again = demo_data.load_demo(seed=2026, end=WINDOW_END)
    # then the surges are there once, red on the map and warned about
    surges = Case.objects.filter(number__startswith="DC2026-S")
    assert surges.count() > 30
    assert surges.filter(state="accepted", repeat_of__isnull=False).count() == surges.count()
    assert "surge cases in 3 clusters" in summary
    assert again == "snapshots already there, none computed"
    red = IndexSnapshot.objects.filter(level="grid", colour="red")
    assert red.exists()
    assert set(red.values_list("division_id", flat=True)) <= set(
        surges.values_list("grid_id", flat=True)
    )
    assert RiskWarning.objects.filter(kind="rising").exists()
