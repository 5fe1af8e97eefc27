"""Evaluation scenarios: a quarter's scores for every subject, and the quarterly report PDF.

The demo publishes a street scheme and a mediator scheme per quarter. To compute "all 17
streets and all staff" (issue 7), ``every_subject_schemes`` adds, for the latest demo quarter,
a published scheme for every other role that active staff hold (the mediator scheme's
indicators) and one for units (the street scheme's indicators that apply to units); they are
removed when the scenario ends, so the cached data is left as it was.

The quarter's baseline does the same grouped reads by hand, per kind of subject: one for all
the sources over the cases concluded in the window (a filtered aggregate each, as ours), the
90th percentile of handling days ranked by window functions, one for each other source; it
inserts the same number of runs, subject rows and indicator rows, rolled back.
It computes no points and ranks nothing: the ratio is the price of the scoring rules, the
ORM and Python. The PDF's baseline does the report's reads only: it cannot render anything.
"""

from contextlib import contextmanager

from .. import targets
from ..measure import Measurement
from . import scenario

BENCH_PREFIX = "基准测试"
CONCLUDED = ("concluded", "followed_up", "archived")
CLOCK = ("accepted", "assigned", "mediating")
REVIEW_PASSING = ("excellent", "good", "pass")
LEVELS = ("grid", "community", "street")
# How a case row names its subject in SQL (``c`` the case, ``cm`` its community).
CASE_KEY = {"street": "cm.parent_id", "unit": "c.handling_unit_id", "person": "c.handler_id"}
ENTRY_KEY = {"street": "division_id", "unit": "unit_id", "person": "staff_id"}


def latest_period() -> tuple[int, int]:
    from pingan.evaluation.models import Scheme

    scheme = (
        Scheme.objects.filter(state="published", subject_kind="street", quarter__gt=0)
        .order_by("-year", "-quarter")
        .first()
    )
    if scheme is None:
        raise RuntimeError("no published street scheme: load the evaluation demo data")
    return scheme.year, scheme.quarter


@contextmanager
def every_subject_schemes(year: int, quarter: int, *, units: bool = True):
    """Published schemes for every role with active staff (and for units, unless the demo has
    theirs) in the period, beside the demo's; written directly (no audit rows) and deleted on
    exit."""
    from django.db import transaction

    from pingan.evaluation import sources
    from pingan.evaluation.models import Indicator, Scheme, ScoreRun
    from pingan.evaluation.services import scheme_window
    from pingan.orgs.models import Staff

    published = Scheme.objects.filter(year=year, quarter=quarter, state="published")
    street = published.get(subject_kind="street")
    people = published.get(subject_kind="person", role="mediator")
    have = set(published.filter(subject_kind="person").values_list("role", flat=True))
    roles = sorted(
        set(Staff.objects.filter(is_active=True).values_list("roles__code", flat=True))
        - have
        - {None}
    )
    window = scheme_window(street, street.period[1])
    wanted = [("person", role, people) for role in roles]
    if units and not published.filter(subject_kind="unit").exists():
        wanted.append(("unit", "", street))
    created = []
    with transaction.atomic():
        for kind, role, model in wanted:
            scheme = Scheme.objects.create(
                name=f"{BENCH_PREFIX} {kind} {role}",
                year=year,
                quarter=quarter,
                subject_kind=kind,
                role=role,
                state="published",
                dimension_weights=model.dimension_weights,
                created_by=model.created_by,
                published_at=model.published_at,
            )
            Indicator.objects.bulk_create(
                Indicator(
                    scheme=scheme,
                    **{
                        f.name: getattr(indicator, f.name)
                        for f in Indicator._meta.concrete_fields
                        if f.name not in ("id", "scheme", "created_at", "updated_at")
                    },
                )
                for indicator in model.indicators.all()
                if indicator.source == sources.MANUAL
                or sources.SOURCES[indicator.source].build(window).applies_to(kind)
            )
            created.append(scheme.pk)
    try:
        yield created
    finally:
        with transaction.atomic():
            ScoreRun.objects.filter(scheme__in=created).delete()
            Scheme.objects.filter(pk__in=created).delete()


