"""The daily data-quality scan (数据质量巡检, M9.4): rules over case records, correction items.

Each rule is a named condition on ``Case`` (one ``Q``). A scan, for every rule, opens a
correction item (整改事项) for each case that breaks it and has none open, assigned to the case's
handling unit, and closes the open items whose case now passes, which measures the time to
correction. It is set-based (a fixed number of queries per rule, however many cases) and
idempotent: a second scan at the same moment opens and closes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from pingan.cases.choices import CLOCK_STATES, State
from pingan.cases.models import Case, Supervision
from pingan.orgs.choices import Level, UnitKind

from .models import CorrectionItem, ScanRun

# Concluded cases carry a conclusion time; archived rejections (不予受理) do not, and are no
# conclusions, so the rules below recognise a concluded case by ``concluded_at``.
CONCLUDED = Q(concluded_at__isnull=False)
ACCEPTED = Q(state__in=CLOCK_STATES) | CONCLUDED
# A case overdue longer than this without any supervision notice means the sweep missed it.
SUPERVISION_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class ScanRule:
    code: str
    label: str
    description: str
    condition: Callable[[datetime], Q]


RULES: list[ScanRule] = [
    ScanRule(
        "missing_acceptance",
        _("缺少受理时间"),
        _("已受理或之后状态的事项，受理时间为空。"),
        lambda now: ACCEPTED & Q(accepted_at__isnull=True),
    ),
    ScanRule(
        "missing_deadline",
        _("缺少办结期限"),
        _("已受理的事项没有办结期限，无法计算超期。"),
        lambda now: ACCEPTED & Q(due_at__isnull=True),
    ),
    ScanRule(
        "dates_out_of_order",
        _("时间先后颠倒"),
        _("受理时间早于登记时间，或办结时间早于受理时间。"),
        lambda now: Q(accepted_at__lt=F("registered_at")) | Q(concluded_at__lt=F("accepted_at")),
    ),
    ScanRule(
        "conclusion_without_result",
        _("办结无结果"),
        _("已办结的事项没有填写办理结果。"),
        lambda now: CONCLUDED & Q(outcome=""),
    ),
    ScanRule(
        "conclusion_without_level",
        _("办结无化解层级"),
        _("已办结的事项没有填写化解层级，四级化解统计漏计。"),
        lambda now: CONCLUDED & Q(concluded_level=""),
    ),
    ScanRule(
        "level_unit_mismatch",
        _("层级与承办单位不符"),
        _("社区、网格层级的事项由非社区单位承办，或街道层级的事项由社区承办。"),
        lambda now: (
            Q(level__in=[Level.GRID, Level.COMMUNITY]) & ~Q(handling_unit__kind=UnitKind.COMMUNITY)
            | Q(level=Level.STREET, handling_unit__kind=UnitKind.COMMUNITY)
        ),
    ),
    ScanRule(
        "follow_up_without_satisfaction",
        _("回访无满意度"),
        _("已回访的事项没有记录满意度。"),
        lambda now: Q(state=State.FOLLOWED_UP, satisfaction__isnull=True),
    ),
    ScanRule(
        "overdue_without_supervision",
        _("超期未督办"),
        _("超期超过一天仍在办理，却没有任何督办记录。"),
        lambda now: (
            Q(state__in=CLOCK_STATES, due_at__lt=now - SUPERVISION_GRACE)
            & ~Exists(Supervision.objects.filter(case=OuterRef("pk")))
        ),
    ),
]
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def broken(rule: ScanRule, *, now: datetime):
    """The cases that break a rule now."""
    return Case.objects.filter(rule.condition(now))


@transaction.atomic
def data_quality_scan(*, now: datetime) -> ScanRun:
    """Check every case against every rule; open and close correction items; record the run."""
    run = ScanRun.objects.create(started_at=now, checked=Case.objects.count())
    opened = resolved = 0
    counts = {}
    for rule in RULES:
        failing = broken(rule, now=now)
        open_items = CorrectionItem.objects.filter(rule=rule.code, resolved_at__isnull=True)
        resolved += open_items.exclude(case__in=failing.values("pk")).update(resolved_at=now)
        new = failing.exclude(pk__in=open_items.values("case_id")).values_list(
            "pk", "handling_unit_id", "area_path"
        )
        items = [
            CorrectionItem(case_id=pk, rule=rule.code, unit_id=unit, area_path=path, opened_at=now)
            for pk, unit, path in new.iterator(chunk_size=5000)
        ]
        CorrectionItem.objects.bulk_create(items, batch_size=2000)
        opened += len(items)
        counts[rule.code] = open_items.count()
    run.finished_at = now
    run.opened, run.resolved, run.counts = opened, resolved, counts
    run.save(update_fields=["finished_at", "opened", "resolved", "counts"])
    return run
