"""The account pages beside 修改密码 (X6): 接口令牌 (one's API tokens) and 双因素认证 (setting up
the authenticator app, giving its code after the password, recovery codes, and an
administrator's reset). The actions are the API's declarations, run through ``perform``."""

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from . import tokens, twofactor
from .account_api import TOKEN_ISSUE, TOKEN_REVOKE, TWO_FACTOR_RESET
from .actions import perform
from .errors import ApplicationError
from .forms import CodeForm, TokenForm, TokenRevokeForm, TwoFactorResetForm
from .models import ApiToken

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """接口令牌: the caller's tokens (an administrator's page holds everyone's, searchable by
    username) and a form for a new one, whose text is shown on this response alone."""
    form, issued = TokenForm(), None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, issued = perform(TOKEN_ISSUE, None, request.user, form.cleaned_data)
                form = TokenForm()
            except ApplicationError as exc:
                form.add_error("name", exc.message)
    visible = ApiToken.objects.visible_to(request.user)
    who = request.GET.get("user", "").strip()[:150]
    if who:
        visible = visible.filter(user__username=who)
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/tokens.html",
        {
            "page": page,
            "form": form,
            "issued": issued,
            "who": who,
            "pager_query": f"{urlencode({'user': who})}&" if who else "",
            "is_admin": has_role(request.user, RoleCode.ADMINISTRATOR),
            "revoke_form": TokenRevokeForm(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, key: str) -> HttpResponse:
    token = tokens.token_find(request.user, key)
    form = TokenRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("撤销原因不能超过 500 个字。"))
        return redirect("tokens")
    try:
        perform(TOKEN_REVOKE, token, request.user, form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("tokens")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """双因素认证: its state for the user; until the app is set up, the QR code to scan and the
    code that confirms it, after which the recovery codes are shown once."""
    user, form, codes = request.user, CodeForm(), None
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                codes = twofactor.enrol(user=user, code=form.cleaned_data["code"])
            except ApplicationError as exc:
                form.add_error("code", exc.message)
            else:
                django_otp.login(request, twofactor.app_device(user))
                messages.success(request, gettext("手机验证器已设置。"))
    enrolled = twofactor.enrolled(user)
    device = None if enrolled else twofactor.pending_device(user)
    return render(
        request,
        "core/two_factor.html",
        {
            "form": form,
            "codes": codes,
            "enrolled": enrolled,
            "required": twofactor.required(user),
            "recovery_left": twofactor.recovery_left(user) if enrolled else 0,
            "qr": twofactor.qr_svg(device) if device else "",
            "secret": twofactor.secret_text(device) if device else "",
            "next": _next(request),
        },
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes, shown once (only in a session that gave its second factor)."""
    if twofactor.enrolled(request.user) and not request.user.is_verified():
        raise PermissionDenied
    try:
        codes = twofactor.recovery_codes_renew(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("two-factor")
    return render(
        request,
        "core/two_factor.html",
        {"codes": codes, "enrolled": True, "required": twofactor.required(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the authenticator's code (or a recovery code) for this session."""
    if not twofactor.enrolled(request.user):
        return redirect("two-factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify(user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            django_otp.login(request, device)
            return redirect(_next(request) or "home")
    return render(request, "core/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_reset(request: HttpRequest, pk: str) -> HttpResponse:
    """An administrator's reset of one person's second factor, with the reason they are told."""
    if not has_role(request.user, RoleCode.ADMINISTRATOR):
        raise PermissionDenied
    staff = get_object_or_404(Staff.objects.select_related("unit"), pk=pk)
    form = TwoFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            perform(TWO_FACTOR_RESET, staff, request.user, form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(
                request, gettext("已重置 %(name)s 的双因素认证。") % {"name": staff.name}
            )
            return redirect("orgs:staff-list")
    return render(
        request,
        "core/two_factor_reset.html",
        {"form": form, "staff": staff, "enrolled": twofactor.enrolled(staff)},
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else ""
