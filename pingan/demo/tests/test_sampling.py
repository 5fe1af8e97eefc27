"""Rows sampled by the database: reproducible per seed, only the rows picked are read."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingan.demo.sampling import sample
from pingan.orgs.models import Division

pytestmark = pytest.mark.django_db


@pytest.fixture
def grids() -> list[int]:
    """The demo org tree's 1,971 grids (loaded once for the test session)."""
    keys = list(Division.objects.grids().values_list("pk", flat=True))
    assert len(keys) > 1000
    return keys


def picked(seed: int, count: int) -> list[int]:
    rows = sample(Division.objects.grids().values_list("pk", flat=True), count, random.Random(seed))
    return list(rows)


def test_the_same_seed_picks_the_same_rows_and_another_seed_others(grids):
    first = picked(1, 20)
    assert len(first) == len(set(first)) == 20
    assert picked(1, 20) == first
    assert picked(2, 20) != first
    # spread over the table, not the first or last keys
    keys = sorted(grids)
    assert set(first) != set(keys[:20]) and set(first) != set(keys[-20:])


def test_all_rows_when_fewer_than_asked_and_none_for_zero(grids):
    assert sorted(picked(3, len(grids) + 5)) == sorted(grids)
    assert picked(3, 0) == []


def test_only_the_rows_picked_come_back_in_one_query(grids):
    with CaptureQueriesContext(connection) as queries:
        rows = picked(4, 7)
    assert len(rows) == 7 and len(queries) == 1
    assert "LIMIT 7" in queries[0]["sql"]
