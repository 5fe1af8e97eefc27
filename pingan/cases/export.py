"""Excel export of exactly the filtered work queue (X4); personal data masked unless the
user's role may see it, and every export is on the audit trail."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from pingan.core import excel
from pingan.core.masking import mask_id_number, mask_name, mask_phone
from pingan.core.services import audit_record
from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode

from .filtersets import CaseFilter, apply_tab
from .models import Case, Party
from .selectors import DeadlineWords

MAX_ROWS = 50_000
UNMASKED_ROLES = (RoleCode.LEADER, RoleCode.ADMINISTRATOR)
HEADERS = [
    "事项编号",
    "标题",
    "类别",
    "来源渠道",
    "复杂程度",
    "办理层级",
    "承办单位",
    "状态",
    "时限",
    "期限说明",
    "登记时间",
    "办结时间",
    "申请人",
    "申请人身份证号",
    "申请人电话",
    "满意度",
]


@login_required
@require_GET
def case_export(request):
    tab = request.GET.get("tab") or ("unit" if request.user.unit_id else "area")
    cases = apply_tab(Case.objects.visible_to(request.user), tab, request.user)
    filterset = CaseFilter(request.GET, queryset=cases)
    rows = (
        filterset.qs.select_related("category", "handling_unit")
        .prefetch_related(
            Prefetch(
                "parties", queryset=Party.objects.filter(role="applicant"), to_attr="applicants"
            )
        )
        .order_by("-registered_at")
    )
    total = rows.count()
    if total > MAX_ROWS:
        return HttpResponse(
            f"筛选结果共 {total:,} 条，超过单次导出上限 {MAX_ROWS:,} 条，请缩小日期范围后再导出。",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    unmasked = has_role(request.user, *UNMASKED_ROLES)
    words = DeadlineWords(now=timezone.now())
    book = Workbook(write_only=True)
    sheet = book.create_sheet("事项")
    sheet.append(excel.row(sheet, HEADERS))
    local = timezone.localtime
    for case in rows.iterator(chunk_size=2000):
        applicant = case.applicants[0] if case.applicants else None
        words.label(case)
        sheet.append(
            excel.row(
                sheet,
                [
                    case.number,
                    case.title,
                    case.category.name,
                    case.get_channel_display(),
                    case.get_complexity_display(),
                    case.get_level_display(),
                    case.handling_unit.name,
                    case.get_state_display(),
                    {"red": "超期", "yellow": "临期", "green": "正常"}.get(case.colour, "已结"),
                    case.deadline_text,
                    local(case.registered_at).strftime("%Y-%m-%d %H:%M"),
                    local(case.concluded_at).strftime("%Y-%m-%d %H:%M")
                    if case.concluded_at
                    else "",
                    (applicant.name if unmasked else mask_name(applicant.name))
                    if applicant
                    else "",
                    (applicant.id_number if unmasked else mask_id_number(applicant.id_number))
                    if applicant
                    else "",
                    (applicant.phone if unmasked else mask_phone(applicant.phone))
                    if applicant
                    else "",
                    case.satisfaction or "",
                ],
            )
        )
    audit_record(
        actor=request.user,
        action="cases.export",
        reason="导出事项清单",
        data={"rows": total, "query": request.GET.urlencode(), "unmasked": unmasked},
    )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.xlsx"'
    return response
