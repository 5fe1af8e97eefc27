"""Demo data of supervision (督办) and referrals (转出): the sweep run as it would have run
over the last two weeks, so overdue demo cases carry orders at every tier they reached; older
orders answered by the supervised unit and some of those closed, as a working center would
have them; matters concluded without agreement referred to the route the mediator named, most
with the receiving body's result.

The cases themselves come from ``pingan.demo.cases`` (the generator); this adds only what the
sweep and the people working the orders would have written. No texts go out for the past.
"""

import random
from dataclasses import astuple
from datetime import datetime, time, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from pingan.core.calendar import local_date
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from .choices import (
    Audience,
    EventKind,
    Outcome,
    ReferralRoute,
    ReferralState,
    SupervisionState,
)
from .models import Case, Referral, Supervision
from .services import case_events_record
from .supervision import supervision_sweep

HISTORY_DAYS = 14
ANSWERS = [
    "当事人近期外出，已电话联系，约定下周调解。",
    "涉及多个部门职责，已提请街道协调，三日内办结。",
    "等待鉴定结论，已申请延期。",
    "已安排调解员入户，正在落实调解协议。",
]
CLOSE_NOTES = ["反馈属实，请按计划办结。", "已督促，继续跟踪。"]


def load_demo(*, seed: int, end: datetime) -> str:
    """Sweep once a day at 09:00 for the last ``HISTORY_DAYS`` days, then answer and close
    some orders; nothing if the demo already has supervisions."""
    if Supervision.objects.exists():
        return "supervisions already there, none issued"
    start = datetime.combine(local_date(end) - timedelta(days=HISTORY_DAYS), datetime.min.time())
    moments = [
        timezone.make_aware(start + timedelta(days=day, hours=9)) for day in range(HISTORY_DAYS + 1)
    ]
    issued = [0, 0, 0, 0]
    with override_settings(PINGAN_NOTIFIERS=[]):  # the past texts nobody
        for moment in moments:
            if moment < end:
                counts = astuple(supervision_sweep(now=moment))
                issued = [a + b for a, b in zip(issued, counts, strict=True)]
    answered, closed = _work_the_orders(random.Random(seed + 11), end)
    referred, resolved = _referrals(random.Random(seed + 12), end)
    tiers = ", ".join(f"tier {tier}: {count}" for tier, count in enumerate(issued, 1))
    return (
        f"supervisions issued over {HISTORY_DAYS} days ({tiers}); "
        f"{answered} answered, {closed} closed; {referred} matters referred (转出), "
        f"{resolved} with the receiving body's result"
    )


@transaction.atomic
def _work_the_orders(rng: random.Random, end: datetime) -> tuple[int, int]:
    """Orders older than a day: most answered by the supervised unit's dispatcher (or the
    handler), a day or so later; of those answered, some closed by the supervisor."""
    orders = list(
        Supervision.objects.filter(issued_at__lt=end - timedelta(days=1))
        .select_related("case")
        .order_by("pk")
    )
    answerers = _people(RoleCode.DISPATCHER, RoleCode.LEADER)
    leaders = _people(RoleCode.LEADER)
    events, answered, closed = [], [], []
    for order in orders:
        answerer = order.case.handler_id or answerers.get(order.supervised_unit_id)
        if answerer is None or rng.random() > 0.7:
            continue
        order.state = SupervisionState.ANSWERED
        order.answer = rng.choice(ANSWERS)
        order.answered_by_id = answerer
        order.answered_at = order.issued_at + timedelta(hours=rng.uniform(2, 24))
        order.version = 2
        answered.append(order)
        events.append(_event(order, EventKind.SUPERVISION_ANSWER, answerer, order.answered_at,
                             order.answer))  # fmt: skip
        # the people the order went to close it: a dispatcher of the desk, or a leader
        closer = (answerers if order.audience == Audience.DISPATCHERS else leaders).get(
            order.unit_id
        )
        close_at = order.answered_at + timedelta(hours=rng.uniform(4, 30))
        if closer and close_at < end and rng.random() < 0.5:
            order.state = SupervisionState.CLOSED
            order.close_note = rng.choice(CLOSE_NOTES)
            order.closed_by_id = closer
            order.closed_at = close_at
            order.version = 3
            closed.append(order)
            events.append(_event(order, EventKind.SUPERVISION_CLOSE, closer, close_at,
                                 order.close_note))  # fmt: skip
    Supervision.objects.bulk_update(
        answered,
        ["state", "answer", "answered_by", "answered_at", "close_note", "closed_by",
         "closed_at", "version"],
        batch_size=500,
    )  # fmt: skip
    case_events_record(rows=events)
    return len(answered), len(closed)


