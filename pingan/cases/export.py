"""Excel export of exactly the filtered work queue (X4); personal data masked unless the
user's role may see it, and every export is on the audit trail."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from pingan.core import excel
from pingan.core.jobs import job_submit
from pingan.core.masking import mask_id_number, mask_name, mask_phone
from pingan.core.services import audit_record
from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode

from .filtersets import CaseFilter, apply_tab
from .jobs import EXPORT_JOB
from .models import Case, Party
from .selectors import DeadlineWords

MAX_ROWS = 50_000
UNMASKED_ROLES = (RoleCode.LEADER, RoleCode.ADMINISTRATOR)
HEADERS = [
    gettext_lazy("事项编号"),
    gettext_lazy("标题"),
    gettext_lazy("类别"),
    gettext_lazy("来源渠道"),
    gettext_lazy("复杂程度"),
    gettext_lazy("办理层级"),
    gettext_lazy("承办单位"),
    gettext_lazy("状态"),
    gettext_lazy("时限"),
    gettext_lazy("期限说明"),
    gettext_lazy("登记时间"),
    gettext_lazy("办结时间"),
    gettext_lazy("申请人"),
    gettext_lazy("申请人身份证号"),
    gettext_lazy("申请人电话"),
    gettext_lazy("满意度"),
]


# Up to this many rows the file is written while the person waits; beyond, a background job
# writes it (with progress on the job's page, and a notice when it is ready).
IMMEDIATE_ROWS = 5_000


def export_rows(user, query: QueryDict):
    """The cases of the filtered queue ``query`` (its tab and filters) that ``user`` may see,
    newest first, with what a row needs."""
    tab = query.get("tab") or ("unit" if user.unit_id else "area")
    cases = apply_tab(Case.objects.visible_to(user), tab, user)
    return (
        CaseFilter(query, queryset=cases)
        .qs.select_related("category", "handling_unit")
        .prefetch_related(
            Prefetch(
                "parties", queryset=Party.objects.filter(role="applicant"), to_attr="applicants"
            )
        )
        .order_by("-registered_at")
    )


@login_required
@require_GET
def case_export(request):
    """The file now for a list of up to ``IMMEDIATE_ROWS``; a background job for a longer one
    (the job's page follows it and offers the file); a clear refusal over ``MAX_ROWS``."""
    total = export_rows(request.user, request.GET).count()
    if total > MAX_ROWS:  # back to the same filtered queue, which says why
        messages.error(request, excel.too_many_rows(total, MAX_ROWS))
        return redirect(f"{reverse('cases:queue')}?{request.GET.urlencode()}")
    if total > IMMEDIATE_ROWS:
        job = job_submit(
            kind=EXPORT_JOB, owner=request.user, params={"query": request.GET.urlencode()}
        )
        messages.info(
            request,
            _("共 %(total)s 条，正在后台生成，完成后可在本页下载。") % {"total": f"{total:,}"},
        )
        return redirect("jobs:detail", job.pk)
    content = write_export(request.user, request.GET)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_name()}"'
    return response


def export_name() -> str:
    return f"cases-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"


def write_export(user, query: QueryDict, progress=None) -> bytes:
    """The workbook of ``export_rows``, masked unless the user's role may see personal data;
    the export is on the audit trail. ``progress(done, total)`` hears how far it is."""
    rows = export_rows(user, query)
    total = rows.count()
    unmasked = has_role(user, *UNMASKED_ROLES)
    words = DeadlineWords(now=timezone.now())
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("事项"))
    sheet.append(excel.row(sheet, [str(header) for header in HEADERS]))
    local = timezone.localtime
    colour_words = {"red": _("超期"), "yellow": _("临期"), "green": _("正常")}
    concluded_word = _("已结")
    for done, case in enumerate(rows.iterator(chunk_size=2000), start=1):
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
                    colour_words.get(case.colour, concluded_word),
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
        if progress is not None:
            progress(done, total)
    audit_record(
        actor=user,
        action="cases.export",
        reason=_("导出事项清单"),
        data={"rows": total, "query": query.urlencode(), "unmasked": unmasked},
    )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
