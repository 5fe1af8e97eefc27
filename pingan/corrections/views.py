"""Pages of the corrections app: the hand-over board and a release's page (prison and
receiving community), employers, 减假暂 evidence files with their chains, and the analysis."""

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.cases.views import place_pickers
from pingan.core.actions import perform
from pingan.core.calendar import LOCAL_TZ
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.masking import mask_id_number, mask_phone
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import Level, RoleCode
from pingan.orgs.models import Division, Staff

from . import actions, chain, rules, selectors, services
from .access import access_file, access_release, is_prison_officer, place_scope, require_role
from .filtersets import EvidenceFileFilter, ReleaseFilter
from .forms import (
    ArrivalForm,
    ConcludeForm,
    EmployerForm,
    EvidenceFileForm,
    FollowupForm,
    FundForm,
    PlacementForm,
    ReleaseForm,
    ReviewForm,
)
from .models import EvidenceFile, EvidenceItem, FundEntry, Prison, Release
from .querysets import RECEIVING_ROLES
from .tables import EmployerTable, EvidenceFileTable, ReleaseTable

PAGE_SIZE = 30


def _today() -> date:
    return timezone.localdate(timezone=LOCAL_TZ)


def _refused(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error.message)


# --- releases ---------------------------------------------------------------------------------


