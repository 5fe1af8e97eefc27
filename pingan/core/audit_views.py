"""Who read personal data in full (个人信息查看记录, X2): every 查看完整号码 with its reason, and
every unmasked export, for the people who answer for them.

An administrator sees every read; a leader sees the reads of the staff in their unit's scope.
"""

import django_filters
import django_tables2 as tables
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from .forms import DateInput
from .models import AuditEvent

READERS = (RoleCode.ADMINISTRATOR, RoleCode.LEADER)
PAGE_SIZE = 50
FIELD_LABELS = {"id_number": _("身份证号"), "phone": _("联系电话"), "export": _("不脱敏导出")}


def personal_data_reads(user):
    """The full reads of personal data ``user`` may review, newest first."""
    reads = AuditEvent.objects.filter(
        Q(action="pii.read") | Q(action__endswith=".export", data__unmasked=True)
    )
    if not has_role(user, RoleCode.ADMINISTRATOR):
        reads = reads.filter(actor__in=Staff.objects.visible_to(user))
    return reads.select_related("actor__unit").order_by("-created_at", "-id")


class ReadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("查看人姓名或用户名"), method="filter_q")
    field = django_filters.ChoiceFilter(
        label=_("内容"), choices=list(FIELD_LABELS.items()), method="filter_field"
    )
    after = django_filters.DateFilter(
        label=_("日期自"), field_name="created_at__date", lookup_expr="gte", widget=DateInput
    )
    before = django_filters.DateFilter(
        label=_("至"), field_name="created_at__date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["q", "field", "after", "before"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(actor__name__icontains=value) | Q(actor__username=value))

    def filter_field(self, queryset, name, value):
        if value == "export":
            return queryset.exclude(action="pii.read")
        return queryset.filter(action="pii.read", data__field=value)


class ReadTable(tables.Table):
    created_at = tables.Column(verbose_name=_("时间"))
    actor = tables.Column(verbose_name=_("查看人"), order_by=("actor__name",))
    target_repr = tables.Column(verbose_name=_("对象"), empty_values=(), orderable=False)
    field = tables.Column(verbose_name=_("内容"), accessor="data", orderable=False)
    reason = tables.Column(verbose_name=_("原因"), orderable=False)

    class Meta:
        model = AuditEvent
        fields = ["created_at", "actor", "target_repr", "field", "reason"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("所选范围内没有查看完整个人信息的记录。")

    def __init__(self, *args, cases: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases  # party pk -> case number, for the page's rows

    def render_created_at(self, value) -> str:
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"

    def render_actor(self, record: AuditEvent) -> str:
        unit = record.actor.unit.short_name if record.actor.unit_id else ""
        return format_html('{} <span class="text-secondary small">{}</span>', record.actor, unit)

    def render_target_repr(self, record: AuditEvent) -> str:
        if record.action != "pii.read":
            return format_html('<span class="text-secondary">{}</span>', record.reason)
        number = self.cases.get(record.target_id) if record.target_type == "cases.party" else None
        if number:
            url = reverse("cases:case-detail", args=[number])
            return format_html(
                '<a href="{}" class="font-monospace">{}</a> {}', url, number, record.target_repr
            )
        return record.target_repr

    def render_field(self, record: AuditEvent) -> str:
        key = "export" if record.action != "pii.read" else record.data.get("field", "")
        return FIELD_LABELS.get(key, key)

    def render_reason(self, record: AuditEvent) -> str:
        if record.action != "pii.read":
            return _("导出 %(rows)s 行") % {"rows": record.data.get("rows", 0)}
        return record.reason


@login_required
@require_GET
def personal_data_read_list(request: HttpRequest) -> HttpResponse:
    """个人信息查看记录: filter by person, content and date; 50 a page, in five queries."""
    if not has_role(request.user, *READERS):
        raise PermissionDenied
    from pingan.cases.models import Party

    filterset = ReadFilter(request.GET, queryset=personal_data_reads(request.user))
    rows = filterset.qs
    table = ReadTable(rows, cases={})
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    parties = [
        row.target_id
        for row in table.page.object_list.data
        if row.target_type == "cases.party" and row.target_id.isdigit()
    ]
    table.cases = {
        str(pk): number
        for pk, number in Party.objects.filter(pk__in=parties).values_list("pk", "case__number")
    }
    return render(request, "core/personal_data_reads.html", {"filter": filterset, "table": table})
