"""Repeat and duplicate matters (M1.3): the same person, or the same matter, again."""

import importlib
import random
import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from pingan.cases import repeats
from pingan.cases.models import Case, RepeatKey
from pingan.cases.repeats import (
    BANDS,
    SAME_PARTY_REASON,
    band_keys,
    comparable,
    find_repeats,
    forget_expired,
    index_missing,
)
from pingan.cases.services import PartyInput
from pingan.demo.cases import DEMANDS, MATTERS
from pingan.orgs.models import Division

from .conftest import MONDAY_MORNING, VALID_ID

pytestmark = pytest.mark.django_db

LATER = MONDAY_MORNING + timedelta(days=10)
LEAK_AGAIN = "楼上住户的卫生间又漏水了，渗到我家楼下厨房，协商多次没有结果，请求调解并赔偿。"
WAGES = "公司拖欠工资三个月，老板一直推脱，申请人要求结清工资。"
SIMILAR = re.compile(r"^相似诉求（相似度 \d{2,3}%）$")


@pytest.fixture
def other_grid(grid):
    """Another grid of the same street, so the street clerk may register there."""
    return (
        Division.objects.filter(level="grid", path__startswith="/110101/110101001/")
        .exclude(pk=grid.pk)
        .order_by("path")
        .first()
    )


def _close_and_archive(case: Case, *, at) -> None:
    # Setting the state directly: the lifecycle to get there is tested in test_services.
    Case.objects.filter(pk=case.pk).update(state="archived", concluded_at=at, archived_at=at)


# --- the same person ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [VALID_ID, VALID_ID.lower(), f" {VALID_ID[:6]} {VALID_ID[6:]} "])
def test_the_same_id_number_in_an_open_case_is_a_repeat(register, grid, typed):
    # given an open case whose applicant has this ID number
    earlier, _ = register()

    # when someone with the same ID number (however typed) brings a different matter
    matches = find_repeats(id_numbers=[typed], narrative=WAGES, grid=grid, now=LATER)

    # then the earlier case is found, because the person is the same
    assert [(m.case, m.reason, m.score) for m in matches] == [(earlier, SAME_PARTY_REASON, 1.0)]


def test_an_open_case_older_than_the_window_still_counts(register, grid):
    earlier, _ = register(now=MONDAY_MORNING - timedelta(days=400))

    matches = find_repeats(id_numbers=[VALID_ID], narrative=WAGES, grid=grid, now=LATER)

    assert [m.case for m in matches] == [earlier]


def test_a_closed_case_counts_within_the_window_and_not_after_it(register, grid):
    # given an archived case registered 60 days before
    earlier, _ = register(now=LATER - timedelta(days=60))
    _close_and_archive(earlier, at=LATER - timedelta(days=30))

    def repeats(**window):
        return find_repeats(id_numbers=[VALID_ID], narrative=WAGES, grid=grid, now=LATER, **window)

    # then it is a repeat within the default 90 days, not within 30
    assert [m.case for m in repeats()] == [earlier]
    assert repeats(window_days=30) == []


def test_a_closed_case_older_than_the_window_is_not_a_repeat(register, grid, settings):
    settings.PINGAN_REPEAT_WINDOW_DAYS = 90
    earlier, _ = register(now=MONDAY_MORNING - timedelta(days=200))
    _close_and_archive(earlier, at=MONDAY_MORNING - timedelta(days=150))

    matches = find_repeats(id_numbers=[VALID_ID], narrative=WAGES, grid=grid, now=LATER)

    assert matches == []


def test_another_person_is_not_a_repeat(register, grid):
    register()

    matches = find_repeats(
        id_numbers=["110101199003074514", ""], narrative=WAGES, grid=grid, now=LATER
    )

    assert matches == []


# --- the same matter ------------------------------------------------------------------------


def test_a_similar_narrative_in_the_same_grid_is_a_repeat_with_its_similarity(register, grid):
    earlier, _ = register()  # the leak between neighbours

    matches = find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER)

    assert [m.case for m in matches] == [earlier]
    assert SIMILAR.match(matches[0].reason), matches[0].reason
    assert 0.8 <= matches[0].score < 1


def test_a_similar_narrative_in_another_grid_is_not_a_repeat(register, other_grid, grid):
    register(grid=other_grid)

    assert find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER) == []


@pytest.mark.parametrize("narrative", [WAGES, "请求调解。", "漏水", ""])
def test_an_unrelated_or_fragmentary_narrative_is_not_a_repeat(register, grid, narrative):
    register()

    assert find_repeats(id_numbers=[], narrative=narrative, grid=grid, now=LATER) == []


