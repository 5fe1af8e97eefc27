"""Collaboration pages: roster, named officers, whistles, department response, safety talks,
the four-lists board. Views parse, check access, call a service and render."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.cases.access import access_case
from pingan.cases.models import Case
from pingan.core.actions import perform
from pingan.core.calendar import LOCAL_TZ, local_date
from pingan.core.errors import ApplicationError, ForbiddenError

from . import actions, selectors, services
from . import forms as f
from .access import (
    access_center,
    access_department,
    access_problem,
    access_street,
    access_summons,
    access_talk,
    access_task,
    access_whistle,
    centers_for,
    is_organiser,
    may_answer,
    may_close,
    may_read_board,
    may_read_figures,
    may_report_progress,
    may_whistle,
    organises,
    streets_for,
)
from .choices import SummonsState
from .filtersets import OfficerFilter
from .models import NamedOfficer, SafetyTalk, Task, WhistleCall, WhistleSummons
from .tables import OfficerTable, TalkTable, WhistleTable

PAGE_SIZE = 50


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return default


def _period(request: HttpRequest, *, days: int = 90) -> tuple[date, date, datetime, datetime]:
    """The period from ``?start=&end=`` (local dates, end inclusive), last ``days`` by default."""
    today = timezone.localdate()
    start = _day(request.GET.get("start"), today - timedelta(days=days - 1))
    end = _day(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    return (
        start,
        end,
        datetime.combine(start, datetime.min.time(), LOCAL_TZ),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), LOCAL_TZ),
    )


# --- roster (M3.2) -------------------------------------------------------------------------


@login_required
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """Who is at a center on a given day, the month's rotation, the responsibility lists."""
    centers = list(centers_for(request.user).select_related("division"))
    if not centers:
        raise PermissionDenied
    center = (
        access_center(request.GET["center"], request.user)
        if request.GET.get("center")
        else centers[0]
    )
    day = _day(request.GET.get("date"), timezone.localdate())
    can_plan = organises(request.user, center.division.path)
    return render(
        request,
        "collaboration/roster.html",
        {
            "centers": centers,
            "center": center,
            "day": day,
            "roster": selectors.roster_for(center, day),
            "weeks": selectors.calendar_weeks(selectors.roster_month(center, day)),
            "can_plan": can_plan,
            "weekdays": [
                _("周一"),
                _("周二"),
                _("周三"),
                _("周四"),
                _("周五"),
                _("周六"),
                _("周日"),
            ],
            "plan_form": f.RosterPlanForm(initial={"month": day.strftime("%Y-%m")}),
            "shift_form": f.DutyShiftForm(user=request.user, initial={"date": day}),
        },
    )


def _roster_action(request, declared, form, *, day_field: str, invalid: str, done) -> HttpResponse:
    """Run a declared roster action on the posted center and go back to its roster on the day
    concerned, with the outcome as a message; a role the action refuses answers 403."""
    center = access_center(request.POST.get("center"), request.user)
    day = timezone.localdate()
    try:
        if not form.is_valid():
            raise ApplicationError(invalid)
        day = form.cleaned_data[day_field]
        result = perform(declared, center, request.user, form.cleaned_data)
    except ForbiddenError as exc:
        raise PermissionDenied(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(result))
    return redirect(f"{reverse('collaboration:roster')}?center={center.pk}&date={day:%Y-%m-%d}")


@login_required
@require_POST
def roster_plan(request: HttpRequest) -> HttpResponse:
    return _roster_action(
        request,
        actions.ROSTER_PLAN,
        f.RosterPlanForm(request.POST),
        day_field="month",
        invalid=_("请选择要排班的月份。"),
        done=lambda count: _("已排定 %(n)s 个值班班次。") % {"n": count},
    )


@login_required
@require_POST
def roster_shift(request: HttpRequest) -> HttpResponse:
    return _roster_action(
        request,
        actions.ROSTER_SHIFT,
        f.DutyShiftForm(request.POST, user=request.user),
        day_field="date",
        invalid=_("请选择入驻单位和值班日期。"),
        done=lambda shift: _("已加入值班表。"),
    )


