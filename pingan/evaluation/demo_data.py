"""Demo data of the evaluation: schemes for streets and for mediators over the two quarters
before ``end``, manual entries and list entries (approved by a second evaluator), a sampled
case-quality review plan, the data-quality scan, scores for both quarters, and the report.

Deterministic from the seed and idempotent: nothing is created when a demo scheme exists.
A handful of case records get the slips clerks make (a missing result, a missing resolution
level, a follow-up without its score) so that the scan has something to find, and about half
of them are put right before the second scan, which gives the time to correction.
"""

import random
import statistics
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pingan.cases.choices import Outcome, State
from pingan.cases.models import Case
from pingan.demo.sampling import sample
from pingan.orgs.choices import Level, RoleCode
from pingan.orgs.models import Division, Staff, Unit

from . import services, sources
from .choices import Direction, Grade, ListKind, PlanKind, Rule, SubjectKind
from .models import ManualEntry, Review, Scheme, period_bounds
from .report import report_generate
from .scan import data_quality_scan

DEMO_PREFIX = "东城区"
# Reviews completed in the demo; the rest wait in the reviewers' queues.
REVIEWS_DONE = 120
EVIDENCE = {
    "typical_cases": "入选区级矛盾纠纷化解典型案例，案例材料已报区综治中心。",
    "innovations": "创新做法被区委政法委简报刊发推广。",
    "cooperation": "联席会议成员单位对配合协作情况的评分汇总表。",
}


def _quarters_before(end: datetime) -> list[tuple[int, int]]:
    local = timezone.localtime(end)
    year, quarter = local.year, (local.month - 1) // 3 + 1
    result = []
    for _ in range(2):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        result.append((year, quarter))
    return result[::-1]


def _ind(dimension, code, name, weight, rule, source, **extra) -> services.IndicatorInput:
    return services.IndicatorInput(
        dimension=dimension,
        code=code,
        name=name,
        weight=Decimal(str(weight)),
        rule=rule,
        source=source,
        **extra,
    )


def street_indicators(handled_target: int) -> list[services.IndicatorInput]:
    d = Decimal
    return [
        _ind(
            "function",
            "handled",
            "办结事项数",
            15,
            Rule.LINEAR,
            "cases_handled",
            target=d(handled_target),
        ),
        _ind(
            "function",
            "community_share",
            "小事不出社区率",
            15,
            Rule.BANDED,
            "community_share",
            bands=((0.7, 1), (0.6, 0.8), (0.5, 0.5)),
        ),
        _ind(
            "function",
            "street_share",
            "难事不出街道率",
            10,
            Rule.PASS_FAIL,
            "street_share",
            target=d("0.9"),
        ),
        _ind(
            "efficacy", "on_time", "按期办结率", 10, Rule.LINEAR, "on_time_rate", target=d("0.95")
        ),
        _ind(
            "efficacy",
            "satisfaction",
            "回访满意率",
            6,
            Rule.BANDED,
            "satisfaction_rate",
            bands=((0.95, 1), (0.9, 0.8), (0.8, 0.5)),
        ),
        _ind(
            "efficacy",
            "p90_days",
            "办理用时（90%分位）",
            4,
            Rule.LINEAR,
            "p90_handling_days",
            direction=Direction.LOWER,
            target=d("20"),
        ),
        _ind(
            "efficacy",
            "overdue",
            "超期事项",
            4,
            Rule.DEDUCTION,
            "overdue_count",
            points_per_event=d("0.5"),
        ),
        _ind(
            "efficacy",
            "review_pass",
            "案件评查合格率",
            3,
            Rule.LINEAR,
            "review_pass_rate",
            target=d("1"),
        ),
        _ind(
            "efficacy",
            "data_errors",
            "案卡填报差错率",
            3,
            Rule.LINEAR,
            "data_error_rate",
            direction=Direction.LOWER,
            target=d("0.01"),
        ),
        _ind(
            "building",
            "typical_cases",
            "典型案例",
            8,
            Rule.CAPPED,
            "manual",
            points_per_event=d("2"),
        ),
        _ind(
            "building", "innovations", "创新做法", 6, Rule.CAPPED, "manual", points_per_event=d("3")
        ),
        _ind(
            "building",
            "awards",
            "正面清单",
            6,
            Rule.CAPPED,
            "positive_points",
            points_per_event=d("1"),
        ),
        _ind("overall", "cooperation", "协作配合评价", 6, Rule.LINEAR, "manual", target=d("100")),
        _ind(
            "overall",
            "negative",
            "负面清单",
            4,
            Rule.DEDUCTION,
            "negative_points",
            points_per_event=d("1"),
        ),
    ]