@scenario("evaluation-quarter", group="jobs")
def evaluation_quarter(bench) -> list[Measurement]:
    """``scores_compute_period`` for the latest demo quarter: every published scheme (streets,
    units, every role's staff), in-process, rolled back after each run."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from pingan.evaluation.models import Scheme, SubjectScore
    from pingan.evaluation.services import scores_compute_period

    year, quarter = latest_period()
    now = bench.end
    counted = {}

    def ours():
        with transaction.atomic():
            runs = scores_compute_period(year=year, quarter=quarter, actor=None, now=now)
            counted["schemes"] = len(runs)
            counted["subjects"] = sum(run.subject_count for run in runs)
            counted["items"] = sum(
                run.subject_count * run.scheme.indicators.count() for run in runs
            )
            transaction.set_rollback(True)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            ours()
        return len(captured)

    with every_subject_schemes(year, quarter):
        plan = _plan(year, quarter)
        row = bench.job(
            f"evaluation quarter ({year}Q{quarter}, all subjects)",
            ours,
            baseline=lambda db: _raw_quarter(db, plan, now),
            queries=queries,
            times=3,
        )
    assert not SubjectScore.objects.filter(run__scheme__name__startswith=BENCH_PREFIX).exists()
    assert not Scheme.objects.filter(name__startswith=BENCH_PREFIX).exists()
    row.notes = (
        f"{counted['schemes']} schemes, {counted['subjects']} subjects, "
        f"{counted['items']} indicator scores per run"
    )
    return [targets.job(bench, row)]


def _plan(year: int, quarter: int) -> dict:
    """What the baseline reads and writes: per scheme its kind, role and indicators'
    (source, code) pairs; the period's window."""
    from pingan.evaluation.models import Scheme, period_bounds

    schemes = [
        {
            "id": scheme.pk,
            "kind": scheme.subject_kind,
            "role": scheme.role,
            "indicators": list(scheme.indicators.values_list("pk", "source", "code")),
        }
        for scheme in Scheme.objects.filter(year=year, quarter=quarter, state="published").order_by(
            "subject_kind", "role", "pk"
        )
    ]
    start, end = period_bounds(year, quarter)
    return {"schemes": schemes, "start": start, "end": end, "year": year, "quarter": quarter}


def _raw_subjects(db, kind: str, role: str) -> list[tuple]:
    if kind == "street":
        return db.all(
            "SELECT id, name, path FROM orgs_division WHERE level = 'street' ORDER BY path"
        )
    if kind == "unit":
        return db.all(
            "SELECT u.id, u.name, d.path FROM orgs_unit u JOIN orgs_division d "
            "ON d.id = u.division_id WHERE u.kind = 'agency' AND u.is_active "
            "ORDER BY d.path, u.name"
        )
    return db.all(
        "SELECT s.id, s.name, d.path FROM orgs_staff s JOIN orgs_staff_roles r "
        "ON r.staff_id = s.id LEFT JOIN orgs_unit u ON u.id = s.unit_id LEFT JOIN orgs_division d "
        "ON d.id = u.division_id WHERE s.is_active AND r.role_id = %s ORDER BY d.path, s.username",
        [role],
    )


# The sources over the cases concluded in the window: read together, one grouped query per
# kind of subject with an aggregate (filtered by CASE) per figure, as ours measures them.
CONCLUDED_SOURCES = (
    "cases_handled",
    "on_time_rate",
    "community_share",
    "street_share",
    "satisfaction_rate",
    "avg_handling_days",
    "reopen_rate",
)


class _CaseRead:
    """How a read over cases names its subjects (or the area, with ``area``: keyed 0)."""

    def __init__(self, db, kind: str, area) -> None:
        self.db = db
        self.joins = ""
        if kind == "street" and area is None:
            self.joins = (
                " JOIN orgs_division g ON g.id = c.grid_id "
                "JOIN orgs_division cm ON cm.id = g.parent_id"
            )
        self.key = "0" if area is not None else CASE_KEY[kind]
        self.scope, self.scoped = (
            ("", []) if area is None else (" AND c.area_path LIKE %s", [f"{area}%"])
        )
        self.group = "" if area is not None else f" GROUP BY {self.key}"
        self.partition = "" if area is not None else f"PARTITION BY {self.key}"

    def grouped(self, select: str, where: str, params: list, source="cases_case c") -> dict:
        rows = self.db.all(
            f"SELECT {self.key}, {select} FROM {source}{self.joins} "
            f"WHERE {where}{self.scope}{self.group}",
            [*params, *self.scoped],
        )
        return {row[0]: row[1:] for row in rows}


