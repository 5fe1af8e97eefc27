"""Dashboard figures kept per scope (issue 27): computed by one request at a time."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from pingan.cases import selectors


def _keep(user, compute, *, now):
    return selectors.kept_for_scope(user, "test", ["q"], compute, seconds=60, now=now)


def _lock_of(user, now):
    """The lock a first computation takes, found by taking it once."""
    taken = []
    real_add = cache.add

    def spy(key, *args, **kwargs):
        taken.append(key)
        return real_add(key, *args, **kwargs)

    cache.add = spy
    try:
        _keep(user, lambda: {"n": 0}, now=now)
    finally:
        cache.add = real_add
    return taken[0]


@pytest.mark.django_db
def test_past_their_time_the_figures_are_shown_while_another_request_recomputes(staff):
    # given figures kept two minutes ago, and another request computing them now
    user, now = staff("street_leader"), timezone.now()
    lock = _lock_of(user, now - timedelta(minutes=2))
    assert cache.add(lock, True, 15)
    computed = []
    # when this request asks, it is shown the previous figures without computing
    figures = _keep(user, lambda: computed.append(1) or {"n": 1}, now=now)
    assert figures["n"] == 0 and figures["as_of"] == now - timedelta(minutes=2)
    assert not computed
    # and once the lock is free, the next request computes fresh figures, and frees it again
    cache.delete(lock)
    assert _keep(user, lambda: {"n": 2}, now=now)["n"] == 2
    assert cache.add(lock, True, 15)


@pytest.mark.django_db
def test_with_no_figures_yet_a_request_waits_for_the_one_computing_them(staff, monkeypatch):
    # given another request computing the first figures of the scope
    user, now = staff("street_leader"), timezone.now()
    lock = _lock_of(user, now)
    cache.clear()
    assert cache.add(lock, True, 15)
    key = lock.removesuffix(":computing")

    def other_finishes(seconds):
        cache.set(key, {"n": 7, "as_of": now}, 600)

    monkeypatch.setattr(selectors.time, "sleep", other_finishes)
    computed = []
    # when this request asks, it waits and takes the other's figures, computing nothing
    figures = _keep(user, lambda: computed.append(1) or {"n": 1}, now=now)
    assert figures["n"] == 7 and not computed
