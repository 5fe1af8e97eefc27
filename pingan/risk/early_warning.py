"""Early warning (风险预警, M7.3): grids whose new cases rise above their own baseline, and
Gi* hot spots, as episodes that notify dispatchers once.

The rising-count test runs every night, per grid, on daily counts of new cases:

- the window: the 7 days to the end of the run (``WINDOW_DAYS``), x cases;
- the baseline: the ``warning_baseline_days`` (default 364) before a guard week that keeps the
  start of a surge out of its own baseline; its rate, with one pseudo-case so a quiet grid's
  rate is never zero, gives the window's expected count μ;
- dispersion (``warning_dispersion``): real counts vary more than a Poisson process does
  (clusters of related matters, campaigns, seasons). ``estimated`` measures it as the
  negative-binomial 1/k of 7-day blocks of the baseline, pooled over all grids (one grid's year
  is too short to estimate it alone; the over-dispersion correction of the Farrington family of
  surveillance methods); ``poisson`` assumes none;
- the grid is flagged when p = P(X ≥ x | μ, k) < ``warning_alpha`` and x ≥ the minimum count.

``manage.py risk_measure_warnings`` compares this test with the earlier weekly Poisson test and
a daily Poisson window on simulated grids (Poisson and negative-binomial counts, seasons,
weekdays, surges of several sizes), and stores the detection, delay and false-warning rate
measured at the current settings on RiskSettings; the warnings page states them.

Episodes: a flagged grid without an open warning of that kind opens one and its street's and
the district's dispatchers get one notice; while flagged again the episode only records the
latest flag; after ``quiet_days`` without a flag it closes, and a later flag opens a new one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Count, Func, IntegerField
from django.urls import reverse
from django.utils.translation import gettext as _
from scipy import stats

from pingan.cases.models import Case
from pingan.core import notify
from pingan.core.models import Notice
from pingan.orgs.choices import RoleCode, UnitKind
from pingan.orgs.models import Division, Staff

from .choices import WarningDispersion, WarningKind
from .models import RiskSettings, RiskWarning
from .wording import warning_words

WINDOW_DAYS = 7
GUARD_DAYS = 7
SHOWN_DAYS = 28  # the days a warning keeps for its chart
NOTICE_KIND = "risk_warning"
DAY_SECONDS = 24 * 3600


def history_days(baseline_days: int) -> int:
    """Days of counts the test reads: baseline, guard week and window."""
    return baseline_days + GUARD_DAYS + WINDOW_DAYS


@dataclass(frozen=True)
class RisingTest:
    flags: np.ndarray
    p: np.ndarray
    recent: np.ndarray  # cases in the window
    usual_per_week: np.ndarray  # the baseline rate per 7 days
    inverse_k: float  # the dispersion used (0 for Poisson)


def pooled_inverse_k(blocks: np.ndarray) -> float:
    """The negative-binomial 1/k shared by all rows of ``blocks`` (rows × block counts): the
    moment estimate Σ(s² − m) / Σ m², each row's variance about its own mean."""
    if blocks.shape[1] < 2:
        return 0.0
    mean = blocks.mean(axis=1)
    variance = blocks.var(axis=1, ddof=1)
    denominator = float((mean**2).sum())
    return max(0.0, float((variance - mean).sum()) / denominator) if denominator else 0.0


def count_sf(x: np.ndarray, mean: np.ndarray, inverse_k: float) -> np.ndarray:
    """P(X ≥ x) for Poisson (1/k = 0) or negative-binomial counts of the given means."""
    if inverse_k <= 0:
        return stats.poisson.sf(x - 1, mean)
    k = 1 / inverse_k
    return stats.nbinom.sf(x - 1, k, k / (k + mean))


def rising_test(daily: np.ndarray, *, alpha: float, min_count: int, dispersion: str) -> RisingTest:
    """The rising-count test on a (grids × days) matrix of daily counts, oldest first: its last
    7 days are the window, the 7 before them the guard, the rest the baseline."""
    daily = np.asarray(daily, dtype=float)
    baseline = daily[:, : -(GUARD_DAYS + WINDOW_DAYS)]
    days = baseline.shape[1]
    recent = daily[:, -WINDOW_DAYS:].sum(axis=1)
    mean = (baseline.sum(axis=1) + 1) / days * WINDOW_DAYS
    inverse_k = 0.0
    if dispersion == WarningDispersion.ESTIMATED:
        blocks = days // WINDOW_DAYS
        tail = baseline[:, days - blocks * WINDOW_DAYS :]
        inverse_k = pooled_inverse_k(tail.reshape(len(daily), blocks, WINDOW_DAYS).sum(axis=2))
    p = count_sf(recent, mean, inverse_k)
    return RisingTest((p < alpha) & (recent >= min_count), p, recent, mean, inverse_k)


@dataclass(frozen=True)
class EpisodeStep:
    opened: set[int]
    continued: set[int]
    closed: set[int]


def episode_step(
    open_last_flagged: dict[int, datetime],
    flagged: Iterable[int],
    *,
    at: datetime,
    quiet: timedelta,
) -> EpisodeStep:
    """Which episodes open, continue and close when ``flagged`` grids are flagged at ``at``."""
    flagged = set(flagged)
    opened = flagged - open_last_flagged.keys()
    continued = flagged & open_last_flagged.keys()
    closed = {
        grid
        for grid, last in open_last_flagged.items()
        if grid not in flagged and at - last >= quiet
    }
    return EpisodeStep(opened, continued, closed)


