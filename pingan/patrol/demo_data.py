"""A year of patrols and about 200,000 reports across the 1,971 grids, with injected surges.

Deterministic from the seed; idempotent (nothing is generated into a database that already
holds patrols or reports). Rows are written in bulk: one ``executemany`` per batch, ``COPY`` on
PostgreSQL, so the whole year takes seconds.

The shape of the year:

- every grid has its own diligence (share of days patrolled, lower at weekends); a few grids
  are neglected, so the coverage page has grids never patrolled this week;
- every grid has its own report rate (log-normal around the district mean), reports come mostly
  on patrolled days, about one in eight is an early sign (苗头隐患);
- ``SURGES`` inject extra early-sign reports into known grids from known start dates, at half
  strength in the grids that touch them (queen contiguity), so the map and the early-warning
  job have real clusters to find and the detection rate and delay can be measured against
  ``surge_windows(end=...)``;
- a small share arrives through Open311 with the demo key ``DEMO_OPEN311_KEY``.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from shapely.geometry import shape
from shapely.strtree import STRtree

from pingan.cases.models import Category
from pingan.core.calendar import LOCAL_TZ, local_date
from pingan.demo.cases import bulk_load
from pingan.orgs.choices import Level, UnitKind
from pingan.orgs.models import Division, Unit

from .choices import CheckItem, PositionSource, ReportKind, ReportSource
from .models import ApiKey, Patrol, Report
from .services import API_KEY_PREFIX, key_digest

DAYS = 365
TARGET_REPORTS = 200_000
MIN_DAYS = 28  # a scaled-down demo still holds the newest surges
EARLY_SIGN_SHARE = 0.12
OPEN311_SHARE = 0.015
BATCH = 20_000
# The demo's Open311 key (like the demo password, for the demo only): district-wide.
DEMO_OPEN311_KEY = f"{API_KEY_PREFIX}DemoDongcheng2026-open311-key"
DEMO_OPEN311_NAME = "12345 热线（演示）"


@dataclass(frozen=True)
class Surge:
    """An injected surge of early-sign reports in one grid (and, at half strength, the grids
    touching it): from ``days_before_end`` days before the demo's last day, for ``days`` days,
    ``per_day`` extra early-sign reports a day in the grid."""

    grid_code: str
    days_before_end: int
    days: int
    per_day: float


@dataclass(frozen=True)
class SurgeWindow:
    grid_code: str
    start: date  # first local date of the surge
    last: date  # last local date (inclusive; may be cut by the end of the demo year)
    per_day: float


# Known grids and start dates (relative to the demo's end; see ``surge_windows``). Spread over
# the year and the district; the newest one is still running at the end, in 东华门 street.
SURGES = [
    Surge("110101001001003", days_before_end=12, days=28, per_day=0.6),  # 多福巷, 东华门
    Surge("110101003009004", days_before_end=40, days=28, per_day=0.5),  # 南锣鼓巷, 交道口
    Surge("110101008006005", days_before_end=75, days=21, per_day=0.5),  # 西总布, 建国门
    Surge("110101010015002", days_before_end=120, days=28, per_day=0.4),  # 兴化, 和平里
    Surge("110101014001006", days_before_end=170, days=21, per_day=0.5),  # 安化楼, 龙潭
    Surge("110101017009003", days_before_end=230, days=28, per_day=0.4),  # 桃杨路, 永定门外
]
NEIGHBOUR_STRENGTH = 0.5


def surge_windows(*, end: datetime) -> list[SurgeWindow]:
    """The surges with absolute local dates, for a demo generated with this ``end``."""
    last_day = local_date(end)
    windows = []
    for surge in SURGES:
        start = last_day - timedelta(days=surge.days_before_end)
        last = min(start + timedelta(days=surge.days - 1), last_day)
        windows.append(SurgeWindow(surge.grid_code, start, last, surge.per_day))
    return windows


KIND_SHARES = [
    (ReportKind.EVENT, 0.35),
    (ReportKind.OBJECT, 0.20),
    (ReportKind.PLACE, 0.15),
    (ReportKind.PERSON, 0.15),
    (ReportKind.SITUATION, 0.15),
]
# Texts per kind: (ordinary, early sign). Names are "某" forms: no real personal data.
TEXTS = {
    ReportKind.PERSON: (
        [
            "走访独居老人{s}某，身体状况良好，已提醒注意用电安全。",
            "{place}新入住租户{n}人，已登记并告知社区服务事项。",
            "{s}某反映家中子女赡养问题，已建议到社区调解室调解。",
        ],
        [
            "{s}某近期多次与家人激烈争吵，扬言要“闹大”，存在激化风险。",
            "社区矫正对象{s}某连续两天未按时报到，联系不上。",
            "{place}有{n}名人员聚集议论拖欠工资问题，情绪激动。",
        ],
    ),
    ReportKind.PLACE: (
        [
            "{place}出租房屋已复查，消防器材齐全。",
            "{place}沿街商铺占道经营，已现场劝导整改。",
            "{place}地下室已清理，无人员居住。",
        ],
        [
            "{place}群租房隔断{n}间，住户较多，存在消防隐患。",
            "{place}废弃院落常有陌生人员出入，夜间无照明。",
        ],
    ),
    ReportKind.EVENT: (
        [
            "{place}两户邻居因噪音发生口角，已现场劝解。",
            "{place}楼上漏水影响楼下住户，双方同意协商处理。",
            "{place}居民反映停车位被长期占用。",
            "{place}装修施工超时作业，已提醒施工方。",
        ],
        [
            "{place}邻里纠纷反复发生，双方扬言动手，需尽快调处。",
            "{place}业主与物业因收费问题对立，计划集体上访。",
            "{place}{n}名务工人员讨薪，在工地门口聚集。",
        ],
    ),
    ReportKind.OBJECT: (
        [
            "{place}消防通道堆放杂物，已督促清理。",
            "{place}路灯损坏，已报修。",
            "{place}井盖松动，已设置警示。",
        ],
        [
            "{place}电动车楼道内充电，飞线严重，火灾隐患大。",
            "{place}外墙瓷砖脱落，下方为通行道路，存在坠物伤人风险。",
        ],
    ),
    ReportKind.SITUATION: (
        [
            "居民对{place}垃圾分类点设置意见较多。",
            "{place}居民关注老旧小区加装电梯进展。",
            "{place}居民反映周边菜市场价格上涨。",
        ],
        [
            "{place}居民群内流传拆迁补偿不公的说法，情绪有所激化。",
            "{place}多名居民反映养老金发放问题，有集体反映的苗头。",
        ],
    ),
}
PLACES = ["胡同口", "院内", "楼门口", "小区南门", "临街商铺", "平房区", "单元楼道", "停车场"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
KIND_CATEGORIES = {
    ReportKind.PERSON: ["marriage_family", "labour", "other"],
    ReportKind.PLACE: ["housing_land", "property_management", "other"],
    ReportKind.EVENT: ["neighbourhood", "property_management", "labour", "consumer"],
    ReportKind.OBJECT: ["property_management", "other"],
    ReportKind.SITUATION: ["demolition", "other", "property_management"],
}


def load_demo(*, seed: int, end: datetime) -> str:
    """Generate the demo year of patrols and reports (see the module docstring); the setting
    ``PINGAN_PATROL_DEMO_SCALE`` shrinks it (days and reports) for tests."""
    if Patrol.objects.exists() or Report.objects.exists():
        return "patrols and reports already present, nothing generated"
    key = _demo_key()
    grids = _grids()
    if not grids:
        return "no grids, nothing generated"
    rng = np.random.default_rng(seed + 6)
    scale = settings.PINGAN_PATROL_DEMO_SCALE
    count_days = max(MIN_DAYS, min(DAYS, round(DAYS * scale)))
    last_day = local_date(end)
    days = [last_day - timedelta(days=offset) for offset in range(count_days - 1, -1, -1)]
    target = round(TARGET_REPORTS * scale)
    with transaction.atomic(), bulk_load():
        patrolled, patrols = _patrols(rng, grids, days, end)
        reports = _reports(rng, grids, days, end, patrolled, key, target)
    return (
        f"{patrols} patrols and {reports} reports over {count_days} days in {len(grids)} grids, "
        f"{len(SURGES)} injected surges; Open311 demo key {DEMO_OPEN311_KEY}"
    )


# --- the org side ---------------------------------------------------------------------------


@dataclass
class _Grid:
    pk: int
    code: str
    path: str
    bounds: tuple[float, float, float, float]
    center: tuple[float, float]
    worker: int | None
    core: object = None  # the grid's polygon drawn in from its border (shapely)


def _demo_key() -> ApiKey:
    district_center = Unit.objects.filter(kind=UnitKind.DISTRICT_CENTER).order_by("pk").first()
    prefix = DEMO_OPEN311_KEY[len(API_KEY_PREFIX) : len(API_KEY_PREFIX) + 12]
    key, _created = ApiKey.objects.get_or_create(
        prefix=prefix,
        defaults={
            "name": DEMO_OPEN311_NAME,
            "unit": district_center,
            "key_hash": key_digest(DEMO_OPEN311_KEY),
        },
    )
    return key


def _grids() -> list[_Grid]:
    """Grids with their bounds and worker: the demo account for its grids, else gw<code>."""
    staff = get_user_model()
    workers = dict(staff.objects.filter(username__startswith="gw").values_list("username", "pk"))
    demo = staff.objects.filter(username="grid_worker").first()
    demo_grids = set(demo.grids.values_list("pk", flat=True)) if demo else set()
    result = []
    rows = Division.objects.filter(level=Level.GRID).exclude(geometry=None).order_by("path")
    for pk, code, path, geometry, lng, lat in rows.values_list(
        "pk", "code", "path", "geometry", "center_lng", "center_lat"
    ):
        worker = demo.pk if pk in demo_grids else workers.get(f"gw{code}")
        polygon = shape(geometry)
        west, south, east, north = polygon.bounds
        # off the border by 5 % of the grid's narrower side, as the bounds' draw is
        core = polygon.buffer(-0.05 * min(east - west, north - south))
        result.append(_Grid(pk, code, path, polygon.bounds, (lng, lat), worker, core))
    return [grid for grid in result if grid.worker is not None]


def _neighbours(grids: list[_Grid]) -> dict[str, list[int]]:
    """Queen neighbours (sharing an edge or a corner) of each surge grid, as list positions."""
    polygons = [shapely.box(*grid.bounds) for grid in grids]
    tree = STRtree(polygons)
    position = {grid.code: index for index, grid in enumerate(grids)}
    found = {}
    for surge in SURGES:
        index = position.get(surge.grid_code)
        if index is None:
            continue
        hits = tree.query(polygons[index], predicate="intersects")
        found[surge.grid_code] = [int(hit) for hit in hits if hit != index]
    return found


# --- generation -----------------------------------------------------------------------------


def _local_start(day: date) -> float:
    """Epoch seconds of local midnight of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).timestamp()


