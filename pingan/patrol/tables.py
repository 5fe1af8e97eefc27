"""The report list: compact rows, newest first, early signs marked with their word."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.core.tables import DateTimeColumn

from .models import Report

# Columns a phone (under 768 px) leaves out; the report's page shows them.
WIDE_ONLY = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell"},
}


class ReportTable(tables.Table):
    reported_at = DateTimeColumn(
        format="Y-m-d H:i", verbose_name=_("上报时间"), attrs={"td": {"class": "text-nowrap"}}
    )
    kind = tables.Column(verbose_name=_("类型"))
    is_early_sign = tables.Column(verbose_name=_("苗头"), attrs={"td": {"class": "text-nowrap"}})
    text = tables.Column(
        verbose_name=_("情况描述"),
        linkify=("patrol:report-detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "text-truncate", "style": "max-width: 22rem"}},
    )
    grid = tables.Column(
        verbose_name=_("网格"), accessor="grid__name", order_by="grid__path", attrs=WIDE_ONLY
    )
    reporter = tables.Column(
        verbose_name=_("上报人"),
        accessor="reporter__name",
        default=_("Open311 接口"),
        attrs=WIDE_ONLY,
    )
    case = tables.Column(
        verbose_name=_("转办事项"), accessor="case__number", default="—", attrs=WIDE_ONLY
    )

    class Meta:
        model = Report
        fields = ["reported_at", "kind", "is_early_sign", "text", "grid", "reporter", "case"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("没有符合条件的上报。可以放宽筛选条件；网格员可在手机上点“上报”新建。")

    def render_kind(self, record: Report) -> str:
        return format_html(
            '<span class="badge text-bg-light border">{}</span>', record.get_kind_display()
        )

    def render_is_early_sign(self, value: bool) -> str:
        if value:
            return format_html('<span class="badge text-bg-warning">{}</span>', _("苗头"))
        return "—"
