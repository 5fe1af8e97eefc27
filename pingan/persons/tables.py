"""The register table: compact rows, level badges, review dates as words."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.core.masking import mask_id_number
from pingan.core.tables import DateColumn

from .models import KeyPerson


class PersonTable(tables.Table):
    name = tables.Column(
        verbose_name=_("姓名"), linkify=("persons:person-detail", [tables.A("pk")])
    )
    id_number = tables.Column(verbose_name=_("身份证号"), orderable=False)
    person_type = tables.Column(verbose_name=_("类别"), accessor="person_type__name")
    grid = tables.Column(verbose_name=_("网格"), accessor="grid__name", order_by="area_path")
    level = tables.Column(verbose_name=_("风险等级"), empty_values=())
    responsible = tables.Column(verbose_name=_("责任人"), accessor="responsible__name")
    next_review_on = DateColumn(format="Y-m-d", verbose_name=_("下次复核"))
    ends_on = DateColumn(format="Y-m-d", verbose_name=_("在册截止"))

    class Meta:
        model = KeyPerson
        fields = [
            "name",
            "id_number",
            "person_type",
            "grid",
            "level",
            "responsible",
            "next_review_on",
            "ends_on",
        ]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _(
            "没有符合条件的重点人员。可以放宽筛选条件；辖区内新发现的人员可点击右上角“登记人员”。"
        )

    def render_id_number(self, value):
        return mask_id_number(value)

    def render_level(self, record: KeyPerson):
        if not record.level:
            return format_html('<span class="badge text-bg-secondary">{}</span>', _("未评级"))
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            record.level_colour,
            record.get_level_display(),
        )
