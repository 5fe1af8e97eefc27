"""The home page, the inbox, the password change page and the error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from pingan.cases import selectors as case_selectors
from pingan.orgs import selectors
from pingan.orgs.access import has_role, role_codes
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Role

from . import notify
from .actions import perform
from .forms import DigestForm, LoginForm
from .home import panels_for
from .inbox_api import DIGEST
from .models import Notice
from .services import audit_record

INBOX_PAGE_SIZE = 30


# Who oversees an area and so sees its overview (counts, divisions, map) under their own work;
# everyone else's home page is their work alone.
OVERVIEW_ROLES = frozenset(
    {RoleCode.LEADER, RoleCode.DISPATCHER, RoleCode.ADMINISTRATOR, RoleCode.EVALUATOR}
)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The user's own work first (``pingan.core.home``: each role's panels, counts that link
    to their lists), then, for those who oversee an area, the real facts of their scope."""
    user = request.user
    now = timezone.now()
    roles = role_codes(user)
    roots = selectors.scope_roots(user)
    overview = user.is_superuser or bool(roles & OVERVIEW_ROLES)
    single = roots[0] if overview and len(roots) == 1 else None
    context = {
        "roots": roots,
        "places": _places(user) if not roots else [],
        "roles": Role.objects.filter(code__in=roles),
        "panels": panels_for(user, now=now),
        "waiting": case_selectors.waiting_on(user),
        "overview": overview,
        "calendar_warning": case_selectors.calendar_warning(now=now)
        if has_role(user, RoleCode.ADMINISTRATOR)
        else None,
    }
    if overview:
        context |= {
            "summary": selectors.scope_summary(user),
            "children": selectors.children_with_counts(single, user) if single else [],
            "single_root": single,
            "columns": selectors.count_columns(single) if single else {},
            "cases": case_selectors.home_tiles(user, now=now),
            "boundaries_generated": selectors.boundaries_generated(),
        }
    return render(request, "core/home.html", context)


def _places(user) -> list[str]:
    """Where someone without an area works: their unit, and a prison officer's prisons."""
    places = [str(prison) for prison in user.prisons.all()]
    if user.unit_id:
        places.insert(0, str(user.unit))
    return places


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says."""
    return redirect(static("pingan/favicon.svg"), permanent=True)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """An unknown address under /api/ (an id the router's pattern refuses, say) answers in
    JSON like every API error; elsewhere the site's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("找不到该地址或对象。")}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context processors: they read the database, which may be
    what failed."""
    return HttpResponseServerError(loader.render_to_string("500.html"))


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's own notices (站内通知), newest first; unread ones stand out."""
    notices = Notice.objects.filter(recipient=request.user)
    page = Paginator(notices, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    digest = DigestForm(initial={"digest": "1" if request.user.notice_digest else "0"})
    return render(request, "core/inbox.html", {"page": page, "digest": digest})


@login_required
@require_POST
def inbox_digest(request: HttpRequest) -> HttpResponse:
    """Choose how routine notices reach the user by text: the same declared action as the
    API's ``POST /api/notices/digest/``."""
    form = DigestForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择短信提醒方式。"))
        return redirect("inbox:list")
    perform(DIGEST, None, request.user, form.cleaned_data)
    messages.success(
        request,
        gettext("已改为每日 8 点汇总一条短信（督办仍逐条发送）。")
        if form.cleaned_data["digest"]
        else gettext("已改为每条通知发送短信。"),
    )
    return redirect("inbox:list")


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notices read and open what it is about."""
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    notify.notice_mark_read(notice=notice, now=timezone.now())
    if notice.url and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.url)
    return redirect("inbox:list")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = notify.notices_mark_all_read(recipient=request.user, now=timezone.now())
    if count:
        messages.success(request, gettext("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("inbox:list")


class Login(auth_views.LoginView):
    """登录, with messages a clerk understands; the page says when two-factor login is off
    (the demo), so nobody mistakes the demo's settings for production's."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        off = not settings.PINGAN_TWO_FACTOR_ROLES
        return {**super().get_context_data(**kwargs), "two_factor_off": off}


class PasswordChange(auth_views.PasswordChangeView):
    """修改密码: the user's own password, under the site's password rules (length, letters,
    digits and symbols, none of the last five); recorded in the audit trail. Django ends the
    account's other sessions (their session hash no longer matches)."""

    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_rules": password_rules()}

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        form.user.password_changed_at = timezone.now()  # the holder's own change
        form.user.save(update_fields=["password_changed_at"])
        audit_record(actor=self.request.user, action="core.password_changed", target=form.user)
        messages.success(self.request, gettext("密码已修改。"))
        return response


def password_rules() -> list[str]:
    """The configured validators' rules, as the page lists them."""
    return password_validation.password_validators_help_texts()
