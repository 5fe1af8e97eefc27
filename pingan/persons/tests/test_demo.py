"""The register's demo data: plausible, deterministic, idempotent."""

import pytest

from pingan.persons import demo_data
from pingan.persons.models import KeyPerson, Measure, RatingProposal, Review, Scorecard

pytestmark = pytest.mark.django_db


def test_demo_register_loads_once(monkeypatch, tmp_path):
    from django.utils import timezone

    monkeypatch.setattr(demo_data, "PERSONS", 150)
    monkeypatch.setattr(demo_data, "DEMO_STREET_PERSONS", 40)
    monkeypatch.setattr(demo_data, "HISTORY_ROWS", 1200)
    monkeypatch.setattr(demo_data, "HISTORY_PATH", tmp_path / "h.csv")
    now = timezone.now()
    summary = demo_data.load_demo(seed=3, end=now)
    assert "150 key persons" in summary
    assert (tmp_path / "h.csv").exists()
    assert Review.objects.exists() and Measure.objects.exists()
    # the demo officer has proposals to confirm and people in 东华门
    assert RatingProposal.objects.filter(
        state="pending", person__responsible__username="officer"
    ).exists()
    assert KeyPerson.objects.filter(responsible__username="grid_worker").exists()
    # every active entry has its next review; the fitted scorecard waits for review
    assert not KeyPerson.objects.active().filter(next_review_on__isnull=True).exists()
    assert Scorecard.objects.get(source="fitted").state == "pending"
    # running it again creates nothing
    again = demo_data.load_demo(seed=3, end=now)
    assert again.startswith("none created")
    assert KeyPerson.objects.count() == 150
