"""Early warning: the rising-count test, and one notice per episode, not per run."""

from datetime import timedelta

import numpy as np
import pytest

from pingan.core.models import Notice
from pingan.orgs.models import Division, Staff
from pingan.risk.early_warning import (
    NOTICE_KIND,
    episode_step,
    rising_test,
    warnings_refresh,
)
from pingan.risk.models import RiskSettings, RiskWarning

from .conftest import OTHER_STREET_GRID, WINDOW_END


def test_rising_test_flags_a_surge_and_not_the_usual_week():
    usual = np.full((1, 53), 2.0)
    surge = usual.copy()
    surge[0, -1] = 10
    assert not rising_test(usual, alpha=0.001, min_count=3)[0][0]
    assert rising_test(surge, alpha=0.001, min_count=3)[0][0]


def test_false_alarm_rate_under_poisson_counts_is_at_most_alpha():
    rng = np.random.default_rng(1)
    rates = rng.gamma(1.5, 1.5, size=20000)
    counts = rng.poisson(rates[:, None], size=(20000, 53))
    flags, _p = rising_test(counts, alpha=0.001, min_count=3)
    assert flags.mean() <= 0.0015  # 20,000 grid-weeks; the bound is 0.001 plus noise


def test_episode_step():
    t0 = WINDOW_END
    quiet = timedelta(days=14)
    step = episode_step({}, {1, 2}, at=t0, quiet=quiet)
    assert step.opened == {1, 2}
    step = episode_step({1: t0, 2: t0}, {1}, at=t0 + timedelta(days=7), quiet=quiet)
    assert (step.opened, step.continued, step.closed) == (set(), {1}, set())
    step = episode_step({1: t0, 2: t0}, set(), at=t0 + timedelta(days=14), quiet=quiet)
    assert step.closed == {1, 2}


@pytest.mark.django_db
def test_warnings_notify_dispatchers_once_per_episode(grid, make_case):
    # given: a quiet grid that suddenly has five cases in the last week
    for day in range(5):
        make_case(grid, WINDOW_END - timedelta(days=1 + day))
    config = RiskSettings.load()
    grids = list(Division.objects.filter(level="grid").order_by("path").values_list("pk", "path"))
    ids = np.array([pk for pk, _ in grids])
    paths = [path for _, path in grids]

    def run(at):
        return warnings_refresh(
            window_end=at, config=config, grid_ids=ids, grid_paths=paths, hotspot_flags={}, now=at
        )

    # when: the job runs, runs again, and runs the next day
    assert run(WINDOW_END) == 1
    notices = Notice.objects.filter(kind=NOTICE_KIND)
    recipients = set(notices.values_list("recipient__username", flat=True))
    assert {"street_dispatcher", "district_dispatcher"} <= recipients
    first_count = notices.count()
    assert run(WINDOW_END) == 0
    assert run(WINDOW_END + timedelta(days=1)) == 0
    # a rerun for the earlier window (risk_refresh --end) neither opens a second episode
    # beside the open one nor moves it back
    assert run(WINDOW_END) == 0
    # then: one notice per dispatcher, the episode still open with the latest flag
    assert notices.count() == first_count
    warning = RiskWarning.objects.get(grid=grid)
    assert warning.closed_at is None
    assert warning.last_flagged_at == WINDOW_END + timedelta(days=1)
    # a street dispatcher elsewhere hears nothing of this grid
    other_street = Division.objects.get(code=OTHER_STREET_GRID).parent.parent
    outsiders = Staff.objects.filter(unit__division=other_street, roles__code="dispatcher")
    assert not notices.filter(recipient__in=outsiders).exists()

    # when: two quiet weeks pass, the episode closes; a new surge is a new episode
    assert run(WINDOW_END + timedelta(days=16)) == 0
    warning.refresh_from_db()
    assert warning.closed_at == WINDOW_END + timedelta(days=16)
    for day in range(6):
        make_case(grid, WINDOW_END + timedelta(days=28 - day))
    assert run(WINDOW_END + timedelta(days=29)) == 1
    assert RiskWarning.objects.filter(grid=grid).count() == 2
    assert notices.count() == 2 * first_count


def test_measurement_finds_strong_surges_with_few_false_warnings():
    from pingan.risk.management.commands.risk_measure_warnings import simulate

    result = simulate(
        grids=400,
        weeks=110,
        mean_rate=0.6,
        dispersion=None,
        surges=40,
        surge_weeks=4,
        surge_factor=3,
        surge_extra=3,
        alpha=0.001,
        min_count=3,
        quiet_days=14,
        seed=5,
    )
    assert result["detected"] >= 32  # at least 80 % of strong surges
    assert 7 <= result["median_delay_days"] <= 14
    assert result["false_per_1000"] <= 2
