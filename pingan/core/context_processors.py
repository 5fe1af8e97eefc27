"""Navigation for the base layout: only what the user's roles may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pingan.orgs.access import has_role
from pingan.orgs.choices import RoleCode

# (url name, label, icon, roles that may open it; None = every signed-in user)
NAVIGATION = [
    ("home", _("首页"), "house", None),
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
    items = []
    for name, label, icon, roles in NAVIGATION:
        if roles is not None and not has_role(user, *roles):
            continue
        url = reverse(name)
        active = request.path == url if name == "home" else request.path.startswith(url)
        items.append({"url": url, "label": label, "icon": icon, "active": active})
    return {"nav_items": items, "show_admin_link": user.is_staff, "map_labels": MAP_LABELS}