# --- named officers (M4.1) -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def officer_list(request: HttpRequest) -> HttpResponse:
    """A street sees its named officers; organisers assign new ones."""
    can_assign = is_organiser(request.user)
    form = f.OfficerForm(request.POST or None, user=request.user) if can_assign else None
    error, status = "", 200
    if request.method == "POST":
        if not can_assign:
            raise PermissionDenied
        try:
            if not form.is_valid():
                raise ApplicationError(_("表单有误，请按提示修改后再提交。"))
            data = form.cleaned_data
            officer = perform(actions.OFFICER_ASSIGN, data["street"], request.user, data)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("已下沉：%(who)s") % {"who": officer})
            return redirect("collaboration:officers")
    officers = (
        NamedOfficer.objects.visible_to(request.user)
        .select_related("staff__unit", "street")
        .order_by("street__code", "kind", "staff__name")
    )
    filterset = OfficerFilter(request.GET, queryset=officers, request=request)
    table = OfficerTable(filterset.qs, today=timezone.localdate())
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "collaboration/officers.html",
        {"filter": filterset, "table": table, "form": form, "error": error},
        status=status,
    )


# --- whistle-and-report (M4.2) -------------------------------------------------------------


def case_panel(request: HttpRequest, case, *, form=None, error: str = "") -> dict:
    """The whistle section of a case page: its whistles and, for organisers, the form."""
    calls = list(
        WhistleCall.objects.filter(case=case)
        .prefetch_related(
            Prefetch(
                "summonses",
                queryset=WhistleSummons.objects.select_related("unit", "officer__staff"),
            )
        )
        .order_by("-blown_at")
    )
    can_whistle = may_whistle(request.user, case)
    if can_whistle and form is None:
        form = f.WhistleForm(user=request.user, street=services.case_street(case))
    problem = getattr(case, "source_problem", None)
    return {
        "whistles": calls,
        "whistle_form": form if can_whistle else None,
        "whistle_error": error,
        "source_problem": problem,
    }


@login_required
@require_POST
def whistle_blow(request: HttpRequest, number: str) -> HttpResponse:
    """Blow the whistle from a case page; htmx gets a redirect to the refreshed case page,
    or the whistle section again with the message when refused."""
    case = access_case(number, request.user)
    if not is_organiser(request.user):
        raise PermissionDenied
    form = f.WhistleForm(request.POST, user=request.user, street=services.case_street(case))
    error, status = "", 400
    if form.is_valid():
        try:
            perform(actions.WHISTLE_BLOW, case, request.user, form.cleaned_data)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("已吹哨，被召集方已收到通知。"))
            url = reverse("cases:case-detail", args=[case.number])
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    else:
        error = _("请按提示修改后再提交。")
    context = {"case": case, **case_panel(request, case, form=form, error=error)}
    if request.headers.get("HX-Request"):
        return render(request, "collaboration/_case_panel.html", context, status=status)
    messages.error(request, error)
    return redirect("cases:case-detail", number=case.number)


@login_required
@require_GET
def whistle_list(request: HttpRequest) -> HttpResponse:
    """Whistles that summoned me or my unit, and those blown in my area."""
    mine = WhistleSummons.objects.addressed_to(request.user)
    tab = request.GET.get("tab") or ("mine" if mine.exists() else "area")
    calls = WhistleCall.objects.visible_to(request.user)
    if tab == "mine":
        calls = calls.filter(pk__in=mine.values("call_id"))
    elif tab == "late":
        calls = calls.filter(
            pk__in=WhistleSummons.objects.late(now=timezone.now()).values("call_id")
        )
    calls = (
        calls.select_related("case", "street")
        .order_by("-blown_at", "-pk")
        .annotate(
            parties=Count("summonses", distinct=True),
            answered=Count(
                "summonses",
                filter=~Q(summonses__state=SummonsState.SUMMONED),
                distinct=True,
            ),
        )
    )
    table = WhistleTable(calls, now=timezone.now())
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    tabs = {"mine": _("召集我的"), "area": _("辖区吹哨"), "late": _("报到超时")}
    return render(
        request, "collaboration/whistles.html", {"table": table, "tab": tab, "tabs": tabs}
    )


