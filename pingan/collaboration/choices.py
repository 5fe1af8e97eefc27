"""Choices of collaboration: named officers, whistles, safety talks and the four lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficerKind(models.TextChoices):
    """The four kinds of named officers (三官一师, M4.1)."""

    JUDGE = "judge", _("法官")
    PROSECUTOR = "prosecutor", _("检察官")
    POLICE = "police", _("警官")
    LAWYER = "lawyer", _("律师")


class SummonsState(models.TextChoices):
    """Where one summoned party stands (报到, M4.2); the colour the UI shows with the word."""

    SUMMONED = "summoned", _("待报到")
    ACKNOWLEDGED = "acknowledged", _("已报到")
    REPORTED = "reported", _("已反馈")

    @property
    def colour(self) -> str:
        return {"summoned": "yellow", "acknowledged": "blue", "reported": "green"}[self.value]


class TalkMode(models.TextChoices):
    """The three modes of a safety talk (平安恳谈, M5.1)."""

    FORUM = "forum", _("集中座谈")
    RANDOM = "random", _("随机访谈")
    TARGETED = "targeted", _("定向约访")


class ResultRating(models.TextChoices):
    """How far a task's result solved the problem (成效, M5.2)."""

    SOLVED = "solved", _("已解决")
    PARTLY = "partly", _("部分解决")
    UNSOLVED = "unsolved", _("未解决")


class ProgressKind(models.TextChoices):
    """An entry of the implementation list (落实清单): progress, or a supervision notice."""

    PROGRESS = "progress", _("进展")
    SUPERVISION = "supervision", _("督办")
