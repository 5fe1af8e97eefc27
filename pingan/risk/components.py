"""The components of the safety index (平安指数构成项): one registry, one small function each.

A component is a function ``(start, end) -> {grid_id: value}`` that computes one number per
grid with a single set-based query (grids with nothing may be left out: they count as 0). It
is registered with ``@component(...)``, which gives it a code, a Chinese label and explanation
(shown on every index page), its kind and the weight it starts with:

- ``FLOW`` components count what happened in ``[start, end)``; for the baseline the function is
  called over the baseline period and the result is scaled to the window's length;
- ``STOCK`` components measure a level at the moment ``end``; the baseline is the level at the
  window's start.

A component over a large table reads both periods in one pass instead: registered with
``paired=True``, its function takes ``(baseline_start, start, end)`` and returns the pair
``(window values, baseline values)`` from one grouped query with two conditional aggregates
(a flow over ``[start, end)`` and ``[baseline_start, start)``, a stock at ``end`` and at
``start``). The case and report components below are written so, each query served by an index
(``cases.0004_risk_indexes``, ``patrol.0005_report_early_sign_idx``).

Adding a component is writing one function with the decorator, either here or in a module
``risk_components.py`` of any installed app (``RiskConfig.ready`` imports those, as the admin
imports ``admin.py``), e.g. ``pingan/patrol/risk_components.py``::

    from pingan.risk.components import component
    from pingan.risk.choices import ComponentKind

    @component("early_signs", label=_("苗头隐患报告"), explanation=_("…"),
               kind=ComponentKind.FLOW, default_weight=2)
    def early_signs(start, end):
        return dict(Report.objects.filter(is_early_sign=True, reported_at__gte=start,
                    reported_at__lt=end).values("grid_id").annotate(n=Count("pk"))
                    .values_list("grid_id", "n").order_by())

The next index refresh creates its weight row with ``default_weight``; an administrator tunes it
in the admin (平安指数参数). Nothing else changes: the index, the pages, the map's tooltip and
the snapshots pick it up from the registry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from pingan.cases.choices import EventKind, State
from pingan.cases.models import Case, CaseEvent
from pingan.orgs.choices import Level

from .choices import ComponentKind

ComponentFunction = Callable[..., dict[int, float] | tuple[dict[int, float], dict[int, float]]]


@dataclass(frozen=True)
class Component:
    code: str
    label: str
    explanation: str
    kind: str
    default_weight: float
    order: int
    compute: ComponentFunction
    paired: bool = False

    def measure(
        self, baseline_start: datetime, start: datetime, end: datetime
    ) -> tuple[dict[int, float], dict[int, float]]:
        """The values over the window and over its baseline (unscaled): ``{grid_id: value}``
        each; one query for a paired component, two otherwise."""
        if self.paired:
            return self.compute(baseline_start, start, end)
        return self.compute(start, end), self.compute(baseline_start, start)


REGISTRY: dict[str, Component] = {}


def component(
    code: str,
    *,
    label: str,
    explanation: str,
    kind: str,
    default_weight: float,
    paired: bool = False,
) -> Callable[[ComponentFunction], ComponentFunction]:
    """Register a component function under ``code`` (see the module docstring)."""

    def register(function: ComponentFunction) -> ComponentFunction:
        if code in REGISTRY and REGISTRY[code].compute is not function:
            raise ValueError(f"index component {code!r} is registered twice")
        REGISTRY[code] = Component(
            code=code,
            label=label,
            explanation=explanation,
            kind=kind,
            default_weight=default_weight,
            order=len(REGISTRY),
            compute=function,
            paired=paired,
        )
        return function

    return register


def registered() -> list[Component]:
    """The registered components in registration order."""
    return sorted(REGISTRY.values(), key=lambda c: c.order)


# --- case-based components (M1, M2 data) ---------------------------------------------------


def _pairs(rows) -> tuple[dict[int, float], dict[int, float]]:
    """``(grid_id, window value, baseline value)`` rows as the two dictionaries."""
    window, baseline = {}, {}
    for grid_id, value, base in rows:
        if value:
            window[grid_id] = float(value)
        if base:
            baseline[grid_id] = float(base)
    return window, baseline


SEVERITY = Coalesce(F("category__risk_severity__severity"), Value(1.0), output_field=FloatField())


@component(
    "new_cases",
    label=_("新增事项（按类别严重程度加权）"),
    explanation=_("期间登记的事项，每件按其类别的严重程度计分（如征地拆迁 3、邻里纠纷 1）。"),
    kind=ComponentKind.FLOW,
    default_weight=3,
    paired=True,
)
def new_cases(baseline_start: datetime, start: datetime, end: datetime):
    rows = (
        Case.objects.filter(registered_at__gte=baseline_start, registered_at__lt=end)
        .values("grid_id")
        .annotate(
            value=Sum(SEVERITY, filter=Q(registered_at__gte=start)),
            base=Sum(SEVERITY, filter=Q(registered_at__lt=start)),
        )
        .values_list("grid_id", "value", "base")
        .order_by()
    )
    return _pairs(rows)


def open_at(moment: datetime) -> Q:
    """Cases open at ``moment``: registered by then, neither rejected nor concluded nor
    archived by then (a rejected matter is archived without a conclusion)."""
    return (
        Q(registered_at__lt=moment)
        & ~Q(state=State.REJECTED)
        & (Q(concluded_at__isnull=True) | Q(concluded_at__gte=moment))
        & (Q(archived_at__isnull=True) | Q(archived_at__gte=moment))
    )


def open_at_either(start: datetime, end: datetime) -> Q:
    """Cases open at ``start`` or at ``end`` (``start`` ≤ ``end``), or both: one condition
    that the case index on ``(concluded_at, archived_at, …)`` serves."""
    return (
        Q(registered_at__lt=end)
        & ~Q(state=State.REJECTED)
        & (Q(concluded_at__isnull=True) | Q(concluded_at__gte=start))
        & (Q(archived_at__isnull=True) | Q(archived_at__gte=start))
    )


@component(
    "open_cases",
    label=_("在办事项"),
    explanation=_("统计时点仍未办结的事项数；基线为窗口开始时的在办数。"),
    kind=ComponentKind.STOCK,
    default_weight=1,
    paired=True,
)
def open_cases(baseline_start: datetime, start: datetime, end: datetime):
    rows = (
        Case.objects.filter(open_at_either(start, end))
        .values("grid_id")
        .annotate(value=Count("pk", filter=open_at(end)), base=Count("pk", filter=open_at(start)))
        .values_list("grid_id", "value", "base")
        .order_by()
    )
    return _pairs(rows)


@component(
    "overdue_cases",
    label=_("超期事项"),
    explanation=_("统计时点已过办结期限仍未办结的事项数；基线为窗口开始时的超期数。"),
    kind=ComponentKind.STOCK,
    default_weight=2,
    paired=True,
)
def overdue_cases(baseline_start: datetime, start: datetime, end: datetime):
    rows = (
        Case.objects.filter(open_at_either(start, end), due_at__lt=end)
        .values("grid_id")
        .annotate(
            value=Count("pk", filter=open_at(end)),
            base=Count("pk", filter=open_at(start) & Q(due_at__lt=start)),
        )
        .values_list("grid_id", "value", "base")
        .order_by()
    )
    return _pairs(rows)


@component(
    "repeat_cases",
    label=_("重复事项"),
    explanation=_("期间登记、被识别为同一人或同一事项再次反映（重复访）的事项数。"),
    kind=ComponentKind.FLOW,
    default_weight=2,
    paired=True,
)
def repeat_cases(baseline_start: datetime, start: datetime, end: datetime):
    rows = (
        Case.objects.filter(
            registered_at__gte=baseline_start, registered_at__lt=end, repeat_of__isnull=False
        )
        .values("grid_id")
        .annotate(
            value=Count("pk", filter=Q(registered_at__gte=start)),
            base=Count("pk", filter=Q(registered_at__lt=start)),
        )
        .values_list("grid_id", "value", "base")
        .order_by()
    )
    return _pairs(rows)


@component(
    "district_escalations",
    label=_("上提至区级"),
    explanation=_("期间上提到区级办理的事项次数（矛盾上交）。"),
    kind=ComponentKind.FLOW,
    default_weight=2,
    paired=True,
)
def district_escalations(baseline_start: datetime, start: datetime, end: datetime):
    rows = (
        CaseEvent.objects.filter(
            kind=EventKind.ESCALATE,
            to_level=Level.DISTRICT,
            created_at__gte=baseline_start,
            created_at__lt=end,
        )
        .values("case__grid_id")
        .annotate(
            value=Count("pk", filter=Q(created_at__gte=start)),
            base=Count("pk", filter=Q(created_at__lt=start)),
        )
        .values_list("case__grid_id", "value", "base")
        .order_by()
    )
    return _pairs(rows)
