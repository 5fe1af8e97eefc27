"""The quarterly quality analysis report (质效分析报告, M9.5): one set of figures, three forms.

``report_generate`` gathers the figures for a period and an area once (headline figures of the
area's cases, the four dimensions and the rankings (streets, units, people) from the latest
score runs, the problem
areas, the data-quality scan and the case-quality reviews), stores them with the report, and
renders them as an A4 PDF (WeasyPrint, Noto Sans CJK through fontconfig) and an Excel workbook
with the underlying tables. The page shows the same stored figures.
"""

import io
import time
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from pingan.cases.models import Case
from pingan.core import excel
from pingan.core.services import audit_record
from pingan.orgs.access import in_scope
from pingan.orgs.models import Division, Staff

from . import sources
from .choices import PASSING_GRADES, Dimension, ReviewState, SchemeState, SubjectKind
from .models import (
    CorrectionItem,
    IndicatorScore,
    QuarterReport,
    Review,
    Scheme,
    period_bounds,
    period_label,
)
from .scan import RULES_BY_CODE

HEADLINE_SOURCES = [
    "cases_handled",
    "on_time_rate",
    "community_share",
    "street_share",
    "satisfaction_rate",
    "avg_handling_days",
    "p90_handling_days",
    "reopen_rate",
    "overdue_count",
    "supervision_count",
    "data_error_rate",
    "review_pass_rate",
]
TOP_PEOPLE = 10


def _num(value) -> float | None:
    return None if value is None else float(value)


def _latest_run(year: int, quarter: int, kind: str):
    scheme = (
        Scheme.objects.filter(
            year=year, quarter=quarter, subject_kind=kind, state=SchemeState.PUBLISHED
        )
        .order_by("role")
        .first()
    )
    if scheme is None:
        return None, None
    return scheme, scheme.runs.order_by("-computed_at", "-id").first()


def _run_section(scheme, run, path: str, *, limit: int | None = None) -> dict | None:
    if run is None:
        return None
    subjects = list(
        run.subjects.filter(subject_path__startswith=path).order_by("rank", "subject_name")
    )
    count = len(subjects)
    dims = []
    for code, label, weight in scheme.dimensions():
        avg = sum((s.points_of(code) for s in subjects), Decimal(0)) / count if count else None
        dims.append({"code": code, "label": str(label), "weight": weight, "average": _num(avg)})
    indicator_rows = []
    for row in (
        _indicator_scores(run, path)
        .values("indicator__name", "indicator__weight", "indicator__dimension")
        .annotate(avg_points=Avg("points"), avg_value=Avg("value"))
        .order_by("indicator__dimension", "indicator__name")
    ):
        weight = float(row["indicator__weight"])
        indicator_rows.append(
            {
                "name": row["indicator__name"],
                "dimension": str(Dimension(row["indicator__dimension"]).label),
                "weight": weight,
                "avg_points": _num(row["avg_points"]),
                "avg_value": _num(row["avg_value"]),
                "fraction": (float(row["avg_points"]) / weight) if weight else None,
            }
        )
    shown = subjects if limit is None else subjects[:limit]
    return {
        "scheme": f"{scheme.name} v{scheme.version}",
        "computed_at": run.computed_at.isoformat(),
        "count": count,
        "average_total": _num(sum((s.total for s in subjects), Decimal(0)) / count)
        if count
        else None,
        "dimensions": dims,
        "indicators": indicator_rows,
        "ranking": [
            {
                "rank": s.rank,
                "name": s.subject_name,
                "total": float(s.total),
                **{code: float(s.points_of(code)) for code in Dimension.values},
            }
            for s in shown
        ],
        "bottom": [
            {"rank": s.rank, "name": s.subject_name, "total": float(s.total)}
            for s in subjects[-limit:]
        ]
        if limit and count > limit
        else [],
    }


def _indicator_scores(run, path):
    return IndicatorScore.objects.filter(subject__run=run, subject__subject_path__startswith=path)