def _patrols(rng, grids: list[_Grid], days: list[date], end: datetime):
    """Which grid was patrolled on which day (a grid × day matrix), and the patrol rows,
    written here. Everything is drawn as whole arrays; rows go in day by day, so they reach
    the time-ordered indexes in order."""
    count_grids, count_days = len(grids), len(days)
    diligence = rng.beta(9, 1.6, size=count_grids)
    neglected = rng.random(count_grids) < 0.03
    diligence[neglected] = rng.uniform(0.05, 0.25, size=int(neglected.sum()))
    weekend = np.array([day.weekday() >= 5 for day in days])
    chance = diligence[:, None] * np.where(weekend, 0.75, 1.0)[None, :]
    patrolled = rng.random((count_grids, count_days)) < chance
    day_index, grid_index = np.nonzero(patrolled.T)
    day_starts = np.array([_local_start(day) for day in days])
    started = np.floor(day_starts[day_index] + rng.uniform(8 * 3600, 10.5 * 3600, day_index.size))
    ended = started + np.floor(rng.uniform(40 * 60, 150 * 60, day_index.size))
    late = ended > end.timestamp()  # not over yet at the end of the demo: left out
    patrolled[grid_index[late], day_index[late]] = False
    keep = ~late
    day_index, grid_index, started, ended = (
        day_index[keep],
        grid_index[keep],
        started[keep],
        ended[keep],
    )
    item_sets = _item_sets(rng)
    checked = rng.integers(0, len(item_sets), size=day_index.size)
    grid_pks = np.array([grid.pk for grid in grids])
    workers = np.array([grid.worker for grid in grids])
    day_values = [_date_value(day) for day in days]
    writer = _Writer(
        Patrol,
        [
            "grid_id",
            "staff_id",
            "day",
            "started_at",
            "ended_at",
            "checked",
            "note",
            "created_at",
            "updated_at",
        ],
    )
    # Rows are built a batch at a time from the arrays: memory stays flat.
    for first in range(0, day_index.size, BATCH):
        part = slice(first, first + BATCH)
        ended_values = _moments(ended[part])
        writer.insert(
            list(
                zip(
                    grid_pks[grid_index[part]].tolist(),
                    workers[grid_index[part]].tolist(),
                    [day_values[d] for d in day_index[part].tolist()],
                    _moments(started[part]),
                    ended_values,
                    [item_sets[i] for i in checked[part].tolist()],
                    [""] * len(ended_values),
                    ended_values,
                    ended_values,
                    strict=True,
                )
            )
        )
    return patrolled, int(day_index.size)


