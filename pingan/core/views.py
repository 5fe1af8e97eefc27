"""The home page and the error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pingan.orgs import selectors
from pingan.orgs.access import role_codes
from pingan.orgs.models import Role


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Real facts of the user's scope: the areas, units and staff they are responsible for."""
    user = request.user
    roots = selectors.scope_roots(user)
    single = roots[0] if len(roots) == 1 else None
    return render(
        request,
        "core/home.html",
        {
            "roots": roots,
            "summary": selectors.scope_summary(user),
            "children": selectors.children_with_counts(single, user) if single else [],
            "single_root": single,
            "columns": selectors.count_columns(single) if single else {},
            "roles": Role.objects.filter(code__in=role_codes(user)),
        },
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
