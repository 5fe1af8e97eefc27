"""manage.py risk_measure_warnings: how well the early warning works, on synthetic counts.

Weekly new-case counts for every grid are drawn from each grid's own rate (Poisson, or
negative binomial for over-dispersed data, with a yearly season), surges of known start are
injected into some grids, and the warning job's test and episode rules
(``pingan.risk.early_warning``) are run week by week exactly as the nightly job applies them.
It reports the share of surges detected while they last, the median delay from a surge's
start to its warning, and the false warnings (episodes opened outside any surge) per 1,000
grid-weeks, next to the raw share of flagged grid-weeks (the per-test false-alarm rate).
"""

from datetime import datetime, timedelta

import numpy as np
from django.core.management.base import BaseCommand

from pingan.risk.early_warning import WEEKS, episode_step, rising_test


def simulate(
    *,
    grids: int,
    weeks: int,
    mean_rate: float,
    dispersion: float | None,
    surges: int,
    surge_weeks: int,
    surge_factor: float,
    surge_extra: float,
    alpha: float,
    min_count: int,
    quiet_days: int,
    seed: int,
) -> dict:
    rng = np.random.default_rng(seed)
    rates = rng.gamma(1.2, mean_rate / 1.2, size=grids)
    season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(weeks) / 52)
    mu = rates[:, None] * season[None, :]
    surge_grids = rng.choice(grids, size=surges, replace=False)
    starts = rng.integers(WEEKS + 5, weeks - surge_weeks, size=surges)
    in_surge = np.zeros((grids, weeks), dtype=bool)
    for grid, start in zip(surge_grids, starts, strict=True):
        mu[grid, start : start + surge_weeks] = (
            mu[grid, start : start + surge_weeks] * surge_factor + surge_extra
        )
        in_surge[grid, start : start + surge_weeks] = True
    # negative binomial (a gamma-Poisson mixture) has mean mu and variance mu + mu²/dispersion
    counts = rng.poisson(rng.gamma(dispersion, mu / dispersion) if dispersion else mu)

    origin = datetime(2025, 1, 6)
    quiet = timedelta(days=quiet_days)
    open_episodes: dict[int, datetime] = {}
    first_warning: dict[int, int] = {}
    false_episodes = flagged_quiet = quiet_grid_weeks = 0
    # a surge grid is "not quiet" from its start until its episode may close again
    tail = int(np.ceil(quiet_days / 7))
    excluded = in_surge.copy()
    for grid, start in zip(surge_grids, starts, strict=True):
        excluded[grid, start : start + surge_weeks + tail] = True
    for week in range(WEEKS, weeks):
        flags, _p = rising_test(
            counts[:, week - WEEKS + 1 : week + 1], alpha=alpha, min_count=min_count
        )
        at = origin + timedelta(weeks=week)
        step = episode_step(open_episodes, np.flatnonzero(flags).tolist(), at=at, quiet=quiet)
        for grid in step.closed:
            del open_episodes[grid]
        for grid in step.opened | step.continued:
            open_episodes[grid] = at
        quiet_now = ~excluded[:, week]
        quiet_grid_weeks += int(quiet_now.sum())
        flagged_quiet += int((flags & quiet_now).sum())
        for grid in step.opened:
            if excluded[grid, week]:
                if in_surge[grid, week] and grid not in first_warning:
                    first_warning[grid] = week
            else:
                false_episodes += 1
        for grid in np.flatnonzero(flags & in_surge[:, week]):
            first_warning.setdefault(int(grid), week)
    # week w holds the 7 days before the job's run at its end: a flag in the surge's first
    # week comes 7 days after the surge started
    delays = [
        (first_warning[int(g)] - s + 1) * 7
        for g, s in zip(surge_grids, starts, strict=True)
        if int(g) in first_warning
    ]
    return {
        "surges": surges,
        "detected": len(delays),
        "median_delay_days": float(np.median(delays)) if delays else float("nan"),
        "false_per_1000": 1000 * false_episodes / quiet_grid_weeks,
        "flags_per_1000": 1000 * flagged_quiet / quiet_grid_weeks,
        "grid_weeks": quiet_grid_weeks,
    }


class Command(BaseCommand):
    help = "Measure the early warning on synthetic weekly counts with injected surges."

    def add_arguments(self, parser):
        parser.add_argument("--grids", type=int, default=1971)
        parser.add_argument("--weeks", type=int, default=156, help="53 of them are history")
        parser.add_argument(
            "--mean-rate", type=float, default=0.6, help="mean new cases per grid-week"
        )
        parser.add_argument("--surges", type=int, default=200)
        parser.add_argument("--surge-weeks", type=int, default=4)
        parser.add_argument("--surge-factor", type=float, default=2.0)
        parser.add_argument("--surge-extra", type=float, default=2.0, help="added cases/week")
        parser.add_argument("--alpha", type=float, default=0.001)
        parser.add_argument("--min-count", type=int, default=3)
        parser.add_argument("--quiet-days", type=int, default=14)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **o):
        common = {k: o[k] for k in ("grids", "weeks", "surges", "alpha", "seed")}
        for label, dispersion in (("Poisson", None), ("negative binomial k=2", 2.0)):
            result = simulate(
                **common,
                mean_rate=o["mean_rate"],
                dispersion=dispersion,
                surge_weeks=o["surge_weeks"],
                surge_factor=o["surge_factor"],
                surge_extra=o["surge_extra"],
                min_count=o["min_count"],
                quiet_days=o["quiet_days"],
            )
            self.stdout.write(
                f"{label}: {result['detected']}/{result['surges']} surges detected "
                f"({100 * result['detected'] / result['surges']:.0f}%), median delay "
                f"{result['median_delay_days']:.0f} days from surge start; "
                f"{result['false_per_1000']:.2f} false warnings and "
                f"{result['flags_per_1000']:.2f} flagged tests per 1,000 grid-weeks "
                f"({result['grid_weeks']:,} grid-weeks without a surge)"
            )