def _raw_sources(db, wanted: list[tuple], kind: str, plan: dict, until, area=None) -> dict:
    """The figures of each (source, code) in ``wanted``: each subject's key and its figures,
    or with ``area`` (an org-tree path) the area's figures instead, keyed 0. The sources over
    the concluded cases share one grouped read; the others have one each."""
    read = _CaseRead(db, kind, area)
    start, stop = db.ts(plan["start"]), db.ts(until)
    concluded = (
        "c.concluded_at >= %s AND c.concluded_at < %s AND c.state IN "
        f"({db.placeholders(len(CONCLUDED))})"
    )
    window = [start, stop, *CONCLUDED]

    def counted(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    days = (
        "julianday(c.concluded_at) - julianday(c.accepted_at)"
        if db.vendor == "sqlite"
        else "EXTRACT(EPOCH FROM c.concluded_at - c.accepted_at) / 86400"
    )
    levels = {
        "community_share": "'grid', 'community'",
        "street_share": "'grid', 'community', 'street'",
    }
    figures = {
        "cases_handled": ["COUNT(*)"],
        "on_time_rate": [
            counted("c.due_at IS NOT NULL"),
            counted("c.due_at IS NOT NULL AND c.concluded_at <= c.due_at"),
        ],
        **{
            source: [
                counted("c.concluded_level <> ''"),
                counted(f"c.concluded_level <> '' AND c.concluded_level IN ({hit})"),
            ]
            for source, hit in levels.items()
        },
        "satisfaction_rate": [
            counted("c.satisfaction IS NOT NULL"),
            counted("c.satisfaction IS NOT NULL AND c.satisfaction >= 3"),
        ],
        "avg_handling_days": [
            counted("c.accepted_at IS NOT NULL"),
            f"SUM(CASE WHEN c.accepted_at IS NOT NULL THEN {days} END)",
        ],
        "reopen_rate": [
            "COUNT(*)",
            counted("c.id IN (SELECT case_id FROM cases_caseevent WHERE kind = 'reopen')"),
        ],
    }
    found = {}
    together = [item for item in wanted if item[0] in figures]
    if together:
        columns = [figures[source] for source, _code in together]
        rows = read.grouped(", ".join(c for group in columns for c in group), concluded, window)
        offset = 0
        for item, group in zip(together, columns, strict=True):
            found[item] = {k: v[offset : offset + len(group)] for k, v in rows.items()}
            offset += len(group)
    for item in wanted:
        if item not in found:
            found[item] = _raw_alone(db, item, kind, plan, until, area, read)
    return found


def _raw_alone(db, item: tuple, kind: str, plan: dict, until, area, read: _CaseRead) -> dict:
    """One source's own read: not over the concluded cases, or the percentile."""
    source, code = item
    start, stop = db.ts(plan["start"]), db.ts(until)
    if source == "p90_handling_days":
        # each subject's durations ranked: the record at the nearest rank of 90%
        days = (
            "julianday(c.concluded_at) - julianday(c.accepted_at)"
            if db.vendor == "sqlite"
            else "c.concluded_at - c.accepted_at"
        )
        rows = db.all(
            f"SELECT k, accepted_at, concluded_at, n FROM (SELECT {read.key} AS k, "
            f"c.accepted_at, c.concluded_at, ROW_NUMBER() OVER ({read.partition} ORDER BY "
            f"{days}) AS r, COUNT(*) OVER ({read.partition}) AS n FROM cases_case c{read.joins} "
            "WHERE c.concluded_at >= %s AND c.concluded_at < %s AND c.state IN "
            f"({db.placeholders(len(CONCLUDED))}) AND c.accepted_at IS NOT NULL{read.scope}) "
            "ranked WHERE r >= n * 0.9 AND r < n * 0.9 + 1",
            [start, stop, *CONCLUDED, *read.scoped],
        )
        return {row[0]: row[1:] for row in rows}
    if source == "overdue_count":
        return read.grouped(
            "COUNT(*)",
            "c.due_at >= %s AND c.due_at < %s AND ((c.concluded_at IS NULL AND c.state IN "
            f"({db.placeholders(len(CLOCK))})) OR c.concluded_at > c.due_at)",
            [start, stop, *CLOCK],
        )
    if source == "data_error_rate":
        return read.grouped(
            "COUNT(*), SUM(CASE WHEN c.id IN (SELECT case_id FROM evaluation_correctionitem) "
            "THEN 1 ELSE 0 END)",
            "c.registered_at >= %s AND c.registered_at < %s",
            [start, stop],
        )
    if source == "review_pass_rate":
        passing = db.placeholders(len(REVIEW_PASSING))
        return read.grouped(
            f"COUNT(*), SUM(CASE WHEN r.grade IN ({passing}) THEN 1 ELSE 0 END)",
            "r.state = 'done' AND r.reviewed_at >= %s AND r.reviewed_at < %s",
            [*REVIEW_PASSING, start, stop],
            source="evaluation_review r JOIN cases_case c ON c.id = r.case_id",
        )
    if source in ("whistle_on_time_rate", "whistle_late_count"):
        return _raw_summonses(db, source, kind, start, stop, area)
    if source == "four_list_on_time_rate":
        return _raw_four_list(db, kind, plan["start"], until, area)
    entry = ENTRY_KEY[kind]
    if source in ("positive_points", "negative_points"):
        rows = db.all(
            f"SELECT {entry}, COUNT(*), SUM(points) FROM evaluation_listentry WHERE kind = %s "
            "AND state = 'approved' AND occurred_on >= %s AND occurred_on < %s "
            f"GROUP BY {entry}",
            [source.removesuffix("_points"), plan["start"].date(), plan["end"].date()],
        )
        return {row[0]: row[1:] for row in rows}
    if source == "manual":
        rows = db.all(
            f"SELECT {entry}, COUNT(*), SUM(value) FROM evaluation_manualentry WHERE year = %s "
            "AND quarter = %s AND indicator_code = %s AND state = 'approved' "
            f"GROUP BY {entry}",
            [plan["year"], plan["quarter"], code],
        )
        return {row[0]: row[1:] for row in rows}
    raise RuntimeError(f"the baseline has no hand-written read for source {source!r}")


# How a summons names its subject: the summoned unit (a street through its own units), or the
# person who acknowledged it (on-time rate) or was named in it (late count).
SUMMONS_KEY = {
    "whistle_on_time_rate": {"street": "u.division_id", "unit": "s.unit_id",
                             "person": "s.acknowledged_by_id"},
    "whistle_late_count": {"street": "u.division_id", "unit": "s.unit_id",
                           "person": "s.officer_id"},
}  # fmt: skip


def _raw_summonses(db, source: str, kind: str, start, stop, area) -> dict:
    """The whistle sources: summonses of whistles blown in the period."""
    key = "0" if area is not None else SUMMONS_KEY[source][kind]
    where = "w.blown_at >= %s AND w.blown_at < %s"
    params = [start, stop]
    if source == "whistle_on_time_rate":
        select = (
            "COUNT(*), SUM(CASE WHEN s.acknowledged_at IS NOT NULL "
            "AND s.acknowledged_at <= w.report_by THEN 1 ELSE 0 END)"
        )
    else:
        select = "COUNT(*)"
        where += (
            " AND (s.acknowledged_at > w.report_by "
            "OR (s.acknowledged_at IS NULL AND w.report_by < %s))"
        )
        params.append(stop)
    return _by_subject(
        db,
        key,
        select,
        "collaboration_whistlesummons s JOIN collaboration_whistlecall w ON w.id = s.call_id "
        "LEFT JOIN orgs_unit u ON u.id = s.unit_id "
        "LEFT JOIN orgs_division d ON d.id = u.division_id",
        where,
        params,
        area=area,
        area_path="d.path",
    )


def _by_subject(db, key, select, tables, where, params, *, area, area_path) -> dict:
    """key -> the selected figures: grouped by subject, or one row (key 0) for an area."""
    if area is not None:
        where += f" AND {area_path} LIKE %s"
        params = [*params, f"{area}%"]
    rows = db.all(
        f"SELECT {key}, {select} FROM {tables} WHERE {where}"
        + ("" if area is not None else f" GROUP BY {key}"),
        params,
    )
    return {row[0]: row[1:] for row in rows}


FOUR_LIST_KEY = {"street": "k.street_id", "unit": "t.owner_id", "person": "t.created_by_id"}


def _raw_four_list(db, kind: str, start, until, area) -> dict:
    """Four-list tasks due in the period, and those done by their deadline (a local date)."""
    from django.utils import timezone

    key = "0" if area is not None else FOUR_LIST_KEY[kind]
    done_day = (
        "date(t.done_at, '+8 hours')"
        if db.vendor == "sqlite"
        else "(t.done_at AT TIME ZONE 'Asia/Shanghai')::date"
    )
    return _by_subject(
        db,
        key,
        f"COUNT(*), SUM(CASE WHEN t.done_at IS NOT NULL AND {done_day} <= t.deadline "
        "THEN 1 ELSE 0 END)",
        "collaboration_task t JOIN collaboration_problem p ON p.id = t.problem_id "
        "JOIN collaboration_safetytalk k ON k.id = p.talk_id",
        "t.deadline >= %s AND t.deadline < %s",
        [timezone.localdate(start), timezone.localdate(until)],
        area=area,
        area_path="k.area_path",
    )


def _raw_quarter(db, plan: dict, now) -> None:
    """Per scheme: its subjects, the sources not read before for that kind (those over the
    concluded cases in one grouped read, the others one each), a run row, its subject rows
    and indicator rows; all rolled back."""
    until = min(plan["end"], now)
    stamp = db.ts(now)
    db.begin()
    try:
        read: dict[tuple, dict] = {}
        for scheme in plan["schemes"]:
            kind = scheme["kind"]
            subjects = _raw_subjects(db, kind, scheme["role"])
            items = [
                (source, code if source == "manual" else "")
                for _pk, source, code in scheme["indicators"]
            ]
            wanted = list(dict.fromkeys(item for item in items if (*item, kind) not in read))
            for item, found in _raw_sources(db, wanted, kind, plan, until).items():
                read[(*item, kind)] = found
            values = [read[(*item, kind)] for item in items]
            db.execute(
                "INSERT INTO evaluation_scorerun (scheme_id, window_start, window_end, "
                "computed_at, subject_count, duration_ms) VALUES (%s, %s, %s, %s, %s, 0)",
                [scheme["id"], db.ts(plan["start"]), db.ts(until), stamp, len(subjects)],
            )
            run = db.one(
                "SELECT id FROM evaluation_scorerun WHERE scheme_id = %s ORDER BY id DESC LIMIT 1",
                [scheme["id"]],
            )[0]
            column = {"street": "division_id", "unit": "unit_id", "person": "staff_id"}[kind]
            cur = db.conn.cursor()
            cur.executemany(
                db._sql(
                    f"INSERT INTO evaluation_subjectscore (run_id, {column}, subject_name, "
                    "subject_path, function_points, efficacy_points, building_points, "
                    "overall_points, total, rank) VALUES (%s, %s, %s, %s, 0, 0, 0, 0, 0, 1)"
                ),
                [(run, pk, name[:100], path or "") for pk, name, path in subjects],
            )
            ids = [
                row[0]
                for row in db.all(
                    "SELECT id FROM evaluation_subjectscore WHERE run_id = %s ORDER BY id", [run]
                )
            ]
            rows = []
            for subject_id, (pk, _name, _path) in zip(ids, subjects, strict=True):
                for (indicator, _source, _code), found in zip(
                    scheme["indicators"], values, strict=True
                ):
                    figures = found.get(pk)
                    value = figures[0] if figures and len(figures) == 1 else None
                    rows.append((subject_id, indicator, value))
            cur.executemany(
                db._sql(
                    "INSERT INTO evaluation_indicatorscore (subject_id, indicator_id, value, "
                    "points) VALUES (%s, %s, %s, 0)"
                ),
                rows,
            )
            db.rows += len(subjects) + len(rows)
    finally:
        db.rollback()


@scenario("quarterly-pdf", group="jobs")
def quarterly_pdf(bench) -> list[Measurement]:
    """The quarterly 质效分析 report of the district for the latest demo quarter: its figures
    gathered and its PDF rendered (WeasyPrint), in-process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pingan.evaluation.models import QuarterReport
    from pingan.evaluation.report import render_pdf, report_data
    from pingan.orgs.models import Division

    year, quarter = latest_period()
    district = Division.objects.get(parent__isnull=True)
    now = bench.end
    size = {}

    def ours():
        made = QuarterReport(
            year=year,
            quarter=quarter,
            division=district,
            generated_at=now,
            data=report_data(year=year, quarter=quarter, division=district, now=now),
        )
        size["bytes"] = len(render_pdf(made))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            ours()
        return len(captured)

    row = bench.job(
        f"quarterly PDF ({year}Q{quarter}, district)",
        ours,
        baseline=lambda db: _raw_report_reads(db, year, quarter, district.path, now),
        queries=queries,
        times=3,
    )
    row.notes = (
        f"PDF of {size['bytes'] // 1024} KB; the baseline does the report's reads only, it "
        "cannot include the rendering (HTML template and WeasyPrint layout)"
    )
    return [targets.job(bench, row)]


def _raw_report_reads(db, year: int, quarter: int, path: str, now) -> None:
    """The report's reads: the twelve headline figures of the area, registered cases, the
    latest run of each kind with its subjects and indicator averages, the scan's counts per
    rule, the reviews."""
    from pingan.evaluation.models import period_bounds

    start, end = period_bounds(year, quarter)
    until = min(end, now)
    plan = {"start": start, "end": end, "year": year, "quarter": quarter}
    area = [f"{path}%"]
    headline = (
        "cases_handled",
        "on_time_rate",
        "community_share",
        "street_share",
        "satisfaction_rate",
        "avg_handling_days",
        "p90_handling_days",
        "reopen_rate",
        "overdue_count",
        "data_error_rate",
        "review_pass_rate",
    )
    _raw_sources(db, [(source, "") for source in headline], "unit", plan, until, area=path)
    db.one(
        "SELECT COUNT(*) FROM cases_supervision s JOIN cases_case c ON c.id = s.case_id "
        "WHERE c.area_path LIKE %s AND s.issued_at >= %s AND s.issued_at < %s",
        [*area, db.ts(start), db.ts(until)],
    )
    db.one(
        "SELECT COUNT(*) FROM cases_case WHERE area_path LIKE %s AND registered_at >= %s "
        "AND registered_at < %s",
        [*area, db.ts(start), db.ts(until)],
    )
    for kind in ("street", "unit", "person"):
        run = db.one(
            "SELECT r.id FROM evaluation_scorerun r JOIN evaluation_scheme s ON s.id = r.scheme_id "
            "WHERE s.year = %s AND s.quarter = %s AND s.subject_kind = %s AND s.state = "
            "'published' ORDER BY s.role, r.computed_at DESC, r.id DESC LIMIT 1",
            [year, quarter, kind],
        )
        if run is None:
            continue
        db.all(
            "SELECT * FROM evaluation_subjectscore WHERE run_id = %s AND subject_path LIKE %s "
            "ORDER BY rank, subject_name",
            [run[0], *area],
        )
        db.all(
            "SELECT i.name, i.weight, i.dimension, AVG(x.points), AVG(x.value) "
            "FROM evaluation_indicatorscore x JOIN evaluation_subjectscore s "
            "ON s.id = x.subject_id JOIN evaluation_indicator i ON i.id = x.indicator_id "
            "WHERE s.run_id = %s AND s.subject_path LIKE %s "
            "GROUP BY i.name, i.weight, i.dimension ORDER BY i.dimension, i.name",
            [run[0], *area],
        )
    db.all(
        "SELECT rule, COUNT(*), SUM(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END) "
        "FROM evaluation_correctionitem WHERE area_path LIKE %s AND opened_at >= %s "
        "AND opened_at < %s GROUP BY rule",
        [*area, db.ts(start), db.ts(end)],
    )
    passing = db.placeholders(len(REVIEW_PASSING))
    db.one(
        f"SELECT COUNT(*), SUM(CASE WHEN r.grade IN ({passing}) THEN 1 ELSE 0 END) "
        "FROM evaluation_review r JOIN cases_case c ON c.id = r.case_id WHERE "
        "c.area_path LIKE %s AND r.state = 'done' AND r.reviewed_at >= %s AND r.reviewed_at < %s",
        [*REVIEW_PASSING, *area, db.ts(start), db.ts(end)],
    )