def _whistle_context(request, call: WhistleCall, *, error: str = "", forms=None) -> dict:
    now = timezone.now()
    summonses = list(
        call.summonses.select_related("unit", "officer__staff", "acknowledged_by").order_by("pk")
    )
    for summons in summonses:
        summons.mine = may_answer(request.user, summons)
        summons.minutes = (
            (summons.acknowledged_at - call.blown_at).total_seconds() / 60
            if summons.acknowledged_at
            else None
        )
        summons.duration = services.duration_words(summons.minutes)
        summons.is_late = (
            summons.acknowledged_at > call.report_by
            if summons.acknowledged_at
            else now > call.report_by
        )
        summons.report_form = (forms or {}).get(summons.pk) or f.ReportForm(
            initial={"version": summons.version}, prefix=f"s{summons.pk}"
        )
    return {
        "call": call,
        "summonses": summonses,
        "error": error,
        "can_close": may_close(request.user, call),
        "close_form": (forms or {}).get("close") or f.CloseForm(initial={"version": call.version}),
        "overdue": now > call.report_by,
    }


@login_required
@require_GET
def whistle_detail(request: HttpRequest, pk: str) -> HttpResponse:
    call = access_whistle(pk, request.user)
    return render(request, "collaboration/whistle_detail.html", _whistle_context(request, call))


@login_required
@require_POST
def summons_act(request: HttpRequest, pk: str, summons_pk: str, action: str) -> HttpResponse:
    """Acknowledge (报到) or report (反馈) a summons, as the party it names."""
    if action not in ("ack", "report"):
        raise Http404
    call = access_whistle(pk, request.user)
    summons = access_summons(call, summons_pk)
    if action == "ack":
        declared, form = actions.ACKNOWLEDGE, f.VersionForm(request.POST)
        done = _("已报到。请到场处置后填写处置情况。")
    else:
        declared, form = actions.REPORT, f.ReportForm(request.POST, prefix=f"s{summons.pk}")
        done = _("处置情况已反馈给吹哨街道。")
    error, status = "", 400
    if form.is_valid():
        try:
            perform(declared, summons, request.user, form.cleaned_data)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, done)
            return redirect("collaboration:whistle-detail", pk=call.pk)
    else:
        error = _("请填写处置情况。")
    context = _whistle_context(request, call, error=error, forms={summons.pk: form})
    return render(request, "collaboration/whistle_detail.html", context, status=status)


@login_required
@require_POST
def whistle_close(request: HttpRequest, pk: str) -> HttpResponse:
    call = access_whistle(pk, request.user)
    form = f.CloseForm(request.POST)
    error, status = _("请填写协同结果。"), 400
    if form.is_valid():
        try:
            perform(actions.WHISTLE_CLOSE, call, request.user, form.cleaned_data)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("吹哨已办结，结果已记入事项轨迹。"))
            return redirect("collaboration:whistle-detail", pk=call.pk)
    context = _whistle_context(request, call, error=error, forms={"close": form})
    return render(request, "collaboration/whistle_detail.html", context, status=status)


# --- department response (M4.2) ------------------------------------------------------------


@login_required
@require_GET
def department_list(request: HttpRequest) -> HttpResponse:
    """Response to whistles per department, and whistle quality per street, for a period."""
    if not may_read_figures(request.user):
        raise PermissionDenied
    start, end, since, until = _period(request)
    units = selectors.whistle_response_by_unit(
        start=since, end=until, summonses=WhistleSummons.objects.visible_to(request.user)
    )
    streets = selectors.whistle_quality_by_street(
        start=since, end=until, calls=WhistleCall.objects.visible_to(request.user)
    )
    rows = sorted(units.values(), key=lambda item: (-item.summoned, item.unit_name))
    for row in rows:
        row.avg_words = services.duration_words(row.avg_minutes)
        row.p90_words = services.duration_words(row.p90_minutes)
    return render(
        request,
        "collaboration/departments.html",
        {
            "rows": rows,
            "streets": sorted(streets.values(), key=lambda s: -s.blown),
            "start": start,
            "end": end,
        },
    )


@login_required
@require_GET
def department_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """One department: whistles received, average and 90th-percentile response, late ones."""
    if not may_read_figures(request.user):
        raise PermissionDenied
    unit = access_department(pk, request.user)
    start, end, since, until = _period(request)
    now = timezone.now()
    visible = WhistleSummons.objects.visible_to(request.user).filter(unit=unit)
    stats = selectors.whistle_response_by_unit(
        start=since, end=until, now=now, summonses=visible
    ).get(unit.pk, selectors.UnitResponse(unit.pk, unit.name))
    stats.avg_words = services.duration_words(stats.avg_minutes)
    stats.p90_words = services.duration_words(stats.p90_minutes)
    late = list(
        visible.filter(call__blown_at__gte=since, call__blown_at__lt=until)
        .late(now=now)
        .select_related("call__case", "call__street", "officer__staff")
        .order_by("-call__blown_at")[:100]
    )
    for summons in late:
        summons.minutes = (
            (summons.acknowledged_at - summons.call.blown_at).total_seconds() / 60
            if summons.acknowledged_at
            else None
        )
        summons.duration = services.duration_words(summons.minutes)
    chart = _histogram(stats.durations, report_hours=services.default_report_hours())
    return render(
        request,
        "collaboration/department_detail.html",
        {
            "unit": unit,
            "stats": stats,
            "late": late,
            "start": start,
            "end": end,
            "chart": chart,
        },
    )


