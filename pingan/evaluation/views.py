"""Evaluation pages: schemes, scores with click-through, entries, reviews, the scan, reports."""

import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.cases.selectors import DeadlineWords
from pingan.cases.tables import CaseTable
from pingan.core.actions import perform
from pingan.core.errors import ApplicationError
from pingan.orgs.access import has_role

from . import actions, forms, report, rules, scan, selectors, services, sources
from .access import (
    access_entry,
    access_evidence,
    access_report,
    access_review,
    access_scheme,
    access_subject_score,
    require_evaluator,
    require_overseer,
)
from .choices import EntryState, PlanKind, ReviewState
from .models import (
    CorrectionItem,
    ListEntry,
    ManualEntry,
    QuarterReport,
    Review,
    ReviewPlan,
    Scheme,
)
from .querysets import is_overseer
from .tables import CorrectionTable, RankingTable, ReviewTable, SchemeTable

PAGE_SIZE = 50
LIST_LIMIT = 30


def _fail(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


def _is_evaluator(user) -> bool:
    return has_role(user, *rules.EVALUATORS)


# --- schemes ---------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Evaluators and leaders: the schemes; everybody else: their own scores."""
    if not is_overseer(request.user):
        return redirect("evaluation:mine")
    table = SchemeTable(Scheme.objects.order_by("-year", "-quarter", "subject_kind", "-version"))
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "evaluation/index.html",
        {
            "table": table,
            "can_edit": _is_evaluator(request.user),
            "last_scan": selectors.last_scan(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    require_evaluator(request.user)
    form = forms.SchemeForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            scheme = perform(actions.SCHEME_CREATE, None, request.user, form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("方案已建立，请添加指标。"))
            return redirect("evaluation:scheme-detail", pk=scheme.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/scheme_new.html", {"form": form}, status=status)


def _scheme_context(request, scheme: Scheme, **extra) -> dict:
    indicators = list(scheme.indicators.all())
    groups = [
        {
            "code": code,
            "label": label,
            "weight": weight,
            "items": [i for i in indicators if i.dimension == code],
            "sum": sum(i.weight for i in indicators if i.dimension == code),
        }
        for code, label, weight in scheme.dimensions()
    ]
    labels = dict(sources.source_choices())
    for indicator in indicators:
        indicator.source_label = labels.get(indicator.source, indicator.source)
        selectors.describe(indicator)
    versions = Scheme.objects.filter(
        year=scheme.year,
        quarter=scheme.quarter,
        subject_kind=scheme.subject_kind,
        role=scheme.role,
    ).select_related("published_by", "created_by")
    context = {
        "scheme": scheme,
        "groups": groups,
        "problems": services.weight_problems(scheme),
        "versions": versions.order_by("-version"),
        "can_edit": _is_evaluator(request.user),
        "indicator_form": forms.IndicatorForm(initial={"version": scheme.edit_version}),
        "weights_form": forms.WeightsForm(scheme=scheme, initial={"version": scheme.edit_version}),
        "reason_form": forms.ReasonForm(),
        "run": selectors.latest_run(scheme),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(pk, request.user)
    return render(request, "evaluation/scheme_detail.html", _scheme_context(request, scheme))


@login_required
@require_POST
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(pk, request.user, for_write=True)
    form = forms.IndicatorForm(request.POST)
    if form.is_valid():
        try:
            perform(actions.INDICATOR_ADD, scheme, request.user, form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("指标已添加。"))
            return redirect("evaluation:scheme-detail", pk=scheme.pk)
    scheme.refresh_from_db()
    context = _scheme_context(request, scheme, indicator_form=form, open_form=True)
    return render(request, "evaluation/scheme_detail.html", context, status=400)


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    scheme = access_scheme(pk, request.user, for_write=True)
    indicator = scheme.indicators.filter(pk=indicator_pk).first()
    if indicator is None:
        raise Http404
    try:
        perform(actions.INDICATOR_DELETE, indicator, request.user, {})
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("evaluation:scheme-detail", pk=scheme.pk)


@login_required
@require_POST
def scheme_weights(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(pk, request.user, for_write=True)
    form = forms.WeightsForm(request.POST, scheme=scheme)
    if form.is_valid():
        try:
            perform(actions.WEIGHTS, scheme, request.user, form.cleaned_data)
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("维度权重已保存。"))
    else:
        messages.error(request, _("维度权重须为 0 到 100 之间的数字。"))
    return redirect("evaluation:scheme-detail", pk=scheme.pk)


@login_required
@require_POST
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(pk, request.user, for_write=True)
    try:
        perform(actions.PUBLISH, scheme, request.user, {})
    except ApplicationError as exc:
        _fail(request, exc)
        return render(
            request,
            "evaluation/scheme_detail.html",
            _scheme_context(request, scheme),
            status=exc.status_code,
        )
    messages.success(request, _("方案已发布。"))
    return redirect("evaluation:scheme-detail", pk=scheme.pk)


@login_required
@require_POST
def scheme_revise(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(pk, request.user, for_write=True)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        draft = perform(actions.REVISE, scheme, request.user, form.cleaned_data)
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("evaluation:scheme-detail", pk=scheme.pk)
    messages.success(
        request, _("已建立修订版本 v%(v)s，修改后发布即替代原方案。") % {"v": draft.version}
    )
    return redirect("evaluation:scheme-detail", pk=draft.pk)


@login_required
@require_POST
def scheme_compute(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(pk, request.user, for_write=True)
    try:
        run = perform(actions.COMPUTE, scheme, request.user, {})
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("evaluation:scheme-detail", pk=scheme.pk)
    messages.success(
        request,
        _("已重新计算：%(n)s 个考评对象，用时 %(ms)s 毫秒。")
        % {"n": run.subject_count, "ms": run.duration_ms},
    )
    return redirect("evaluation:scheme-scores", pk=scheme.pk)


# --- scores ----------------------------------------------------------------------------------


@login_required
@require_GET
def scheme_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking of a scheme's latest run, inside the viewer's scope."""
    scheme = access_scheme(pk, request.user)
    run = selectors.latest_run(scheme)
    rows = selectors.ranking(run, request.user) if run else None
    table = RankingTable(rows if rows is not None else [])
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    chart = selectors.ranking_chart(list(rows[:20])) if rows is not None else None
    return render(
        request,
        "evaluation/scores.html",
        {"scheme": scheme, "run": run, "table": table, "chart": chart},
    )


@login_required
@require_GET
def subject_score(request: HttpRequest, pk: int) -> HttpResponse:
    """One subject's breakdown: dimensions, indicators (each value links to its records), and
    the trend over periods."""
    subject = access_subject_score(pk, request.user)
    points = selectors.trend(subject, request.user)
    return render(
        request,
        "evaluation/subject.html",
        {
            "subject": subject,
            "scheme": subject.run.scheme,
            "dimensions": selectors.breakdown(subject),
            "trend": points,
            "trend_chart": selectors.trend_chart(points),
            "is_overseer": is_overseer(request.user),
        },
    )


@login_required
@require_GET
def trace(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The records behind one figure: the cases (or list and manual entries) it counts."""
    subject = access_subject_score(pk, request.user)
    item = subject.items.select_related("indicator__scheme").filter(pk=item_pk).first()
    if item is None:
        raise Http404
    part = request.GET.get("part", "")
    if part not in ("", "hit", "miss"):
        part = ""
    cases, entries = selectors.trace(item, part=part, user=request.user)
    table = None
    if cases is not None:
        table = CaseTable(
            cases.select_related("category", "handling_unit").order_by("-concluded_at", "-id"),
            words=DeadlineWords(now=timezone.now()),
        )
        RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "evaluation/trace.html",
        {
            "subject": subject,
            "item": item,
            "part": part,
            "table": table,
            "entries": list(entries.select_related("decided_by").order_by("-pk")[:200])
            if entries is not None
            else None,
            "has_parts": item.denominator is not None and item.numerator is not None,
            "entry_kind": "manual" if item.indicator.source == sources.MANUAL else "list",
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A person's own scores and list entries (transparent to the person concerned)."""
    scores = selectors.my_scores(request.user)
    return render(
        request,
        "evaluation/mine.html",
        {
            "scores": scores,
            "entries": selectors.my_list_entries(request.user)[:50],
            "is_overseer": is_overseer(request.user),
        },
    )


# --- manual entries and lists ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def entries(request: HttpRequest) -> HttpResponse:
    """Manual indicator values and positive/negative list entries: enter with evidence, and
    approve those entered by someone else."""
    require_overseer(request.user)
    kind = request.POST.get("form") if request.method == "POST" else ""
    manual_form = forms.ManualEntryForm(
        request.POST if kind == "manual" else None,
        request.FILES if kind == "manual" else None,
        user=request.user,
        prefix="m",
        initial={"year": timezone.localdate().year},
    )
    list_form = forms.ListEntryForm(
        request.POST if kind == "list" else None,
        request.FILES if kind == "list" else None,
        user=request.user,
        prefix="l",
    )
    status = 200
    if kind in actions.ENTER:
        require_evaluator(request.user)
        form = manual_form if kind == "manual" else list_form
        if form.is_valid():
            try:
                perform(actions.ENTER[kind], None, request.user, form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("已录入，待第二人审核后计分。"))
                return redirect("evaluation:entries")
        else:
            status = 400
    manual = ManualEntry.objects.visible_to(request.user).select_related(
        "division", "staff", "unit", "entered_by", "decided_by"
    )
    lists = ListEntry.objects.visible_to(request.user).select_related(
        "division", "staff", "unit", "entered_by", "decided_by", "case"
    )
    return render(
        request,
        "evaluation/entries.html",
        {
            "manual_form": manual_form,
            "list_form": list_form,
            "manual": manual.order_by("-state", "-created_at", "-pk")[:LIST_LIMIT],
            "lists": lists.order_by("-state", "-occurred_on", "-pk")[:LIST_LIMIT],
            "pending": EntryState.PENDING,
            "can_edit": _is_evaluator(request.user),
            "decide_form": forms.DecideForm(),
        },
        status=status,
    )


@login_required
@require_POST
def entry_decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = access_entry(kind, pk, request.user, for_write=True)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择通过或退回。"))
        return redirect("evaluation:entries")
    try:
        perform(actions.DECIDE[kind], entry, request.user, form.cleaned_data)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已审核。"))
    return redirect("evaluation:entries")


@login_required
@require_GET
def entry_evidence(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """An entry's evidence file, to the person evaluated, overseers in scope and the approver;
    missing and forbidden look the same. Always a download, never rendered in the page."""
    entry = access_evidence(kind, pk, request.user)
    stored = entry.evidence_file
    if not stored or not stored.storage.exists(stored.name):
        raise Http404
    name = os.path.basename(stored.name)
    response = FileResponse(
        services.entry_evidence_read(actor=request.user, entry=entry),
        as_attachment=True,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- case-quality review ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reviews(request: HttpRequest) -> HttpResponse:
    """Review plans (evaluators) and the reviews assigned to me."""
    is_evaluator = _is_evaluator(request.user)
    form = forms.ReviewPlanForm(request.POST or None, initial={"kind": PlanKind.SAMPLE})
    status = 200
    if request.method == "POST":
        require_evaluator(request.user)
        if form.is_valid():
            try:
                plan = perform(actions.PLAN, None, request.user, form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(
                    request, _("评查计划已建立：%(n)s 件，已分配评查人。") % {"n": plan.case_count}
                )
                return redirect("evaluation:reviews")
        else:
            status = 400
    mine = Review.objects.filter(
        reviewer=request.user.pk, state=ReviewState.PENDING
    ).select_related("case__handling_unit", "reviewer")
    table = ReviewTable(mine)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    plans = ReviewPlan.objects.none()
    if is_evaluator:
        plans = ReviewPlan.objects.select_related("created_by").order_by("-created_at")[:50]
    return render(
        request,
        "evaluation/reviews.html",
        {"form": form, "table": table, "plans": plans, "is_evaluator": is_evaluator},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_review(pk, request.user)
    form = forms.ReviewForm(request.POST or None, initial={"version": item.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                perform(actions.SUBMIT, item, request.user, form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("评查已提交。"))
                return redirect("evaluation:reviews")
        else:
            status = 400
    return render(
        request,
        "evaluation/review.html",
        {"review": item, "form": form, "checklist": forms.CHECKLIST},
        status=status,
    )


# --- data-quality scan -----------------------------------------------------------------------


@login_required
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    """Every rule on one page with its counts; the correction items below, filtered by rule
    and state; units see their own items."""
    require_overseer(request.user)
    summary = selectors.scan_rules_summary(request.user)
    items = CorrectionItem.objects.visible_to(request.user).select_related("case", "unit")
    rule = request.GET.get("rule", "")
    if rule in scan.RULES_BY_CODE:
        items = items.filter(rule=rule)
    state = request.GET.get("state", "open")
    if state == "open":
        items = items.filter(resolved_at__isnull=True)
    elif state == "resolved":
        items = items.filter(resolved_at__isnull=False)
    table = CorrectionTable(items)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "evaluation/quality.html",
        {
            "rules": summary,
            "table": table,
            "rule": rule,
            "state": state,
            "last_scan": selectors.last_scan(),
            "can_run": _is_evaluator(request.user),
        },
    )


@login_required
@require_POST
def quality_scan(request: HttpRequest) -> HttpResponse:
    require_evaluator(request.user)
    run = perform(actions.SCAN, None, request.user, {})
    messages.success(
        request,
        _("巡检完成：新发现 %(o)s 条，已整改关闭 %(r)s 条。")
        % {"o": run.opened, "r": run.resolved},
    )
    return redirect("evaluation:quality")


# --- reports ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    require_overseer(request.user)
    today = timezone.localdate()
    form = forms.ReportForm(
        request.POST or None,
        user=request.user,
        initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = perform(actions.REPORT, None, request.user, form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("报告已生成。"))
                return redirect("evaluation:report", pk=made.pk)
        else:
            status = 400
    listed = QuarterReport.objects.visible_to(request.user).select_related(
        "division", "generated_by"
    )[:50]
    return render(
        request, "evaluation/reports.html", {"form": form, "reports": listed}, status=status
    )


@login_required
@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    made = access_report(pk, request.user)
    context = report.report_context(made)
    streets = made.data.get("streets")
    if streets:
        context["chart"] = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 90, "right": 30, "top": 10, "bottom": 20},
            "xAxis": {"type": "value", "max": 100},
            "yAxis": {"type": "category", "data": [r["name"] for r in streets["ranking"]][::-1]},
            "series": [{"type": "bar", "data": [r["total"] for r in streets["ranking"]][::-1]}],
        }
    return render(request, "evaluation/report.html", context)


@login_required
@require_GET
def report_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    made = access_report(pk, request.user)
    field = made.pdf if fmt == "pdf" else made.xlsx
    if not field:
        raise Http404
    name = f"{made.data.get('title', _('质效分析报告'))}.{fmt}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)
