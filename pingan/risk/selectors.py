"""Reads of risk monitoring, always through the user's scope; one query per kind of row."""

import hashlib
from datetime import datetime

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from pingan.cases.models import Case
from pingan.orgs.access import scope_paths
from pingan.orgs.choices import Level
from pingan.orgs.models import Division

from .choices import COLOUR_HEX, RiskColour
from .components import REGISTRY, open_at
from .models import IndexSnapshot, RiskSettings

MAP_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)
HISTORY_LENGTH = 52


def snapshot_windows(limit: int = HISTORY_LENGTH) -> list[datetime]:
    """The window ends that have stored snapshots, latest first.

    Read from the streets' snapshots (every refresh computes every area): 17 rows a window on
    the level-and-window index, instead of a pass over every grid's snapshot of every window."""
    return list(
        IndexSnapshot.objects.filter(level=Level.STREET)
        .order_by("-window_end")
        .values_list("window_end", flat=True)
        .distinct()[:limit]
    )


def pick_window(value: str | None, windows: list[datetime]) -> datetime | None:
    """The stored window whose local end date is ``value`` (YYYY-MM-DD); else the latest."""
    if not windows:
        return None
    wanted = parse_date(value) if value else None
    for end in windows:
        if wanted and timezone.localtime(end).date() == wanted:
            return end
    return windows[0]


def component_rows(components: dict) -> list[dict]:
    """A snapshot's components for display, with each one's share of the index, largest first."""
    total_weight = sum(c["weight"] for c in components.values()) or 1.0
    rows = []
    for code, c in components.items():
        registered = REGISTRY.get(code)
        rows.append(
            {
                "code": code,
                "label": str(registered.label) if registered else code,
                "explanation": str(registered.explanation) if registered else "",
                **c,
                "contribution": round(c["weight"] * c["score"] / total_weight, 1),
            }
        )
    return sorted(rows, key=lambda r: (-r["contribution"], r["code"]))


def map_features(user, *, level: str, window_end: datetime) -> dict:
    """GeoJSON of the visible areas at a level, with index, colour and top components."""
    divisions = (
        Division.objects.visible_to(user)
        .filter(level=level)
        .values("pk", "code", "name", "geometry")
        .order_by("path")
    )
    snapshots = {
        row["division_id"]: row
        for row in IndexSnapshot.objects.visible_to(user)
        .filter(window_end=window_end, level=level)
        .values("division_id", "value", "colour", "components", "is_hotspot", "gi_z")
    }
    features = []
    for division in divisions:
        if not division["geometry"]:
            continue
        snap = snapshots.get(division["pk"])
        top = component_rows(snap["components"])[:3] if snap else []
        features.append(
            {
                "type": "Feature",
                "geometry": division["geometry"],
                "properties": {
                    "code": division["code"],
                    "name": division["name"],
                    "value": snap["value"] if snap else None,
                    "colour": snap["colour"] if snap else "",
                    "colour_label": str(RiskColour(snap["colour"]).label) if snap else "",
                    "hex": COLOUR_HEX.get(snap["colour"], "#cfd6de") if snap else "#cfd6de",
                    "hotspot": bool(snap and snap["is_hotspot"]),
                    "top": [
                        {"label": r["label"], "value": r["value"], "score": r["score"]} for r in top
                    ],
                    "url": reverse("risk:area", args=[division["code"]])
                    + f"?end={timezone.localtime(window_end):%Y-%m-%d}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def map_cache_key(user, *, level: str, window_end: datetime) -> str:
    """Level, window, when the window was computed, and the user's scope: one query."""
    computed = IndexSnapshot.objects.filter(window_end=window_end).aggregate(at=Max("computed_at"))
    paths = scope_paths(user)
    scope = "all" if paths is None else hashlib.sha256("|".join(paths).encode()).hexdigest()[:16]
    stamp = computed["at"].timestamp() if computed["at"] else 0
    return f"risk-map:{level}:{window_end.timestamp():.0f}:{stamp:.6f}:{scope}"


def ranked_areas(user, *, level: str, window_end: datetime, limit: int = 10) -> list[dict]:
    """The highest indexes at a level, for the table beside the map."""
    return list(
        IndexSnapshot.objects.visible_to(user)
        .filter(window_end=window_end, level=level)
        .order_by("-value", "path")
        .values("division__code", "division__name", "value", "colour", "is_hotspot")[:limit]
    )


def colour_counts(user, *, level: str, window_end: datetime) -> dict[str, int]:
    counts = dict.fromkeys(RiskColour.values, 0)
    rows = (
        IndexSnapshot.objects.visible_to(user)
        .filter(window_end=window_end, level=level)
        .values_list("colour", flat=True)
    )
    for colour in rows:
        counts[colour] += 1
    return counts


def area_history(division: Division) -> list[tuple[datetime, float, str]]:
    return list(
        IndexSnapshot.objects.filter(division=division)
        .order_by("-window_end")
        .values_list("window_end", "value", "colour")[:HISTORY_LENGTH]
    )[::-1]


def history_chart(history: list[tuple[datetime, float, str]], config: RiskSettings) -> dict:
    """ECharts options: the index over the stored windows, with the two thresholds."""
    return {
        "title": {"text": _("指数变化"), "left": "left", "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 30},
        "xAxis": {
            "type": "category",
            "data": [f"{timezone.localtime(end):%m-%d}" for end, _v, _c in history],
        },
        "yAxis": {"type": "value", "min": 0, "max": 100},
        "series": [
            {
                "type": "line",
                "name": _("平安指数"),
                "data": [value for _e, value, _c in history],
                "markLine": {
                    "symbol": "none",
                    "data": [
                        {"yAxis": config.yellow_threshold, "lineStyle": {"color": "#f0ad1f"}},
                        {"yAxis": config.red_threshold, "lineStyle": {"color": "#d6412f"}},
                    ],
                },
            }
        ],
    }


def cases_behind(user, division: Division, snapshot: IndexSnapshot | None):
    """The cases the index of this area counts: registered in the window, or open at its end."""
    cases = Case.objects.visible_to(user).filter(area_path__startswith=division.path)
    if snapshot is None:
        return cases.none()
    end = snapshot.window_end
    counted = Q(registered_at__gte=snapshot.window_start, registered_at__lt=end) | open_at(end)
    return (
        cases.filter(counted).select_related("category", "grid").order_by("-registered_at", "-id")
    )
