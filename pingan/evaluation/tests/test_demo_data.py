"""The evaluation's demo data: two quarters of schemes and scores, reviews, scan, report."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pingan.demo.cases import generate_cases
from pingan.evaluation.demo_data import load_demo
from pingan.evaluation.models import (
    CorrectionItem,
    ListEntry,
    ManualEntry,
    QuarterReport,
    Review,
    Scheme,
    ScoreRun,
)

END = datetime(2026, 11, 20, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_demo_loads_once_and_is_plausible():
    generate_cases(count=1500, seed=7, end=END)
    summary = load_demo(seed=7, end=END)
    assert "4 schemes over 2 quarters" in summary
    schemes = Scheme.objects.filter(state="published")
    assert {(s.year, s.quarter, s.subject_kind) for s in schemes} == {
        (2026, 2, "street"), (2026, 2, "person"), (2026, 2, "unit"),
        (2026, 3, "street"), (2026, 3, "person"), (2026, 3, "unit"),
    }  # fmt: skip
    assert ScoreRun.objects.count() == 6
    assert ScoreRun.objects.filter(scheme__subject_kind="street").first().subject_count == 17
    assert ManualEntry.objects.filter(state="approved").exists()
    assert not ManualEntry.objects.exclude(state="approved").exists()
    assert ListEntry.objects.filter(kind="negative").exists()
    assert Review.objects.filter(state="done").exists()
    assert CorrectionItem.objects.filter(resolved_at__isnull=False).exists()
    assert CorrectionItem.objects.filter(resolved_at__isnull=True).exists()
    report = QuarterReport.objects.get()
    assert report.pdf and report.xlsx
    # a second run creates nothing
    assert load_demo(seed=7, end=END) == "already there"
    assert Scheme.objects.count() == 6


@pytest.mark.django_db
def test_unit_demo_scores_every_agency_once():
    from pingan.evaluation.demo_data import load_unit_demo
    from pingan.orgs.models import Unit

    summary = load_unit_demo(seed=7, end=END)
    agencies = Unit.objects.filter(kind="agency", is_active=True).count()
    assert summary == f"unit schemes for 2 quarters, {2 * agencies} unit scores"
    runs = ScoreRun.objects.filter(scheme__subject_kind="unit")
    assert [run.subject_count for run in runs] == [agencies, agencies]
    cooperation = ManualEntry.objects.filter(unit__isnull=False, state="approved")
    assert cooperation.count() == 2 * agencies
    assert load_unit_demo(seed=7, end=END) == "already there"
