"""The audit trail's pages.

- 个人信息查看记录 (X2): every 查看完整号码 with its reason, and every unmasked export, for the
  people who answer for them. An administrator or the security auditor sees every read; a
  leader sees the reads of the staff in their unit's scope.
- 审计日志 (X6, 等保 安全审计): every audit row, filtered by person, module, object, text and
  date, and exported to Excel, for the security auditor (安全审计员) alone (三员分立: the
  administrator's own work is in it). Reading and exporting it are themselves recorded.
"""

from datetime import datetime, time, timedelta
from io import BytesIO

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig
from openpyxl import Workbook

from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from . import excel
from .forms import DateInput
from .models import AuditEvent
from .services import audit_record
from .tables import DateTimeColumn

READERS = (RoleCode.ADMINISTRATOR, RoleCode.LEADER, RoleCode.SECURITY_AUDITOR)
PAGE_SIZE = 50
FIELD_LABELS = {"id_number": _("身份证号"), "phone": _("联系电话"), "export": _("不脱敏导出")}


def personal_data_reads(user):
    """The full reads of personal data ``user`` may review, newest first."""
    reads = AuditEvent.objects.filter(
        Q(action="pii.read") | Q(action__endswith=".export", data__unmasked=True)
    )
    if not has_role(user, RoleCode.ADMINISTRATOR, RoleCode.SECURITY_AUDITOR):
        reads = reads.filter(actor__in=Staff.objects.visible_to(user))
    return reads.select_related("actor__unit").order_by("-created_at", "-id")


def _day_filter(label, lookup: str) -> django_filters.DateFilter:
    """From (``gte``) or up to (``lte``) a local day, as a range on ``created_at`` that its
    index answers (``created_at__date`` would compute the date of every row of the trail)."""

    def by_day(queryset, _name, day):
        start = timezone.make_aware(datetime.combine(day, time.min))
        if lookup == "gte":
            return queryset.filter(created_at__gte=start)
        return queryset.filter(created_at__lt=start + timedelta(days=1))

    return django_filters.DateFilter(label=label, method=by_day, widget=DateInput)


class _ActorFilterSet(django_filters.FilterSet):
    """An audit page's filters: ``q`` finds the actor by name or exact username."""

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(actor__name__icontains=value) | Q(actor__username=value))


class ReadFilter(_ActorFilterSet):
    q = django_filters.CharFilter(label=_("查看人姓名或用户名"), method="filter_q")
    field = django_filters.ChoiceFilter(
        label=_("内容"), choices=list(FIELD_LABELS.items()), method="filter_field"
    )
    after = _day_filter(_("日期自"), "gte")
    before = _day_filter(_("至"), "lte")

    class Meta:
        model = AuditEvent
        fields = ["q", "field", "after", "before"]

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


LOG_READERS = (RoleCode.SECURITY_AUDITOR,)
LOG_DAYS = 7  # the log opens on the last week; the dates widen it
EXPORT_LIMIT = 50_000
MODULES = {
    "cases": _("事项办理"),
    "collaboration": _("协同联动"),
    "patrol": _("网格巡查"),
    "persons": _("重点人员"),
    "risk": _("风险监测"),
    "corrections": _("刑罚执行"),
    "evaluation": _("考评"),
    "talent": _("助理培养"),
    "orgs": _("组织人员"),
    "core": _("账号与系统"),
    "admin": _("系统管理后台"),
    "pii": _("个人信息查看"),
}


class LogFilter(_ActorFilterSet):
    q = django_filters.CharFilter(label=_("操作人姓名或用户名"), method="filter_q")
    module = django_filters.ChoiceFilter(
        label=_("模块"), choices=list(MODULES.items()), method="filter_module"
    )
    target = django_filters.CharFilter(label=_("对象或理由含"), method="filter_target")
    after = _day_filter(_("日期自"), "gte")
    before = _day_filter(_("至"), "lte")

    class Meta:
        model = AuditEvent
        fields = ["q", "module", "target", "after", "before"]

    def filter_module(self, queryset, name, value):
        return queryset.filter(action__startswith=f"{value}.")

    def filter_target(self, queryset, name, value):
        return queryset.filter(Q(target_repr__icontains=value) | Q(reason__icontains=value))


# Audit codes written outside the declared actions, in words.
LABELS = {
    "pii.read": _("查看完整个人信息"),
    "cases.export": _("导出事项清单"),
    "core.password_changed": _("修改密码"),
    "core.token_issued": _("新建接口令牌"),
    "core.token_revoked": _("撤销接口令牌"),
    "core.two_factor_enrolled": _("设置双因素认证"),
    "core.two_factor_reset": _("重置双因素认证"),
    "core.recovery_code_used": _("使用恢复码登录"),
    "core.recovery_codes_renewed": _("更换恢复码"),
    "core.audit_read": _("查看审计日志"),
    "core.audit_export": _("导出审计日志"),
}


