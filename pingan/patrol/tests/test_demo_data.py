"""The patrol demo: deterministic, idempotent, inside the grids, surges where they are said
to be (run at the test settings' small scale)."""

from datetime import datetime, timedelta

import pytest
from django.db.models import Count

from pingan.orgs.models import Division
from pingan.patrol import demo_data, locate
from pingan.patrol.models import Patrol, Report
from pingan.patrol.selectors import patrol_coverage
from pingan.patrol.services import api_key_lookup

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db
END = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)


def _fingerprint():
    fields = ("grid_id", "kind", "is_early_sign", "reported_at", "lon", "text")
    return (
        list(Report.objects.order_by("id").values_list(*fields)[:500]),
        Patrol.objects.count(),
        Report.objects.count(),
    )


def test_the_demo_is_deterministic_and_idempotent():
    summary = demo_data.load_demo(seed=7, end=END)
    assert "reports" in summary
    first = _fingerprint()
    assert first[1] > 0 and first[2] > 0
    # running again creates nothing
    assert "nothing generated" in demo_data.load_demo(seed=7, end=END)
    assert _fingerprint() == first
    # the same seed gives the same data
    Report.objects.all().delete()
    Patrol.objects.all().delete()
    demo_data.load_demo(seed=7, end=END)
    assert _fingerprint() == first


def test_demo_reports_lie_in_their_grids_and_before_the_end():
    demo_data.load_demo(seed=3, end=END)
    rows = list(Report.objects.values_list("grid_id", "lon", "lat"))
    assert locate.grid_ids_at([(lon, lat) for _grid, lon, lat in rows]) == [g for g, _, _ in rows]
    assert not Report.objects.filter(reported_at__gt=END).exists()
    assert not Patrol.objects.filter(ended_at__gt=END).exists()
    assert not Patrol.objects.filter(ended_at__isnull=True).exists()


def test_the_newest_surge_shows_in_its_grid():
    demo_data.load_demo(seed=3, end=END)
    [window] = [
        w for w in demo_data.surge_windows(end=END) if w.start >= END.date() - timedelta(27)
    ]
    grid = Division.objects.get(code=window.grid_code)
    days = (window.last - window.start).days + 1
    in_surge = Report.objects.filter(
        grid=grid, is_early_sign=True, reported_at__date__gte=window.start
    ).count()
    # well above the district's ordinary early-sign rate per grid over the same days
    per_grid = (
        Report.objects.filter(is_early_sign=True, reported_at__date__gte=window.start)
        .values("grid_id")
        .annotate(n=Count("id"))
    )
    typical = sorted(row["n"] for row in per_grid)[len(per_grid) // 2] if per_grid else 0
    assert in_surge >= window.per_day * days * 0.5
    assert in_surge > 5 * max(typical, 1)


def test_the_demo_key_works_and_coverage_reads_the_demo():
    demo_data.load_demo(seed=3, end=END)
    assert api_key_lookup(demo_data.DEMO_OPEN311_KEY) is not None
    assert Report.objects.filter(source="open311").exists()
    coverage = patrol_coverage(start=END.date() - timedelta(days=6), end=END.date())
    assert len(coverage) == Division.objects.grids().count()
    assert 0 < sum(coverage.values()) <= 7 * len(coverage)
    assert any(days == 0 for days in coverage.values())  # neglected grids exist
