"""Scorecard arithmetic, level cut-offs, and every point traced to the fact it came from."""

import pytest

from pingan.persons.facts import PersonFacts
from pingan.persons.models import Scorecard, ScorecardBand
from pingan.persons.reference import DEFAULT_HIGH_FROM, DEFAULT_MEDIUM_FROM
from pingan.persons.scoring import LoadedScorecard, match_band


def facts(**values) -> PersonFacts:
    base = {
        "petitions_90d": 0,
        "cases_365d": 0,
        "open_cases": 0,
        "person_type": "released",
        "employment": "employed",
        "housing": "stable",
        "months_since_release": None,
        "violations": 0,
        "lost_contact_180d": 0,
        "age": 40,
    }
    base.update(values)
    return PersonFacts(values=base, cases={}, reviews=[])


@pytest.fixture
def default_card(db):
    return LoadedScorecard.load(Scorecard.objects.get(state="active"))


@pytest.mark.django_db
def test_a_person_with_nothing_against_them_scores_zero_and_is_low(default_card):
    rating = default_card.rate(facts())
    assert rating.total == 0
    assert rating.level == "low"
    assert all(line.points == 0 for line in rating.lines)


@pytest.mark.django_db
def test_points_add_up_and_cut_offs_place_the_level(default_card):
    # given 3 petitions (+2), unemployed (+2), released 6 months ago (+2), 1 violation (+1)
    rating = default_card.rate(
        facts(petitions_90d=3, employment="unemployed", months_since_release=6, violations=1)
    )
    points = {line.key: line.points for line in rating.lines}
    assert points["petitions_90d"] == 2
    assert points["employment"] == 2
    assert points["months_since_release"] == 2
    assert points["violations"] == 1
    assert rating.total == 7 == sum(points.values())
    assert rating.level == "high"


@pytest.mark.django_db
def test_level_boundaries_are_inclusive_from_the_cut_off():
    card = Scorecard.objects.get(state="active")
    assert (card.medium_from, card.high_from) == (DEFAULT_MEDIUM_FROM, DEFAULT_HIGH_FROM)
    assert card.level_for(card.medium_from - 1) == "low"
    assert card.level_for(card.medium_from) == "medium"
    assert card.level_for(card.high_from - 1) == "medium"
    assert card.level_for(card.high_from) == "high"


@pytest.mark.django_db
def test_every_point_names_its_fact_and_the_cases_behind_it(default_card):
    person = facts(petitions_90d=3, housing="unstable", lost_contact_180d=1)
    person.cases = {"petitions_90d": ["DC2026-000001", "DC2026-000002", "DC2026-000003"]}
    person.reviews = [11]
    rating = default_card.rate(person)
    scored = {line.key: line for line in rating.lines if line.points}
    assert scored["petitions_90d"].fact_text == "近 90 天内信访 3 次"
    assert scored["petitions_90d"].band == "3 次及以上"
    assert scored["petitions_90d"].cases == ["DC2026-000001", "DC2026-000002", "DC2026-000003"]
    assert scored["housing"].fact_text == "居住状况：无固定住所"
    assert scored["lost_contact_180d"].reviews == [11]
    # every line with points has a sentence stating its fact
    assert all(line.fact_text and line.band for line in scored.values())


def test_bands_are_half_open_ranges_with_missing_and_other():
    bands = [
        ScorecardBand(kind="range", lower=None, upper=1, label="0", points=0),
        ScorecardBand(kind="range", lower=1, upper=3, label="1–2", points=1),
        ScorecardBand(kind="range", lower=3, upper=None, label="≥3", points=2),
        ScorecardBand(kind="missing", label="缺失", points=5),
        ScorecardBand(kind="category", category="a", label="a", points=3),
        ScorecardBand(kind="other", label="其他", points=4),
    ]
    assert match_band(bands, 0).points == 0
    assert match_band(bands, 1).points == 1
    assert match_band(bands, 2.99).points == 1
    assert match_band(bands, 3).points == 2
    assert match_band(bands, None).points == 5
    assert match_band(bands, "a").points == 3
    assert match_band(bands, "b").points == 4