def _item_sets(rng) -> list[str]:
    items = CheckItem.values
    sets = []
    for _ in range(64):
        size = int(rng.integers(2, 6))
        chosen = sorted(rng.choice(len(items), size=size, replace=False).tolist())
        sets.append(json.dumps([items[i] for i in chosen]))
    return sets


def _surge_extra(grids: list[_Grid], days: list[date], end: datetime) -> np.ndarray:
    """Expected extra early-sign reports per grid and day from ``SURGES``."""
    extra = np.zeros((len(grids), len(days)))
    position = {grid.code: index for index, grid in enumerate(grids)}
    day_position = {day: index for index, day in enumerate(days)}
    neighbours = _neighbours(grids)
    for window in surge_windows(end=end):
        index = position.get(window.grid_code)
        if index is None or window.start not in day_position:
            continue
        first, last = day_position[window.start], day_position[window.last]
        extra[index, first : last + 1] += window.per_day
        for other in neighbours.get(window.grid_code, []):
            extra[other, first : last + 1] += window.per_day * NEIGHBOUR_STRENGTH
    return extra


def _reports(rng, grids, days, end, patrolled, key, target: int) -> int:
    """About ``target`` reports: per-grid rates (log-normal), mostly on patrolled days,
    plus the surges' early signs; written in time order.

    How many reports each grid gets on each day is drawn first (a grid × day matrix, whose size
    does not depend on ``target``); the reports themselves are then drawn and written a block
    of days at a time, each block about ``BATCH`` reports, so memory stays flat however many
    reports are asked for."""
    base = rng.lognormal(mean=0.0, sigma=0.6, size=len(grids))
    expected = base[:, None] * np.where(patrolled, 1.0, 0.3)
    counts = rng.poisson(expected * (target / expected.sum()))
    surge_counts = rng.poisson(_surge_extra(grids, days, end))
    per_day = counts.sum(axis=0) + surge_counts.sum(axis=0)
    day_starts = np.array([_local_start(day) for day in days])
    block = _ReportBlock(grids, key, end)
    written, first = 0, 0
    while first < len(days):
        last = first + 1
        while last < len(days) and per_day[first : last + 1].sum() <= BATCH:
            last += 1
        written += block.write(
            rng, counts[:, first:last], surge_counts[:, first:last], day_starts[first:last]
        )
        first = last
    return written


