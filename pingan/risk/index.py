"""The safety index (平安指数, M7.1): a published, explainable 0–100 score per grid, community
and street, stored as snapshots so the map is instant and history is kept.

The formula (also shown on every index page)::

    window     W = [T − window_days, T)                       (default the last 30 days)
    baseline   B = [T − window_days − baseline_days, T − window_days)   (the 12 months before)

    for each component c and area a (a grid; a community or street adds up its grids):
      x = the component's value in W
      e = the value the area's own baseline leads one to expect in W:
            flows:  value over B × |W| / |B|      stocks: the level at the start of W
      d = the district norm: the mean of e over all grids × the number of grids in a
      r = max(e, d, 0.5)                          (the reference level)
      s = 100 × x / (x + r)                       (0 nothing, 50 as usual, → 100 far above)

    index = Σ_c w_c × s_c / Σ_c w_c               (weights w_c ≥ 0, not all zero)
    colour: red when index ≥ the red threshold, yellow when ≥ the yellow threshold, else green

So a grid is red when several weighted components run well above both its own past and what
is normal for a grid in the district; the snapshot keeps x, e, r, s and w of every component.

``index_refresh`` computes one window with one query per component and period, writes the
snapshots of that window (replacing any earlier ones: idempotent per window), then the Gi* hot
spots and the early warnings (``pingan.risk.early_warning``).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from pingan.orgs.choices import Level
from pingan.orgs.models import Division

from . import hotspots
from .choices import ComponentKind, RiskColour
from .components import Component, registered
from .models import ComponentWeight, IndexSnapshot, RiskSettings

REFERENCE_FLOOR = 0.5


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    baseline_start: datetime

    @property
    def scale(self) -> float:
        """|W| / |B|: how a baseline flow is scaled to the window's length."""
        return (self.end - self.start) / (self.start - self.baseline_start)


def window_for(end: datetime, config: RiskSettings) -> Window:
    start = end - timedelta(days=config.window_days)
    return Window(start=start, end=end, baseline_start=start - timedelta(days=config.baseline_days))


