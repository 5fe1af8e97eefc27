"""The scorecard report (M8.2): one context for the page, the HTML download and the PDF.

The PDF is printed by WeasyPrint from ``persons/report_print.html``; Chinese text is set in
Noto Sans CJK, found through fontconfig (Debian: fonts-noto-cjk).
"""

from django.template.loader import render_to_string

from .choices import RiskLevel
from .models import Scorecard
from .selectors import override_stats

LEVEL_LABELS = dict(RiskLevel.choices)


def report_context(scorecard: Scorecard) -> dict:
    report = scorecard.report or {}
    factors = list(scorecard.factors.prefetch_related("bands").order_by("position", "id"))
    fitted = {f["key"]: f for f in report.get("factors", [])}
    rows = []
    for factor in factors:
        extra = {(b["label"]): b for b in fitted.get(factor.key, {}).get("bands", [])}
        rows.append(
            {
                "factor": factor,
                "auc_alone": fitted.get(factor.key, {}).get("auc_alone"),
                "bands": [
                    {"band": band, "fit": extra.get(band.label)} for band in factor.bands.all()
                ],
                "max_points": max((b.points for b in factor.bands.all()), default=0),
            }
        )
    calibration = [
        {**row, "label": LEVEL_LABELS.get(row["level"], row["level"])}
        for row in report.get("calibration", [])
    ]
    return {
        "scorecard": scorecard,
        "report": report,
        "factor_rows": rows,
        "max_total": sum(row["max_points"] for row in rows),
        "calibration": calibration,
        "overrides": override_stats(scorecard),
    }


def render_pdf(scorecard: Scorecard, *, base_url: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    html = render_to_string("persons/report_print.html", report_context(scorecard))
    return HTML(string=html, base_url=base_url).write_pdf()