RECEIVING = {
    ReferralRoute.LITIGATION: "北京市东城区人民法院",
    ReferralRoute.ARBITRATION: "北京仲裁委员会",
    ReferralRoute.ADMINISTRATIVE_REVIEW: "东城区人民政府行政复议办公室",
}
RESULTS = {
    ReferralRoute.LITIGATION: ["法院已立案，经诉前调解达成和解。", "法院判决支持申请人部分诉求。"],
    ReferralRoute.ARBITRATION: ["仲裁委裁决支付拖欠工资。", "双方在仲裁庭主持下达成和解。"],
    ReferralRoute.ADMINISTRATIVE_REVIEW: ["复议机关维持原行政行为。", "复议机关责令重新作出处理。"],
}


@transaction.atomic
def _referrals(rng: random.Random, end: datetime) -> tuple[int, int]:
    """Matters concluded without agreement are handed to the route the mediator pointed to
    (转出), a few days later; most older ones have the receiving body's result by now."""
    today = local_date(end)
    rows = (
        Case.objects.filter(outcome=Outcome.NO_AGREEMENT)
        .exclude(legal_route="")
        .values_list("pk", "legal_route", "concluded_at", "handler_id", "handling_unit_id")
        .order_by("pk")
    )
    people = _people(RoleCode.MEDIATOR, RoleCode.DISPATCHER, RoleCode.LEADER)
    referrals = []
    for pk, route, concluded_at, handler, unit in rows:
        actor = handler or people.get(unit)
        referred_on = local_date(concluded_at) + timedelta(days=rng.randint(0, 3))
        if actor is None or referred_on > today:
            continue
        referral = Referral(
            case_id=pk,
            route=route,
            body=RECEIVING[route],
            referred_on=referred_on,
            reference_number=f"（{referred_on.year}）京0101{rng.randint(1, 9999)}号",
            follow_up_on=referred_on + timedelta(days=rng.choice([14, 30])),
            referred_by_id=actor,
        )
        result_on = referred_on + timedelta(days=rng.randint(10, 60))
        if result_on <= today and rng.random() < 0.7:
            referral.state = ReferralState.RESOLVED
            referral.result = rng.choice(RESULTS[route])
            referral.result_on = result_on
            referral.version = 2
        referrals.append(referral)
    events = []
    # the primary keys come back from the insert (RETURNING on SQLite and PostgreSQL)
    for referral in Referral.objects.bulk_create(referrals, batch_size=1000):
        reason = f"转{referral.get_route_display()}：{referral.body}"
        events.append(_referral_event(referral, EventKind.REFER, referral.referred_on, reason))
        if referral.result_on:
            events.append(
                _referral_event(
                    referral, EventKind.REFERRAL_RESULT, referral.result_on, referral.result
                )
            )
    case_events_record(rows=events)
    resolved = sum(1 for referral in referrals if referral.state == ReferralState.RESOLVED)
    return len(referrals), resolved


def _referral_event(referral: Referral, kind: str, on, reason: str) -> dict:
    return {
        "case_id": referral.case_id,
        "kind": kind,
        "actor_id": referral.referred_by_id,
        "created_at": timezone.make_aware(datetime.combine(on, time(10))),
        "reason": reason,
        "data": {"referral": referral.pk},
    }


def _event(order: Supervision, kind: str, actor: int, at: datetime, reason: str) -> dict:
    return {"case_id": order.case_id, "kind": kind, "actor_id": actor, "created_at": at,
            "reason": reason, "data": {"tier": order.tier, "supervision": order.pk}}  # fmt: skip


def _people(*roles: str) -> dict[int, int]:
    """One active member of each unit holding the first of ``roles`` it has (by id)."""
    chosen: dict[int, int] = {}
    for role in reversed(roles):  # the first role wins: written last
        for pk, unit in (
            Staff.objects.filter(roles__code=role, is_active=True, unit__isnull=False)
            .order_by("-pk")
            .values_list("pk", "unit_id")
        ):
            chosen[unit] = pk
    return chosen
