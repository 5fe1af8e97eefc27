"""The supervision demo: the sweep's last two weeks, orders answered and closed, once."""

from datetime import timedelta

import pytest

from pingan.cases import demo_data
from pingan.cases.models import CaseEvent, Supervision
from pingan.core import notify

from .test_supervision import AN_HOUR_LATE

pytestmark = pytest.mark.django_db


def test_the_demo_issues_the_climb_answers_some_orders_and_loads_once(overdue_case, staff):
    # given street and community cases overdue since 3 December
    for _ in range(6):
        overdue_case()
    grid = staff("grid_worker").grids.first()
    for _ in range(4):
        overdue_case("grid_worker", channel="grid_report", grid=grid)
    end = AN_HOUR_LATE + timedelta(days=12)
    # when the demo loads (twice)
    summary = demo_data.load_demo(seed=2026, end=end)
    again = demo_data.load_demo(seed=2026, end=end)
    # then every case climbed its whole chain (3 tiers for a street case, 4 for a community's)
    assert Supervision.objects.filter(tier=1).count() == 10
    assert Supervision.objects.filter(tier=3).count() == 10
    assert Supervision.objects.filter(tier=4).count() == 4
    assert "tier 4: 4" in summary
    # and some orders were answered, some of those closed, each on the case's timeline
    answered = Supervision.objects.exclude(state="open")
    assert answered.exists() and Supervision.objects.filter(state="open").exists()
    assert CaseEvent.objects.filter(kind="supervision_answer").count() == answered.count()
    closed = Supervision.objects.filter(state="closed")
    assert CaseEvent.objects.filter(kind="supervision_close").count() == closed.count()
    assert all(order.answered_at > order.issued_at for order in answered)
    # and the past texted nobody, and the second load added nothing
    assert notify.outbox == []
    assert again == "supervisions already there, none issued"


def test_the_demo_refers_matters_concluded_without_agreement(register, staff, now):
    from pingan.cases import services
    from pingan.cases.models import Referral

    # given a case the mediator concluded without agreement, pointing to arbitration
    case, _ = register(now=now - timedelta(days=40))
    dispatcher, mediator = staff("street_dispatcher"), staff("street_mediator")
    services.case_accept(case=case, actor=dispatcher, now=now - timedelta(days=40))
    services.case_assign(case=case, actor=dispatcher, handler=mediator)
    services.case_start_mediation(case=case, actor=mediator)
    services.case_conclude(
        case=case, actor=mediator, outcome="no_agreement", summary="分歧大",
        legal_route="arbitration", now=now - timedelta(days=30),
    )  # fmt: skip
    # when the demo loads
    summary = demo_data.load_demo(seed=2026, end=now)
    # then it was referred to the arbitration commission, by its handler, on the timeline
    referral = Referral.objects.get(case=case)
    assert (referral.route, referral.body, referral.referred_by) == (
        "arbitration",
        "北京仲裁委员会",
        mediator,
    )
    assert case.events.filter(kind="refer").count() == 1
    assert "1 matters referred" in summary
