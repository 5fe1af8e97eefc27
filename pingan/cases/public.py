"""The public progress page (进度查询, M1.4): no login, no personal data, no staff names.

Wrong codes are rate-limited per address and per case number through the cache, so the
six-digit code cannot be guessed by trying.
"""

import hmac

from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from pingan.core.net import client_ip

from .choices import EventKind, State
from .models import Case
from .selectors import DeadlineWords
from .services import query_code_digest

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
# What a citizen sees of the timeline: the step, never who did it.
PUBLIC_STEPS = {
    EventKind.REGISTER: gettext_lazy("已登记"),
    EventKind.ACCEPT: gettext_lazy("已受理"),
    EventKind.REJECT: gettext_lazy("不予受理"),
    EventKind.ASSIGN: gettext_lazy("已交办承办单位"),
    EventKind.START_MEDIATION: gettext_lazy("调处中"),
    EventKind.ESCALATE: gettext_lazy("转上级综治中心办理"),
    EventKind.ASSIGN_DOWN: gettext_lazy("交由属地就近办理"),
    EventKind.JOINT: gettext_lazy("多部门联动调处"),
    EventKind.EXTENSION_APPROVE: gettext_lazy("经批准延长办理期限"),
    EventKind.CONCLUDE: gettext_lazy("已办结"),
    EventKind.FOLLOW_UP: gettext_lazy("已回访"),
    EventKind.REOPEN: gettext_lazy("根据回访意见重新办理"),
    EventKind.ARCHIVE: gettext_lazy("已归档"),
}


# What happens next, in plain words, by state (no names, no units' internal steps).
NEXT_STEPS = {
    State.REGISTERED: gettext_lazy("综治中心将审核是否受理，受理后开始计算办理期限。"),
    State.ACCEPTED: gettext_lazy("综治中心正在安排承办单位。"),
    State.ASSIGNED: gettext_lazy("承办单位将与您联系，组织调解或处理。"),
    State.MEDIATING: gettext_lazy("正在调解处理，请保持电话畅通。"),
    State.REJECTED: gettext_lazy("本事项不予受理，理由已告知；如有疑问可到综治中心窗口咨询。"),
    State.CONCLUDED: gettext_lazy("已办结，综治中心将回访了解您是否满意。"),
    State.FOLLOWED_UP: gettext_lazy("已办结并回访，感谢您的反馈。"),
    State.ARCHIVED: gettext_lazy("已办结归档。"),
}


def _locked(*keys: str) -> bool:
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in keys)


def _fail(*keys: str) -> None:
    for key in keys:
        cache.add(key, 0, LOCK_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, LOCK_SECONDS)


@require_http_methods(["GET", "POST"])
def public_query(request):
    context = {"number": request.GET.get("number", "")[:20], "error": "", "case": None, "steps": []}
    if request.method == "GET":
        return render(request, "cases/public_query.html", context)
    number = (request.POST.get("number") or "").strip().upper()
    code = (request.POST.get("code") or "").strip()
    context["number"] = number
    ip_key, number_key = f"pq:ip:{client_ip(request) or 'unknown'}", f"pq:no:{number}"
    if _locked(ip_key, number_key):
        context["error"] = _(
            "查询失败次数过多，请 15 分钟后再试，或携带身份证件到综治中心窗口查询。"
        )
        return render(request, "cases/public_query.html", context, status=429)
    case = Case.objects.filter(number=number).only("id", "number", "query_code_hash").first()
    expected = case.query_code_hash if case else query_code_digest("none", "none")
    if (
        not code.isdigit()
        or case is None
        or not hmac.compare_digest(expected, query_code_digest(number, code))
    ):
        _fail(ip_key, number_key)
        context["error"] = _("事项编号或查询码不正确，请核对回执后重新输入。")
        return render(request, "cases/public_query.html", context, status=400)
    cache.delete(number_key)
    case = Case.objects.select_related("category").get(pk=case.pk)
    context["case"] = case
    context["next_step"] = NEXT_STEPS[case.state]
    # The deadline while the clock runs, in the words staff see (剩余 3 天 / 已超期 1 天).
    DeadlineWords(now=timezone.now()).label(case)
    context["steps"] = [
        {"label": PUBLIC_STEPS[kind], "at": at}
        for kind, at in case.events.order_by("created_at", "id").values_list("kind", "created_at")
        if kind in PUBLIC_STEPS
    ]
    return render(request, "cases/public_query.html", context)
