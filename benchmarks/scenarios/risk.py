"""Risk scenarios: the safety-index recompute for all grids, communities and streets (in
process, rolled back), and the heat map as the district leader (the page and its GeoJSON).

The recompute's baseline issues the same grouped reads as the components and the early
warning (one pass per component over both periods), then deletes and inserts the window's
snapshots, by hand through sqlite3 / psycopg, rolled back like ours. It adds grid figures up
into communities and streets in plain Python and stores the raw figures as the components; it
does not score them, compute Gi* or test for rising counts: the ratio is the price of that work
plus the ORM's.
"""

import json
from collections import defaultdict
from datetime import timedelta

from .. import targets
from ..measure import Measurement
from . import scenario

LEADER = "district_leader"
MAP_LEVEL = "grid"  # the heaviest level: 1,971 polygons


def _window(bench):
    from pingan.risk.index import default_window_end, window_for
    from pingan.risk.models import RiskSettings

    return window_for(default_window_end(bench.end), RiskSettings.load())


# --- the recompute -------------------------------------------------------------------------


@scenario("risk-recompute", group="jobs")
def risk_recompute(bench) -> list[Measurement]:
    """``index_refresh`` for the current window: components, index, Gi*, snapshots, early
    warning. Each run is rolled back, so every run writes the full set."""
    from django.db import transaction

    from pingan.core import notify
    from pingan.risk.index import index_refresh

    window = _window(bench)
    done = {}

    def ours():
        with transaction.atomic():
            result = index_refresh(window_end=window.end, now=bench.end)
            done["snapshots"], done["hotspots"] = result.snapshots, result.hotspots
            transaction.set_rollback(True)
        notify.outbox.clear()

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            ours()
        return len(captured)

    row = bench.job(
        "risk-recompute (all areas, one window)",
        ours,
        baseline=lambda db: _raw_recompute(db, window, bench.end),
        queries=queries,
    )
    row.notes = f"{done['snapshots']} snapshots, {done['hotspots']} hot-spot grids per run"
    return [targets.job(bench, row)]


def _by_grid(rows) -> tuple[dict, dict]:
    window, baseline = {}, {}
    for grid, value, base in rows:
        if value:
            window[grid] = float(value)
        if base:
            baseline[grid] = float(base)
    return window, baseline


def _open(moment: str, prefix: str = "") -> str:
    """Cases open at ``moment`` (a placeholder), as ``pingan.risk.components.open_at``."""
    return (
        f"({prefix}registered_at < {moment} AND NOT ({prefix}state = 'rejected') AND "
        f"({prefix}concluded_at IS NULL OR {prefix}concluded_at >= {moment}) AND "
        f"({prefix}archived_at IS NULL OR {prefix}archived_at >= {moment}))"
    )


