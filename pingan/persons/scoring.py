"""Scorecard arithmetic (M8.2): facts -> a band per factor -> integer points -> total -> level.

Every point is returned with the fact it came from (``Line.fact_text``) and the case numbers
or reviews it was counted from, so the person's page can show "近 90 天内信访 3 次 → +2 分"
with links to the cases.
"""

from dataclasses import asdict, dataclass, field

from .facts import FACTS, PersonFacts, describe
from .models import PersonType, Scorecard, ScorecardBand, ScorecardFactor


@dataclass
class Line:
    key: str
    factor: str
    value: object
    fact_text: str
    band: str
    points: int
    cases: list[str] = field(default_factory=list)
    reviews: list[int] = field(default_factory=list)


@dataclass
class Rating:
    total: int
    level: str
    lines: list[Line]

    def breakdown(self) -> list[dict]:
        return [asdict(line) for line in self.lines]


@dataclass(frozen=True)
class LoadedScorecard:
    """A scorecard with its factors and bands read once (two queries), for many persons."""

    scorecard: Scorecard
    factors: list[tuple[ScorecardFactor, list[ScorecardBand]]]
    type_names: dict[str, str]

    @classmethod
    def load(cls, scorecard: Scorecard) -> "LoadedScorecard":
        factors = list(scorecard.factors.prefetch_related("bands").order_by("position", "id"))
        names = dict(PersonType.objects.values_list("code", "name"))
        return cls(scorecard, [(f, list(f.bands.all())) for f in factors], names)

    def unknown_keys(self) -> list[str]:
        """Factors that are no fact of the register (a scorecard fitted on foreign data)."""
        return [factor.key for factor, _bands in self.factors if factor.key not in FACTS]

    def rate(self, facts: PersonFacts) -> Rating:
        lines = []
        for factor, bands in self.factors:
            value = facts.values.get(factor.key)
            band = match_band(bands, value)
            lines.append(
                Line(
                    key=factor.key,
                    factor=factor.label,
                    value=value,
                    fact_text=describe(factor.key, value, self.type_names),
                    band=band.label if band else "",
                    points=band.points if band else 0,
                    cases=list(facts.cases.get(factor.key, [])),
                    reviews=list(facts.reviews)
                    if FACTS.get(factor.key) and FACTS[factor.key].evidence == "reviews"
                    else [],
                )
            )
        total = sum(line.points for line in lines)
        return Rating(total=total, level=self.scorecard.level_for(total), lines=lines)


def match_band(bands: list[ScorecardBand], value) -> ScorecardBand | None:
    """The band a value falls in: missing for None, a range [lower, upper) for numbers, the
    equal category for text, else the "other categories" band."""
    if value is None or value == "":
        return next((b for b in bands if b.kind == "missing"), None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        for band in bands:
            if band.kind != "range":
                continue
            if (band.lower is None or value >= band.lower) and (
                band.upper is None or value < band.upper
            ):
                return band
        return None
    text = str(value)
    for band in bands:
        if band.kind == "category" and band.category == text:
            return band
    return next((b for b in bands if b.kind == "other"), None)