def mediator_indicators(handled_target: int) -> list[services.IndicatorInput]:
    d = Decimal
    return [
        _ind(
            "function",
            "handled",
            "办结事项数",
            25,
            Rule.LINEAR,
            "cases_handled",
            target=d(handled_target),
        ),
        _ind(
            "function",
            "street_share",
            "难事不出街道率",
            15,
            Rule.BANDED,
            "street_share",
            bands=((0.9, 1), (0.8, 0.6)),
        ),
        _ind(
            "efficacy", "on_time", "按期办结率", 12, Rule.LINEAR, "on_time_rate", target=d("0.95")
        ),
        _ind(
            "efficacy",
            "satisfaction",
            "回访满意率",
            8,
            Rule.BANDED,
            "satisfaction_rate",
            bands=((0.95, 1), (0.9, 0.8), (0.8, 0.5)),
        ),
        _ind(
            "efficacy",
            "avg_days",
            "平均办理用时",
            5,
            Rule.LINEAR,
            "avg_handling_days",
            direction=Direction.LOWER,
            target=d("10"),
        ),
        _ind(
            "efficacy",
            "reopen",
            "重新办理率",
            5,
            Rule.LINEAR,
            "reopen_rate",
            direction=Direction.LOWER,
            target=d("0.05"),
        ),
        _ind(
            "building",
            "typical_cases",
            "典型案例",
            10,
            Rule.CAPPED,
            "manual",
            points_per_event=d("5"),
        ),
        _ind(
            "building",
            "awards",
            "正面清单",
            10,
            Rule.CAPPED,
            "positive_points",
            points_per_event=d("2"),
        ),
        _ind(
            "overall",
            "negative",
            "负面清单",
            10,
            Rule.DEDUCTION,
            "negative_points",
            points_per_event=d("2"),
        ),
    ]


def _median_handled(year: int, quarter: int, kind: str, end: datetime) -> int:
    start, stop = period_bounds(year, quarter)
    measures = sources.cases_handled(sources.Window(start, stop, end)).measures(kind)
    values = [m.value for m in measures.values()]
    return max(1, int(statistics.median(values))) if values else 1


def _scheme(actor, approver, *, year, quarter, kind, role, name, indicators, now) -> Scheme:
    scheme = services.scheme_create(
        actor=actor, name=name, year=year, quarter=quarter, subject_kind=kind, role=role
    )
    for order, data in enumerate(indicators):
        services.indicator_save(
            actor=actor,
            scheme=scheme,
            data=services.IndicatorInput(**{**data.__dict__, "sort_order": order}),
        )
    return services.scheme_publish(actor=approver, scheme=scheme, now=now)