_BUCKETS = [
    (0, 60, gettext_lazy("1小时内")),
    (60, 240, gettext_lazy("1–4小时")),
    (240, 720, gettext_lazy("4–12小时")),
    (720, 1440, gettext_lazy("12–24小时")),
]


def _histogram(durations: list[float], *, report_hours: int) -> dict:
    """ECharts options: how long acknowledgements took, in buckets."""
    labels = [str(label) for _low, _high, label in _BUCKETS] + [_("24小时以上")]
    counts = [sum(low <= d < high for d in durations) for low, high, _label in _BUCKETS]
    counts.append(sum(d >= 1440 for d in durations))
    colours = ["#2e7d32", "#2e7d32", "#2e7d32", "#e0a800", "#c62828"]
    return {
        "title": {"text": _("报到用时分布"), "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "name": _("次")},
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": n, "itemStyle": {"color": colour}}
                    for n, colour in zip(counts, colours, strict=True)
                ],
                "label": {"show": True, "position": "top"},
            }
        ],
    }


# --- safety talks and the four lists (M5) -------------------------------------------------


@login_required
@require_GET
def talk_list(request: HttpRequest) -> HttpResponse:
    talks = (
        SafetyTalk.objects.visible_to(request.user)
        .select_related("street")
        .annotate(problem_count=Count("problems", distinct=True))
    )
    table = TalkTable(talks)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "collaboration/talks.html",
        {"table": table, "can_record": is_organiser(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def talk_new(request: HttpRequest) -> HttpResponse:
    if not is_organiser(request.user):
        raise PermissionDenied
    form = f.TalkForm(request.POST or None, user=request.user)
    error = ""
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ApplicationError(_("表单有误，请按提示修改后再提交。"))
            data = form.cleaned_data
            talk = perform(actions.TALK_RECORD, data["street"], request.user, data)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("恳谈已记录。请把群众提出的问题列入问题清单。"))
            return redirect("collaboration:talk-detail", pk=talk.pk)
    return render(
        request,
        "collaboration/talk_new.html",
        {"form": form, "error": error},
        status=400 if error else 200,
    )


def _talk_context(
    request, talk: SafetyTalk, *, error: str = "", anchor: str = "", forms=None
) -> dict:
    forms = forms or {}
    today = timezone.localdate()
    problems = list(
        talk.problems.select_related("case").prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.select_related("owner", "result__reviewed_by")
                .prefetch_related("progress__recorded_by")
                .order_by("deadline", "pk"),
            )
        )
    )
    organiser = organises(request.user, talk.area_path)
    for problem in problems:
        for task in problem.tasks.all():
            task.is_overdue = task.done_at is None and task.deadline < today
            task.can_progress = task.done_at is None and may_report_progress(request.user, task)
            task.has_result = hasattr(task, "result")
    return {
        "talk": talk,
        "officers": talk.officers.select_related("staff__unit").order_by("kind"),
        "problems": problems,
        "organiser": organiser,
        "error": error,
        "anchor": anchor,
        "problem_form": forms.get("problem") or f.ProblemForm(),
        "task_form": forms.get("task") or f.TaskForm(user=request.user),
        "progress_form": forms.get("progress") or f.ProgressForm(),
        "result_form": forms.get("result") or f.ResultForm(),
        "case_form": forms.get("case") or f.ProblemCaseForm(street=talk.street),
    }


@login_required
@require_GET
def talk_detail(request: HttpRequest, pk: str) -> HttpResponse:
    talk = access_talk(pk, request.user)
    return render(request, "collaboration/talk_detail.html", _talk_context(request, talk))