class DayOf(Func):
    """The day (0, 1, …) of a moment counted from ``origin``: whole days elapsed, computed in
    integer seconds so a moment on a day's boundary falls in the day it starts."""

    output_field = IntegerField()

    def __init__(self, expression, *, origin: datetime):
        super().__init__(expression)
        self.origin = int(origin.timestamp())

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite reads times to the millisecond, rounding 15:59:59.999999 up into the next
        # day: the seconds are read whole, without their fraction
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((unixepoch(substr({sql}, 1, 19)) - %s) / {DAY_SECONDS})", [*params, self.origin]

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"FLOOR((EXTRACT(EPOCH FROM {sql}) - %s) / {DAY_SECONDS})::integer",
            [*params, self.origin],
        )


def daily_counts(grid_ids: np.ndarray, window_end: datetime, days: int) -> np.ndarray:
    """New cases per grid per day for the ``days`` days before ``window_end``: one query
    grouped by grid and day, over the case index on ``(registered_at, grid)``."""
    start = window_end - timedelta(days=days)
    rows = (
        Case.objects.filter(registered_at__gte=start, registered_at__lt=window_end)
        .annotate(day=DayOf("registered_at", origin=start))
        .values("grid_id", "day")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "day", "n")
        .order_by()
    )
    position = {int(pk): i for i, pk in enumerate(grid_ids)}
    counts = np.zeros((len(grid_ids), days))
    for grid_id, day, n in rows:
        i = position.get(grid_id)
        if i is not None:
            counts[i, day] = n
    return counts


def warnings_refresh(
    *,
    window_end: datetime,
    config: RiskSettings,
    grid_ids: np.ndarray,
    grid_paths: list[str],
    hotspot_flags: dict[int, dict],
    now: datetime,
) -> int:
    """Run the rising-count test, update both kinds of episodes, notify on new ones."""
    daily = daily_counts(grid_ids, window_end, history_days(config.warning_baseline_days))
    test = rising_test(
        daily,
        alpha=config.warning_alpha,
        min_count=config.warning_min_count,
        dispersion=config.warning_dispersion,
    )
    rising = {
        int(grid_ids[i]): {
            "p": float(test.p[i]),
            "recent": int(test.recent[i]),
            "usual_per_week": round(float(test.usual_per_week[i]), 2),
            "inverse_k": round(test.inverse_k, 3),
            "days": [int(n) for n in daily[i, -SHOWN_DAYS:]],
        }
        for i in np.flatnonzero(test.flags)
    }
    paths = dict(zip((int(g) for g in grid_ids), grid_paths, strict=True))
    quiet = timedelta(days=config.quiet_days)
    created: list[RiskWarning] = []
    for kind, flagged in ((WarningKind.RISING, rising), (WarningKind.HOTSPOT, hotspot_flags)):
        created += _sync(kind, flagged, paths, at=window_end, quiet=quiet)
    _notify(created, now=now)
    return len(created)


def _sync(
    kind: str, flagged: dict[int, dict], paths: dict[int, str], *, at: datetime, quiet: timedelta
) -> list[RiskWarning]:
    open_rows = dict(
        RiskWarning.objects.open().filter(kind=kind).values_list("grid_id", "last_flagged_at")
    )
    # A run for an earlier window than an episode's latest flag must not reopen, continue or
    # close it (nor open a second episode beside it).
    later = {g for g, last in open_rows.items() if last > at}
    open_rows = {g: last for g, last in open_rows.items() if last <= at}
    step = episode_step(open_rows, flagged.keys() - later, at=at, quiet=quiet)
    if step.closed:
        RiskWarning.objects.open().filter(kind=kind, grid_id__in=step.closed).update(closed_at=at)
    if step.continued:
        rows = list(RiskWarning.objects.open().filter(kind=kind, grid_id__in=step.continued))
        for row in rows:
            row.last_flagged_at, row.data = at, flagged[row.grid_id]
        RiskWarning.objects.bulk_update(rows, ["last_flagged_at", "data"], batch_size=500)
    return RiskWarning.objects.bulk_create(
        [
            RiskWarning(
                grid_id=grid,
                path=paths[grid],
                kind=kind,
                opened_at=at,
                last_flagged_at=at,
                data=flagged[grid],
            )
            for grid in sorted(step.opened)
        ]
    )


def dispatchers_for(paths: Iterable[str]) -> dict[str, list[Staff]]:
    """Active dispatchers of the district center and of each grid's street center, by path."""
    staff = list(
        Staff.objects.filter(
            is_active=True,
            roles__code=RoleCode.DISPATCHER,
            unit__is_active=True,
            unit__kind__in=[UnitKind.DISTRICT_CENTER, UnitKind.STREET_CENTER],
        )
        .select_related("unit__division")
        .only("pk", "phone", "unit__kind", "unit__division__path")
        .order_by("pk")
        .distinct()
    )
    return {
        path: [person for person in staff if path.startswith(person.unit.division.path)]
        for path in set(paths)
    }


def _notify(warnings: list[RiskWarning], *, now: datetime) -> None:
    if not warnings:
        return
    recipients = dispatchers_for(w.path for w in warnings)
    grids = {
        pk: (name, code)
        for pk, name, code in Division.objects.filter(
            pk__in=[w.grid_id for w in warnings]
        ).values_list("pk", "name", "code")
    }
    notices = []
    for warning in warnings:
        name, code = grids[warning.grid_id]
        words = warning_words(warning.kind, warning.data)
        if warning.kind == WarningKind.RISING:
            title = _("风险预警：%(name)s新增事项异常上升") % {"name": name}
        else:
            title = _("热点预警：%(name)s及周边网格风险聚集") % {"name": name}
        body = _("%(words)s。请研判并视情指挥调度。") % {"words": words.plain}
        url = reverse("risk:area", args=[code])
        notices += [
            Notice(
                recipient=person, kind=NOTICE_KIND, title=title, body=body, url=url, created_at=now
            )
            for person in recipients.get(warning.path, [])
        ]
    notify.send(notices)
