"""Repeat and duplicate matters (M1.3): the same person, or the same matter, again."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingan.cases.models import Case
from pingan.cases.repeats import SAME_PARTY_REASON, comparable, find_repeats
from pingan.cases.services import PartyInput
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


def test_a_case_loaded_without_words_is_compared_and_then_keeps_its_words(register, grid):
    # given a case loaded in bulk, without the stored words
    earlier, _ = register()
    Case.objects.filter(pk=earlier.pk).update(narrative_words=None)

    # when a similar matter is checked, it is still found
    first = find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER)
    assert [m.case for m in first] == [earlier]

    # and its words are stored, so the next check reads them instead of tokenising again
    assert Case.objects.get(pk=earlier.pk).narrative_words == comparable(earlier.narrative)
    with CaptureQueriesContext(connection) as captured:
        again = find_repeats(id_numbers=[], narrative=LEAK_AGAIN, grid=grid, now=LATER)
    assert [(m.case, m.reason) for m in again] == [(m.case, m.reason) for m in first]
    assert len(captured) == 2  # the candidates' words, the matching cases
