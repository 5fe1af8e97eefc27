"""Tables of risk pages: the cases behind an index, instructions and warnings."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.cases.models import Case
from pingan.cases.tables import CaseTable
from pingan.core.tables import DateTimeColumn, TemplateColumn

from .choices import InstructionState
from .models import Instruction, RiskWarning
from .wording import warning_context

ATTRS = {"class": "table table-sm table-hover align-middle mb-0"}


class CaseBehindTable(tables.Table):
    # Cells rendered by methods, as the work queue's (pingan.cases.tables.CaseTable).
    number = tables.Column(verbose_name=_("编号"))
    title = tables.Column(
        verbose_name=_("标题"),
        attrs={"td": {"class": "text-truncate", "style": "max-width: 16rem"}},
    )
    category = tables.Column(
        verbose_name=_("类别"), accessor="category__name", order_by="category__sort_order"
    )
    grid = tables.Column(verbose_name=_("网格"), accessor="grid__name", order_by="grid__path")
    state = tables.Column(verbose_name=_("状态"))
    registered_at = DateTimeColumn(verbose_name=_("登记时间"))

    class Meta:
        model = Case
        fields = ["number", "title", "category", "grid", "state", "registered_at"]
        attrs = ATTRS
        empty_text = _("该区域在所选窗口内没有计入指数的事项。")

    render_number = CaseTable.render_number
    render_state = CaseTable.render_state


class InstructionTable(tables.Table):
    number = TemplateColumn(template_name="risk/_instruction_link.html", verbose_name=_("编号"))
    title = tables.Column(verbose_name=_("标题"))
    grid = tables.Column(verbose_name=_("网格"), accessor="grid__name", order_by="path")
    unit = tables.Column(verbose_name=_("承办单位"), accessor="unit__name", order_by="unit__name")
    state = tables.Column(verbose_name=_("状态"))
    due_at = DateTimeColumn(format="Y-m-d H:i", verbose_name=_("完成期限"))
    issued_at = DateTimeColumn(format="Y-m-d H:i", verbose_name=_("下达时间"))

    class Meta:
        model = Instruction
        fields = ["number", "title", "grid", "unit", "state", "due_at", "issued_at"]
        attrs = ATTRS
        empty_text = _("没有符合条件的调度指令。可以在风险地图上点开网格，从网格页下达指令。")

    def __init__(self, *args, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def render_state(self, record: Instruction) -> str:
        badge = format_html(
            '<span class="badge rounded-pill pa-state">{}</span>', record.get_state_display()
        )
        if record.state != InstructionState.CLOSED and record.due_at < self.now:
            overdue = '<span class="badge text-bg-danger">{}</span> {}'
            return format_html(overdue, _("已超期"), badge)
        return badge


class WarningTable(tables.Table):
    street = tables.Column(
        verbose_name=_("街道"), accessor="grid__parent__parent__name", orderable=False
    )
    grid = tables.Column(verbose_name=_("网格"), accessor="grid__name", order_by="path")
    kind = tables.Column(verbose_name=_("预警类型"))
    detail = tables.Column(verbose_name=_("情况"), accessor="data", orderable=False)
    opened_at = DateTimeColumn(format="Y-m-d", verbose_name=_("首次触发"))
    last_flagged_at = DateTimeColumn(format="Y-m-d", verbose_name=_("最近触发"))
    closed_at = DateTimeColumn(format="Y-m-d", verbose_name=_("解除"), default=_("未解除"))
    actions = TemplateColumn(
        template_name="risk/_warning_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = RiskWarning
        fields = [
            "street",
            "grid",
            "kind",
            "detail",
            "opened_at",
            "last_flagged_at",
            "closed_at",
            "actions",
        ]
        attrs = ATTRS
        empty_text = _("当前没有预警。预警在每日指数计算后自动生成。")

    def render_detail(self, value: dict, record: RiskWarning) -> str:
        return render_to_string("risk/_warning_detail.html", warning_context(record))
