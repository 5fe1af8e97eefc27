"""Choices of risk monitoring and command (M7), with the colours the UI shows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskColour(models.TextChoices):
    """The three colours of the safety index (M7.1); the word is always shown with the colour."""

    GREEN = "green", _("低风险")
    YELLOW = "yellow", _("中风险")
    RED = "red", _("高风险")


# The hex colours of the map and badges (UI.md: red high, orange-yellow medium, green low).
COLOUR_HEX = {
    RiskColour.GREEN: "#2e9d5b",
    RiskColour.YELLOW: "#f0ad1f",
    RiskColour.RED: "#d6412f",
}


class ComponentKind(models.TextChoices):
    """How a component's baseline is read: a flow is counted over a period and scaled to the
    window's length; a stock is a level at a moment (the end of the period)."""

    FLOW = "flow", _("期间累计")
    STOCK = "stock", _("时点存量")


class WarningKind(models.TextChoices):
    RISING = "rising", _("数量异常上升")
    HOTSPOT = "hotspot", _("热点聚集")


class InstructionState(models.TextChoices):
    """States of a dispatch instruction (指挥调度指令, M7.2)."""

    ISSUED = "issued", _("已下达")
    ACCEPTED = "accepted", _("已签收")
    CLOSED = "closed", _("已办结")


OPEN_INSTRUCTION_STATES = (InstructionState.ISSUED, InstructionState.ACCEPTED)


class InstructionEventKind(models.TextChoices):
    ISSUE = "issue", _("下达")
    ACCEPT = "accept", _("签收")
    CLOSE = "close", _("办结反馈")


class WarningDispersion(models.TextChoices):
    """How the early warning treats counts that vary more than a Poisson process does."""

    ESTIMATED = "estimated", _("按历史数据估计（负二项）")
    POISSON = "poisson", _("不考虑（泊松）")
