"""Tables of the corrections pages (django-tables2)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from pingan.core.masking import mask_name
from pingan.core.tables import TemplateColumn

from .models import Employer, EvidenceFile, Release

ATTRS = {"class": "table table-sm table-hover align-middle mb-0"}
NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class ReleaseTable(tables.Table):
    name = tables.LinkColumn(
        "corrections:release-detail", args=[tables.A("pk")], verbose_name=_("姓名")
    )
    street = tables.Column(
        accessor="grid__parent__parent__name", verbose_name=_("街道"), order_by="area_path"
    )
    grid = tables.Column(accessor="grid__name", verbose_name=_("落户网格"), order_by="area_path")
    state = TemplateColumn(template_name="corrections/_release_state.html", verbose_name=_("状态"))

    class Meta:
        model = Release
        fields = ["name", "prison", "offence", "release_date", "street", "grid", "state"]
        attrs = ATTRS
        empty_text = _("没有符合条件的刑释人员。请放宽筛选条件后重试。")

    def render_name(self, value, record):
        return mask_name(value)


class EmployerTable(tables.Table):
    street = tables.Column(
        accessor="grid__parent__parent__name", verbose_name=_("街道"), order_by="grid__path"
    )
    employed = tables.Column(verbose_name=_("已安置"), attrs=NUMBER)

    class Meta:
        model = Employer
        fields = ["name", "street", "jobs", "conditions", "contact", "phone", "employed"]
        attrs = ATTRS
        empty_text = _("名单中还没有企业。")


class EvidenceFileTable(tables.Table):
    number = TemplateColumn(
        '<a class="font-monospace" href="{% url \'corrections:file-detail\' record.number %}">'
        "{{ record.number }}</a>",
        verbose_name=_("案卷编号"),
    )
    item_count = tables.Column(verbose_name=_("证据"), attrs=NUMBER)
    waiting = tables.Column(verbose_name=_("待审"), attrs=NUMBER)
    excluded_count = tables.Column(verbose_name=_("排除"), attrs=NUMBER)
    chain = TemplateColumn(
        template_name="corrections/_chain_cell.html",
        verbose_name=_("记录链"),
        orderable=False,
        empty_values=(),
    )

    class Meta:
        model = EvidenceFile
        fields = [
            "number",
            "prison",
            "subject",
            "kind",
            "state",
            "item_count",
            "waiting",
            "excluded_count",
            "chain_length",
            "chain",
            "created_at",
        ]
        attrs = ATTRS
        empty_text = _("没有符合条件的案卷。")
