"""Navigation for the base layout: only what the user's roles may open."""

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from pingan.orgs.access import role_codes, supervising_officer
from pingan.orgs.choices import CENTER_ROLES, RoleCode

from .notify import unread_count

# (url name, label, icon, roles that may open it; None = every signed-in user). The center's
# shared pages (the queue, whistles, the roster …) are for its own staff (CENTER_ROLES). An
# entry whose url name is None is a section heading, shown only above items the user may open.
NAVIGATION = [
    ("home", _("首页"), "house", None),
    (None, _("矛盾纠纷"), "", None),
    ("cases:queue", _("事项办理"), "inbox-fill", CENTER_ROLES),
    (
        "cases:case-new",
        _("登记事项"),
        "plus-square",
        {RoleCode.RECEPTIONIST, RoleCode.DISPATCHER, RoleCode.GRID_WORKER, RoleCode.LEADER},
    ),
    ("cases:approvals", _("待我审批"), "check2-square", {RoleCode.LEADER}),
    (
        "cases:supervisions",
        _("督办"),
        "exclamation-octagon",
        {
            RoleCode.LEADER,
            RoleCode.DISPATCHER,
            RoleCode.MEDIATOR,
            RoleCode.OFFICER,
            RoleCode.GRID_WORKER,
        },
    ),
    ("cases:funnel", _("四级化解"), "funnel", CENTER_ROLES),
    (None, _("协同联动"), "", None),
    ("collaboration:whistles", _("吹哨报到"), "megaphone", CENTER_ROLES),
    ("collaboration:talks", _("平安恳谈"), "chat-square-text", CENTER_ROLES),
    (
        "collaboration:board",
        _("四个清单"),
        "list-check",
        {RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.EVALUATOR, RoleCode.ADMINISTRATOR},
    ),
    (
        "collaboration:departments",
        _("部门响应"),
        "stopwatch",
        {
            RoleCode.DISPATCHER,
            RoleCode.LEADER,
            RoleCode.EVALUATOR,
            RoleCode.ADMINISTRATOR,
            RoleCode.OFFICER,
        },
    ),
    ("collaboration:roster", _("驻点值班"), "calendar-week", CENTER_ROLES),
    ("collaboration:officers", _("下沉干警"), "person-badge", CENTER_ROLES),
    (None, _("网格与风险"), "", None),
    ("patrol:home", _("网格巡查"), "person-walking", {RoleCode.GRID_WORKER}),
    (
        "patrol:report-list",
        _("网格上报"),
        "megaphone",
        {RoleCode.GRID_WORKER, RoleCode.DISPATCHER, RoleCode.LEADER},
    ),
    (
        "patrol:coverage",
        _("巡查覆盖"),
        "calendar-check",
        {RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.EVALUATOR},
    ),
    (
        "risk:map",
        _("风险地图"),
        "map",
        {RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.EVALUATOR, RoleCode.ADMINISTRATOR},
    ),
    ("risk:instructions", _("调度指令"), "send", CENTER_ROLES),
    (
        "persons:list",
        _("重点人员"),
        "person-badge",
        {
            RoleCode.GRID_WORKER,
            RoleCode.OFFICER,
            RoleCode.DISPATCHER,
            RoleCode.LEADER,
            RoleCode.ADMINISTRATOR,
        },
    ),
    ("persons:scorecards", _("风险评分卡"), "clipboard-data", {RoleCode.ADMINISTRATOR}),
    (None, _("刑罚执行"), "", None),
    (
        "corrections:release-list",
        _("刑释衔接"),
        "door-open",
        {
            RoleCode.PRISON_OFFICER,
            RoleCode.LEADER,
            RoleCode.DISPATCHER,
            RoleCode.OFFICER,
            RoleCode.GRID_WORKER,
        },
    ),
    (
        "corrections:file-list",
        _("减假暂审核"),
        "shield-check",
        {RoleCode.PRISON_OFFICER, RoleCode.AUDITOR},
    ),
    (
        "corrections:analysis",
        _("执法分析"),
        "graph-up",
        {RoleCode.PRISON_OFFICER, RoleCode.AUDITOR, RoleCode.LEADER},
    ),
    (None, _("考评与队伍"), "", None),
    ("evaluation:index", _("考评"), "clipboard-data", CENTER_ROLES),
    (
        "talent:overview",
        _("助理培养"),
        "mortarboard",
        {RoleCode.MENTOR, RoleCode.DEPARTMENT_HEAD, RoleCode.TALENT_COMMITTEE},
    ),
    ("talent:mine", _("我的培养"), "person-badge", {RoleCode.ASSISTANT}),
    ("talent:peers", _("同批互评"), "people", {RoleCode.ASSISTANT}),
    (None, _("基础信息"), "", None),
    ("orgs:division-root", _("区划网格"), "grid-3x3", CENTER_ROLES),
    ("orgs:unit-list", _("单位"), "building", CENTER_ROLES),
    (
        "orgs:staff-list",
        _("人员"),
        "people",
        {RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.EVALUATOR, RoleCode.ADMINISTRATOR},
    ),
    (
        "audit:personal-data",
        _("个人信息查看记录"),
        "eye",
        {RoleCode.LEADER, RoleCode.ADMINISTRATOR, RoleCode.SECURITY_AUDITOR},
    ),
    ("audit:log", _("审计日志"), "journal-text", {RoleCode.SECURITY_AUDITOR}),
    ("api-docs", _("接口文档"), "code-slash", {RoleCode.ADMINISTRATOR}),
]

