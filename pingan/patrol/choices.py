"""Choices of grid patrols and reports (M6), with the colours the UI shows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """What a report is about: 人、地、事、物、情 (people, places, events, objects, situations)."""

    PERSON = "person", _("人")
    PLACE = "place", _("地")
    EVENT = "event", _("事")
    OBJECT = "object", _("物")
    SITUATION = "situation", _("情")


# Longer words for forms and tables; the one-character labels above are the official terms.
KIND_HELP = {
    ReportKind.PERSON: _("人：重点人员、矛盾当事人、异常人员动态"),
    ReportKind.PLACE: _("地：出租房屋、场所、沿街商铺等地点隐患"),
    ReportKind.EVENT: _("事：矛盾纠纷、突发事件、治安问题"),
    ReportKind.OBJECT: _("物：消防设施、危险物品、公共设施损坏"),
    ReportKind.SITUATION: _("情：社情民意、群众诉求、舆情动向"),
}


class ReportSource(models.TextChoices):
    """How a report reached the platform."""

    PATROL = "patrol", _("网格员上报")
    OPEN311 = "open311", _("Open311 接口")


class PositionSource(models.TextChoices):
    """Where a report's position came from."""

    GPS = "gps", _("手机定位")
    GRID = "grid", _("网格中心点")
    CLIENT = "client", _("外部系统坐标")


class CheckItem(models.TextChoices):
    """What a grid worker checks on a daily patrol (日日格上走、事事格上巡)."""

    FIRE = "fire", _("消防通道与设施")
    RENTALS = "rentals", _("出租房屋")
    DISPUTES = "disputes", _("矛盾纠纷排查")
    KEY_PERSONS = "key_persons", _("重点人员走访")
    PUBLIC_ORDER = "public_order", _("治安秩序")
    SHOPS = "shops", _("沿街商铺")
    FACILITIES = "facilities", _("公共设施")
    ENVIRONMENT = "environment", _("环境卫生")
