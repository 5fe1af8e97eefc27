"""Scoring rules (计分规则): how an indicator's value becomes points, and what a rule needs.

Every rule gives between 0 and the indicator's weight (its 分值):

- linear (按目标线性计分): higher-is-better scores ``weight × value / target``, capped at the
  weight; lower-is-better scores the full weight at or under the target and
  ``weight × target / value`` above it.
- banded (分档计分): ``bands`` is a list of ``[threshold, fraction]``; the first band the value
  reaches (``>=`` when higher is better, ``<=`` when lower is better) gives ``weight × fraction``;
  below every band, 0.
- pass/fail (达标得分): the full weight when the value meets the target, else 0.
- deduction (按次扣分): ``weight − points_per_event × value`` (value counts events), not below 0.
- capped (按次加分): ``points_per_event × value``, not above the weight.

A subject without data (a rate with no cases behind it) scores 0 and says so.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .choices import Direction, Rule

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class RuleSpec:
    """What a scoring rule works with, independent of where it is stored."""

    rule: str
    weight: Decimal
    direction: str = Direction.HIGHER
    target: Decimal | None = None
    bands: tuple = ()
    points_per_event: Decimal | None = None


def rule_problems(spec: RuleSpec) -> list[str]:
    """What is missing or wrong for this rule, in words an evaluator understands."""
    problems = []
    if spec.rule in (Rule.LINEAR, Rule.PASS_FAIL) and spec.target is None:
        problems.append(_("“%(rule)s”需要填写目标值。") % {"rule": Rule(spec.rule).label})
    if spec.rule == Rule.LINEAR and spec.target is not None and spec.target <= 0:
        problems.append(_("按目标线性计分的目标值必须大于 0。"))
    if spec.rule in (Rule.DEDUCTION, Rule.CAPPED) and not spec.points_per_event:
        problems.append(_("“%(rule)s”需要填写每次分值。") % {"rule": Rule(spec.rule).label})
    if spec.rule == Rule.BANDED:
        problems.extend(_band_problems(spec.bands))
    return problems


def _band_problems(bands) -> list[str]:
    if not bands:
        return [_("分档计分至少需要一档，格式如 [[0.95, 1], [0.9, 0.8]]。")]
    for band in bands:
        if (
            not isinstance(band, list | tuple)
            or len(band) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in band)
        ):
            return [_("每一档应为 [门槛值, 得分比例] 两个数字。")]
        if not 0 <= band[1] <= 1:
            return [_("得分比例应在 0 到 1 之间。")]
    return []


def score(spec: RuleSpec, value: float | None) -> Decimal:
    """The points for ``value`` under ``spec`` (0 when there is no value)."""
    if value is None:
        return Decimal("0.00")
    weight = float(spec.weight)
    higher = spec.direction == Direction.HIGHER
    if spec.rule == Rule.LINEAR:
        target = float(spec.target)
        if higher:
            points = weight * value / target
        else:
            points = weight if value <= target else weight * target / value
    elif spec.rule == Rule.BANDED:
        points = 0.0
        for threshold, fraction in sorted(spec.bands, key=lambda band: band[0], reverse=higher):
            if (value >= threshold) if higher else (value <= threshold):
                points = weight * fraction
                break
    elif spec.rule == Rule.PASS_FAIL:
        target = float(spec.target)
        points = weight if ((value >= target) if higher else (value <= target)) else 0.0
    elif spec.rule == Rule.DEDUCTION:
        points = weight - float(spec.points_per_event) * value
    elif spec.rule == Rule.CAPPED:
        points = float(spec.points_per_event) * value
    else:
        raise ValueError(spec.rule)
    points = min(max(points, 0.0), weight)
    return Decimal(repr(points)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