def _add_slips(rng: random.Random, start: datetime, stop: datetime) -> list[int]:
    """Make the slips clerks make in a few records; return the ids touched."""
    concluded = Case.objects.filter(
        state__in=[State.CONCLUDED, State.FOLLOWED_UP, State.ARCHIVED],
        concluded_at__gte=start,
        concluded_at__lt=stop,
        outcome=Outcome.AGREEMENT,
    )
    # one record in 150 (at least 3), picked by the database: a city quarter has 200,000
    wanted = max(3, concluded.count() // 150)
    picked = list(sample(concluded.values_list("pk", flat=True), wanted, rng))
    thirds = len(picked) // 3
    Case.objects.filter(pk__in=picked[:thirds]).update(outcome="")
    Case.objects.filter(pk__in=picked[thirds : 2 * thirds]).update(concluded_level="")
    followed = picked[2 * thirds :]
    Case.objects.filter(pk__in=followed).update(state=State.FOLLOWED_UP, satisfaction=None)
    return picked


@transaction.atomic
def load_demo(*, seed: int, end: datetime) -> str:
    if Scheme.objects.filter(name__startswith=DEMO_PREFIX).exists():
        return "already there"
    if not Case.objects.exists():
        return "no cases, nothing to evaluate"
    rng = random.Random(seed)
    evaluators = list(
        Staff.objects.filter(
            roles__code=RoleCode.EVALUATOR, unit__division__level=Level.DISTRICT
        ).order_by("username")
    )
    actor = next(s for s in evaluators if s.username == "evaluator")
    approver = next(s for s in evaluators if s.pk != actor.pk)
    quarters = _quarters_before(end)
    first_start = period_bounds(*quarters[0])[0]

    # The data-quality scan: slips in a few records, a scan, half put right, a second scan.
    slips = _add_slips(rng, first_start, end)
    data_quality_scan(now=end - timedelta(days=20))
    fixed = slips[::2]
    Case.objects.filter(pk__in=fixed, outcome="").update(outcome=Outcome.AGREEMENT)
    Case.objects.filter(pk__in=fixed, concluded_level="").update(concluded_level=Level.COMMUNITY)
    Case.objects.filter(pk__in=fixed, satisfaction__isnull=True).update(satisfaction=4)
    data_quality_scan(now=end - timedelta(days=rng.randint(3, 12)))

    streets = list(Division.objects.streets().order_by("path"))
    mediators = list(
        Staff.objects.filter(roles__code=RoleCode.MEDIATOR, handled_cases__isnull=False)
        .distinct()
        .select_related("unit__division")
        .order_by("username")
    )
    schemes = []
    for year, quarter in quarters:
        start, stop = period_bounds(year, quarter)
        schemes.append(
            _scheme(
                actor,
                approver,
                year=year,
                quarter=quarter,
                kind=SubjectKind.STREET,
                role="",
                name=f"{DEMO_PREFIX}街道综治工作考评方案",
                indicators=street_indicators(_median_handled(year, quarter, "street", end)),
                now=start,
            )
        )
        schemes.append(
            _scheme(
                actor,
                approver,
                year=year,
                quarter=quarter,
                kind=SubjectKind.PERSON,
                role=RoleCode.MEDIATOR,
                name=f"{DEMO_PREFIX}人民调解员考评方案",
                indicators=mediator_indicators(_median_handled(year, quarter, "person", end)),
                now=start,
            )
        )
        _manual_entries(rng, actor, approver, year, quarter, streets, mediators, stop)
        _list_entries(rng, actor, approver, streets, mediators, start, stop)

    # Case-quality review of the last quarter: a stratified 3% sample, partly reviewed.
    year, quarter = quarters[-1]
    start, stop = period_bounds(year, quarter)
    first_day, last_day = start.date(), (stop - timedelta(days=1)).date()
    reviews, reviewed = [], 0
    if services.plan_cases(kind=PlanKind.EVERY, start=first_day, end=last_day, rate=None, seed=0):
        plan = services.review_plan_create(
            actor=actor,
            name=f"{year}年第{quarter}季度分层随机抽查",
            kind=PlanKind.SAMPLE,
            start=first_day,
            end=last_day,
            sample_rate=0.03,
            seed=seed,
        )
        reviews = list(Review.objects.filter(plan=plan).select_related("reviewer").order_by("pk"))
    grades = [Grade.EXCELLENT] * 3 + [Grade.GOOD] * 5 + [Grade.PASS] * 3 + [Grade.FAIL]
    for review in reviews[:REVIEWS_DONE]:
        grade = rng.choice(grades)
        services.review_submit(
            actor=review.reviewer,
            review=review,
            checklist={"facts": True, "procedure": True, "deadline": grade != Grade.FAIL},
            grade=grade,
            note="调解笔录缺当事人签字，协议内容与笔录不一致。" if grade == Grade.FAIL else "",
            now=stop - timedelta(days=rng.randint(1, 20)),
        )
        reviewed += 1

    runs = [services.scores_compute(scheme=s, actor=None, now=end) for s in schemes]
    units = load_unit_demo(seed=seed, end=end)  # the agencies' scheme, in the report too
    district = Division.objects.get(parent__isnull=True)
    report = report_generate(actor=None, year=year, quarter=quarter, division=district, now=end)
    return (
        f"{len(schemes)} schemes over {len(quarters)} quarters, "
        f"{sum(r.subject_count for r in runs)} subject scores, {len(reviews)} reviews assigned "
        f"({reviewed} done), {len(slips)} record slips scanned; units: {units}; "
        f"report {report.pk}"
    )


def _manual_entries(rng, actor, approver, year, quarter, streets, mediators, stop) -> None:
    def enter(code, value, **subject):
        entry = services.manual_entry_create(
            actor=actor,
            year=year,
            quarter=quarter,
            indicator_code=code,
            value=value,
            evidence=EVIDENCE[code],
            **subject,
        )
        services.manual_entry_decide(actor=approver, entry=entry, approve=True, now=stop)

    for street in streets:
        enter("typical_cases", rng.choice([0, 1, 1, 2, 3]), division=street)
        enter("innovations", rng.choice([0, 0, 1, 2]), division=street)
        enter("cooperation", rng.randint(72, 99), division=street)
    for mediator in rng.sample(mediators, min(len(mediators), 12)):
        enter("typical_cases", rng.choice([1, 1, 2]), staff=mediator)
    ManualEntry.objects.filter(value=0).delete()


def _list_entries(rng, actor, approver, streets, mediators, start, stop) -> None:
    days = max(1, (stop - start).days - 1)
    events = [
        (ListKind.POSITIVE, "获评市级“枫桥式”调解工作室", 3),
        (ListKind.POSITIVE, "化解重大群体性纠纷，获区委政法委通报表扬", 2),
        (ListKind.NEGATIVE, "司法责任认定：调解协议违反法律规定被撤销", 3),
        (ListKind.NEGATIVE, "群众投诉工作态度，经核实属实", 1),
    ]
    for _ in range(max(4, len(streets) // 2)):
        kind, title, points = rng.choice(events)
        subject = (
            {"division": rng.choice(streets)}
            if rng.random() < 0.5 or not mediators
            else {"staff": rng.choice(mediators)}
        )
        entry = services.list_entry_create(
            actor=actor,
            kind=kind,
            title=title,
            points=points,
            occurred_on=(start + timedelta(days=rng.randint(0, days))).date(),
            evidence="区综治中心核查记录及相关文书已存档。",
            **subject,
        )
        services.list_entry_decide(actor=approver, entry=entry, approve=True, now=stop)


# --- units (部门单位) -----------------------------------------------------------------------
# A scheme per demo quarter for the agencies, with cooperation ratings entered and approved, and
# its scores; idempotent (nothing is created when the demo unit scheme exists).

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
