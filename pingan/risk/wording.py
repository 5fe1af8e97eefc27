"""A warning in words a leader reads at a glance (近1周新增9件，约为往常的3倍), and the
statistics behind it for whoever opens the details."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import WarningKind


@dataclass(frozen=True)
class Words:
    plain: str
    statistics: str


def warning_words(kind: str, data: dict) -> Words:
    if kind == WarningKind.RISING:
        recent, usual = data.get("last_week", 0), data.get("baseline_per_week") or 0
        plain = _("近1周新增%(recent)s件") % {"recent": recent}
        if usual:
            plain += _("，约为往常的%(ratio)s倍（往常每周约%(usual)s件）") % {
                "ratio": _ratio(recent / usual),
                "usual": _count(usual),
            }
        statistics = _(
            "泊松精确检验：上周 %(previous)s 件，本周 %(recent)s 件，以往每周 %(usual)s 件，"
            "p = %(p)s"
        ) % {
            "previous": data.get("previous_week", "—"),
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
