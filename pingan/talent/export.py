"""Excel export of exactly the filtered cohort overview (X4), on the audit trail."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from pingan.core import excel
from pingan.core.services import audit_record

from . import selectors
from .access import oversees
from .choices import OutcomeKind
from .filtersets import ProfileFilter
from .models import Profile

HEADERS = [
    gettext_lazy("姓名"),
    gettext_lazy("部门"),
    gettext_lazy("培养批次"),
    gettext_lazy("阶段"),
    gettext_lazy("进入本阶段"),
    gettext_lazy("带教导师"),
    gettext_lazy("已确认必研必学"),
    gettext_lazy("本阶段已确认节点"),
    gettext_lazy("累计积分"),
    gettext_lazy("待审批积分"),
    gettext_lazy("批次排名"),
    gettext_lazy("晋阶条件"),
    gettext_lazy("标兵能手"),
    gettext_lazy("入选人才库"),
]


@login_required
@require_GET
def overview_export(request):
    if not oversees(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    profiles = selectors.with_progress(
        Profile.objects.visible_to(request.user).select_related(
            "staff", "stage", "department", "cohort", "mentor"
        )
    ).annotate(
        model_experts=Count("outcomes", filter=Q(outcomes__kind=OutcomeKind.MODEL_EXPERT)),
        talent_pools=Count("outcomes", filter=Q(outcomes__kind=OutcomeKind.TALENT_POOL)),
    )
    rows = list(ProfileFilter(request.GET, queryset=profiles).qs.order_by("cohort", "staff__name"))
    ranks = selectors.cohort_ranks({row.cohort_id for row in rows})
    ladder = selectors.StageLadder()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("检察官助理培养"))
    sheet.append(excel.row(sheet, [str(header) for header in HEADERS]))
    for row in rows:
        readiness = ladder.readiness(row, today=today)
        if readiness.final:
            verdict = _("最高阶段")
        elif readiness.ready:
            verdict = _("已达到（可晋升%(stage)s）") % {"stage": readiness.next_stage.name}
        else:
            verdict = _("%(met)s/%(total)s 项达标") % {
                "met": readiness.met_count,
                "total": len(readiness.criteria),
            }
        sheet.append(
            excel.row(
                sheet,
                [
                    row.staff.name,
                    row.department.name,
                    row.cohort.name,
                    row.stage.name,
                    row.stage_entered_on.isoformat(),
                    row.mentor.name if row.mentor else "",
                    row.study_done,
                    row.milestones_done,
                    float(row.points_total),
                    float(row.points_pending),
                    ranks.get(row.pk),
                    verdict,
                    row.model_experts,
                    row.talent_pools,
                ],
            )
        )
    summary = selectors.overview(
        Profile.objects.filter(pk__in=[row.pk for row in rows]), today=today
    )
    totals = book.create_sheet(_("汇总"))
    totals.append(excel.row(totals, [_("项目"), _("数值")]))
    totals.append(excel.row(totals, [_("检察官助理人数"), summary["people"]]))
    for stage, count in summary["per_stage"]:
        totals.append(excel.row(totals, [_("%(stage)s人数") % {"stage": stage.name}, count]))
    totals.append(excel.row(totals, [_("达到晋阶条件人数"), summary["ready"]]))
    totals.append(excel.row(totals, [_("必研必学完成率"), round(summary["study_rate"] * 100, 1)]))
    totals.append(excel.row(totals, [_("获评标兵能手人数"), summary["model_experts"]]))
    totals.append(excel.row(totals, [_("入选人才库人数"), summary["talent_pool"]]))
    audit_record(
        actor=request.user,
        action="talent.export",
        reason=_("导出检察官助理培养总览"),
        data={"rows": len(rows), "query": request.GET.urlencode()},
    )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="talent-{stamp}.xlsx"'
    return response