class _ReportBlock:
    """Draws and writes the reports of a block of consecutive days."""

    def __init__(self, grids, key, end: datetime) -> None:
        self.grids, self.key, self.end = grids, key, end.timestamp()
        self.bounds = np.array([grid.bounds for grid in grids])
        self.centers = np.array([grid.center for grid in grids])
        self.cores = np.array([grid.core for grid in grids], dtype=object)
        self.kinds = [kind for kind, _share in KIND_SHARES]
        self.shares = [share for _kind, share in KIND_SHARES]
        self.categories = dict(Category.objects.values_list("code", "pk"))
        self.empty_phone = Report._meta.get_field("contact_phone").get_db_prep_save("", connection)
        self.writer = _Writer(Report, REPORT_COLUMNS)

    def write(self, rng, counts, surge_counts, day_starts) -> int:
        """``counts`` and ``surge_counts``: reports per grid (rows) and day of the block."""
        parts = []
        for matrix in (counts, surge_counts):
            day_index, grid_index = np.nonzero(matrix.T)
            repeats = matrix.T[day_index, grid_index]
            parts.append((np.repeat(day_index, repeats), np.repeat(grid_index, repeats)))
        day_of = np.concatenate([parts[0][0], parts[1][0]])
        grid_of = np.concatenate([parts[0][1], parts[1][1]])
        n = day_of.size
        early = rng.random(n) < EARLY_SIGN_SHARE
        early[parts[0][0].size :] = True  # the surges' reports are early signs
        times = np.floor(day_starts[day_of] + rng.uniform(8.5 * 3600, 19 * 3600, n))
        order = np.argsort(times, kind="stable")
        keep = order[times[order] <= self.end]
        grid_of, early, times = grid_of[keep], early[keep], times[keep]
        n = keep.size

        west, south, east, north = (self.bounds[grid_of, i] for i in range(4))
        # Inside the grid, off its border, so the border rule never decides a demo report.
        lons = np.round(west + (east - west) * rng.uniform(0.05, 0.95, n), 6)
        lats = np.round(south + (north - south) * rng.uniform(0.05, 0.95, n), 6)
        via_open311 = rng.random(n) < OPEN311_SHARE
        gps = (rng.random(n) < 0.8) | via_open311
        # a grid cut from the district's curved outline is no rectangle: a point its bounds
        # give outside it is reported at the grid's centre instead
        placed = gps & shapely.contains_xy(self.cores[grid_of], lons, lats)
        lons = np.where(placed, lons, self.centers[grid_of, 0])
        lats = np.where(placed, lats, self.centers[grid_of, 1])
        kind_of = rng.choice(len(self.kinds), size=n, p=self.shares)
        a, b = rng.random(n), rng.random(n)
        moments = _moments(times)
        rows = []
        for i, (g, kind_index, is_early, external, by_gps, lon, lat, ai, bi) in enumerate(
            zip(
                grid_of.tolist(),
                kind_of.tolist(),
                early.tolist(),
                via_open311.tolist(),
                gps.tolist(),
                lons.tolist(),
                lats.tolist(),
                a.tolist(),
                b.tolist(),
                strict=True,
            )
        ):
            grid, kind = self.grids[g], self.kinds[kind_index]
            category = None
            if external or ai < 0.5:
                options = KIND_CATEGORIES[kind]
                category = self.categories.get(options[int(bi * len(options))])
            if external:
                position = PositionSource.CLIENT
            else:
                position = PositionSource.GPS if by_gps else PositionSource.GRID
            rows.append(
                (
                    grid.pk,
                    grid.path,
                    kind,
                    is_early,
                    category,
                    _text(kind, is_early, ai, bi),
                    "",
                    moments[i],
                    None if external else grid.worker,
                    None,
                    ReportSource.OPEN311 if external else ReportSource.PATROL,
                    self.key.pk if external else None,
                    lon,
                    lat,
                    position,
                    "",
                    "市民" if external else "",
                    self.empty_phone,
                    None,
                    moments[i],
                    moments[i],
                )
            )
        self.writer.insert(rows)
        return n