def _raw_components(db, window) -> dict[str, tuple[dict, dict]]:
    """Each component's window and baseline figures per grid, one grouped read each (two for
    the key persons, as their component does)."""
    b0, s, e = db.ts(window.baseline_start), db.ts(window.start), db.ts(window.end)
    severity = "COALESCE(sev.severity, 1.0)"
    figures = {
        "new_cases": _by_grid(
            db.all(
                f"SELECT c.grid_id, SUM(CASE WHEN c.registered_at >= %s THEN {severity} END), "
                f"SUM(CASE WHEN c.registered_at < %s THEN {severity} END) FROM cases_case c "
                "LEFT JOIN risk_categoryseverity sev ON sev.category_id = c.category_id "
                "WHERE c.registered_at >= %s AND c.registered_at < %s GROUP BY c.grid_id",
                [s, s, b0, e],
            )
        ),
        "open_cases": _by_grid(
            db.all(
                f"SELECT grid_id, COUNT(CASE WHEN {_open('%s')} THEN 1 END), "
                f"COUNT(CASE WHEN {_open('%s')} THEN 1 END) FROM cases_case "
                "WHERE registered_at < %s AND NOT (state = 'rejected') AND "
                "(concluded_at IS NULL OR concluded_at >= %s) AND "
                "(archived_at IS NULL OR archived_at >= %s) GROUP BY grid_id",
                [e] * 3 + [s] * 3 + [e, s, s],
            )
        ),
        "overdue_cases": _by_grid(
            db.all(
                f"SELECT grid_id, COUNT(CASE WHEN {_open('%s')} THEN 1 END), "
                f"COUNT(CASE WHEN {_open('%s')} AND due_at < %s THEN 1 END) FROM cases_case "
                "WHERE registered_at < %s AND NOT (state = 'rejected') AND "
                "(concluded_at IS NULL OR concluded_at >= %s) AND "
                "(archived_at IS NULL OR archived_at >= %s) AND due_at < %s GROUP BY grid_id",
                [e] * 3 + [s] * 4 + [e, s, s, e],
            )
        ),
        "repeat_cases": _by_grid(
            db.all(
                "SELECT grid_id, COUNT(CASE WHEN registered_at >= %s THEN 1 END), "
                "COUNT(CASE WHEN registered_at < %s THEN 1 END) FROM cases_case "
                "WHERE registered_at >= %s AND registered_at < %s AND repeat_of_id IS NOT NULL "
                "GROUP BY grid_id",
                [s, s, b0, e],
            )
        ),
        "district_escalations": _by_grid(
            db.all(
                "SELECT c.grid_id, COUNT(CASE WHEN ev.created_at >= %s THEN 1 END), "
                "COUNT(CASE WHEN ev.created_at < %s THEN 1 END) FROM cases_caseevent ev "
                "JOIN cases_case c ON c.id = ev.case_id WHERE ev.kind = 'escalate' AND "
                "ev.to_level = 'district' AND ev.created_at >= %s AND ev.created_at < %s "
                "GROUP BY c.grid_id",
                [s, s, b0, e],
            )
        ),
        "early_signs": _by_grid(
            db.all(
                "SELECT grid_id, COUNT(CASE WHEN reported_at >= %s THEN 1 END), "
                "COUNT(CASE WHEN reported_at < %s THEN 1 END) FROM patrol_report "
                "WHERE is_early_sign AND reported_at >= %s "
                "AND reported_at < %s GROUP BY grid_id",
                [s, s, b0, e],
            )
        ),
    }
    from django.utils import timezone

    persons = []
    for moment in (window.end, window.start):
        persons.append(
            {
                grid: float(n)
                for grid, n in db.all(
                    "SELECT kp.grid_id, COUNT(*) FROM persons_keyperson kp "
                    "WHERE kp.registered_on <= %s AND NOT (kp.state = 'purged') AND "
                    "(kp.left_at IS NULL OR kp.left_at > %s) AND (SELECT rp.decided_level "
                    "FROM persons_ratingproposal rp WHERE rp.person_id = kp.id AND "
                    "rp.state IN ('confirmed', 'overridden') AND rp.decided_at <= %s "
                    "ORDER BY rp.decided_at DESC, rp.id DESC LIMIT 1) = 'high' "
                    "GROUP BY kp.grid_id",
                    [
                        timezone.localdate(moment).isoformat(),
                        db.ts(moment),
                        db.ts(moment),
                    ],
                )
            }
        )
    figures["high_risk_persons"] = (persons[0], persons[1])
    return figures


def _raw_weekly(db, window_end) -> None:
    """The early warning's new cases per grid and week over 53 weeks: one grouped read."""
    start = window_end - timedelta(weeks=53)
    origin = int(start.timestamp())
    week = (
        "((unixepoch(registered_at) - %s) / 604800)"
        if db.vendor == "sqlite"
        else "FLOOR((EXTRACT(EPOCH FROM registered_at) - %s) / 604800)::integer"
    )
    db.all(
        f"SELECT grid_id, {week}, COUNT(*) FROM cases_case "
        "WHERE registered_at >= %s AND registered_at < %s GROUP BY 1, 2",
        [origin, db.ts(start), db.ts(window_end)],
    )


def _raw_recompute(db, window, now) -> None:
    db.one("SELECT window_days, baseline_days, red_threshold FROM risk_risksettings WHERE id = 1")
    weights = dict(db.all("SELECT code, weight FROM risk_componentweight"))
    grids = db.all(
        "SELECT g.id, g.path, g.geometry, g.parent_id, c.parent_id FROM orgs_division g "
        "JOIN orgs_division c ON c.id = g.parent_id WHERE g.level = 'grid' ORDER BY g.path"
    )
    areas = {
        level: db.all("SELECT id, path FROM orgs_division WHERE level = %s ORDER BY path", [level])
        for level in ("community", "street")
    }
    figures = _raw_components(db, window)
    # grid figures added up into communities and streets
    totals: dict[int, dict[str, list[float]]] = defaultdict(
        lambda: {code: [0.0, 0.0] for code in figures}
    )
    for grid, _path, _geometry, community, street in grids:
        for code, (value, base) in figures.items():
            for area in (grid, community, street):
                totals[area][code][0] += value.get(grid, 0.0)
                totals[area][code][1] += base.get(grid, 0.0)
    rows = [
        (area, level, path)
        for level, members in (("grid", [(g[0], g[1]) for g in grids]), *areas.items())
        for area, path in members
    ]
    start, end, stamp = db.ts(window.start), db.ts(window.end), db.ts(now)
    db.begin()
    try:
        db.execute("DELETE FROM risk_indexsnapshot WHERE window_end = %s", [end])
        values = [
            (
                area,
                level,
                path,
                start,
                end,
                0.0,
                "green",
                json.dumps(
                    {
                        code: {"value": x, "expected": e, "weight": weights.get(code, 0.0)}
                        for code, (x, e) in totals[area].items()
                    }
                ),
                None,
                None,
                None,
                db.flag(False),
                stamp,
            )
            for area, level, path in rows
        ]
        db.conn.cursor().executemany(
            db._sql(
                "INSERT INTO risk_indexsnapshot (division_id, level, path, window_start, "
                "window_end, value, colour, components, gi_z, gi_p, gi_q, is_hotspot, "
                f"computed_at) VALUES ({db.placeholders(13)})"
            ),
            values,
        )
        db.rows += len(values)
        db.statements += 1
        _raw_weekly(db, window.end)
        for kind in ("rising", "hotspot"):
            db.all(
                "SELECT grid_id, last_flagged_at FROM risk_riskwarning "
                "WHERE closed_at IS NULL AND kind = %s",
                [kind],
            )
    finally:
        db.rollback()


