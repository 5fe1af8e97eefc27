"""The key-person register's part of the safety index (M7.1): people rated high risk."""

from django.utils.translation import gettext_lazy as _

from pingan.risk.choices import ComponentKind
from pingan.risk.components import component

from .selectors import high_risk_by_grid


@component(
    "high_risk_persons",
    label=_("高风险重点人员"),
    explanation=_(
        "统计时点在册、最近一次确认的风险等级为“高”的重点人员数；基线为窗口开始时的人数。"
    ),
    kind=ComponentKind.STOCK,
    default_weight=2,
)
def high_risk_persons(start, end) -> dict[int, float]:
    return {grid: float(count) for grid, count in high_risk_by_grid(at=end).items()}