def test_a_similar_narrative_outside_the_window_is_not_a_repeat(register, grid):
    register(now=LATER - timedelta(days=91))

    assert find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER) == []


def test_the_similarity_threshold_is_a_setting(register, grid, settings):
    register()
    settings.PINGAN_REPEAT_SIMILARITY = 99

    assert find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER) == []


# --- together -------------------------------------------------------------------------------


def test_a_case_matching_both_ways_is_listed_once_first_with_both_reasons(register, grid):
    # given a case by the same person about the same leak, and one by someone else about it
    same_person, _ = register()
    someone_else, _ = register(parties=[PartyInput("applicant", "赵某某")])

    matches = find_repeats(id_numbers=[VALID_ID], narrative=LEAK_AGAIN, grid=grid, now=LATER)

    assert [m.case for m in matches] == [same_person, someone_else]
    assert matches[0].reason.startswith(SAME_PARTY_REASON + "；相似诉求（相似度 ")
    assert matches[0].score == 1.0 and SIMILAR.match(matches[1].reason)


def test_the_case_being_edited_is_not_its_own_repeat(register, grid):
    case, _ = register()

    matches = find_repeats(
        id_numbers=[VALID_ID],
        narrative=case.narrative,
        grid=grid,
        now=LATER,
        exclude_case_id=case.pk,
    )

    assert matches == []


def test_repeat_detection_takes_a_constant_number_of_queries(register, grid):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            found = find_repeats(
                id_numbers=[VALID_ID, "110101199003074514"],
                narrative=LEAK_AGAIN,
                grid=grid,
                now=LATER,
            )
        return len(captured), len(found)

    register()
    few_queries, few = queries()
    for _ in range(15):
        register()
    many_queries, many = queries()

    assert (few, many) == (1, 16)
    assert few_queries == many_queries <= 3


# --- the stored words -----------------------------------------------------------------------


def test_registration_stores_the_words_the_check_compares(register):
    case, _ = register()

    assert case.narrative_words == comparable(case.narrative)
    assert (
        Case.objects.get(pk=case.pk).narrative_words
        == "楼上住户 卫生间 漏水 渗到 楼下 厨房 多次 协商 未果 请求 调解 赔偿"
    )


def test_a_case_loaded_in_bulk_is_compared_once_indexed(register, grid):
    # given a case loaded in bulk: no stored words and no keys
    earlier, _ = register()
    Case.objects.filter(pk=earlier.pk).update(narrative_words=None)
    RepeatKey.objects.filter(case=earlier).delete()

    # then the check cannot see it
    assert find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER) == []

    # until repeat_index gives it its words and keys (once: a second run finds nothing to do)
    out = StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("repeat_index", stdout=out)
        call_command("repeat_index", stdout=out)
    assert out.getvalue().splitlines() == ["已建立索引的事项：1 件。", "已建立索引的事项：0 件。"]
    assert Case.objects.get(pk=earlier.pk).narrative_words == comparable(earlier.narrative)
    assert RepeatKey.objects.filter(case=earlier).count() == BANDS
    found = find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER)
    assert [m.case for m in found] == [earlier]


# --- bounded cost ---------------------------------------------------------------------------


@pytest.fixture
def small_limits(monkeypatch):
    """Limits small enough to exceed with a handful of cases."""
    monkeypatch.setattr(repeats, "BAND_LIMIT", 4)
    monkeypatch.setattr(repeats, "MATCH_LIMIT", 3)


def test_a_mass_complaint_returns_only_the_most_recent_matches(register, grid, small_limits):
    # given ten near-identical matters in one grid, registered a day apart
    cases = [register(now=MONDAY_MORNING + timedelta(days=day))[0] for day in range(10)]

    # when the same matter comes again
    with CaptureQueriesContext(connection) as captured:
        matches = find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER)

    # then only the three most recent are loaded and returned, in two queries
    assert [m.case for m in matches] == cases[:-4:-1]
    assert len(captured) == 2  # the candidates' words, the matching cases


def test_a_mass_complaint_does_not_hide_an_earlier_different_matter(register, grid, small_limits):
    # given an older matter about wages, then a mass complaint about a leak in the same grid
    wages, _ = register(narrative=WAGES, now=MONDAY_MORNING - timedelta(days=30))
    for day in range(8):
        register(now=MONDAY_MORNING + timedelta(days=day))

    # when the wages matter comes again, it is found
    matches = find_repeats(id_numbers=[], narrative=WAGES, grid=grid, now=LATER)

    assert [m.case for m in matches] == [wages]