def default_window_end(now: datetime) -> datetime:
    """Today's local midnight: the window holds whole days and a day's runs agree."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def component_score(value: float, reference: float) -> float:
    """s = 100 × x / (x + r)."""
    return 100.0 * value / (value + reference) if value > 0 else 0.0


def colour_of(value: float, config: RiskSettings) -> str:
    if value >= config.red_threshold:
        return RiskColour.RED
    if value >= config.yellow_threshold:
        return RiskColour.YELLOW
    return RiskColour.GREEN


def current_weights() -> dict[str, float]:
    """Weights by component code; registered components without a row get their default."""
    components = registered()
    ComponentWeight.objects.bulk_create(
        [ComponentWeight(code=c.code, weight=c.default_weight) for c in components],
        ignore_conflicts=True,
    )
    stored = dict(ComponentWeight.objects.values_list("code", "weight"))
    return {c.code: stored.get(c.code, c.default_weight) for c in components}


@dataclass
class GridFrame:
    """The grids in a fixed order, with the rows their community and street sit in."""

    ids: np.ndarray
    paths: list[str]
    geometries: list
    community_of: np.ndarray
    street_of: np.ndarray
    communities: list[tuple[int, str]]
    streets: list[tuple[int, str]]

    @classmethod
    def load(cls) -> "GridFrame":
        grids = list(
            Division.objects.filter(level=Level.GRID)
            .order_by("path")
            .values_list("pk", "path", "geometry", "parent_id", "parent__parent_id")
        )
        communities = list(
            Division.objects.filter(level=Level.COMMUNITY)
            .order_by("path")
            .values_list("pk", "path")
        )
        streets = list(
            Division.objects.filter(level=Level.STREET).order_by("path").values_list("pk", "path")
        )
        community_row = {pk: i for i, (pk, _p) in enumerate(communities)}
        street_row = {pk: i for i, (pk, _p) in enumerate(streets)}
        return cls(
            ids=np.array([g[0] for g in grids], dtype=np.int64),
            paths=[g[1] for g in grids],
            geometries=[g[2] for g in grids],
            community_of=np.array([community_row[g[3]] for g in grids], dtype=np.int64),
            street_of=np.array([street_row[g[4]] for g in grids], dtype=np.int64),
            communities=communities,
            streets=streets,
        )

    def vector(self, values: dict[int, float]) -> np.ndarray:
        return np.array([values.get(int(pk), 0.0) for pk in self.ids], dtype=float)


@dataclass
class ComponentColumns:
    """x and e of one component for every grid."""

    component: Component
    weight: float
    value: np.ndarray
    expected: np.ndarray


def measure(frame: GridFrame, window: Window, weights: dict[str, float]) -> list[ComponentColumns]:
    """Run every component over the window and its baseline: one grouped query per paired
    component, two per other one."""
    columns = []
    for comp in registered():
        value, base = comp.measure(window.baseline_start, window.start, window.end)
        expected = frame.vector(base)
        if comp.kind == ComponentKind.FLOW:
            expected = expected * window.scale
        columns.append(ComponentColumns(comp, weights[comp.code], frame.vector(value), expected))
    return columns


def score_areas(
    columns: list[ComponentColumns], members: np.ndarray, size: int, n_grids: int
) -> tuple[np.ndarray, list[dict]]:
    """Index values and component details of areas made of grids (``members[g]`` = area row).

    With ``members = arange(n)`` the areas are the grids themselves.
    """
    grids_in_area = np.bincount(members, minlength=size).astype(float)
    total_weight = sum(col.weight for col in columns)
    index = np.zeros(size)
    details: list[dict] = [{} for _ in range(size)]
    for col in columns:
        x = np.bincount(members, weights=col.value, minlength=size)
        e = np.bincount(members, weights=col.expected, minlength=size)
        norm = col.expected.sum() / n_grids * grids_in_area
        reference = np.maximum(np.maximum(e, norm), REFERENCE_FLOOR)
        score = np.where(x > 0, 100.0 * x / (x + reference), 0.0)
        index += col.weight * score
        code, weight = col.component.code, col.weight
        # Python floats (tolist) rounded by Python's round: cheap per row, exact decimals
        for row, (xr, er, rr, sr) in enumerate(
            zip(x.tolist(), e.tolist(), reference.tolist(), score.tolist(), strict=True)
        ):
            details[row][code] = {
                "value": round(xr, 3),
                "expected": round(er, 3),
                "reference": round(rr, 3),
                "score": round(sr, 2),
                "weight": weight,
            }
    index = np.round(index / total_weight, 1) if total_weight > 0 else index
    return index, details


@dataclass(frozen=True)
class RefreshResult:
    window_end: datetime
    snapshots: int
    hotspots: int
    warnings_opened: int


@transaction.atomic
def index_refresh(*, window_end: datetime, now: datetime) -> RefreshResult:
    """Compute and store the index of every grid, community and street for the window ending
    at ``window_end``, then the hot spots and early warnings. Running it again for the same
    window replaces that window's snapshots and opens no warning twice."""
    from .early_warning import warnings_refresh

    config = RiskSettings.load()
    weights = current_weights()
    if not any(w > 0 for w in weights.values()):
        raise ValueError("every index weight is zero")  # the admin form forbids it
    window = window_for(window_end, config)
    frame = GridFrame.load()
    n = len(frame.ids)
    if n == 0:
        return RefreshResult(window_end, 0, 0, 0)
    columns = measure(frame, window, weights)

    grid_index, grid_details = score_areas(columns, np.arange(n), n, n)
    neighbours = hotspots.queen_neighbours(frame.geometries)
    z = hotspots.getis_ord_star(grid_index, neighbours)
    p = hotspots.two_sided_p(z)
    q = hotspots.benjamini_hochberg(p)
    hot = (q < config.hotspot_fdr) & (z > 0)

    snapshots = [
        IndexSnapshot(
            division_id=int(frame.ids[i]),
            level=Level.GRID,
            path=frame.paths[i],
            window_start=window.start,
            window_end=window.end,
            value=float(grid_index[i]),
            colour=colour_of(float(grid_index[i]), config),
            components=grid_details[i],
            gi_z=_finite(z[i]),
            gi_p=_finite(p[i]),
            gi_q=_finite(q[i]),
            is_hotspot=bool(hot[i]),
            computed_at=now,
        )
        for i in range(n)
    ]
    for level, areas, members in (
        (Level.COMMUNITY, frame.communities, frame.community_of),
        (Level.STREET, frame.streets, frame.street_of),
    ):
        values, details = score_areas(columns, members, len(areas), n)
        snapshots += [
            IndexSnapshot(
                division_id=pk,
                level=level,
                path=path,
                window_start=window.start,
                window_end=window.end,
                value=float(values[row]),
                colour=colour_of(float(values[row]), config),
                components=details[row],
                computed_at=now,
            )
            for row, (pk, path) in enumerate(areas)
        ]
    IndexSnapshot.objects.filter(window_end=window.end).delete()
    IndexSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    opened = warnings_refresh(
        window_end=window.end,
        config=config,
        grid_ids=frame.ids,
        grid_paths=frame.paths,
        hotspot_flags={
            int(frame.ids[i]): {"z": round(float(z[i]), 3), "q": float(q[i])}
            for i in np.flatnonzero(hot)
        },
        now=now,
    )
    return RefreshResult(window.end, len(snapshots), int(hot.sum()), opened)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
