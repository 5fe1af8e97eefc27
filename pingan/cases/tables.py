"""The work-queue table: compact rows, deadline words with colour, sort by due date."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.core.tables import DateTimeColumn

from .models import Case


class CaseTable(tables.Table):
    # Cells are rendered by methods, not TemplateColumns: a TemplateColumn renders each cell
    # with the request, which runs every context processor again, 100 times for 50 rows.
    number = tables.Column(verbose_name=_("编号"))
    title = tables.Column(
        verbose_name=_("标题"),
        attrs={"td": {"class": "text-truncate", "style": "max-width: 18rem"}},
    )
    category = tables.Column(
        verbose_name=_("类别"), accessor="category__name", order_by="category__sort_order"
    )
    level = tables.Column(verbose_name=_("层级"))
    handling_unit = tables.Column(
        verbose_name=_("承办单位"),
        accessor="handling_unit__short_name",
        order_by="handling_unit__name",
    )
    state = tables.Column(verbose_name=_("状态"))
    due_at = tables.Column(verbose_name=_("办结期限"), order_by=("due_at",), empty_values=())
    registered_at = DateTimeColumn(verbose_name=_("登记时间"))

    class Meta:
        model = Case
        fields = [
            "number",
            "title",
            "category",
            "level",
            "handling_unit",
            "state",
            "due_at",
            "registered_at",
        ]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("没有符合条件的事项。可以放宽筛选条件，或点击右上角“登记事项”新建。")

    def __init__(self, *args, words, **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words

    def render_number(self, record: Case) -> str:
        url = reverse("cases:case-detail", args=[record.number])
        return format_html('<a href="{}" class="font-monospace">{}</a>', url, record.number)

    def render_state(self, record: Case) -> str:
        return format_html(
            '<span class="badge rounded-pill pa-state pa-state-{}">{}</span>',
            record.state,
            record.get_state_display(),
        )

    def render_due_at(self, record: Case) -> str:
        return render_to_string("cases/_deadline_badge.html", {"record": self.words.label(record)})

    def value_due_at(self, record: Case) -> str:
        self.words.label(record)
        return record.deadline_text
