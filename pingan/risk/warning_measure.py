"""How well the early warning works, measured on simulated grids (``manage.py
risk_measure_warnings`` and the figures the warnings page states).

The simulation, one matrix of daily new cases per grid:

- each grid's usual rate is drawn from a gamma distribution with mean 0.6 cases a week (a
  district of about 60,000 matters a year over 1,971 grids), times a yearly season (±15 %) and
  a weekday effect (weekends at about half a weekday);
- over-dispersion: for negative-binomial counts with dispersion k, each grid-week's rate is
  multiplied by a gamma(k, 1/k) factor, so a week's count has variance μ + μ²/k (campaigns,
  clusters of related matters); Poisson counts have none;
- surges of known start are laid over 200 grids' usual counts: the usual rate times a factor
  plus extra cases a day, for a number of days (``SURGES``: the standard one, a small slow one
  and a short sharp one).

Each method then runs as the nightly job would: daily (or weekly, the test before December
2026) over two years after a year of history, with the episode rules of
``pingan.risk.early_warning``. A surge counts as detected when its grid is flagged while the
surge lasts; the delay is the days from its first day to that flag (a flag at the end of the
first day is 1 day). A false warning is an episode opened on a grid outside a surge and the
quiet days after it, counted per 1,000 such grid-weeks. Each figure carries its 95 % interval:
Clopper–Pearson for the detected share, order statistics for the delay quantiles, the exact
Poisson interval for the false-warning rate.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy import stats

from .choices import WarningDispersion
from .early_warning import episode_step, history_days, rising_test
from .models import RiskSettings

GRIDS = 1971
YEARS = 3
SURGE_GRIDS = 200
MEAN_PER_WEEK = 0.6
SEASON = 0.15
WEEKDAY = np.array([1.15, 1.15, 1.15, 1.15, 1.15, 0.625, 0.625])  # mean 1
SEED = 2026
# the weekly test before December 2026: 53 weeks, the last two compared with the 51 before
OLD_WEEKS, OLD_ALPHA, OLD_MIN_COUNT = 53, 0.001, 3


@dataclass(frozen=True)
class Surge:
    key: str
    label: str
    factor: float
    extra_per_day: float
    days: int


SURGES = (
    Surge("standard", "standard: usual x2 + 1 a day, 14 days", 2.0, 1.0, 14),
    Surge("small", "small: usual x2 + 2 a week, 28 days", 2.0, 2 / 7, 28),
    Surge("sharp", "sharp: usual + 3 a day, 4 days", 1.0, 3.0, 4),
)
STANDARD = SURGES[0]
COUNT_MODELS = (("Poisson", None), ("NB k=2", 2.0), ("NB k=1", 1.0))


@dataclass(frozen=True)
class Simulation:
    counts: np.ndarray  # grids × days
    surge_grids: np.ndarray
    starts: np.ndarray  # the first day of each surge
    surge: Surge
    first_day: int  # the first day a method runs


def simulate(
    *, dispersion: float | None, surge: Surge, seed: int = SEED, grids: int = GRIDS
) -> Simulation:
    rng = np.random.default_rng(seed)
    days = YEARS * 364
    first_day = max(history_days(364), OLD_WEEKS * 7)
    t = np.arange(days)
    rates = rng.gamma(1.2, MEAN_PER_WEEK / 7 / 1.2, size=grids)
    usual = 1 + SEASON * np.sin(2 * np.pi * t / 365.25)
    mu = rates[:, None] * (usual * WEEKDAY[t % 7])[None, :]
    if dispersion:
        frailty = rng.gamma(dispersion, 1 / dispersion, size=(grids, days // 7 + 1))
        mu = mu * np.repeat(frailty, 7, axis=1)[:, :days]
    surge_grids = rng.choice(grids, size=min(SURGE_GRIDS, grids), replace=False)
    starts = rng.integers(first_day, days - surge.days, size=len(surge_grids))
    for grid, start in zip(surge_grids, starts, strict=True):
        span = slice(start, start + surge.days)
        mu[grid, span] = mu[grid, span] * surge.factor + surge.extra_per_day * WEEKDAY[t[span] % 7]
    return Simulation(rng.poisson(mu), surge_grids, starts, surge, first_day)


# A method: the flags of all grids for the run at the end of day T, and how often it runs.
Method = tuple[Callable[[np.ndarray, int], np.ndarray], int]


def daily_method(*, alpha: float, min_count: int, baseline_days: int, dispersion: str) -> Method:
    span = history_days(baseline_days)

    def flags(counts: np.ndarray, day: int) -> np.ndarray:
        window = counts[:, day + 1 - span : day + 1]
        return rising_test(window, alpha=alpha, min_count=min_count, dispersion=dispersion).flags

    return flags, 1


def weekly_method() -> Method:
    """The test before December 2026, kept as the comparison it was replaced against: weekly
    counts, an exact Poisson test of the last week and the last two against the 51 before."""

    def flags(counts: np.ndarray, day: int) -> np.ndarray:
        span = counts[:, day + 1 - OLD_WEEKS * 7 : day + 1]
        weekly = span.reshape(len(span), OLD_WEEKS, 7).sum(axis=2).astype(float)
        rate = (weekly[:, :-2].sum(axis=1) + 1) / (OLD_WEEKS - 2)
        last, recent = weekly[:, -1], weekly[:, -2:].sum(axis=1)
        p_last = stats.poisson.sf(last - 1, rate)
        p_recent = stats.poisson.sf(recent - 1, 2 * rate)
        p = np.minimum(1.0, 2 * np.minimum(p_last, p_recent))
        return (p < OLD_ALPHA) & (last >= OLD_MIN_COUNT)

    return flags, 7


def settings_method(config: RiskSettings) -> Method:
    return daily_method(
        alpha=config.warning_alpha,
        min_count=config.warning_min_count,
        baseline_days=config.warning_baseline_days,
        dispersion=config.warning_dispersion,
    )


@dataclass(frozen=True)
class Figure:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Result:
    surges: int
    detected: int
    detected_share: Figure
    median_delay: Figure | None  # days
    p90_delay: Figure | None
    false_warnings: int
    quiet_grid_weeks: float
    false_per_1000: Figure


def evaluate(method: Method, simulation: Simulation, *, quiet_days: int = 14) -> Result:
    flags_at, every = method
    counts, surge = simulation.counts, simulation.surge
    grids, days = counts.shape
    in_surge = np.zeros((grids, days), dtype=bool)
    excluded = np.zeros((grids, days), dtype=bool)  # the surge and the quiet days after it
    for grid, start in zip(simulation.surge_grids, simulation.starts, strict=True):
        in_surge[grid, start : start + surge.days] = True
        excluded[grid, start : start + surge.days + quiet_days] = True
    origin = datetime(2024, 1, 1)
    quiet = timedelta(days=quiet_days)
    open_episodes: dict[int, datetime] = {}
    first_flag: dict[int, int] = {}
    false_warnings = 0
    for day in range(simulation.first_day, days, every):
        flags = flags_at(counts, day)
        at = origin + timedelta(days=day)
        step = episode_step(open_episodes, np.flatnonzero(flags).tolist(), at=at, quiet=quiet)
        for grid in step.closed:
            del open_episodes[grid]
        for grid in step.opened | step.continued:
            open_episodes[grid] = at
        false_warnings += sum(1 for grid in step.opened if not excluded[grid, day])
        for grid in np.flatnonzero(flags & in_surge[:, day]):
            first_flag.setdefault(int(grid), day)
    delays = np.array(
        [
            first_flag[int(grid)] - start + 1
            for grid, start in zip(simulation.surge_grids, simulation.starts, strict=True)
            if int(grid) in first_flag
        ]
    )
    n = len(simulation.surge_grids)
    share = stats.binomtest(len(delays), n).proportion_ci(method="exact")
    grid_weeks = float((~excluded[:, simulation.first_day :]).sum()) / 7
    return Result(
        surges=n,
        detected=len(delays),
        detected_share=Figure(len(delays) / n, share.low, share.high),
        median_delay=_quantile(delays, 0.5),
        p90_delay=_quantile(delays, 0.9),
        false_warnings=false_warnings,
        quiet_grid_weeks=grid_weeks,
        false_per_1000=_poisson_rate(false_warnings, grid_weeks / 1000),
    )


def _quantile(values: np.ndarray, q: float) -> Figure | None:
    """The q-quantile with its distribution-free 95 % interval from order statistics."""
    if not len(values):
        return None
    ordered = np.sort(values)
    n = len(ordered)
    low = max(int(stats.binom.ppf(0.025, n, q)), 1) - 1
    high = min(int(stats.binom.ppf(0.975, n, q)), n - 1)
    return Figure(float(np.quantile(ordered, q)), float(ordered[low]), float(ordered[high]))


def _poisson_rate(events: int, exposure: float) -> Figure:
    """events / exposure with the exact (Garwood) 95 % interval."""
    low = stats.chi2.ppf(0.025, 2 * events) / 2 if events else 0.0
    high = stats.chi2.ppf(0.975, 2 * events + 2) / 2
    return Figure(events / exposure, low / exposure, high / exposure)


def compared_methods(config: RiskSettings) -> list[tuple[str, Method]]:
    alpha, minimum = config.warning_alpha, config.warning_min_count
    baseline = config.warning_baseline_days
    return [
        ("weekly Poisson (before)", weekly_method()),
        (
            "daily 7-day Poisson",
            daily_method(
                alpha=alpha,
                min_count=minimum,
                baseline_days=baseline,
                dispersion=WarningDispersion.POISSON,
            ),
        ),
        (
            "daily 7-day negative binomial",
            daily_method(
                alpha=alpha,
                min_count=minimum,
                baseline_days=baseline,
                dispersion=WarningDispersion.ESTIMATED,
            ),
        ),
    ]


def measure_settings(config: RiskSettings, *, at: datetime) -> dict:
    """The current settings measured on over-dispersed counts (NB k=2) with standard surges:
    what the warnings page states."""
    result = evaluate(
        settings_method(config),
        simulate(dispersion=2.0, surge=STANDARD),
        quiet_days=config.quiet_days,
    )
    return {
        "params": config.warning_params(),
        "measured_at": at.isoformat(),
        "grids": GRIDS,
        **asdict(result),
    }