# --- the heat map --------------------------------------------------------------------------


def _leader(db, session_key: str) -> dict:
    from .cases import _session, _user

    return _user(db, _session(db, session_key))


def _windows(db) -> list:
    return [
        w
        for (w,) in db.all(
            "SELECT DISTINCT window_end FROM risk_indexsnapshot WHERE level = 'street' "
            "ORDER BY window_end DESC LIMIT 52"
        )
    ]


def _scope(user: dict, column: str) -> tuple[str, list]:
    sql = " OR ".join([f"{column} LIKE %s"] * len(user["paths"])) or "1 = 0"
    return f"({sql})", [f"{p}%" for p in user["paths"]]


@scenario("heat-map", group="pages")
def heat_map(bench) -> list[Measurement]:
    """The map page at grid level, and its GeoJSON (1,971 grid polygons with index, colour and
    top components), as the district leader."""
    client = bench.client(LEADER)
    session = client.cookies["sessionid"]
    page = f"/risk/?level={MAP_LEVEL}"
    data = f"/risk/map.geojson?level={MAP_LEVEL}"

    def page_baseline(db):
        user = _leader(db, session)
        db.all("SELECT role_id FROM orgs_staff_roles WHERE staff_id = %s", [user["id"]])
        latest = _windows(db)[0]
        db.one("SELECT * FROM risk_risksettings WHERE id = 1")
        db.all("SELECT code, weight FROM risk_componentweight")
        scope, params = _scope(user, "path")
        db.one(f"SELECT COUNT(*) FROM risk_riskwarning WHERE closed_at IS NULL AND {scope}", params)
        db.all(
            "SELECT d.code, d.name, s.value, s.colour, s.is_hotspot FROM risk_indexsnapshot s "
            "JOIN orgs_division d ON d.id = s.division_id WHERE s.window_end = %s AND "
            f"s.level = %s AND {scope.replace('path', 's.path')} "
            "ORDER BY s.value DESC, s.path LIMIT 10",
            [latest, MAP_LEVEL, *params],
        )
        db.all(
            "SELECT colour FROM risk_indexsnapshot "
            f"WHERE window_end = %s AND level = %s AND {scope}",
            [latest, MAP_LEVEL, *params],
        )
        db.one(
            "SELECT COUNT(*) FROM core_notice WHERE recipient_id = %s AND read_at IS NULL",
            [user["id"]],
        )

    def data_baseline(db):
        user = _leader(db, session)
        db.all("SELECT role_id FROM orgs_staff_roles WHERE staff_id = %s", [user["id"]])
        latest = _windows(db)[0]
        db.one("SELECT MAX(computed_at) FROM risk_indexsnapshot WHERE window_end = %s", [latest])
        scope, params = _scope(user, "path")
        db.all(
            f"SELECT id, code, name, geometry FROM orgs_division WHERE level = %s AND {scope} "
            "ORDER BY path",
            [MAP_LEVEL, *params],
        )
        db.all(
            "SELECT division_id, value, colour, components, is_hotspot, gi_z "
            f"FROM risk_indexsnapshot WHERE window_end = %s AND level = %s AND {scope}",
            [latest, MAP_LEVEL, *params],
        )

    page_row = bench.http(
        "heat-map page (grid level)",
        lambda: client.get(page),
        baseline=page_baseline,
        queries=lambda: bench.count_queries(LEADER, "get", page),
    )
    data_row = bench.http(
        "heat-map map.geojson (grid level)",
        lambda: client.get(data),
        baseline=data_baseline,
        queries=lambda: bench.count_queries(LEADER, "get", data),
    )
    data_row.notes = (
        "ours is served from the per-window cache after the first request (what the map "
        "does); the baseline reads the polygons and snapshots every time"
    )
    return [targets.page(bench, page_row), targets.page(bench, data_row)]