MAP_LABELS = {
    "loading": _("正在加载地图…"),
    "empty": _("该区域暂无边界数据。管理员可用 import_boundaries 命令导入。"),
    "failed": _("地图加载失败，请刷新页面重试。"),
    "children": _("下级区划"),
}


# The pages each role opens most, pinned under 首页 in this order (常用): the menu is ordered
# by the job (a grid worker's patrol first, not ninth of sixteen); the rest follow by section.
FIRST_BY_ROLE = {
    RoleCode.GRID_WORKER: ("patrol:home", "patrol:report-list", "cases:queue"),
    RoleCode.RECEPTIONIST: ("cases:case-new", "cases:queue"),
    RoleCode.MEDIATOR: ("cases:queue", "cases:supervisions"),
    RoleCode.OFFICER: ("cases:queue", "collaboration:whistles"),
    RoleCode.DISPATCHER: ("cases:queue", "collaboration:whistles", "risk:map"),
    RoleCode.LEADER: ("cases:approvals", "cases:supervisions", "cases:funnel", "risk:map"),
    RoleCode.PRISON_OFFICER: ("corrections:release-list", "corrections:file-list"),
    RoleCode.AUDITOR: ("corrections:file-list",),
    RoleCode.EVALUATOR: ("evaluation:index",),
    RoleCode.ASSISTANT: ("talent:mine",),
    RoleCode.MENTOR: ("talent:overview",),
    RoleCode.DEPARTMENT_HEAD: ("talent:overview",),
    RoleCode.SECURITY_AUDITOR: ("audit:log", "audit:personal-data"),
}

# A person's own record, which exists only for those holding the role: not shown to a
# superuser who does not (it would open on "您还没有培养档案").
OWN_RECORD = frozenset({"talent:mine", "talent:peers"})

# The registers of people (key persons, released persons) that officers read only when the
# police or justice station them (``orgs.access.supervising_officer``).
REGISTERS = frozenset({"persons:list", "corrections:release-list"})


@lru_cache(maxsize=256)
def _menu(roles: frozenset[str], superuser: bool, script_prefix: str, registers: bool) -> tuple:
    """The menu for a set of roles: the same for everyone holding them, so worked out (and its
    ~40 URLs reversed) once per process and set of roles, not on every page (issue 27)."""
    allowed_names = [
        name
        for name, _label, _icon, allowed in NAVIGATION
        if name is not None
        and (
            allowed is None
            or (superuser and name not in OWN_RECORD)
            or _holds(roles, allowed, name, registers)
        )
    ]
    first = _first(roles, allowed_names)
    items = []
    for name, label, icon, _allowed in NAVIGATION:
        if name is None:
            items.append({"heading": label})
        elif name in allowed_names and name not in first:
            items.append({"url": reverse(name), "label": label, "icon": icon})
        if name == "home" and first:
            entries = {entry[0]: entry for entry in NAVIGATION}
            items.append({"heading": _("常用")})
            items.extend(
                {"url": reverse(pinned), "label": entries[pinned][1], "icon": entries[pinned][2]}
                for pinned in first
            )
    # drop headings with nothing under them
    return tuple(
        item
        for index, item in enumerate(items)
        if "heading" not in item or (index + 1 < len(items) and "heading" not in items[index + 1])
    )


def _first(roles: frozenset[str], allowed_names: list[str]) -> list[str]:
    """The pinned pages of the user's roles that they may open, each once, in the order of
    ``RoleCode`` (so a person holding two roles gets the same menu every time)."""
    first: list[str] = []
    for role in RoleCode:
        for name in FIRST_BY_ROLE.get(role, ()) if role in roles else ():
            if name in allowed_names and name not in first:
                first.append(name)
    return first


def _holds(roles: frozenset[str], allowed: set, name: str, registers: bool) -> bool:
    if name in REGISTERS and not registers:
        roles = roles - {RoleCode.OFFICER}
    return bool(roles & allowed)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = role_codes(user)
    registers = RoleCode.OFFICER not in roles or supervising_officer(user)
    menu = _menu(roles, user.is_superuser, get_script_prefix(), registers)
    # The item whose URL is the longest prefix of the current path is the active one.
    matching = [
        item
        for item in menu
        if "url" in item
        and (
            request.path == item["url"]
            or (item["url"] != "/" and request.path.startswith(item["url"]))
        )
    ]
    active = max(matching, key=lambda item: len(item["url"])) if matching else None
    items = [{**item, "active": item is active} if "url" in item else item for item in menu]
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
