"""Early warning (风险预警, M7.3): grids whose new cases rise above their own baseline, and
Gi* hot spots, as episodes that notify dispatchers once.

The rising-count test, per grid, at the end T of each index refresh:

- weekly counts of new cases c_1 … c_53 over the 53 weeks before T (c_53 the latest week);
- the baseline rate λ = (c_1 + … + c_51 + 1) / 51 — the grid's own mean over the year before
  the last two weeks, with one pseudo-case so a quiet grid's rate is never estimated as zero;
- two one-sided exact Poisson tests: p₁ = P(X ≥ c_53 | λ) for the latest week and
  p₂ = P(X ≥ c_52 + c_53 | 2λ) for the last two weeks; p = min(1, 2·min(p₁, p₂)) (Bonferroni);
- the grid is flagged when p < α (RiskSettings.warning_alpha, default 0.001) and
  c_53 ≥ the minimum count (default 3).

Under the Poisson null the chance that a grid is flagged in a given week is at most α: the
stated false-alarm rate is ≤ 1 per 1,000 grid-weeks at the default. ``manage.py
risk_measure_warnings`` measures it, the share of injected surges detected and the delay, on
synthetic data with over-dispersed counts.

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

from .choices import WarningKind
from .models import RiskSettings, RiskWarning
from .wording import warning_words

WEEKS = 53
RECENT_WEEKS = 2
NOTICE_KIND = "risk_warning"
WEEK_SECONDS = 7 * 24 * 3600


def rising_test(
    counts: np.ndarray, *, alpha: float, min_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Flags and p-values of the rising-count test for a (grids × weeks) matrix of counts."""
    counts = np.asarray(counts, dtype=float)
    base = counts[:, :-RECENT_WEEKS]
    rate = (base.sum(axis=1) + 1) / base.shape[1]
    last = counts[:, -1]
    recent = counts[:, -RECENT_WEEKS:].sum(axis=1)
    p_last = stats.poisson.sf(last - 1, rate)
    p_recent = stats.poisson.sf(recent - 1, RECENT_WEEKS * rate)
    p = np.minimum(1.0, 2 * np.minimum(p_last, p_recent))
    return (p < alpha) & (last >= min_count), p


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


class WeekOf(Func):
    """The week (0, 1, …) of a moment counted from ``origin``: whole weeks elapsed, computed
    in integer seconds so a moment on a week's boundary falls in the week it starts."""

    output_field = IntegerField()

    def __init__(self, expression, *, origin: datetime):
        super().__init__(expression)
        self.origin = int(origin.timestamp())

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((unixepoch({sql}) - %s) / {WEEK_SECONDS})", [*params, self.origin]

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"FLOOR((EXTRACT(EPOCH FROM {sql}) - %s) / {WEEK_SECONDS})::integer",
            [*params, self.origin],
        )


def weekly_counts(grid_ids: np.ndarray, window_end: datetime) -> np.ndarray:
    """New cases per grid per week for the 53 weeks before ``window_end``: one query grouped
    by grid and week, over the case index on ``(registered_at, grid)``."""
    start = window_end - timedelta(weeks=WEEKS)
    rows = (
        Case.objects.filter(registered_at__gte=start, registered_at__lt=window_end)
        .annotate(week=WeekOf("registered_at", origin=start))
        .values("grid_id", "week")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "week", "n")
        .order_by()
    )
    position = {int(pk): i for i, pk in enumerate(grid_ids)}
    counts = np.zeros((len(grid_ids), WEEKS))
    for grid_id, week, n in rows:
        i = position.get(grid_id)
        if i is not None:
            counts[i, week] = n
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
    counts = weekly_counts(grid_ids, window_end)
    flags, p = rising_test(counts, alpha=config.warning_alpha, min_count=config.warning_min_count)
    rising = {
        int(grid_ids[i]): {
            "p": float(p[i]),
            "last_week": int(counts[i, -1]),
            "previous_week": int(counts[i, -2]),
            "baseline_per_week": round(
                float((counts[i, :-RECENT_WEEKS].sum() + 1) / (WEEKS - 2)), 2
            ),
        }
        for i in np.flatnonzero(flags)
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