def _talk_action(
    request, declared, obj, *, talk: SafetyTalk, anchor: str, form_key: str, form, success: str
):
    """Run one declared four-list step on ``obj`` from the talk page: redirect to the talk
    (or to the new case, for a problem turned into one); on refusal re-render the talk with the
    message and the form as filled in."""
    try:
        if not form.is_valid():
            raise ApplicationError(_("表单有误，请按提示修改后再提交。"))
        result = perform(declared, obj, request.user, form.cleaned_data)
    except ApplicationError as exc:
        context = _talk_context(
            request, talk, error=exc.message, anchor=anchor, forms={form_key: form}
        )
        return render(request, "collaboration/talk_detail.html", context, status=exc.status_code)
    messages.success(request, success)
    if isinstance(result, Case):
        return redirect("cases:case-detail", number=result.number)
    return redirect(reverse("collaboration:talk-detail", args=[talk.pk]) + f"#{anchor}")


@login_required
@require_POST
def problem_add(request: HttpRequest, pk: str) -> HttpResponse:
    talk = access_talk(pk, request.user)
    return _talk_action(
        request,
        actions.PROBLEM_ADD,
        talk,
        talk=talk,
        anchor="problems",
        form_key="problem",
        form=f.ProblemForm(request.POST),
        success=_("已列入问题清单。"),
    )


@login_required
@require_POST
def task_add(request: HttpRequest, pk: str) -> HttpResponse:
    problem = access_problem(pk, request.user)
    return _talk_action(
        request,
        actions.TASK_ADD,
        problem,
        talk=problem.talk,
        anchor=f"problem-{problem.pk}",
        form_key="task",
        form=f.TaskForm(request.POST, user=request.user),
        success=_("已列入任务清单。"),
    )


@login_required
@require_POST
def problem_case(request: HttpRequest, pk: str) -> HttpResponse:
    problem = access_problem(pk, request.user)
    return _talk_action(
        request,
        actions.PROBLEM_CASE,
        problem,
        talk=problem.talk,
        anchor=f"problem-{problem.pk}",
        form_key="case",
        form=f.ProblemCaseForm(request.POST, street=problem.talk.street),
        success=_("问题已转为事项。"),
    )


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: str) -> HttpResponse:
    task = access_task(pk, request.user)
    return _talk_action(
        request,
        actions.TASK_PROGRESS,
        task,
        talk=task.problem.talk,
        anchor=f"task-{task.pk}",
        form_key="progress",
        form=f.ProgressForm(request.POST),
        success=_("已记入落实清单。"),
    )


@login_required
@require_POST
def task_result(request: HttpRequest, pk: str) -> HttpResponse:
    task = access_task(pk, request.user)
    return _talk_action(
        request,
        actions.TASK_RESULT,
        task,
        talk=task.problem.talk,
        anchor=f"task-{task.pk}",
        form_key="result",
        form=f.ResultForm(request.POST),
        success=_("成效已记入成效清单，任务办结。"),
    )


# --- the board ----------------------------------------------------------------------------


BOARD_SHOWN = 50  # rows of each list on the page; the workbook has them all


def board_data(request: HttpRequest, *, every_row: bool = False) -> dict:
    if not may_read_board(request.user):
        raise PermissionDenied
    start, end, since, until = _period(request, days=183)
    streets = list(streets_for(request.user))
    code = request.GET.get("street") or (streets[0].code if len(streets) == 1 else "")
    street = next((s for s in streets if s.code == code), None)
    if code and street is None:
        street = access_street(code, request.user)
    talks = SafetyTalk.objects.visible_to(request.user)
    if street is not None:
        talks = talks.filter(street=street)
    first, after = start, end + timedelta(days=1)
    lists = selectors.four_lists(
        talks=talks,
        first=first,
        after=after,
        today=timezone.localdate(),
        shown=None if every_row else BOARD_SHOWN,
    )
    completion = selectors.four_list_completion_by_street(start=since, end=until, talks=talks)
    return {
        "streets": streets,
        "street": street,
        "start": start,
        "end": end,
        "lists": lists,
        "completion": sorted(completion.values(), key=lambda s: s.street_name),
        "query": request.GET.urlencode(),
    }


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The four lists side by side for a street and period (M5.2)."""
    return render(request, "collaboration/board.html", board_data(request))


@login_required
@require_GET
def board_export(request: HttpRequest) -> HttpResponse:
    from .export import board_workbook

    data = board_data(request, every_row=True)
    response = HttpResponse(
        board_workbook(data, today=local_date(timezone.now())),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="four-lists-{stamp}.xlsx"'
    return response