def report_data(*, year: int, quarter: int, division: Division, now: datetime) -> dict:
    """Every figure of the report, as plain JSON-able data."""
    start, end = period_bounds(year, quarter)
    window = sources.Window(start=start, end=end, now=now)
    path = division.path
    chosen = [sources.SOURCES[code] for code in HEADLINE_SOURCES]
    measured = sources.overall_together([src.build(window) for src in chosen], path)
    headline = []
    for code, src, measure in zip(HEADLINE_SOURCES, chosen, measured, strict=True):
        headline.append(
            {
                "code": code,
                "label": str(src.label),
                "unit": str(src.unit),
                "value": measure.value,
                "numerator": measure.numerator,
                "denominator": measure.denominator,
            }
        )
    registered = Case.objects.filter(
        area_path__startswith=path, registered_at__gte=start, registered_at__lt=window.until
    ).count()
    street_scheme, street_run = _latest_run(year, quarter, SubjectKind.STREET)
    unit_scheme, unit_run = _latest_run(year, quarter, SubjectKind.UNIT)
    person_scheme, person_run = _latest_run(year, quarter, SubjectKind.PERSON)
    streets = _run_section(street_scheme, street_run, path)
    units = _run_section(unit_scheme, unit_run, path)
    people = _run_section(person_scheme, person_run, path, limit=TOP_PEOPLE)
    scan_rows = (
        CorrectionItem.objects.filter(
            area_path__startswith=path, opened_at__gte=start, opened_at__lt=end
        )
        .values("rule")
        .annotate(found=Count("pk"), open=Count("pk", filter=Q(resolved_at__isnull=True)))
        .order_by("-found")
    )
    scan = [
        {
            "rule": str(RULES_BY_CODE[row["rule"]].label)
            if row["rule"] in RULES_BY_CODE
            else row["rule"],
            "found": row["found"],
            "open": row["open"],
        }
        for row in scan_rows
    ]
    reviews = Review.objects.filter(
        case__area_path__startswith=path,
        state=ReviewState.DONE,
        reviewed_at__gte=start,
        reviewed_at__lt=end,
    ).aggregate(done=Count("pk"), passed=Count("pk", filter=Q(grade__in=PASSING_GRADES)))
    problems = []
    if streets:
        weakest = sorted(
            (row for row in streets["indicators"] if row["fraction"] is not None),
            key=lambda row: row["fraction"],
        )[:5]
        for row in weakest:
            if row["fraction"] < 0.9:
                problems.append(
                    _("指标“%(name)s”平均得分率 %(pct).0f%%（%(dim)s）")
                    % {"name": row["name"], "pct": row["fraction"] * 100, "dim": row["dimension"]}
                )
    for row in scan[:3]:
        problems.append(
            _("数据质量：“%(rule)s”本期发现 %(found)d 条，仍有 %(open)d 条未整改") % row
        )
    if reviews["done"] and reviews["passed"] < reviews["done"]:
        problems.append(
            _("案件评查：%(done)d 件中 %(failed)d 件不合格")
            % {"done": reviews["done"], "failed": reviews["done"] - reviews["passed"]}
        )
    return {
        "title": _("%(area)s%(period)s矛盾纠纷化解质效分析报告")
        % {"area": division.name, "period": period_label(year, quarter)},
        "area": division.name,
        "period": period_label(year, quarter),
        "window": [start.isoformat(), window.until.isoformat()],
        "registered": registered,
        "headline": headline,
        "streets": streets,
        "units": units,
        "people": people,
        "scan": scan,
        "reviews": reviews,
        "problems": problems,
    }


def bar_svg(rows: list[tuple[str, float]], *, maximum: float = 100, width: int = 640) -> str:
    """A horizontal bar chart as inline SVG (the PDF has no JavaScript to run ECharts)."""
    bar, gap, label_w = 16, 6, 110
    height = len(rows) * (bar + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    span = width - label_w - 60
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar + gap)
        w = 0 if not maximum else max(0.0, min(value / maximum, 1.0)) * span
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
            f"{_escape(label)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="#1f5fa8"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11">{value:.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_context(report: QuarterReport) -> dict:
    data = report.data
    context = {"report": report, "data": data}
    if data.get("streets"):
        ranking = data["streets"]["ranking"]
        if len(ranking) > 1:  # a ranking of one street is its table row, not a chart
            context["street_chart_svg"] = bar_svg([(row["name"], row["total"]) for row in ranking])
        context["dimension_chart_svg"] = bar_svg(
            [
                (d["label"], (d["average"] or 0) / d["weight"] * 100 if d["weight"] else 0)
                for d in data["streets"]["dimensions"]
            ]
        )
    return context