REPORT_COLUMNS = [
    "grid_id",
    "area_path",
    "kind",
    "is_early_sign",
    "category_id",
    "text",
    "address",
    "reported_at",
    "reporter_id",
    "patrol_id",
    "source",
    "api_key_id",
    "lon",
    "lat",
    "position_source",
    "photo",
    "contact_name",
    "contact_phone",
    "case_id",
    "created_at",
    "updated_at",
]


def _text(kind: str, early: bool, a: float, b: float) -> str:
    ordinary, signs = TEXTS[kind]
    options = signs if early else ordinary
    template = options[int(a * len(options)) % len(options)]
    return template.format(
        s=SURNAMES[int(b * len(SURNAMES)) % len(SURNAMES)],
        place=PLACES[int(a * 97) % len(PLACES)],
        n=2 + int(b * 9),
    )


# --- writing --------------------------------------------------------------------------------


def _moments(seconds: np.ndarray) -> list[str]:
    """Database text of UTC moments given as epoch seconds, for the whole array at once:
    SQLite stores naive UTC "YYYY-MM-DD HH:MM:SS"; PostgreSQL parses the same with "+00:00"."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    text = np.char.replace(text, "T", " ")
    if connection.vendor != "sqlite":
        text = np.char.add(text, "+00:00")
    return text.tolist()


def _date_value(day: date):
    return day.isoformat() if connection.vendor == "sqlite" else day


class _Writer:
    """Insert tuples (already database values, in ``columns`` order) into a model's table:
    ``executemany``, or ``COPY`` on PostgreSQL (psycopg 3)."""

    def __init__(self, model, columns: list[str]) -> None:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
        self.insert_sql = (
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        )
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"

    def insert(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if connection.vendor == "postgresql" and hasattr(raw, "copy"):
                with raw.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, rows)
