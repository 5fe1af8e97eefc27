"""Tables of named officers, whistles and safety talks (django-tables2)."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.core.masking import mask_phone
from pingan.core.tables import DateColumn, DateTimeColumn, TemplateColumn

from .models import NamedOfficer, SafetyTalk, WhistleCall

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class OfficerTable(tables.Table):
    name = tables.Column(verbose_name=_("姓名"), accessor="staff__name", order_by="staff__name")
    kind = tables.Column(verbose_name=_("类别"))
    unit = tables.Column(verbose_name=_("所属单位"), accessor="staff__unit__name")
    street = tables.Column(
        verbose_name=_("对接街道"), accessor="street__name", order_by="street__code"
    )
    contact_phone = tables.Column(verbose_name=_("联系电话"), empty_values=(), orderable=False)
    period = tables.Column(verbose_name=_("下沉期间"), empty_values=(), order_by="starts_on")

    class Meta:
        model = NamedOfficer
        fields = ["name", "kind", "unit", "street", "contact_phone", "period"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("您的辖区还没有下沉干警。区级调度员或领导可在上方“下沉干警”表单中指派。")

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_contact_phone(self, record: NamedOfficer) -> str:
        return record.contact_phone or mask_phone(record.staff.phone) or "—"

    def render_period(self, record: NamedOfficer) -> str:
        end = f"{record.ends_on:%Y-%m-%d}" if record.ends_on else _("至今")
        active = record.starts_on <= self.today and (
            record.ends_on is None or record.ends_on >= self.today
        )
        badge = (
            ""
            if active
            else format_html(' <span class="badge text-bg-secondary">{}</span>', _("已结束"))
        )
        return format_html("{} — {}{}", f"{record.starts_on:%Y-%m-%d}", end, badge)


class WhistleTable(tables.Table):
    case = TemplateColumn(
        "<a href=\"{% url 'collaboration:whistle-detail' record.pk %}\" "
        'class="font-monospace">{{ record.case.number }}</a>',
        verbose_name=_("事项"),
        order_by="case__number",
    )
    title = tables.Column(
        verbose_name=_("标题"),
        accessor="case__title",
        orderable=False,
        attrs={"td": {"class": "text-truncate", "style": "max-width: 16rem"}},
    )
    street = tables.Column(
        verbose_name=_("吹哨街道"), accessor="street__name", order_by="street__code"
    )
    blown_at = DateTimeColumn(format="Y-m-d H:i", verbose_name=_("吹哨时间"))
    report_by = DateTimeColumn(format="Y-m-d H:i", verbose_name=_("报到时限"))
    parties = tables.Column(verbose_name=_("召集"), attrs=NUM)
    answered = tables.Column(verbose_name=_("已报到"), attrs=NUM)
    status = tables.Column(verbose_name=_("状态"), empty_values=(), orderable=False)

    class Meta:
        model = WhistleCall
        fields = [
            "case",
            "title",
            "street",
            "blown_at",
            "report_by",
            "parties",
            "answered",
            "status",
        ]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("这里还没有吹哨。街道可在疑难事项页面点击“吹哨”召集部门和下沉干警。")

    def __init__(self, *args, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def render_status(self, record: WhistleCall) -> str:
        return render_to_string(
            "collaboration/_whistle_status.html", {"call": record, "now": self.now}
        )

    def value_status(self, record: WhistleCall) -> str:
        return str(_("已办结") if record.closed_at else _("进行中"))


class TalkTable(tables.Table):
    held_on = DateColumn(format="Y-m-d", verbose_name=_("日期"))
    topic = tables.LinkColumn(
        "collaboration:talk-detail", args=[tables.A("pk")], verbose_name=_("主题")
    )
    mode = tables.Column(verbose_name=_("方式"))
    street = tables.Column(verbose_name=_("街道"), accessor="street__name", order_by="street__code")
    place = tables.Column(verbose_name=_("地点"))
    resident_count = tables.Column(verbose_name=_("居民人数"), attrs=NUM)
    problem_count = tables.Column(verbose_name=_("问题"), attrs=NUM)

    class Meta:
        model = SafetyTalk
        fields = ["held_on", "topic", "mode", "street", "place", "resident_count", "problem_count"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("还没有平安恳谈记录。点击右上角“记录恳谈”新建。")
