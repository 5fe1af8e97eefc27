"""Case pages: the work queue, intake, the case page with its actions, receipt, funnel."""

from datetime import datetime, timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.core import masking
from pingan.core.actions import perform
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.validators import parse_pk
from pingan.orgs import selectors as org_selectors
from pingan.orgs.access import access_division, has_role
from pingan.orgs.choices import FunctionAreaKind, Level
from pingan.orgs.models import Division, Unit

from . import repeats, routing, rules, selectors, services
from .access import access_case
from .actions import ACTIONS, MERGE_VISIT, RECEIPT_REISSUE, REGISTER, offered_actions
from .choices import State
from .filtersets import TABS, CaseFilter, apply_tab
from .forms import (
    CaseIntakeForm,
    PartyFormSet,
    PartyRevealForm,
)
from .models import Case, Category, DeadlinePolicy
from .tables import CaseTable

PAGE_SIZE = 50


def _case_context(
    request: HttpRequest,
    case: Case,
    *,
    forms: dict | None = None,
    error: str = "",
    error_action: str = "",
) -> dict:
    selectors.DeadlineWords(now=timezone.now()).label(case)
    forms = forms or {}
    return {
        "case": case,
        "parties": case.parties.all(),
        "events": case.events.select_related("actor", "unit").order_by("created_at", "id"),
        "attachments": case.attachments.all(),
        "joint_units": case.joint_units.all(),
        "supervisions": case.supervisions.select_related("unit").order_by("-issued_at", "-id"),
        "referrals": case.referrals.order_by("-referred_on", "-id"),
        "pending_extension": case.extensions.filter(state="pending")
        .select_related("requested_by")
        .first(),
        "repeats": case.repeats.all()[:10],
        # grid reports that became this case (pingan.patrol). Unordered in SQL: with the reports'
        # default ordering SQLite walks the whole time index instead of the case's FK index.
        "report_ids": sorted(case.patrol_reports.order_by().values_list("pk", flat=True)),
        "actions": [
            {
                "name": action.name,
                "label": action.label,
                "style": action.style,
                "form": forms.get(action.name)
                or action.form(case=case, user=request.user, prefix=action.name),
            }
            for action in offered_actions(request.user, case)
        ],
        "error": error,
        "error_action": error_action,
        "can_act": services.can_act_on(request.user, case),
        "can_reveal": case.handler_id == request.user.pk
        or has_role(request.user, *rules.CONTACT_ROLES),
        # whistle-and-report (吹哨报到) on this case: pingan.collaboration's section
        **_collaboration_panel(request, case),
    }


def _collaboration_panel(request: HttpRequest, case: Case) -> dict:
    from pingan.collaboration.views import case_panel

    return case_panel(request, case)


@login_required
@require_GET
def case_queue(request: HttpRequest) -> HttpResponse:
    """My cases / my unit's cases / everything in my area: filtered, sorted, paged."""
    tab = request.GET.get("tab") or ("unit" if request.user.unit_id else "area")
    if tab not in TABS:
        tab = "area"
    now = timezone.now()
    cases = apply_tab(Case.objects.visible_to(request.user), tab, request.user).select_related(
        "category", "handling_unit"
    )
    data = request.GET
    if tab == "area" and not any(name.startswith(tuple(CaseFilter.base_filters)) for name in data):
        # The bare area tab opens on the area's work, what is still open; its closed history
        # is one choice away ("全部"), and a link that filters (a function area, a colour)
        # gets every state. Counting a street's whole year of cases cost 0.22 s per page at
        # city scale.
        data = data.copy()
        data["state"] = "open"
    filterset = CaseFilter(data, queryset=cases)
    words = selectors.DeadlineWords(now=now)
    table = CaseTable(filterset.qs, words=words)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    # The page's rows (read once) get their deadline words and their state and level labels
    # here: ``get_state_display`` builds and translates every choice again for each call.
    states, levels = dict(State.choices), dict(Level.choices)
    for row in table.page.object_list:
        case = words.label(row.record)
        case.state_label, case.level_label = states[case.state], levels[case.level]
    return render(
        request,
        "cases/queue.html",
        {
            "filter": filterset,
            "table": table,
            "tab": tab,
            "tabs": TABS,
            "can_register": has_role(request.user, *rules.REGISTER_ROLES),
            "query": data.urlencode(),
        },
    )


