"""The patrol's part of the safety index (M7.1): early signs (苗头隐患) reported from the grid."""

from django.db.models import Count
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
)
def early_signs(start, end) -> dict[int, float]:
    rows = (
        Report.objects.filter(is_early_sign=True, reported_at__gte=start, reported_at__lt=end)
        .values("grid_id")
        .annotate(value=Count("pk"))
        .values_list("grid_id", "value")
        .order_by()
    )
    return {grid: float(value) for grid, value in rows}
