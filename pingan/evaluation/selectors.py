"""Reads of the evaluation: latest scores, breakdowns, traces, trends, the scan's figures."""

from collections import defaultdict

from django.db.models import Avg, Count, DurationField, F, Q, QuerySet
from django.utils.translation import gettext as _

from pingan.cases.models import Case

from . import services, sources
from .choices import Dimension, Direction, Rule, SchemeState
from .models import (
    CorrectionItem,
    IndicatorScore,
    ListEntry,
    ScanRun,
    Scheme,
    ScoreRun,
    SubjectScore,
    period_label,
)
from .scan import RULES


def latest_run(scheme: Scheme) -> ScoreRun | None:
    return scheme.runs.order_by("-computed_at", "-id").first()


def ranking(run: ScoreRun, user) -> QuerySet:
    """The run's subject scores the user may see, best first."""
    return (
        SubjectScore.objects.visible_to(user)
        .filter(run=run)
        .select_related("division", "staff", "unit")
        .order_by("rank", "subject_name")
    )


def breakdown(subject: SubjectScore) -> list[dict]:
    """Per dimension: its points, weight and its indicators' values and points."""
    scheme = subject.run.scheme
    items = list(
        subject.items.select_related("indicator").order_by(
            "indicator__dimension", "indicator__sort_order", "indicator_id"
        )
    )
    by_dimension = defaultdict(list)
    for item in items:
        item.source_label = _source_label(item.indicator.source)
        item.source_unit = _source_unit(item.indicator.source)
        by_dimension[item.indicator.dimension].append(item)
    return [
        {
            "code": code,
            "label": label,
            "weight": weight,
            "points": subject.points_of(code),
            "items": by_dimension.get(code, []),
        }
        for code, label, weight in scheme.dimensions()
    ]


def _source_label(code: str) -> str:
    if code == sources.MANUAL:
        return _("人工评价")
    found = sources.SOURCES.get(code)
    return str(found.label) if found else code


def amount(value, unit: str) -> str:
    """A source's value in words: rates (stored as fractions) as percentages, others with
    their unit (0.9 → 90%, 3 → 3 件)."""
    if unit == "%":
        return f"{float(value) * 100:.4g}%"
    return f"{float(value):.4g}{(' ' + unit) if unit else ''}"


def describe(indicator) -> None:
    """Set an indicator's rule in words for the scheme page: ``target_text`` (90%, not
    0.9000), ``bands_text`` (≥90% 得满分；≥80% 得 80%), and ``direction_text``, which for the
    counting rules says what the count does (a deduction counts events: the fewer the better)."""
    unit = _source_unit(indicator.source)
    higher = indicator.direction == Direction.HIGHER
    indicator.target_text = "—" if indicator.target is None else amount(indicator.target, unit)
    sign = "≥" if higher else "≤"
    indicator.bands_text = "；".join(
        _("%(sign)s%(value)s 得 %(share)s")
        % {
            "sign": sign,
            "value": amount(threshold, unit),
            "share": _("满分") if float(fraction) >= 1 else f"{float(fraction) * 100:.4g}%",
        }
        for threshold, fraction in sorted(
            indicator.bands or (), key=lambda band: band[0], reverse=higher
        )
    )
    if indicator.rule == Rule.DEDUCTION:
        indicator.direction_text = _("越少越好（每次扣分）")
    elif indicator.rule == Rule.CAPPED:
        indicator.direction_text = _("越多越好（每次加分）")
    else:
        indicator.direction_text = indicator.get_direction_display()


def _source_unit(code: str) -> str:
    found = sources.SOURCES.get(code)
    return str(found.unit) if found else ""


def trace(item: IndicatorScore, *, part: str = "", user=None):
    """The records behind one indicator score: (cases queryset or None, entries queryset or
    None). Cases are also limited to what the viewer may see."""
    subject = item.subject
    scheme = subject.run.scheme
    window = sources.Window(
        start=subject.run.window_start, end=scheme.period[1], now=subject.run.window_end
    )
    spec = services.indicator_spec(item.indicator, window)
    subject_id = subject.subject_id
    cases = spec.cases_of(scheme.subject_kind, subject_id, part)
    if cases is not None:
        if user is not None:
            cases = cases.filter(pk__in=Case.objects.visible_to(user).values("pk"))
        return cases, None
    return None, spec.records_of(scheme.subject_kind, subject_id, part)