def _corpus(seed: int) -> list[str]:
    """The demo's narratives (every matter with every demand), the two of these tests, and
    seeded variations of each: words dropped, filler words added, the order shuffled."""
    rng = random.Random(seed)
    texts = [f"{what}，{demand}" for matters in MATTERS.values() for _t, what in matters
             for demand in DEMANDS]  # fmt: skip
    texts = [comparable(text) for text in [*texts, LEAK_AGAIN, WAGES]]
    filler = [
        "又",
        "再次",
        "还是",
        "一直",
        "多次",
        "家里",
        "我们",
        "反映",
        "情况",
        "问题",
        "希望",
        "尽快",
    ]
    varied = []
    for text in texts:
        for _ in range(3):
            word_list = text.split()
            for _ in range(rng.randint(1, 3)):
                change = rng.random()
                if change < 0.4 and len(word_list) > 3:
                    word_list.pop(rng.randrange(len(word_list)))
                elif change < 0.8:
                    word_list.insert(rng.randrange(len(word_list) + 1), rng.choice(filler))
                else:
                    rng.shuffle(word_list)
            varied.append(" ".join(word_list))
    return list(dict.fromkeys(texts + varied))


@pytest.mark.parametrize("seed", [1, 2])
def test_every_pair_the_check_calls_similar_shares_a_band(seed):
    # given the demo's narratives and their variations, and every pair of them that the
    # check's similarity calls a repeat (what comparing with every case found before keys)
    texts = _corpus(seed)
    scores = (
        cdist(texts, texts, scorer=fuzz.token_set_ratio, workers=1)
        + cdist(texts, texts, scorer=fuzz.token_sort_ratio, workers=1)
    ) / 2
    keys = [set(band_keys(text)) for text in texts]
    similar = [
        (a, b)
        for a in range(len(texts))
        for b in range(a + 1, len(texts))
        if scores[a, b] >= repeats.DEFAULT_SIMILARITY
    ]

    # then each such pair shares a band, so the indexed read finds it
    assert len(similar) > 500
    assert [(texts[a], texts[b]) for a, b in similar if not keys[a] & keys[b]] == []


def test_the_migration_gives_the_cases_already_registered_their_keys(register, grid):
    # given cases registered before the keys existed, one of them loaded without words
    first, _ = register()
    second, _ = register(narrative=WAGES)
    Case.objects.filter(pk=second.pk).update(narrative_words=None)
    RepeatKey.objects.all().delete()

    # when the migration's data step runs
    migration = importlib.import_module("pingan.cases.migrations.0016_repeat_keys")
    with time_machine.travel(LATER, tick=False):
        migration.index_existing(django_apps, None)

    # then each case has the keys of its words, and the check finds it again
    for case, narrative in ((first, first.narrative), (second, WAGES)):
        stored = set(RepeatKey.objects.filter(case=case).values_list("key", flat=True))
        assert stored == set(band_keys(comparable(narrative)))
    found = find_repeats(id_numbers=[], narrative=WAGES, grid=grid, now=LATER)
    assert [m.case for m in found] == [second]


def test_keys_are_kept_for_the_window_only(register, grid, settings):
    # given a case registered 100 days before and one 10 days before, with a 90-day window
    settings.PINGAN_REPEAT_WINDOW_DAYS = 90
    old, _ = register(now=LATER - timedelta(days=100))
    recent, _ = register(now=LATER - timedelta(days=10))

    # when the nightly job forgets what the window no longer holds
    deleted = forget_expired(now=LATER)

    # then only the old case's keys are gone
    assert deleted == BANDS
    assert set(RepeatKey.objects.values_list("case", flat=True).distinct()) == {recent.pk}

    # and repeat_index gives them back once the window is made longer, and only then
    assert index_missing(now=LATER) == 0
    settings.PINGAN_REPEAT_WINDOW_DAYS = 120
    assert index_missing(now=LATER) == 1
    assert RepeatKey.objects.filter(case=old).count() == BANDS


def test_a_matter_registered_back_dated_compares_with_what_came_before_it(register, grid):
    # given a leak registered after the moment a ledger row is dated
    register(now=LATER + timedelta(days=5))

    # when the row's matter is checked as of its own date, the later case is not its repeat
    assert find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER) == []


def test_the_signature_is_pinned_so_stored_keys_stay_valid():
    # the hash functions are derived from fixed names, not from a library's random stream: if
    # this changes, every stored key is stale (delete them and run repeat_index)
    assert band_keys("楼上住户 卫生间 漏水")[:2] == (-2395660360657325689, -7962899581327976234)
    assert len(band_keys("楼上住户 卫生间 漏水")) == BANDS and band_keys("") == ()
