"""Demo data for unit subjects (部门单位): a scheme per demo quarter for the agencies, with
cooperation ratings entered and approved, and its scores.

Kept apart from ``demo_data`` so that the cached benchmark data does not change until it is
wired in: ``load_demo`` calls ``load_unit_demo(seed=seed, end=end)`` after its own schemes.
Idempotent: nothing is created when a demo unit scheme exists.
"""

import random
from decimal import Decimal

from django.db import transaction

from pingan.orgs.choices import Level, RoleCode
from pingan.orgs.models import Staff, Unit

from . import services
from .choices import Rule, SubjectKind
from .demo_data import DEMO_PREFIX, _ind, _quarters_before, _scheme
from .models import Scheme, period_bounds

UNIT_SCHEME_NAME = f"{DEMO_PREFIX}部门单位考评方案"


def unit_indicators() -> list[services.IndicatorInput]:
    """What an agency answers for: the matters it handles, its answers to whistles and its
    four-list tasks, and the cooperation rating of the joint meeting."""
    d = Decimal
    return [
        _ind("function", "handled", "办结事项数", 20, Rule.CAPPED, "cases_handled",
             points_per_event=d("1")),
        _ind("function", "four_list", "四个清单任务按期完成率", 20, Rule.LINEAR,
             "four_list_on_time_rate", target=d("0.9")),
        _ind("efficacy", "whistle_on_time", "吹哨报到按时率", 15, Rule.LINEAR,
             "whistle_on_time_rate", target=d("0.95")),
        _ind("efficacy", "whistle_late", "吹哨报到超时", 10, Rule.DEDUCTION, "whistle_late_count",
             points_per_event=d("2")),
        _ind("efficacy", "on_time", "按期办结率", 5, Rule.LINEAR, "on_time_rate",
             target=d("0.95")),
        _ind("building", "awards", "正面清单", 20, Rule.CAPPED, "positive_points",
             points_per_event=d("2")),
        _ind("overall", "cooperation", "协作配合评价", 10, Rule.LINEAR, "manual",
             target=d("100")),
    ]  # fmt: skip


@transaction.atomic
def load_unit_demo(*, seed: int, end) -> str:
    if Scheme.objects.filter(name=UNIT_SCHEME_NAME).exists():
        return "already there"
    rng = random.Random(seed + 7)
    evaluators = list(
        Staff.objects.filter(
            roles__code=RoleCode.EVALUATOR, unit__division__level=Level.DISTRICT
        ).order_by("username")
    )
    actor = next(s for s in evaluators if s.username == "evaluator")
    approver = next(s for s in evaluators if s.pk != actor.pk)
    agencies = list(
        Unit.objects.filter(kind__in=services.EVALUATED_UNIT_KINDS, is_active=True)
        .select_related("division")
        .order_by("pk")
    )
    subjects = 0
    for year, quarter in _quarters_before(end):
        start, stop = period_bounds(year, quarter)
        scheme = _scheme(
            actor,
            approver,
            year=year,
            quarter=quarter,
            kind=SubjectKind.UNIT,
            role="",
            name=UNIT_SCHEME_NAME,
            indicators=unit_indicators(),
            now=start,
        )
        for unit in agencies:
            entry = services.manual_entry_create(
                actor=actor,
                year=year,
                quarter=quarter,
                indicator_code="cooperation",
                value=rng.randint(70, 99),
                evidence="联席会议成员单位对配合协作情况的评分汇总表。",
                unit=unit,
            )
            services.manual_entry_decide(actor=approver, entry=entry, approve=True, now=stop)
        subjects += services.scores_compute(scheme=scheme, actor=None, now=end).subject_count
    return f"unit schemes for 2 quarters, {subjects} unit scores"
