"""Risk pages: the heat map, an area's index with the cases behind it, warnings, dispatch."""

import json
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.core.actions import perform
from pingan.core.errors import ApplicationError
from pingan.core.validators import parse_pk
from pingan.orgs import selectors as org_selectors
from pingan.orgs.access import access_division
from pingan.orgs.choices import Level, UnitKind
from pingan.orgs.models import Unit

from . import actions, selectors, services
from .access import access_instruction, require_monitor
from .choices import COLOUR_HEX, OPEN_INSTRUCTION_STATES, RiskColour
from .components import registered
from .filtersets import InstructionFilter, WarningFilter
from .forms import CloseForm, InstructionForm, VersionForm
from .models import IndexSnapshot, Instruction, RiskSettings, RiskWarning
from .tables import CaseBehindTable, InstructionTable, WarningTable
from .wording import warning_context

PAGE_SIZE = 50


def _legend(config: RiskSettings) -> list[dict]:
    return [
        {
            "colour": RiskColour.RED,
            "label": RiskColour.RED.label,
            "hex": COLOUR_HEX["red"],
            "range": f"≥ {config.red_threshold:g}",
        },
        {
            "colour": RiskColour.YELLOW,
            "label": RiskColour.YELLOW.label,
            "hex": COLOUR_HEX["yellow"],
            "range": f"{config.yellow_threshold:g} – {config.red_threshold:g}",
        },
        {
            "colour": RiskColour.GREEN,
            "label": RiskColour.GREEN.label,
            "hex": COLOUR_HEX["green"],
            "range": f"< {config.yellow_threshold:g}",
        },
    ]


def _formula_context(config: RiskSettings) -> dict:
    return {
        "config": config,
        "legend": _legend(config),
        "registered_components": registered(),
    }


@login_required
@require_GET
def risk_map(request: HttpRequest) -> HttpResponse:
    """The district heat map with the level switch, the period picker and the top areas."""
    require_monitor(request.user)
    level = request.GET.get("level", Level.COMMUNITY)
    if level not in selectors.MAP_LEVELS:
        level = Level.COMMUNITY
    windows = selectors.snapshot_windows()
    window_end = selectors.pick_window(request.GET.get("end"), windows)
    config = RiskSettings.load()
    context = {
        **_formula_context(config),
        "level": level,
        "levels": [(value, Level(value).label) for value in selectors.MAP_LEVELS],
        "boundaries_generated": org_selectors.boundaries_generated(),
        "windows": windows,
        "window_end": window_end,
        "open_warnings": RiskWarning.objects.visible_to(request.user).open().count(),
    }
    if window_end is not None:
        context["ranked"] = selectors.ranked_areas(request.user, level=level, window_end=window_end)
        context["counts"] = selectors.colour_counts(
            request.user, level=level, window_end=window_end
        )
        context["map_windows"] = [
            {"value": f"{timezone.localtime(end):%Y-%m-%d}"} for end in reversed(windows)
        ]
    return render(request, "risk/map.html", context)


@login_required
@require_GET
@gzip_page
def risk_map_data(request: HttpRequest) -> HttpResponse:
    """GeoJSON of one level and window, coloured by the stored index.

    Snapshots do not change once computed, so the encoded GeoJSON is cached per level, window,
    computation and scope (recomputing the window changes the key)."""
    require_monitor(request.user)
    level = request.GET.get("level", Level.COMMUNITY)
    if level not in selectors.MAP_LEVELS:
        return JsonResponse({"error": _("层级参数不正确。")}, status=400)
    window_end = selectors.pick_window(request.GET.get("end"), selectors.snapshot_windows())
    if window_end is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    key = selectors.map_cache_key(request.user, level=level, window_end=window_end)
    body = cache.get(key)
    if body is None:
        features = selectors.map_features(request.user, level=level, window_end=window_end)
        body = json.dumps(features, ensure_ascii=False, separators=(",", ":"))
        cache.set(key, body, timeout=24 * 3600)
    return HttpResponse(body, content_type="application/json")


@login_required
@require_GET
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One area's index, its components and formula, its history and the cases behind it."""
    require_monitor(request.user)
    division = access_division(code, request.user)
    if division.level == Level.DISTRICT:
        return redirect("risk:map")
    windows = selectors.snapshot_windows()
    window_end = selectors.pick_window(request.GET.get("end"), windows)
    snapshot = (
        IndexSnapshot.objects.filter(division=division, window_end=window_end).first()
        if window_end
        else None
    )
    config = RiskSettings.load()
    history = selectors.area_history(division)
    table = CaseBehindTable(selectors.cases_behind(request.user, division, snapshot))
    RequestConfig(request, paginate={"per_page": 20}).configure(table)
    return render(
        request,
        "risk/area.html",
        {
            **_formula_context(config),
            "division": division,
            "breadcrumbs": org_selectors.breadcrumbs(division, request.user),
            "snapshot": snapshot,
            "components": selectors.component_rows(snapshot.components) if snapshot else [],
            "window_end": window_end,
            "history_chart": selectors.history_chart(history, config) if history else None,
            "table": table,
            "children": (
                IndexSnapshot.objects.visible_to(request.user)
                .filter(window_end=window_end, division__parent=division)
                .select_related("division")
                .order_by("-value")
                if window_end and division.level != Level.GRID
                else []
            ),
            "warnings": _worded(
                RiskWarning.objects.filter(path__startswith=division.path)
                .open()
                .select_related("grid")
                .order_by("-opened_at")[:10]
            ),
            "instructions": Instruction.objects.visible_to(request.user)
            .filter(path__startswith=division.path)
            .open()
            .select_related("unit")
            .order_by("due_at")[:10],
            "may_issue": services.may_issue(request.user) and division.level == Level.GRID,
            "now": timezone.now(),
        },
    )