def render_pdf(report: QuarterReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("evaluation/report_pdf.html", report_context(report))
    return HTML(string=html).write_pdf()


def render_xlsx(report: QuarterReport) -> bytes:
    """The workbook: the headline figures and every table behind the report."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = report.data
    book = Workbook()
    sheet = book.active
    sheet.title = _("概览")
    sheet.append(excel.row(sheet, [data["title"]]))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(excel.row(sheet, [_("范围"), data["area"], _("期间"), data["period"]]))
    sheet.append(excel.row(sheet, [_("登记事项"), data["registered"]]))
    sheet.append(excel.row(sheet, []))
    sheet.append(excel.row(sheet, [_("指标"), _("数值"), _("单位"), _("分子"), _("分母")]))
    for row in data["headline"]:
        value = row["value"]
        if value is not None and row["unit"] == "%":
            value = round(value * 100, 2)
        sheet.append(
            excel.row(
                sheet, [row["label"], value, row["unit"], row["numerator"], row["denominator"]]
            )
        )
    sheet.append(excel.row(sheet, []))
    sheet.append(excel.row(sheet, [_("存在的问题")]))
    for problem in data["problems"]:
        sheet.append(excel.row(sheet, [problem]))
    sections = (
        ("streets", _("街道排名"), _("街道指标")),
        ("units", _("单位排名"), _("单位指标")),
        ("people", _("人员排名"), _("人员指标")),
    )
    for key, title, indicators_title in sections:
        section = data.get(key)
        ws = book.create_sheet(title)
        if not section:
            ws.append(excel.row(ws, [_("本期尚未计算考评得分")]))
            continue
        ws.append(
            excel.row(
                ws,
                [_("名次"), _("考评对象"), _("总分"), *(str(label) for label in Dimension.labels)],
            )
        )
        for row in section["ranking"]:
            ws.append(
                excel.row(
                    ws,
                    [row["rank"], row["name"], row["total"], *(row[c] for c in Dimension.values)],
                )
            )
        wi = book.create_sheet(indicators_title)
        wi.append(
            excel.row(
                wi, [_("维度"), _("指标"), _("分值"), _("平均得分"), _("平均指标值"), _("得分率")]
            )
        )
        for row in section["indicators"]:
            wi.append(
                excel.row(
                    wi,
                    [
                        row["dimension"],
                        row["name"],
                        row["weight"],
                        row["avg_points"],
                        row["avg_value"],
                        row["fraction"],
                    ],
                )
            )
    ws = book.create_sheet(_("数据质量"))
    ws.append(excel.row(ws, [_("规则"), _("本期发现"), _("未整改")]))
    for row in data["scan"]:
        ws.append(excel.row(ws, [row["rule"], row["found"], row["open"]]))
    ws = book.create_sheet(_("案件评查"))
    ws.append(excel.row(ws, [_("已评查"), _("合格及以上")]))
    ws.append(excel.row(ws, [data["reviews"]["done"], data["reviews"]["passed"]]))
    for ws in book.worksheets:
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@transaction.atomic
def report_generate(
    *, actor: Staff | None, year: int, quarter: int, division: Division, now: datetime
) -> QuarterReport:
    """Gather the figures and write the report with its PDF and workbook."""
    from pingan.core.errors import ApplicationError, ForbiddenError

    from .querysets import is_overseer

    if actor is not None and not (is_overseer(actor) and in_scope(actor, division.path)):
        raise ForbiddenError(_("只有本辖区的考评员或领导可以生成质效分析报告。"))
    if quarter not in (1, 2, 3, 4):
        raise ApplicationError(_("请选择季度。"))
    start, _end = period_bounds(year, quarter)
    if now < start:
        raise ApplicationError(_("该季度尚未开始，无法生成报告。"))
    report = QuarterReport(
        year=year,
        quarter=quarter,
        division=division,
        generated_at=now,
        generated_by=actor,
        data=report_data(year=year, quarter=quarter, division=division, now=now),
    )
    report.save()
    started = time.monotonic()
    pdf = render_pdf(report)
    report.pdf_ms = int((time.monotonic() - started) * 1000)
    stem = f"{division.code}-{year}Q{quarter}-{report.pk}"
    report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(render_xlsx(report)), save=False)
    report.save(update_fields=["pdf", "xlsx", "pdf_ms"])
    audit_record(actor=actor, action="evaluation.report.generate", target=report)
    return report
