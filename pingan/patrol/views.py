"""Patrol pages: the grid worker's phone pages (patrol, report), the report list and page,
a report becoming a case, and patrol coverage for communities and streets."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.cases.rules import REGISTER_ROLES
from pingan.core import uploads
from pingan.core.actions import perform
from pingan.core.calendar import local_date
from pingan.core.errors import ApplicationError
from pingan.orgs.access import has_role
from pingan.orgs.choices import Level
from pingan.orgs.models import Division

from . import actions, selectors, services
from .access import COVERAGE_ROLES, PATROL_ROLES, REPORT_READ_ROLES, access_report
from .choices import KIND_HELP
from .filtersets import ReportFilter
from .forms import CoverageForm, PatrolEndForm, ReportForm, ReportToCaseForm
from .models import Patrol, Report
from .tables import ReportTable

PAGE_SIZE = 50
# The report list opens on this many days unless its dates say otherwise: a street holds
# hundreds of thousands of reports a year, and counting them all for the pager is the cost.
REPORT_DAYS = 90


def _require(user, roles) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied


def _my_grids(user):
    return user.grids.filter(level=Level.GRID).select_related("parent").order_by("path")


@login_required
@require_GET
def patrol_home(request: HttpRequest) -> HttpResponse:
    """The grid worker's phone home: today's patrols per grid, the open patrol, recent reports."""
    _require(request.user, PATROL_ROLES)
    today = local_date(timezone.now())
    grids = list(_my_grids(request.user))
    done_today = set(
        Patrol.objects.filter(staff=request.user, day=today).values_list("grid_id", flat=True)
    )
    current = Patrol.objects.open().filter(staff=request.user).select_related("grid").first()
    recent = (
        Report.objects.visible_to(request.user)
        .filter(reporter=request.user)
        .select_related("grid", "case")[:10]
    )
    return render(
        request,
        "patrol/home.html",
        {
            "grids": [{"grid": grid, "done": grid.pk in done_today} for grid in grids],
            "current": current,
            "end_form": PatrolEndForm(),
            "recent": recent,
            "today": today,
        },
    )


@login_required
@require_POST
def patrol_start(request: HttpRequest) -> HttpResponse:
    _require(request.user, PATROL_ROLES)
    grid = get_object_or_404(_my_grids(request.user), code=request.POST.get("grid", ""))
    try:
        perform(actions.START, grid, request.user, {"grid": grid.code})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已开始巡查：%(grid)s") % {"grid": grid.name})
    return redirect("patrol:home")


@login_required
@require_POST
def patrol_end(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, PATROL_ROLES)
    patrol = get_object_or_404(Patrol.objects.select_related("grid"), pk=pk, staff=request.user)
    form = PatrolEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.get("checked", [_("请按提示修改后再提交。")])[0])
        return redirect("patrol:home")
    try:
        perform(actions.END, patrol, request.user, form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已结束巡查：%(grid)s") % {"grid": patrol.grid.name})
    return redirect("patrol:home")


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """File a report from the phone (M6.2)."""
    _require(request.user, PATROL_ROLES)
    grids = _my_grids(request.user)
    current = Patrol.objects.open().filter(staff=request.user).first()
    initial = {"grid": current.grid.code} if current else {}
    form = ReportForm(request.POST or None, request.FILES or None, grids=grids, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = perform(actions.REPORT, None, request.user, data)
            except ApplicationError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, _("上报成功，编号 %(pk)s。") % {"pk": report.pk})
                return redirect("patrol:report-detail", pk=report.pk)
        else:
            error, status = _("请按提示修改后再提交。"), 400
    return render(
        request,
        "patrol/report_new.html",
        {"form": form, "error": error, "kinds": KIND_HELP, "has_grids": grids.exists()},
        status=status,
    )


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """网格上报: the scope's reports of the last ``REPORT_DAYS`` days unless the dates say
    otherwise, 50 a page."""
    _require(request.user, REPORT_READ_ROLES)
    reports = Report.objects.visible_to(request.user).select_related("grid", "reporter", "case")
    data = request.GET.copy()
    if not any(data.get(key) for key in ("reported_after", "reported_before")):
        since = timezone.localdate() - timedelta(days=REPORT_DAYS - 1)
        data["reported_after"] = since.isoformat()
    filterset = ReportFilter(data, queryset=reports)
    table = ReportTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "patrol/report_list.html",
        {
            "filter": filterset,
            "table": table,
            "can_report": has_role(request.user, *PATROL_ROLES),
            "can_see_coverage": has_role(request.user, *COVERAGE_ROLES),
        },
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, REPORT_READ_ROLES)
    report = access_report(pk, request.user)
    return render(
        request,
        "patrol/report_detail.html",
        {
            "report": report,
            "can_convert": report.case_id is None and has_role(request.user, *REGISTER_ROLES),
        },
    )


@login_required
@require_GET
def report_photo(request: HttpRequest, pk: int) -> FileResponse:
    _require(request.user, REPORT_READ_ROLES)
    report = access_report(pk, request.user)
    if not report.photo:
        raise Http404
    mime = uploads.IMAGE_TYPES.get("." + report.photo.name.rsplit(".", 1)[-1].lower())
    response = FileResponse(
        report.photo.open("rb"), content_type=mime or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_to_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The case intake pre-filled from the report: one submit registers and links the case."""
    _require(request.user, REPORT_READ_ROLES)
    report = access_report(pk, request.user)
    _require(request.user, REGISTER_ROLES)
    if report.case_id:
        messages.info(request, _("该上报已转为事项 %(number)s。") % {"number": report.case.number})
        return redirect("cases:case-detail", number=report.case.number)
    form = ReportToCaseForm(request.POST or None, initial=services.report_case_initial(report))
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = perform(actions.TO_CASE, report, request.user, form.cleaned_data)
            except ApplicationError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, _("已转为事项 %(number)s。") % {"number": case.number})
                return redirect("cases:case-detail", number=case.number)
        else:
            error, status = _("请按提示修改后再提交。"), 400
    return render(
        request,
        "patrol/report_to_case.html",
        {"report": report, "form": form, "error": error},
        status=status,
    )


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Patrol coverage of a community or street: per grid per day, and the grids never
    patrolled in the week."""
    _require(request.user, COVERAGE_ROLES)
    divisions = (
        Division.objects.visible_to(request.user)
        .filter(level__in=[Level.COMMUNITY, Level.STREET])
        .order_by("path")
    )
    form = CoverageForm(request.GET or None, divisions=divisions)
    today = local_date(timezone.now())
    division, last_day = None, today
    if form.is_valid():
        division = form.cleaned_data["division"]
        last_day = form.cleaned_data["end"] or today
    elif form.is_bound:
        raise Http404
    if division is None:
        division = _default_division(request.user, divisions)
    matrix = None
    if division is not None:
        matrix = selectors.coverage_matrix(within=division, last_day=last_day, days=7)
    return render(
        request,
        "patrol/coverage.html",
        {
            "form": form,
            "division": division,
            "matrix": matrix,
            "last_day": last_day,
            "previous": last_day - timedelta(days=7),
            "next": last_day + timedelta(days=7) if last_day < today else None,
        },
    )


def _default_division(user, divisions):
    """The user's own community or street, else the first street they can see."""
    own = divisions.filter(units=user.unit_id).first() if user.unit_id else None
    return own or divisions.filter(level=Level.STREET).first() or divisions.first()
