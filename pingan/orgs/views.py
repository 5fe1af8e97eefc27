"""Pages of the org tree, units and staff; every one goes through the user's scope."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from pingan.core.services import personal_data_read

from . import selectors
from .access import access_division, access_staff, access_unit, has_role
from .choices import RoleCode
from .filtersets import StaffFilter, UnitFilter
from .models import Role, Staff, Unit
from .tables import StaffTable, UnitTable

PAGE_SIZE = 50
STAFF_DIRECTORY_ROLES = (
    RoleCode.DISPATCHER,
    RoleCode.LEADER,
    RoleCode.EVALUATOR,
    RoleCode.ADMINISTRATOR,
)


@login_required
@require_GET
def division_root(request: HttpRequest) -> HttpResponse:
    """Open the user's own area; with several areas (a grid worker's grids), list them."""
    roots = selectors.scope_roots(request.user)
    if len(roots) == 1:
        return redirect("orgs:division-detail", code=roots[0].code)
    return render(request, "orgs/division_roots.html", {"roots": roots})


@login_required
@require_GET
def division_detail(request: HttpRequest, code: str) -> HttpResponse:
    division = access_division(code, request.user)
    units = (
        Unit.objects.visible_to(request.user)
        .filter(division=division, is_active=True)
        .annotate(staff_count=Count("staff", filter=Q(staff__is_active=True)))
        # centers (street_center, district_center, community) before agencies
        .order_by("-kind", "name")
    )
    return render(
        request,
        "orgs/division_detail.html",
        {
            "division": division,
            "children": selectors.children_with_counts(division, request.user),
            "breadcrumbs": selectors.breadcrumbs(division, request.user),
            "columns": selectors.count_columns(division),
            "units": units,
        },
    )


@login_required
@require_GET
def division_map(request: HttpRequest, code: str | None = None) -> JsonResponse:
    """GeoJSON for the map on the home and division pages (no map tiles needed)."""
    parent = access_division(code, request.user) if code else None
    return JsonResponse(selectors.map_features(request.user, parent))


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    units = (
        Unit.objects.visible_to(request.user)
        .select_related("division")
        .annotate(staff_count=Count("staff", filter=Q(staff__is_active=True)))
    )
    return _table_page(request, "orgs/unit_list.html", UnitFilter, UnitTable, units)


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: str) -> HttpResponse:
    unit = access_unit(pk, request.user)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "areas": unit.function_areas.order_by("kind", "name"),
            "serves": unit.serves.order_by("code"),
            "subunits": Unit.objects.visible_to(request.user).filter(parent=unit).order_by("name"),
            "staff_count": Staff.objects.visible_to(request.user)
            .filter(unit=unit, is_active=True)
            .count(),
        },
    )


def _table_page(
    request, template, filterset_class, table_class, queryset, exclude=()
) -> HttpResponse:
    """A filtered, sorted, paged table: filters from the URL, so it can be shared."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    table = table_class(filterset.qs, exclude=exclude)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    return render(request, template, {"filter": filterset, "table": table})


def _require_directory(request: HttpRequest) -> None:
    if not has_role(request.user, *STAFF_DIRECTORY_ROLES):
        raise PermissionDenied


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    _require_directory(request)
    staff = (
        Staff.objects.visible_to(request.user)
        .filter(is_active=True)
        .select_related("unit")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("code")))
        .distinct()
    )
    exclude = () if has_role(request.user, RoleCode.ADMINISTRATOR) else ("account",)
    return _table_page(
        request, "orgs/staff_list.html", StaffFilter, StaffTable, staff, exclude=exclude
    )


@login_required
@require_POST
def staff_phone_reveal(request: HttpRequest, pk: str) -> HttpResponse:
    """Show one phone number in full; the read and its reason go to the audit trail."""
    _require_directory(request)
    person = access_staff(pk, request.user)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return render(
            request,
            "orgs/_staff_phone.html",
            {"record": person, "reveal_error": _("请填写查看理由，例如“联系调解事宜”。")},
            status=400,
        )
    with transaction.atomic():
        phone = personal_data_read(actor=request.user, obj=person, field="phone", reason=reason)
    return render(request, "orgs/_staff_phone.html", {"record": person, "revealed": phone})
