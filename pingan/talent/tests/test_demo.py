"""The demo cohort: about sixty assistants across the three stages, loaded once."""

from collections import Counter

from pingan.talent import selectors
from pingan.talent.demo_data import load_demo
from pingan.talent.models import Department, Outcome, Profile

from .conftest import NOW, TODAY


def test_demo_cohort_is_plausible_and_idempotent(demo):
    assert "60 assistants" in demo
    stages = Counter(Profile.objects.values_list("stage__code", flat=True))
    assert set(stages) == {"junior", "intermediate", "senior"} and min(stages.values()) >= 10
    assert Outcome.objects.filter(kind="model_expert").exists()
    assert Outcome.objects.filter(kind="talent_pool").exists()
    assert Department.objects.filter(head__username="dept_head").count() == 1
    # nobody approved their own points
    assert not Profile.objects.filter(
        point_entries__approver=models_f("point_entries__submitted_by")
    ).exists()
    before = Profile.objects.count()
    assert load_demo(seed=2026, end=NOW) == "already loaded; nothing created"
    assert Profile.objects.count() == before


def models_f(name):
    from django.db.models import F

    return F(name)


def test_demo_assistant_is_one_confirmation_short(demo):
    profile = Profile.objects.get(staff__username="assistant")
    readiness = selectors.readiness_of(profile, today=TODAY)
    unmet = {c.key for c in readiness.criteria if not c.met}
    assert unmet == {"points", "study"}
    assert profile.mentor.username == "mentor"
    assert profile.department.head.username == "dept_head"