def _next(request: HttpRequest) -> str:
    """Where a list that offers an action wants the user back (a local address only)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """待我审批: the extension requests a leader decides, each decided in one step here
    through the case's declared action; and the cases escalated to the leader's unit that
    wait for someone to take them on (交办承办 on the case page)."""
    if not has_role(request.user, *rules.CASE.roles("extension_decide")):
        raise PermissionDenied
    pending = list(selectors.pending_extensions(request.user))
    escalated = list(selectors.escalations_to_take(request.user))
    words = selectors.DeadlineWords(now=timezone.now())
    for case in [extension.case for extension in pending] + escalated:
        words.label(case)
    return render(request, "cases/approvals.html", {"pending": pending, "escalated": escalated})


@login_required
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case(number, request.user)
    return render(request, "cases/detail.html", _case_context(request, case))


@login_required
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Run one action from the case page; answer with the re-rendered case body (htmx) or a
    redirect. A refusal re-renders the form with the message and changes nothing."""
    case = access_case(number, request.user)
    declared = ACTIONS.get(action)
    if declared is None:
        raise PermissionDenied
    form = declared.form(request.POST, case=case, user=request.user, prefix=action)
    status, error = 200, ""
    if form.is_valid():
        try:
            perform(declared, case, request.user, form.cleaned_data)
        except ApplicationError as exc:
            status, error = exc.status_code, exc.message
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
        else:
            label = declared.label
            messages.success(
                request, _("已%(action)s：%(number)s") % {"action": label, "number": case.number}
            )
            if not request.headers.get("HX-Request"):
                return redirect(_next(request) or reverse("cases:case-detail", args=[case.number]))
            case = access_case(number, request.user)
            return render(request, "cases/_body.html", _case_context(request, case))
    else:
        status, error = 400, _("请按提示修改后再提交。")
    case = access_case(number, request.user)
    context = _case_context(request, case, forms={action: form}, error=error, error_action=action)
    template = "cases/_body.html" if request.headers.get("HX-Request") else "cases/detail.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """The one-window intake page (一窗受理)."""
    if not has_role(request.user, *rules.REGISTER_ROLES):
        raise PermissionDenied
    form = CaseIntakeForm(request.POST or None, request.FILES or None, user=request.user)
    parties = PartyFormSet(request.POST or None, prefix="party")
    error = ""
    merge_into = request.POST.get("merge_into") if request.method == "POST" else None
    if merge_into:
        earlier = access_case(merge_into, request.user)
        try:
            visit = {key: request.POST.get(key, "") for key in ("channel", "narrative")}
            perform(MERGE_VISIT, earlier, request.user, visit)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("本次来访已合并到事项 %(number)s，未新建事项。") % {"number": earlier.number},
            )
            return redirect("cases:case-detail", number=earlier.number)
    if request.method == "POST" and not error and form.is_valid() and parties.is_valid():
        data = form.cleaned_data
        try:
            case, code = perform(
                REGISTER,
                None,
                request.user,
                {
                    **{name: data[name] for name in REGISTER_FIELDS},
                    "parties": [
                        services.PartyInput(**p.cleaned_data) for p in parties if p.cleaned_data
                    ],
                    "suggested_unit": _posted_unit(request, "suggested_unit"),
                    "chosen_unit": _posted_unit(request, "chosen_unit"),
                    "suggested_area": request.POST.get("suggested_area", ""),
                },
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            _hold_receipt_code(request.user, case.number, code)
            messages.success(
                request, _("事项已登记：%(number)s。请打印回执交给群众。") % {"number": case.number}
            )
            return redirect("cases:case-receipt", number=case.number)
    elif request.method == "POST" and not error:
        error = _("表单有误，请按提示修改后再提交。")
    return render(
        request,
        "cases/new.html",
        {"form": form, "parties": parties, "error": error, "places": place_pickers(request, form)},
        status=400 if error else 200,
    )


# What the intake form gives the registration as it stands; the parties come from their own
# forms and the routing panel's choices from the page.
REGISTER_FIELDS = (
    "channel",
    "category",
    "complexity",
    "urgency",
    "title",
    "narrative",
    "grid",
    "address",
    "attachments",
    "function_area",
)


def _posted_unit(request: HttpRequest, name: str) -> Unit | None:
    """A unit id from the suggestion panel, if the user may see that unit."""
    pk = parse_pk(request.POST.get(name, ""))
    if pk is None:
        return None
    return Unit.objects.visible_to(request.user).filter(pk=pk).first()


def place_pickers(request: HttpRequest, form=None, *, divisions=None, url: str = "") -> dict:
    """The street -> community -> grid pickers, limited to the user's scope (or to
    ``divisions``), re-rendered by the view at ``url``."""
    visible = Division.objects.visible_to(request.user) if divisions is None else divisions
    source = request.POST if request.method == "POST" else request.GET
    grid_code = source.get("grid") or ""
    grid = visible.filter(code=grid_code, level=Level.GRID).select_related("parent").first()
    community_code = source.get("community") or (grid.parent.code if grid else "")
    street_code = source.get("street") or (community_code[:9] if community_code else "")
    streets = list(visible.filter(level=Level.STREET).order_by("code").values("code", "name"))
    if not street_code and len(streets) == 1:
        street_code = streets[0]["code"]
    communities = (
        list(
            visible.filter(level=Level.COMMUNITY, parent__code=street_code)
            .order_by("code")
            .values("code", "name")
        )
        if street_code
        else []
    )
    if not communities and not streets:  # a grid worker: their own grids only
        communities = []
    if not community_code and len(communities) == 1:
        community_code = communities[0]["code"]
    grids = visible.filter(level=Level.GRID)
    grids = (
        grids.filter(parent__code=community_code)
        if community_code
        else (grids if not streets else grids.none())
    )
    return {
        "url": url or reverse("cases:places"),
        "streets": streets,
        "communities": communities,
        "grids": list(grids.order_by("code").values("code", "name")),
        "street": street_code,
        "community": community_code,
        "grid": grid.code if grid else "",
        "grid_errors": form.errors.get("grid") if form is not None else None,
    }


@login_required
@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """htmx: re-render the place pickers after a change, or search grids by name."""
    query = (request.GET.get("q") or "").strip()
    matches = []
    if query:
        matches = list(
            Division.objects.visible_to(request.user)
            .filter(level=Level.GRID)
            .filter(name__icontains=query)
            .select_related("parent__parent")
            .order_by("code")[:20]
        )
    return render(
        request,
        "cases/_places.html",
        {"places": place_pickers(request), "matches": matches, "q": query},
    )


@login_required
@require_POST
def intake_suggest(request: HttpRequest) -> HttpResponse:
    """htmx, as the clerk types: the top routing suggestions and any earlier matching cases."""
    if not has_role(request.user, *rules.REGISTER_ROLES):
        raise PermissionDenied
    narrative = (request.POST.get("narrative") or "").strip()
    grid = (
        Division.objects.visible_to(request.user)
        .filter(level=Level.GRID, code=request.POST.get("grid", ""))
        .first()
    )
    # A category the page pre-selected from the last suggestion is not the clerk's choice: it
    # must not weigh on the next suggestion as if it were.
    chosen_category = None if request.POST.get("category_auto") else request.POST.get("category")
    category = Category.objects.filter(pk=parse_pk(chosen_category or "")).first()
    suggestions, matches = [], []
    if len(narrative) >= 6 and grid is not None:
        suggestions = routing.suggest(narrative=narrative, category=category, grid=grid)
    ids = [
        value.strip().upper()
        for key, value in request.POST.items()
        if key.endswith("-id_number") and value.strip()
    ]
    if grid is not None and (ids or len(narrative) >= 10):
        found = repeats.find_repeats(
            id_numbers=ids, narrative=narrative, grid=grid, now=timezone.now()
        )
        # only cases this user may open, in one query
        visible = set(
            Case.objects.visible_to(request.user)
            .filter(pk__in=[match.case.pk for match in found])
            .values_list("pk", flat=True)
            if found
            else ()
        )
        matches = [match for match in found if match.case.pk in visible][:5]
    area = (
        routing.suggest_area(
            narrative=narrative, grid=grid, suggestions=suggestions, category=category
        )
        if suggestions
        else None
    )
    suggestions = [
        {
            "unit": item.unit,
            "area": FunctionAreaKind(item.function_area).label,
            "reason": item.reason,
            "category": item.category,
        }
        for item in suggestions
    ]
    return render(
        request,
        "cases/_suggest.html",
        {
            "suggestions": suggestions,
            # the category of the best suggestion that names one (a unit found by its duty
            # list alone names none)
            "suggested_category": next((x["category"] for x in suggestions if x["category"]), None),
            "area": area,
            "matches": matches,
            "has_grid": grid is not None,
            "chosen": request.POST.get("chosen_unit", ""),
        },
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, number: str, pk: str) -> FileResponse:
    """An attachment, to whoever may see its case (X1); missing and forbidden look the same."""
    case = access_case(number, request.user)
    attachment = case.attachments.filter(pk=parse_pk(pk)).first()
    if attachment is None or not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )


# The query code is shown once, on the receipt printed right after registration (or a reissue).
# It waits in the cache, not in the session: any request may save the session (at least every
# five minutes, SlidingSessionMiddleware), so an htmx request still in flight when the clerk
# submits could write back the session without it.
RECEIPT_CODE_SECONDS = 10 * 60


def _receipt_code_key(user, number: str) -> str:
    return f"receipt-code:{user.pk}:{number}"


def _hold_receipt_code(user, number: str, code: str) -> None:
    cache.set(_receipt_code_key(user, number), code, RECEIPT_CODE_SECONDS)


def _take_receipt_code(user, number: str) -> str | None:
    key = _receipt_code_key(user, number)
    code = cache.get(key)
    cache.delete(key)
    return code


def _public_url(request: HttpRequest, path: str) -> str:
    """An address a citizen can open: under PINGAN_PUBLIC_URL when it is set."""
    if settings.PINGAN_PUBLIC_URL:
        return settings.PINGAN_PUBLIC_URL + path
    return request.build_absolute_uri(path)


@login_required
@require_GET
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The printable receipt (回执). The query code exists only in this session right after
    registration; a reprint issues a new code (the old one stops working)."""
    case = access_case(number, request.user)
    code = _take_receipt_code(request.user, case.number)
    query_url = _public_url(request, reverse("public-query")) + f"?number={case.number}"
    qr_svg = segno.make(query_url, error="m").svg_inline(scale=3)
    return render(
        request,
        "cases/receipt.html",
        {
            "case": case,
            "code": code,
            "query_url": query_url,
            "qr_svg": qr_svg,
            "parties": case.parties.filter(role="applicant"),
            "policy": DeadlinePolicy.objects.get(complexity=case.complexity),
        },
    )


