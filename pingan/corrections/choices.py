"""Choices of the corrections app (M11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OffenceCategory(models.TextChoices):
    PROPERTY = "property", _("侵财类")
    VIOLENT = "violent", _("暴力类")
    DRUGS = "drugs", _("涉毒类")
    FRAUD = "fraud", _("诈骗类")
    DUTY = "duty", _("职务类")
    TRAFFIC = "traffic", _("交通肇事类")
    OTHER = "other", _("其他")


class ReleaseState(models.TextChoices):
    """A release hand-over (刑释衔接), from the prison's registration to the community's receipt."""

    REGISTERED = "registered", _("已登记")
    NOTIFIED = "notified", _("已通知社区")
    ARRIVED = "arrived", _("已报到")
    NO_SHOW = "no_show", _("未报到")


OPEN_RELEASE_STATES = (ReleaseState.REGISTERED, ReleaseState.NOTIFIED, ReleaseState.NO_SHOW)


class PlacementOutcome(models.TextChoices):
    OFFERED = "offered", _("已推荐")
    EMPLOYED = "employed", _("已就业")
    DECLINED = "declined", _("未录用")
    LEFT = "left", _("已离职")


class FundEntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("存入")
    DISBURSEMENT = "disbursement", _("支出")


class ReviewKind(models.TextChoices):
    """The three kinds of 减假暂 (commutation, parole, temporary release outside prison)."""

    COMMUTATION = "commutation", _("减刑")
    PAROLE = "parole", _("假释")
    TEMPORARY = "temporary", _("暂予监外执行")


class FileState(models.TextChoices):
    OPEN = "open", _("审核中")
    CONCLUDED = "concluded", _("已审结")


class Check(models.TextChoices):
    """One criterion's finding for an evidence item."""

    PENDING = "", _("未审")
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")


class HashAlgorithm(models.TextChoices):
    SM3 = "sm3", "SM3"
    SHA256 = "sha256", "SHA-256"


# What each entry of an evidence file's record chain (执法记录链) records, in words. The codes
# are part of each entry's hashed content, so they stay as written; only their labels are here.
RECORD_KINDS = {
    "opened": _("立卷"),
    "reviewed": _("初审"),
    "excluded": _("初审：不予采信"),
    "confirmed": _("复核"),
    "concluded": _("审结"),
}
