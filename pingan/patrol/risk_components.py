"""The patrol's part of the safety index (M7.1): early signs (苗头隐患) reported from the grid."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from pingan.risk.choices import ComponentKind
from pingan.risk.components import component

from .models import Report


@component(
    "early_signs",
    label=_("苗头隐患报告"),
    explanation=_("期间网格员和外部渠道上报的苗头隐患（标为苗头隐患的人地事物情报告）数。"),
    kind=ComponentKind.FLOW,
    default_weight=2,
    paired=True,
)
def early_signs(baseline_start, start, end) -> tuple[dict[int, float], dict[int, float]]:
    """Early signs in the window and in its baseline: one pass over the early-sign index."""
    rows = (
        Report.objects.filter(
            is_early_sign=True, reported_at__gte=baseline_start, reported_at__lt=end
        )
        .values("grid_id")
        .annotate(
            value=Count("pk", filter=Q(reported_at__gte=start)),
            base=Count("pk", filter=Q(reported_at__lt=start)),
        )
        .values_list("grid_id", "value", "base")
        .order_by()
    )
    window, baseline = {}, {}
    for grid, value, base in rows:
        if value:
            window[grid] = float(value)
        if base:
            baseline[grid] = float(base)
    return window, baseline