@login_required
@require_POST
def party_reveal(request: HttpRequest, number: str, pk: str) -> HttpResponse:
    """htmx: one party's full ID number or phone in place of the masked one, for whoever
    contacts parties, with the reason logged (查看完整号码, X2)."""
    case = access_case(number, request.user)
    party = case.parties.filter(pk=parse_pk(pk)).first()
    if party is None:
        raise Http404
    form = PartyRevealForm(request.POST)
    field = request.POST.get("field", "")
    masked = {
        "id_number": masking.mask_id_number(party.id_number),
        "phone": masking.mask_phone(party.phone),
    }
    context = {
        "case": case,
        "party": party,
        "field": field,
        "masked": masked.get(field, ""),
        "can_reveal": True,
    }
    if not form.is_valid():
        error = next(iter(form.errors.values()))[0]
        return render(request, "cases/_party_number.html", {**context, "error": error}, status=400)
    try:
        value = services.party_number_reveal(party=party, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return render(
            request,
            "cases/_party_number.html",
            {**context, "error": exc.message},
            status=exc.status_code,
        )
    return render(request, "cases/_party_number.html", {**context, "value": value})


@login_required
@require_POST
def case_receipt_reissue(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case(number, request.user)
    try:
        code = perform(RECEIPT_REISSUE, case, request.user, {})
    except ForbiddenError as refused:
        raise PermissionDenied from refused
    _hold_receipt_code(request.user, case.number, code)
    return redirect("cases:case-receipt", number=case.number)


@login_required
@require_GET
def funnel_page(request: HttpRequest) -> HttpResponse:
    """Where cases were concluded: 小事不出社区, 难事不出街道 (M2.1)."""
    today = timezone.localdate()
    try:
        start = datetime.fromisoformat(request.GET.get("start", "")).date()
    except ValueError:
        start = today - timedelta(days=365)
    try:
        end = datetime.fromisoformat(request.GET.get("end", "")).date()
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    tz = timezone.get_current_timezone()
    roots = org_selectors.scope_roots(request.user)
    area_code = request.GET.get("area") or (roots[0].code if len(roots) == 1 else "")
    area = access_division(area_code, request.user) if area_code else None
    window = {
        "start": datetime.combine(start, datetime.min.time(), tz),
        "end": datetime.combine(end + timedelta(days=1), datetime.min.time(), tz),
    }
    function_area = request.GET.get("function_area", "")
    if function_area not in FunctionAreaKind.values:
        function_area = ""
    figures = selectors.funnel_figures(
        user=request.user, area=area, function_area=function_area, now=timezone.now(), **window
    )
    stats, by_area = figures["stats"], figures["by_area"]
    chart = {
        "title": {"text": _("事项在哪一级化解"), "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [label for _level, label, _count in stats["per_level"]],
        },
        "yAxis": {"type": "value", "name": _("件")},
        "series": [
            {
                "type": "bar",
                "data": [n for _level, _label, n in stats["per_level"]],
                "itemStyle": {"color": "#1f4e8c"},
                "label": {"show": True, "position": "top"},
            }
        ],
    }
    return render(
        request,
        "cases/funnel.html",
        {
            "stats": stats,
            "chart": chart,
            "start": start,
            "end": end,
            "area": area,
            "as_of": figures["as_of"],
            "function_area": function_area,
            "function_areas": FunctionAreaKind.choices,
            "by_area": by_area,
            "query": request.GET.urlencode(),
        },
    )
