"""Middleware: Chinese first (X3), NUL refusal, sliding sessions, password age and two-factor
login (X6), one structured log line per request (X7)."""

from datetime import timedelta

import structlog
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import check_for_language, gettext, gettext_lazy
from django_structlog.middlewares import RequestMiddleware

from .net import client_ip


class ChineseFirstLocaleMiddleware:
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language.

    Staff on an intranet share browsers set up in any language; the product speaks
    Simplified Chinese unless the user switched language (the cookie set by /i18n/setlang/).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RejectNulBytesMiddleware:
    """Refuse requests whose URL, query string, form or JSON body carries NUL, with a 400.

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a lookup
    (a filter, a related-object choice) would otherwise end in a database error.
    """

    MESSAGE = gettext_lazy("请求中包含非法字符，已拒绝。")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [request.path, *(v for values in request.GET.lists() for v in values[1])]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += [v for values in request.POST.lists() for v in values[1]]
        json_nul = request.content_type == "application/json" and (
            b"\\u0000" in request.body or b"\x00" in request.body
        )
        if json_nul or any("\x00" in value for value in values):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(self.MESSAGE)}, status=400)
            if request.path.startswith("/open311/"):  # Open311's error list
                body = [{"code": 400, "description": str(self.MESSAGE)}]
                return JsonResponse(body, status=400, safe=False)
            return HttpResponseBadRequest(
                str(self.MESSAGE), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class SlidingSessionMiddleware:
    """A signed-in session ends after ``SESSION_COOKIE_AGE`` without use, as
    ``SESSION_SAVE_EVERY_REQUEST`` made it; but its expiry is pushed forward at most once every
    ``REFRESH_SECONDS``, not on every request. Saving on every request signed and wrote the
    session row on every page view, a write transaction that SQLite serialises across the
    workers (issue 27). The idle limit is thereby kept to within five minutes."""

    REFRESH_SECONDS = 5 * 60
    KEY = "_pingan_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            if now - request.session.get(self.KEY, 0) >= self.REFRESH_SECONDS:
                # a change to the session makes SessionMiddleware save it with a new expiry
                request.session[self.KEY] = now
        return self.get_response(request)

    @classmethod
    def signed_in(cls, sender, request, user, **kwargs):
        """Signing in saves the session anyway: count its expiry as refreshed from then."""
        if request is not None and hasattr(request, "session"):
            request.session[cls.KEY] = int(timezone.now().timestamp())


class PasswordAgeMiddleware:
    """When ``PINGAN_PASSWORD_MAX_AGE_DAYS`` is set (等保: passwords changed periodically), a
    signed-in user whose own password is older, or who never set one themselves (an
    administrator gave it), is sent to 修改密码 before any other page. API clients, who cannot
    change it there, are not stopped. Reads nothing beyond the user already loaded."""

    ALLOWED = ("/accounts/", "/static/", "/api/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        days = settings.PINGAN_PASSWORD_MAX_AGE_DAYS
        user = getattr(request, "user", None)
        if (
            days
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED)
        ):
            changed = user.password_changed_at
            if changed is None or changed < timezone.now() - timedelta(days=days):
                text = gettext(
                    "您的密码已超过 %(days)s 天未修改（或是管理员设置的初始密码），请先修改密码。"
                )
                messages.warning(request, text % {"days": days})
                return redirect("password-change")
        return self.get_response(request)


class TwoFactorMiddleware:
    """A signed-in user whose role needs two factors (``PINGAN_TWO_FACTOR_ROLES``) and whose
    session has not given the second one reaches only the two-factor pages and signing out:
    the rest of the site sends them there, and a session call to the API is refused in JSON.
    Token calls are unaffected: a token is issued only against a code."""

    ALLOWED = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/", "/jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import twofactor

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.ALLOWED)
            and twofactor.required(user)
        ):
            if request.path.startswith("/api/"):
                text = gettext("请先在网页上完成双因素验证。")
                return JsonResponse({"detail": text}, status=403)
            name = "two-factor-verify" if twofactor.enrolled(user) else "two-factor"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request log (request_started, request_finished with the status), with
    the request id, the user's id and the client's address on every line logged meanwhile.

    The logged request is the method and path without the query string, which may carry an ID
    number or a name someone searched for; the address is the one behind a trusted proxy
    (``client_ip``), not whatever ``X-Forwarded-For`` says. The response names its request id
    (``X-Request-ID``), so a reported error can be found in the log.
    """

    @staticmethod
    def format_request(request) -> str:
        return f"{request.method} {request.path}"

    @classmethod
    def bind_ip(cls, request) -> None:
        structlog.contextvars.bind_contextvars(ip=client_ip(request))

    def handle_response(self, request, response) -> None:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            response.headers.setdefault("X-Request-ID", request_id)
        super().handle_response(request, response)
