"""A warning in words a leader reads at a glance (近7天新增9件，约为该网格往常的3倍), the
statistics behind it for whoever opens the details, and the days of a surge as bars."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import WarningKind


@dataclass(frozen=True)
class Words:
    plain: str
    statistics: str


def warning_words(kind: str, data: dict) -> Words:
    if kind == WarningKind.RISING:
        recent, usual = data.get("recent", 0), data.get("usual_per_week") or 0
        plain = _("近7天新增%(recent)s件") % {"recent": recent}
        if usual:
            plain += _("，约为该网格往常的%(ratio)s倍（往常每周约%(usual)s件）") % {
                "ratio": _ratio(recent / usual),
                "usual": _count(usual),
            }
        inverse_k = data.get("inverse_k") or 0
        test = (
            _("负二项检验（离散度 1/k = %(inverse_k)s，由全区网格的历史数据估计）")
            % {"inverse_k": inverse_k}
            if inverse_k
            else _("泊松检验")
        )
        statistics = _("%(test)s：近7天 %(recent)s 件，往常每7天 %(usual)s 件，p = %(p)s") % {
            "test": test,
            "recent": recent,
            "usual": usual,
            "p": f"{data.get('p', 0):.1e}",
        }
        return Words(plain, statistics)
    z = data.get("z") or 0
    plain = (
        _("该网格及周边网格的事项高度集中，远高于全区一般水平")
        if z >= 3
        else _("该网格及周边网格的事项明显集中，高于全区一般水平")
    )
    statistics = _("Getis-Ord Gi* 热点分析：z = %(z)s，经 Benjamini–Hochberg 校正 q = %(q)s") % {
        "z": z,
        "q": f"{data.get('q', 0):.3f}",
    }
    return Words(plain, statistics)


def _ratio(value: float) -> str:
    """3.0 → 3, 2.46 → 2.5: a multiple as people say it."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _count(value: float) -> str:
    return str(round(value)) if value >= 1 else f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    height: float
    recent: bool


@dataclass(frozen=True)
class SurgeChart:
    bars: list[Bar]
    usual_y: float  # the usual daily level, in the chart's coordinates
    bar_width: float
    width: float
    height: float
    label: str


CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 168.0, 36.0, 1.0


def surge_chart(data: dict, end: datetime) -> SurgeChart | None:
    """The daily counts a rising warning keeps (the days to ``end``, its latest flag), as bars:
    the last 7 days (the window the test read) apart from those before, the usual daily level
    as a line."""
    days = data.get("days") or []
    if not days:
        return None
    usual = (data.get("usual_per_week") or 0) / 7
    top = max(max(days), usual, 1)
    step = CHART_WIDTH / len(days)
    last = timezone.localtime(end).date() - timedelta(days=1)
    bars = []
    for i, count in enumerate(days):
        height = CHART_HEIGHT * count / top
        bars.append(
            Bar(
                day=last - timedelta(days=len(days) - 1 - i),
                count=count,
                x=round(i * step, 2),
                y=round(CHART_HEIGHT - height, 2),
                height=round(height, 2),
                recent=i >= len(days) - 7,
            )
        )
    label = _("近%(days)s天每日新增：%(counts)s；往常每天约%(usual)s件") % {
        "days": len(days),
        "counts": "、".join(str(n) for n in days),
        "usual": f"{usual:.1f}",
    }
    return SurgeChart(
        bars,
        round(CHART_HEIGHT - CHART_HEIGHT * usual / top, 2),
        round(step - BAR_GAP, 2),
        CHART_WIDTH,
        CHART_HEIGHT,
        label,
    )


def warning_context(warning) -> dict:
    """What risk/_warning_detail.html shows of one warning: its words, and its days as bars."""
    return {
        "words": warning_words(warning.kind, warning.data),
        "chart": surge_chart(warning.data, warning.last_flagged_at),
    }
