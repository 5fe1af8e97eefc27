"""Tables of units and staff (django-tables2): sorting, paging, compact rows."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.core.masking import mask_phone
from pingan.core.tables import TemplateColumn

from .models import Staff, Unit


class UnitTable(tables.Table):
    name = tables.LinkColumn("orgs:unit-detail", args=[tables.A("pk")], verbose_name=_("名称"))
    division = tables.Column(verbose_name=_("所在区划"), order_by=("division__path",))
    staff_count = tables.Column(
        verbose_name=_("人数"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )

    class Meta:
        model = Unit
        fields = ["name", "kind", "agency_type", "division", "stationing", "staff_count"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("没有符合条件的单位。请放宽筛选条件后重试。")


class StaffTable(tables.Table):
    name = tables.Column(verbose_name=_("姓名"))
    unit = tables.Column(verbose_name=_("所属单位"), order_by=("unit__name",))
    role_list = tables.Column(verbose_name=_("角色"), empty_values=(), orderable=False)
    phone = TemplateColumn(
        template_name="orgs/_staff_phone.html", verbose_name=_("手机号"), orderable=False
    )
    # An administrator's column (the view drops it for everyone else).
    account = tables.Column(verbose_name=_("账号安全"), empty_values=(), orderable=False)

    class Meta:
        model = Staff
        fields = ["name", "username", "unit", "title", "role_list", "phone", "account"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("没有符合条件的人员。请放宽筛选条件后重试。")

    def render_role_list(self, record: Staff) -> str:
        return "、".join(role.get_code_display() for role in record.roles.all())

    def render_account(self, record: Staff) -> str:
        url = reverse("two-factor-reset", args=[record.pk])
        return format_html('<a href="{}" class="small">{}</a>', url, _("重置双因素"))

    def value_phone(self, record: Staff) -> str:
        return mask_phone(record.phone)
