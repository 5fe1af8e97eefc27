"""Navigation for the base layout: only what the user's roles may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode

from .notify import unread_count

# (url name, label, icon, roles that may open it; None = every signed-in user)
NAVIGATION = [
    ("home", _("首页"), "house", None),
    ("cases:queue", _("事项办理"), "inbox-fill", None),
    (
        "cases:case-new",
        _("登记事项"),
        "plus-square",
        {RoleCode.RECEPTIONIST, RoleCode.DISPATCHER, RoleCode.GRID_WORKER, RoleCode.LEADER},
    ),
    ("cases:funnel", _("四级化解"), "funnel", None),
    (
        "risk:map",
        _("风险地图"),
        "map",
        {RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.EVALUATOR, RoleCode.ADMINISTRATOR},
    ),
    ("risk:instructions", _("调度指令"), "send", None),
    ("orgs:division-root", _("区划网格"), "grid-3x3", None),
    ("orgs:unit-list", _("单位"), "building", None),
    (
        "orgs:staff-list",
        _("人员"),
        "people",
        {RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.EVALUATOR, RoleCode.ADMINISTRATOR},
    ),
    ("api-docs", _("接口文档"), "code-slash", {RoleCode.ADMINISTRATOR}),
]

MAP_LABELS = {
    "loading": _("正在加载地图…"),
    "empty": _("该区域暂无边界数据。管理员可用 import_boundaries 命令导入。"),
    "failed": _("地图加载失败，请刷新页面重试。"),
    "children": _("下级区划"),
}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(name), "label": label, "icon": icon, "active": False}
        for name, label, icon, roles in NAVIGATION
        if roles is None or has_role(user, *roles)
    ]
    # The item whose URL is the longest prefix of the current path is the active one.
    matching = [
        item
        for item in items
        if request.path == item["url"]
        or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return {
        "nav_items": items,
        "show_admin_link": user.is_staff,
        "map_labels": MAP_LABELS,
        "unread_notices": _unread_notices(request),
    }


def _unread_notices(request) -> int:
    """The top bar's unread count: one COUNT per request, however many templates render with
    the request (django-tables2 renders its table with the context processors again)."""
    if not hasattr(request, "_pingan_unread_notices"):
        request._pingan_unread_notices = unread_count(request.user)
    return request._pingan_unread_notices