def trend(subject: SubjectScore, user) -> list[dict]:
    """The subject's total over periods: the latest run of each published scheme of the
    same kind (one query)."""
    scheme = subject.run.scheme
    if subject.staff_id:
        same = Q(staff=subject.staff_id)
    elif subject.unit_id:
        same = Q(unit=subject.unit_id)
    else:
        same = Q(division=subject.division_id)
    rows = (
        SubjectScore.objects.visible_to(user)
        .filter(same, run__scheme__subject_kind=scheme.subject_kind)
        .filter(run__scheme__state__in=[SchemeState.PUBLISHED, SchemeState.SUPERSEDED])
        .order_by("run__scheme__year", "run__scheme__quarter", "-run__computed_at", "-run_id")
        .values(
            "run__scheme__year",
            "run__scheme__quarter",
            "total",
            "rank",
            *(f"{code}_points" for code in Dimension.values),
        )
    )
    seen, points = set(), []
    for row in rows:
        key = (row["run__scheme__year"], row["run__scheme__quarter"])
        if key in seen:
            continue
        seen.add(key)
        points.append({"period": period_label(*key), **row})
    return points


def trend_chart(points: list[dict]) -> dict:
    """ECharts options for the trend (built here, passed as JSON)."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [_("总分"), *(str(label) for label in Dimension.labels)]},
        "grid": {"left": 40, "right": 20, "top": 50, "bottom": 30},
        "xAxis": {"type": "category", "data": [p["period"] for p in points]},
        "yAxis": {"type": "value", "name": _("分"), "max": 100},
        "series": [
            {"name": _("总分"), "type": "line", "data": [float(p["total"]) for p in points]},
            *(
                {
                    "name": str(label),
                    "type": "bar",
                    "stack": "d",
                    "data": [float(p[f"{code}_points"]) for p in points],
                }
                for code, label in Dimension.choices
            ),
        ],
    }


def ranking_chart(rows: list[SubjectScore]) -> dict:
    names = [row.subject_name for row in rows]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "data": [str(label) for label in Dimension.labels]},
        "grid": {"left": 110, "right": 40, "top": 40, "bottom": 30},
        "xAxis": {"type": "value", "name": _("分"), "max": 100},
        "yAxis": {"type": "category", "data": names[::-1]},
        "series": [
            {
                "name": str(label),
                "type": "bar",
                "stack": "total",
                "data": [float(row.points_of(code)) for row in rows][::-1],
            }
            for code, label in Dimension.choices
        ],
    }


def my_scores(user) -> list[SubjectScore]:
    """The user's own score in the latest run of each published scheme that evaluates them,
    and their unit's if they head an agency evaluated as a unit."""
    rows = (
        SubjectScore.objects.about(user)
        .filter(run__scheme__state=SchemeState.PUBLISHED)
        .select_related("run__scheme")
        .order_by("-run__scheme__year", "-run__scheme__quarter", "-run__computed_at", "-id")
    )
    seen, result = set(), []
    for row in rows:
        if row.run.scheme_id in seen:
            continue
        seen.add(row.run.scheme_id)
        result.append(row)
    return result


def my_list_entries(user) -> QuerySet:
    return (
        ListEntry.objects.about(user).select_related("case", "unit").order_by("-occurred_on", "-pk")
    )


# --- data-quality scan -----------------------------------------------------------------------


def scan_rules_summary(user) -> list[dict]:
    """Every rule with its open and corrected counts and mean days to correction (scoped), in
    one grouped query: the mean is the database's, not a loop over every corrected item."""
    items = CorrectionItem.objects.visible_to(user)
    rows = (
        items.order_by()
        .values("rule")
        .annotate(
            open=Count("pk", filter=Q(resolved_at__isnull=True)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            spent=Avg(
                F("resolved_at") - F("opened_at"),
                filter=Q(resolved_at__isnull=False),
                output_field=DurationField(),
            ),
        )
    )
    counts = {row["rule"]: row for row in rows}
    result = []
    for rule in RULES:
        row = counts.get(rule.code, {})
        spent = row.get("spent")
        result.append(
            {
                "code": rule.code,
                "label": rule.label,
                "description": rule.description,
                "open": row.get("open", 0),
                "resolved": row.get("resolved", 0),
                "days_to_correct": None if spent is None else spent.total_seconds() / 86400,
            }
        )
    return result


def last_scan() -> ScanRun | None:
    return ScanRun.objects.order_by("-started_at", "-id").first()
