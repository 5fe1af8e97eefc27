"""Chinese first (X3): the UI is zh-Hans unless the user chose another language."""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import check_for_language, gettext_lazy


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
            return HttpResponseBadRequest(
                str(self.MESSAGE), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