def _worded(warnings) -> list[RiskWarning]:
    for warning in warnings:
        warning.detail = warning_context(warning)
    return list(warnings)


@login_required
@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    require_monitor(request.user)
    data = request.GET.copy()
    data.setdefault("status", "open")
    queryset = RiskWarning.objects.visible_to(request.user).select_related("grid__parent__parent")
    filterset = WarningFilter(data, queryset=queryset, request=request)
    table = WarningTable(filterset.qs)
    config = RiskSettings.load()
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "risk/warnings.html",
        {"filter": filterset, "table": table, "config": config, **_measured(config)},
    )


def _measured(config: RiskSettings) -> dict:
    """The early warning's measured effect at the current settings, as the page states it."""
    measured = config.warning_measurement()
    if measured is None:
        return {"measured": None}
    return {
        "measured": measured,
        "measured_at": datetime.fromisoformat(measured["measured_at"]),
        "measured_share": round(100 * measured["detected_share"]["value"]),
        "measured_per_week": measured["false_per_1000"]["value"] * measured["grids"] / 1000,
    }


@login_required
@require_GET
def instruction_list(request: HttpRequest) -> HttpResponse:
    """Instructions of the user's area and those addressed to their unit; overdue in red."""
    queryset = Instruction.objects.visible_to(request.user).select_related("grid", "unit")
    filterset = InstructionFilter(request.GET, queryset=queryset, request=request)
    table = InstructionTable(filterset.qs, now=timezone.now())
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(
        request,
        "risk/instructions.html",
        {"filter": filterset, "table": table, "may_issue": services.may_issue(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def instruction_new(request: HttpRequest) -> HttpResponse:
    """Issue an instruction for a grid (from the map's grid page or from a warning)."""
    if not services.may_issue(request.user):
        raise PermissionDenied
    code = request.GET.get("grid") or request.POST.get("grid") or ""
    if not code:
        raise Http404
    grid = access_division(code, request.user)
    if grid.level != Level.GRID:
        raise Http404
    warning = None
    warning_id = request.GET.get("warning") or request.POST.get("warning")
    if warning_id:
        warning = (
            RiskWarning.objects.visible_to(request.user)
            .filter(pk=parse_pk(warning_id), grid=grid)
            .first()
        )
        if warning is None:
            raise Http404
    # the grid's community committee is the usual first responder
    community = Unit.objects.filter(
        division=grid.parent_id, kind=UnitKind.COMMUNITY, is_active=True
    ).first()
    initial = {"due_at": timezone.localtime() + timezone.timedelta(days=3), "unit": community}
    if warning is not None:
        initial["title"] = _("核查%(grid)s%(kind)s") % {
            "grid": grid.name,
            "kind": warning.get_kind_display(),
        }
    form = InstructionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            instruction = perform(
                actions.ISSUE,
                None,
                request.user,
                {**form.cleaned_data, "grid": grid, "warning": warning},
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("指令 %(number)s 已下达，承办单位已收到通知。") % {"number": instruction.number},
            )
            return redirect("risk:instruction-detail", number=instruction.number)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "risk/instruction_new.html",
        {"form": form, "grid": grid, "warning": warning},
        status=status,
    )


@login_required
@require_GET
def instruction_detail(request: HttpRequest, number: str) -> HttpResponse:
    instruction = access_instruction(number, request.user)
    return _detail(request, instruction)


def _detail(request, instruction: Instruction, *, close_form=None, status: int = 200):
    user = request.user
    return render(
        request,
        "risk/instruction_detail.html",
        {
            "instruction": instruction,
            "events": instruction.events.select_related("actor").order_by("created_at", "id"),
            "is_overdue": instruction.state in OPEN_INSTRUCTION_STATES
            and instruction.due_at < timezone.now(),
            "may_accept": actions.may(user, "accept", instruction),
            "may_close": actions.may(user, "close", instruction),
            "close_form": close_form or CloseForm(initial={"version": instruction.version}),
            "version_form": VersionForm(initial={"version": instruction.version}),
        },
        status=status,
    )


def _act(request: HttpRequest, number: str, name: str, done: str) -> HttpResponse:
    """Run a declared instruction action from its page; a refusal re-renders the page."""
    instruction = access_instruction(number, request.user)
    declared = actions.ACTIONS[name]
    form = declared.form(request.POST)
    close_form = form if name == "close" else None
    if not form.is_valid():
        return _detail(request, instruction, close_form=close_form, status=400)
    try:
        perform(declared, instruction, request.user, form.cleaned_data)
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied from error
        form.add_error(None, error.message)
        messages.error(request, error.message)
        return _detail(request, instruction, close_form=close_form, status=error.status_code)
    messages.success(request, done)
    return redirect("risk:instruction-detail", number=number)


@login_required
@require_POST
def instruction_accept(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "accept", _("已签收。"))


@login_required
@require_POST
def instruction_close(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "close", _("指令已办结，下达指令的调度员已收到通知。"))