@login_required
@require_GET
def release_list(request: HttpRequest) -> HttpResponse:
    """The hand-over board (per street) above the filtered list of releases."""
    require_role(request.user, RoleCode.PRISON_OFFICER, *RECEIVING_ROLES)
    releases = Release.objects.visible_to(request.user)
    filterset = ReleaseFilter(
        request.GET,
        queryset=releases.select_related("prison", "grid__parent__parent"),
        request=request,
    )
    table = ReleaseTable(filterset.qs.order_by("-release_date", "-id"))
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "corrections/release_list.html",
        {
            "board": selectors.board(filterset.qs, today=_today()),
            "filter": filterset,
            "table": table,
            "can_register": is_prison_officer(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def release_new(request: HttpRequest) -> HttpResponse:
    if not is_prison_officer(request.user):
        raise PermissionDenied
    form = ReleaseForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                release = perform(
                    actions.REGISTER, None, request.user, {**data, "grid_code": data["grid"].code}
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已登记，释放前将自动通知接收社区。"))
                return redirect("corrections:release-detail", release.pk)
        status = 400
    places = place_pickers(
        request,
        form if form.is_bound else None,
        divisions=Division.objects.all(),
        url=reverse("corrections:places"),
    )
    return render(
        request, "corrections/release_new.html", {"form": form, "places": places}, status=status
    )


@login_required
@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """htmx: the street -> community -> grid pickers, or grids found by name: over the whole
    district for a prison officer (a prison sends people anywhere in it), within their scope
    for the staff who keep the employer list."""
    divisions = place_scope(request.user)
    query = (request.GET.get("q") or "").strip()
    matches = (
        list(
            divisions.filter(level=Level.GRID, name__icontains=query)
            .select_related("parent__parent")
            .order_by("code")[:20]
        )
        if query
        else []
    )
    pickers = place_pickers(request, divisions=divisions, url=reverse("corrections:places"))
    return render(
        request, "cases/_places.html", {"places": pickers, "matches": matches, "q": query}
    )


def _helpers(release: Release):
    """Who may be named to help the person: active staff of the receiving side whose scope
    covers the grid (the grid's workers, its community and street)."""
    grid = release.grid
    return (
        Staff.objects.filter(is_active=True, roles__code__in=RECEIVING_ROLES)
        .filter(
            Q(grids=grid)
            | Q(unit__division__in=[grid.parent_id, grid.parent.parent_id], grids__isnull=True)
        )
        .select_related("unit")
        .distinct()
        .order_by("unit__division__path", "username")
    )


@login_required
@require_GET
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = access_release(pk, request.user)
    return render(request, "corrections/release_detail.html", _release_context(request, release))


def _release_context(request: HttpRequest, release: Release, **forms) -> dict:
    user = request.user
    receiving = has_role(user, *rules.RECEIVING) and in_scope(user, release.area_path)
    arrived = release.state == "arrived"
    balance, pending = services.fund_balance(release)
    context = {
        "release": release,
        "id_masked": mask_id_number(release.id_number),
        "phone_masked": mask_phone(release.family_phone),
        "events": release.events.select_related("actor"),
        "placements": release.placements.select_related("employer", "recorded_by"),
        "fund_entries": release.fund_entries.select_related("recorded_by", "approved_by"),
        "balance": balance,
        "pending": pending,
        "receiving": receiving,
        "is_leader": has_role(user, RoleCode.LEADER) and in_scope(user, release.area_path),
        "suggestions": selectors.job_suggestions(release) if receiving and arrived else [],
        "overdue": release.state in ("registered", "notified") and release.release_date < _today(),
    }
    if receiving and not arrived and release.release_date <= _today():
        context["arrival_form"] = forms.get("arrival_form") or ArrivalForm(
            initial={"version": release.version}, candidates=_helpers(release)
        )
    if receiving and arrived:
        context["followup_form"] = forms.get("followup_form") or FollowupForm(
            initial={
                "version": release.version,
                "insurance_enrolled_on": release.insurance_enrolled_on,
                "insurance_kind": release.insurance_kind,
                "reoffended_on": release.reoffended_on,
            }
        )
        context["placement_form"] = forms.get("placement_form") or PlacementForm()
    if receiving or release.prison.officers.filter(pk=user.pk).exists():
        context["fund_form"] = forms.get("fund_form") or FundForm()
    return context


def _release_action(request, pk, declared, key, message, *, form_kwargs=None):
    """Run one declared action from the release page: redirect on success, the page with the
    form's errors (status 400) otherwise. Nothing is saved when the service refuses."""
    release = access_release(pk, request.user)
    form = declared.form(request.POST, **(form_kwargs(release) if form_kwargs else {}))
    if form.is_valid():
        try:
            perform(declared, release, request.user, form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            messages.success(request, message)
            return redirect("corrections:release-detail", release.pk)
    else:
        status = 400
    return render(
        request,
        "corrections/release_detail.html",
        _release_context(request, release, **{key: form}),
        status=status,
    )


@login_required
@require_POST
def release_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    return _release_action(
        request,
        pk,
        actions.ARRIVE,
        "arrival_form",
        _("已确认报到。"),
        form_kwargs=lambda release: {"candidates": _helpers(release)},
    )


@login_required
@require_POST
def release_followup(request: HttpRequest, pk: int) -> HttpResponse:
    return _release_action(request, pk, actions.FOLLOWUP, "followup_form", _("已保存。"))


@login_required
@require_POST
def release_placement(request: HttpRequest, pk: int) -> HttpResponse:
    return _release_action(request, pk, actions.PLACEMENT, "placement_form", _("已登记就业安置。"))


@login_required
@require_POST
def release_fund(request: HttpRequest, pk: int) -> HttpResponse:
    return _release_action(
        request, pk, actions.FUND, "fund_form", _("已登记，待领导审批；领导已收到通知。")
    )


@login_required
@require_POST
def fund_approve(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    release = access_release(pk, request.user)
    item = get_object_or_404(FundEntry, pk=entry, release=release)
    try:
        perform(actions.FUND_APPROVE, item, request.user, {})
    except ForbiddenError as error:
        # a role (or person) the approval refuses: 403, the page with the reason
        _refused(request, error)
        context = _release_context(request, release)
        return render(request, "corrections/release_detail.html", context, status=403)
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已批准。"))
    return redirect("corrections:release-detail", release.pk)


# --- employers ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def employer_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *rules.RECEIVING)
    form = EmployerForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                perform(actions.EMPLOYER_ADD, None, request.user, form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已加入接收企业名单。"))
                return redirect("corrections:employer-list")
        status = 400
    query = (request.GET.get("q") or "").strip()
    table = EmployerTable(selectors.employers(query))
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    places = place_pickers(
        request, form if form.is_bound else None, url=reverse("corrections:places")
    )
    return render(
        request,
        "corrections/employer_list.html",
        {"table": table, "form": form, "q": query, "places": places},
        status=status,
    )


# --- evidence files ---------------------------------------------------------------------------


@login_required
@require_GET
def file_list(request: HttpRequest) -> HttpResponse:
    files = EvidenceFile.objects.visible_to(request.user)
    if not (
        request.user.is_superuser
        or has_role(request.user, RoleCode.PRISON_OFFICER, RoleCode.AUDITOR)
    ):
        raise PermissionDenied
    filterset = EvidenceFileFilter(
        request.GET,
        queryset=files.select_related("prison").annotate(
            item_count=Count("items"),
            waiting=Count("items", filter=Q(items__required=True, items__second_reviewed_at=None)),
            excluded_count=Count("items", filter=Q(items__excluded=True)),
        ),
    )
    table = EvidenceFileTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    # the chains of the files on this page, verified now (two queries)
    page_files = [row.record for row in table.paginated_rows]
    reports = selectors.verify_all(numbers=[f.number for f in page_files]) if page_files else []
    by_number = {report.file_number: report for report in reports}
    for file in page_files:
        file.chain_report = by_number[file.number]
    return render(
        request,
        "corrections/file_list.html",
        {
            "filter": filterset,
            "table": table,
            "broken": [report for report in reports if not report.ok],
            "can_open": is_prison_officer(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_new(request: HttpRequest) -> HttpResponse:
    if not is_prison_officer(request.user):
        raise PermissionDenied
    form = EvidenceFileForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                file = perform(actions.OPEN_FILE, None, request.user, form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect("corrections:file-detail", file.number)
        status = 400
    return render(request, "corrections/file_new.html", {"form": form}, status=status)


def _prefix(item_pk: int) -> str:
    return f"item{item_pk}"


def _file_context(request: HttpRequest, file: EvidenceFile, **extra) -> dict:
    officer = file.prison.officers.filter(pk=request.user.pk).exists() or request.user.is_superuser
    items = list(file.items.select_related("reviewer", "second_reviewer"))
    failed = extra.pop("review_form", None)
    for item in items:
        # one form per item, prefixed, so that the fields' ids are unique on the page
        item.review_form = (
            failed
            if failed and failed.prefix == _prefix(item.pk)
            else ReviewForm(prefix=_prefix(item.pk))
        )
    records = list(file.records.select_related("actor"))
    context = {
        "file": file,
        "items": items,
        "records": records,
        "report": chain.verify_chain(file, records),
        "officer": officer and file.state == "open",
        "conclude_form": ConcludeForm(initial={"version": file.version}),
        "waiting": sum(1 for item in items if item.required and not item.reviewed),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def file_detail(request: HttpRequest, number: str) -> HttpResponse:
    file = access_file(number, request.user)
    return render(request, "corrections/file_detail.html", _file_context(request, file))


@login_required
@require_POST
def item_review(request: HttpRequest, number: str, item: int) -> HttpResponse:
    file = access_file(number, request.user)
    evidence = get_object_or_404(EvidenceItem, pk=item, file=file)
    form = ReviewForm(request.POST, prefix=_prefix(evidence.pk))
    status = 400
    if form.is_valid():
        try:
            perform(actions.REVIEW_ITEM, evidence, request.user, form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            messages.success(request, _("已提交初审意见，等待复核。"))
            return redirect("corrections:file-detail", file.number)
    return render(
        request,
        "corrections/file_detail.html",
        _file_context(request, file, review_form=form, review_item=evidence.pk),
        status=status,
    )


@login_required
@require_POST
def item_confirm(request: HttpRequest, number: str, item: int) -> HttpResponse:
    file = access_file(number, request.user)
    evidence = get_object_or_404(EvidenceItem.objects.select_related("file"), pk=item, file=file)
    try:
        perform(actions.CONFIRM_ITEM, evidence, request.user, {})
    except ForbiddenError as error:
        # a role (or person) the second review refuses: 403, the page with the reason
        _refused(request, error)
        context = _file_context(request, file)
        return render(request, "corrections/file_detail.html", context, status=403)
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已复核。"))
    return redirect("corrections:file-detail", file.number)


@login_required
@require_POST
def file_conclude(request: HttpRequest, number: str) -> HttpResponse:
    file = access_file(number, request.user)
    form = ConcludeForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            perform(actions.CONCLUDE_FILE, file, request.user, form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            messages.success(request, _("案卷已审结。"))
            return redirect("corrections:file-detail", file.number)
    return render(
        request,
        "corrections/file_detail.html",
        _file_context(request, file, conclude_form=form),
        status=status,
    )


@login_required
@require_GET
def file_bundle(request: HttpRequest, number: str) -> HttpResponse:
    """The file's records and hashes as one JSON document an auditor can verify offline."""
    file = access_file(number, request.user)
    body = json.dumps(selectors.bundle(file), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, _("%(number)s-执法记录.json") % {"number": file.number}
    )
    return response


# --- analysis ---------------------------------------------------------------------------------


@login_required
@require_GET
def analysis(request: HttpRequest) -> HttpResponse:
    """Enforcement data analysis (执法数据分析研判): monthly trends with unusual months flagged."""
    if not (
        request.user.is_superuser
        or has_role(request.user, RoleCode.AUDITOR, RoleCode.LEADER, RoleCode.PRISON_OFFICER)
    ):
        raise PermissionDenied
    if request.user.is_superuser or has_role(request.user, RoleCode.AUDITOR, RoleCode.LEADER):
        prisons = list(Prison.objects.order_by("code"))
    else:
        prisons = list(request.user.prisons.order_by("code"))
    data = selectors.analysis(today=_today(), prisons=prisons)
    for number, section in enumerate(data["sections"]):
        section["chart_id"] = f"analysis-chart-{number}"
        section["option"] = _line_option(section["title"], data["months"], section["series"])
    return render(request, "corrections/analysis.html", {"data": data})


def _line_option(title: str, months: list[str], series) -> dict:
    """An ECharts line chart per prison; unusual months are marked in red."""
    return {
        "title": {"text": title, "left": 0, "top": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 40, "right": 16, "top": 56, "bottom": 30},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "name": _("人/件"), "minInterval": 1},
        "series": [
            {
                "name": line.label,
                "type": "line",
                "data": line.values,
                "markPoint": {
                    "symbolSize": 36,
                    "itemStyle": {"color": "#dc3545"},
                    "data": [
                        {"name": _("异常"), "coord": [month, value], "value": value}
                        for month, value, flag in zip(
                            line.months, line.values, line.flags, strict=True
                        )
                        if flag
                    ],
                },
            }
            for line in series
        ],
    }