def _action_labels() -> dict[str, str]:
    """Audit codes with their Chinese labels: the declared actions' ("cases.accept"), and the
    codes written outside them."""
    from .actions import DECLARED

    declared = {
        f"{action.service.__module__.split('.')[1]}.{action.name}": str(action.label)
        for action in DECLARED
    }
    return {**declared, **{code: str(label) for code, label in LABELS.items()}}


class LogTable(tables.Table):
    created_at = DateTimeColumn(verbose_name=_("时间"), format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name=_("操作人"), orderable=False, default=_("系统"))
    action = tables.Column(verbose_name=_("操作"), orderable=False)
    target_repr = tables.Column(verbose_name=_("对象"), orderable=False)
    reason = tables.Column(verbose_name=_("理由"), orderable=False)
    data = tables.Column(verbose_name=_("详情"), orderable=False)

    class Meta:
        model = AuditEvent
        fields = ["created_at", "actor", "action", "target_repr", "reason", "data"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0 small"}
        empty_text = _("所选范围内没有审计记录。请放宽筛选条件后重试。")

    def __init__(self, *args, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = labels

    def render_actor(self, record: AuditEvent) -> str:
        unit = record.actor.unit.short_name if record.actor.unit_id else ""
        return format_html(
            '{} <span class="text-secondary">{} {}</span>',
            record.actor,
            record.actor.username,
            unit,
        )

    def render_action(self, record: AuditEvent) -> str:
        label = self.labels.get(record.action)
        if label is None and record.action.startswith("admin."):
            label = _("后台修改")
        return format_html('{} <code class="text-secondary">{}</code>', label or "", record.action)

    def render_data(self, value: dict) -> str:
        return _detail(value)


def _detail(data: dict) -> str:
    text = "; ".join(f"{key}: {value}" for key, value in data.items())
    return text if len(text) <= 200 else text[:199] + "…"


def _log_filter(request: HttpRequest) -> LogFilter:
    if not has_role(request.user, *LOG_READERS):
        raise PermissionDenied
    data = request.GET.copy()
    if not any(data.get(key) for key in ("after", "before")):
        data["after"] = (timezone.localdate() - timedelta(days=LOG_DAYS - 1)).isoformat()
    rows = AuditEvent.objects.select_related("actor__unit").order_by("-created_at", "-id")
    return LogFilter(data, queryset=rows)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志: the last week's audit rows unless the dates say otherwise, 50 a page. Each
    reading is recorded with its filters (the auditor's own work is audited too)."""
    filterset = _log_filter(request)
    audit_record(
        actor=request.user, action="core.audit_read", data={"query": filterset.data.urlencode()}
    )
    table = LogTable(filterset.qs, labels=_action_labels())
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    export = f"{reverse('audit:log-export')}?{filterset.data.urlencode()}"
    return render(
        request, "core/audit_log.html", {"filter": filterset, "table": table, "export": export}
    )


@login_required
@require_GET
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered rows as an Excel file (at most 50,000; the export is itself recorded)."""
    filterset = _log_filter(request)
    rows = filterset.qs
    total = rows.count()
    back = f"{reverse('audit:log')}?{filterset.data.urlencode()}"
    if total > EXPORT_LIMIT:
        messages.error(request, excel.too_many_rows(total, EXPORT_LIMIT))
        return redirect(back)
    labels = _action_labels()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("审计日志"))
    headers = [
        gettext("时间"),
        gettext("操作人"),
        gettext("用户名"),
        gettext("操作"),
        gettext("操作代码"),
        gettext("对象类型"),
        gettext("对象"),
        gettext("理由"),
        gettext("详情"),
    ]
    sheet.append(excel.row(sheet, headers))
    for event in rows.iterator(chunk_size=2000):
        actor = event.actor
        sheet.append(
            excel.row(
                sheet,
                [
                    f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M:%S}",
                    str(actor) if actor else gettext("系统"),
                    actor.username if actor else "",
                    labels.get(event.action, ""),
                    event.action,
                    event.target_type,
                    event.target_repr,
                    event.reason,
                    _detail(event.data),
                ],
            )
        )
    audit_record(
        actor=request.user,
        action="core.audit_export",
        reason=gettext("导出审计日志"),
        data={"rows": total, "query": filterset.data.urlencode()},
    )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.xlsx"'
    return response
