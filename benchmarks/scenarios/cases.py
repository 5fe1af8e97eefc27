"""Case scenarios: intake over HTTP (sequential and concurrent), the work queue page, the
case-list API with filters, the case page with a 30-event timeline, and the deadline sweep.

Each baseline does the same reads and writes by hand through sqlite3 / psycopg: the session or
token, the user's roles and scope, the rows the page shows (and the counts it pages by), the
rows intake inserts. It renders nothing and computes nothing beyond what the SQL needs, so the
ratio is the price of everything else: Django, DRF, templates, validation, the Python logic.
"""

import asyncio
import hashlib
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import httpx

from .. import targets
from ..measure import Measurement, Stats
from . import scenario

OPEN = ("registered", "accepted", "assigned", "mediating")
CLOCK = ("accepted", "assigned", "mediating")
COMPLEXITIES = ("general", "complex")
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PAGE = 50
LEADER = "district_dispatcher"  # the whole district: the widest queue
CLERK = "street_clerk"  # registers at 东华门 street
_serial = count(1)


# --- shared raw-SQL pieces -----------------------------------------------------------------


def _session(db, key: str) -> int:
    """Read the session, and write it back (SESSION_SAVE_EVERY_REQUEST); the user id."""
    now = _now()
    data, _expires = db.one(
        "SELECT session_data, expire_date FROM django_session "
        "WHERE session_key = %s AND expire_date > %s",
        [key, db.ts(now)],
    )
    db.execute(
        "UPDATE django_session SET session_data = %s, expire_date = %s WHERE session_key = %s",
        [data, db.ts(now + timedelta(hours=2)), key],
    )
    return _user_of_session(data)


def _user_of_session(data: str) -> int:
    from django.contrib.sessions.backends.db import SessionStore

    return int(SessionStore().decode(data)["_auth_user_id"])


def _token(db, key: str) -> int:
    """The token's holder, found as the app finds it: by its first characters, then its
    SHA-512 digest, unexpired."""
    digest = hashlib.sha512(key.encode()).hexdigest()
    return db.one(
        "SELECT u.id FROM core_apitoken t JOIN orgs_staff u ON u.id = t.user_id "
        "WHERE t.token_key = %s AND t.digest = %s AND (t.expiry IS NULL OR t.expiry > %s) "
        "AND u.is_active",
        [key[:15], digest, datetime.now(UTC)],
    )[0]


def _user(db, user_id: int) -> dict:
    """The user, their roles and the org-tree paths they may see."""
    uid, unit = db.one("SELECT id, unit_id FROM orgs_staff WHERE id = %s AND is_active", [user_id])
    roles = [
        r for (r,) in db.all("SELECT role_id FROM orgs_staff_roles WHERE staff_id = %s", [uid])
    ]
    paths = [
        p
        for (p,) in db.all(
            "SELECT d.path FROM orgs_division d JOIN orgs_unit_serves s ON s.division_id = d.id "
            "WHERE s.unit_id = %s",
            [unit],
        )
    ] or [
        p
        for (p,) in db.all(
            "SELECT d.path FROM orgs_division d JOIN orgs_unit u ON u.division_id = d.id "
            "WHERE u.id = %s",
            [unit],
        )
    ]
    return {"id": uid, "unit": unit, "roles": roles, "paths": paths}


def _visible(user: dict) -> tuple[str, list]:
    """The scope condition on cases ``c``: in the user's area, or handled or joined by their
    unit (as ``Case.objects.visible_to``)."""
    area = " OR ".join(["c.area_path LIKE %s"] * len(user["paths"])) or "1 = 0"
    sql = (
        f"({area} OR c.handling_unit_id = %s OR c.id IN "
        "(SELECT case_id FROM cases_case_joint_units WHERE unit_id = %s))"
    )
    return sql, [f"{p}%" for p in user["paths"]] + [user["unit"], user["unit"]]


def _unread(db, user: dict) -> None:
    db.one(
        "SELECT COUNT(*) FROM core_notice WHERE recipient_id = %s AND read_at IS NULL",
        [user["id"]],
    )


def _now():
    from django.utils import timezone

    return timezone.now()


# --- pages and list APIs -------------------------------------------------------------------


@scenario("queue-page", group="pages")
def queue_page(bench) -> list[Measurement]:
    """The work queue, all open cases in the district, first page of 50."""
    client = bench.client(LEADER)
    path = "/cases/?tab=area&state=open"
    session = client.cookies["sessionid"]

    def baseline(db):
        user = _user(db, _session(db, session))
        scope, params = _visible(user)
        where = f"{scope} AND c.state IN ({db.placeholders(len(OPEN))})"
        params += list(OPEN)
        db.one(f"SELECT COUNT(*) FROM cases_case c WHERE {where}", params)
        db.all(
            "SELECT c.number, c.title, c.state, c.level, c.channel, c.registered_at, c.due_at, "
            "c.warn_at, cat.name, u.name FROM cases_case c "
            "JOIN cases_category cat ON cat.id = c.category_id "
            "JOIN orgs_unit u ON u.id = c.handling_unit_id "
            f"WHERE {where} ORDER BY c.registered_at DESC, c.id DESC LIMIT {PAGE}",
            params,
        )
        db.all("SELECT id, code, name FROM cases_category ORDER BY sort_order")
        _unread(db, user)

    row = bench.http(
        "queue-page",
        lambda: client.get(path),
        baseline=baseline,
        queries=lambda: bench.count_queries(LEADER, "get", path),
    )
    return [targets.page(bench, row)]


def _list_api(bench, name: str, username: str, query: dict, where_sql, order="registered"):
    client = bench.client(username, api=True)
    token = client.headers["Authorization"].split()[1]
    path = "/api/cases/?" + "&".join(f"{k}={v}" for k, v in query.items())

    def baseline(db):
        user = _user(db, _token(db, token))
        scope, params = _visible(user)
        extra, extra_params = where_sql(db)
        where = f"{scope} AND {extra}"
        params += extra_params
        db.one(f"SELECT COUNT(*) FROM cases_case c WHERE {where}", params)
        db.all(
            "SELECT c.number, c.title, c.channel, c.complexity, c.urgency, c.state, c.level, "
            "c.handling_unit_id, c.registered_at, c.accepted_at, c.due_at, c.warn_at, "
            "c.concluded_at, cat.code, d.code, u.name FROM cases_case c "
            "JOIN cases_category cat ON cat.id = c.category_id "
            "JOIN orgs_division d ON d.id = c.grid_id "
            "JOIN orgs_unit u ON u.id = c.handling_unit_id "
            f"WHERE {where} ORDER BY c.registered_at DESC, c.id DESC LIMIT {PAGE}",
            params,
        )

    row = bench.http(
        name,
        lambda: client.get(path),
        baseline=baseline,
        queries=lambda: bench.count_queries(username, "get", path),
    )
    return targets.page(bench, row)


@scenario("case-list-api", group="pages")
def case_list_api(bench) -> list[Measurement]:
    """The case API with filters: open labour cases of the last quarter in the district, and
    the overdue (red) cases of one street."""
    since = (bench.end - timedelta(days=90)).date()

    def open_labour(db):
        states = db.placeholders(len(OPEN))
        return (
            f"c.state IN ({states}) AND c.category_id = "
            "(SELECT id FROM cases_category WHERE code = %s) AND c.registered_at >= %s",
            [*OPEN, "labour", db.ts(bench.end - timedelta(days=90))],
        )

    def red(db):
        return (
            f"c.state IN ({db.placeholders(len(CLOCK))}) AND c.due_at < %s",
            [*CLOCK, db.ts(_now())],
        )

    return [
        _list_api(
            bench,
            "case-list-api (open, category, date)",
            LEADER,
            {"state": "open", "category": "labour", "registered_after": since.isoformat()},
            open_labour,
        ),
        _list_api(
            bench, "case-list-api (overdue, street)", "street_dispatcher", {"colour": "red"}, red
        ),
    ]


@scenario("case-page", group="pages")
def case_page(bench) -> list[Measurement]:
    """The case page of an open case with a 30-event timeline."""
    number = bench.marker["timeline_case"]
    client = bench.client(CLERK)
    path = f"/cases/{number}/"
    session = client.cookies["sessionid"]

    def baseline(db):
        user = _user(db, _session(db, session))
        scope, params = _visible(user)
        case = db.one(
            "SELECT c.id, c.number, c.title, c.narrative, c.state, c.level, c.due_at, c.warn_at, "
            "c.version, cat.name, d.name, u.name, c.handler_id, c.registered_by_id "
            "FROM cases_case c JOIN cases_category cat ON cat.id = c.category_id "
            "JOIN orgs_division d ON d.id = c.grid_id "
            "JOIN orgs_unit u ON u.id = c.handling_unit_id "
            f"WHERE c.number = %s AND {scope}",
            [number, *params],
        )
        pk = case[0]
        db.all("SELECT id, name FROM orgs_staff WHERE id IN (%s, %s)", [case[12] or 0, case[13]])
        db.all("SELECT role, name, id_number, phone FROM cases_party WHERE case_id = %s", [pk])
        db.all(
            "SELECT e.kind, e.from_state, e.to_state, e.from_level, e.to_level, e.reason, e.data, "
            "e.created_at, s.name, u.name FROM cases_caseevent e "
            "LEFT JOIN orgs_staff s ON s.id = e.actor_id LEFT JOIN orgs_unit u ON u.id = e.unit_id "
            "WHERE e.case_id = %s ORDER BY e.created_at, e.id",
            [pk],
        )
        db.all("SELECT id, original_name, size FROM cases_attachment WHERE case_id = %s", [pk])
        db.all(
            "SELECT u.id, u.name FROM orgs_unit u JOIN cases_case_joint_units j "
            "ON j.unit_id = u.id WHERE j.case_id = %s",
            [pk],
        )
        db.one(
            "SELECT id, days, reason FROM cases_deadlineextension "
            "WHERE case_id = %s AND state = 'pending'",
            [pk],
        )
        db.all("SELECT number, title FROM cases_case WHERE repeat_of_id = %s LIMIT 10", [pk])
        _unread(db, user)

    row = bench.http(
        "case-page (30 events)",
        lambda: client.get(path),
        baseline=baseline,
        queries=lambda: bench.count_queries(CLERK, "get", path),
    )
    return [targets.page(bench, row)]


# --- intake --------------------------------------------------------------------------------


class Intake:
    """One intake as issue 8 defines it: the case created through the API (token, validation,
    routing suggestion, repeat check, number, case, parties, timeline event). The one-window
    page does the same after its suggestion panel (session, htmx) has asked as the clerk
    typed; that is the second, page row."""

    def __init__(self, bench) -> None:
        from pingan.cases.models import Category
        from pingan.core.validators import id_number_check_digit
        from pingan.orgs.models import Division

        self.bench = bench
        self.check_digit = id_number_check_digit
        clerk = bench.user(CLERK)
        self.grids = list(
            Division.objects.visible_to(clerk).grids().order_by("code").values_list("code", "id")
        )
        self.category = Category.objects.values_list("id", flat=True).get(code="neighbourhood")
        self.token = bench.token(CLERK)
        self._prepared: list[tuple[dict, str]] = []

    def payload(self, grid: str | None = None) -> tuple[dict, dict]:
        n = next(_serial)
        grid = grid or self.grids[n % len(self.grids)][0]
        first17 = f"110101{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        id_number = first17 + self.check_digit(first17)
        narrative = (
            f"压测第{n}号：楼上住户卫生间第{n % 97}次漏水，渗到楼下厨房和卧室顶棚，"
            f"墙皮脱落约{n % 9 + 1}平方米，双方对维修费用分担协商不成，请求调解。"
        )
        suggest = {
            "narrative": narrative,
            "grid": grid,
            "category": str(self.category),
            "party-0-id_number": id_number,
        }
        create = {
            "channel": "walk_in",
            "category": "neighbourhood",
            "complexity": "general",
            "title": f"楼上漏水纠纷（压测{n}）",
            "narrative": narrative,
            "grid": grid,
            "address": f"东华门街道某胡同{n % 200 + 1}号",
            "parties": [
                {
                    "role": "applicant",
                    "name": "王某某",
                    "id_number": id_number,
                    "phone": "13800138000",
                },
                {"role": "respondent", "name": "李某某"},
            ],
        }
        return suggest, create

    def prepare(self, count: int) -> None:
        """Payloads for the baseline, made before it is timed: with the narrative's words,
        and their keys, which the repeat check stores (computing them is Python, not SQL)."""
        from pingan.cases.repeats import band_keys, comparable

        for _ in range(count):
            create = self.payload()[1]
            words = comparable(create["narrative"])
            self._prepared.append((create, words, band_keys(words)))

    def raw(self, db, token: str, *, session: str | None = None) -> None:
        """The same reads and writes through sqlite3 / psycopg. With the ``session`` of the
        intake page, its suggestion panel's reads come first, as the page asks before it
        registers."""
        from pingan.core import crypto

        create, words, keys = self._prepared.pop()
        now = _now()
        since = now - timedelta(days=90)
        if session:  # the panel: who asks, the same suggestion and repeat reads
            self._suggest_reads(db, _user(db, _session(db, session)), create, now, since, keys)
        user = _user(db, _token(db, token))
        grid_id, path, units = self._suggest_reads(db, user, create, now, since, keys)
        # the intake: category, handling unit, number, case, parties, event
        category = db.one(
            "SELECT id FROM cases_category WHERE code = %s AND is_active", ["neighbourhood"]
        )[0]
        unit = db.one(
            "SELECT u.id FROM orgs_unit u JOIN orgs_division d ON d.id = u.division_id "
            "WHERE d.code = %s AND u.kind = 'street_center'",
            [path.strip("/").split("/")[1]],
        )[0]
        suggested = units[0][0] if units else None
        year = now.astimezone().year
        db.begin()
        db.execute(
            "INSERT INTO cases_casesequence (year, last) VALUES (%s, 0) ON CONFLICT DO NOTHING",
            [year],
        )
        db.execute("UPDATE cases_casesequence SET last = last + 1 WHERE year = %s", [year])
        last = db.one("SELECT last FROM cases_casesequence WHERE year = %s", [year])[0]
        number = f"DC{year}-{last:06d}"
        stamp = db.ts(now)
        case_id = db.one(
            "INSERT INTO cases_case (created_at, updated_at, number, query_code_hash, channel, "
            "complexity, urgency, title, narrative, narrative_words, address, area_path, state, "
            "level, registered_at, due_provisional, concluded_level, outcome, legal_route, "
            "judicially_confirmed, judicial_court, judicial_ruling_number, rejection_reason, "
            "version, grid_id, handling_unit_id, registered_by_id, category_id, "
            "suggested_unit_id, suggestion_followed, suggested_area, function_area, "
            "external_source, external_ref) VALUES "
            f"({db.placeholders(34)}) RETURNING id",
            [
                stamp, stamp, number, crypto.blind_index("query_code", f"{number}:123456"),
                "walk_in", "general", "normal", create["title"], create["narrative"], words,
                create["address"], path, "registered", "street", stamp, db.flag(False), "", "",
                "", db.flag(False), "", "", "", 1, grid_id, unit, user["id"], category,
                suggested, db.flag(suggested == unit), "mediation", "mediation", "", "",
            ],
        )[0]  # fmt: skip
        for party in create["parties"]:
            id_number, phone = party.get("id_number", ""), party.get("phone", "")
            db.execute(
                "INSERT INTO cases_party (case_id, role, name, id_number, id_number_index, phone, "
                f"phone_index) VALUES ({db.placeholders(7)})",
                [
                    case_id, party["role"], party["name"],
                    crypto.encrypt(id_number) if id_number else "",
                    crypto.blind_index("id_number", id_number) if id_number else "",
                    crypto.encrypt(phone) if phone else "",
                    crypto.blind_index("phone", phone) if phone else "",
                ],
            )  # fmt: skip
        for key in keys:
            db.execute(
                "INSERT INTO cases_repeatkey (case_id, grid_id, registered_at, key) "
                f"VALUES ({db.placeholders(4)})",
                [case_id, grid_id, stamp, key],
            )
        db.execute(
            "INSERT INTO cases_caseevent (case_id, kind, actor_id, from_state, to_state, "
            "from_level, to_level, unit_id, reason, data, created_at) VALUES "
            f"({db.placeholders(11)})",
            [
                case_id, "register", user["id"], "", "registered", "", "street", unit, "",
                json.dumps({"channel": "walk_in", "suggested_unit": suggested,
                            "suggestion_followed": suggested == unit, "repeat_of": None,
                            "repeat_reason": "", "attachments": []}),
                stamp,
            ],
        )  # fmt: skip
        db.commit()
        # the response: the case as the API returns it
        db.one(
            "SELECT c.number, c.state, c.level, c.due_at, cat.code, d.code, u.name "
            "FROM cases_case c JOIN cases_category cat ON cat.id = c.category_id "
            "JOIN orgs_division d ON d.id = c.grid_id "
            "JOIN orgs_unit u ON u.id = c.handling_unit_id "
            "WHERE c.id = %s",
            [case_id],
        )
        db.all("SELECT role, name, id_number, phone FROM cases_party WHERE case_id = %s", [case_id])
        db.all(
            "SELECT e.kind, e.created_at, s.name, u.name FROM cases_caseevent e "
            "LEFT JOIN orgs_staff s ON s.id = e.actor_id LEFT JOIN orgs_unit u ON u.id = e.unit_id "
            "WHERE e.case_id = %s",
            [case_id],
        )

    def _suggest_reads(self, db, user: dict, create: dict, now, since, keys):
        """The grid in the user's scope, the categories and the candidate units (with who is
        on duty today) for the routing suggestion, and the repeat check's reads: the same
        party, then the candidates sharing a band, the best of which are read in full."""
        from pingan.core import crypto

        grid_id, path = db.one(
            "SELECT id, path FROM orgs_division "
            "WHERE code = %s AND level = 'grid' AND path LIKE %s",
            [create["grid"], f"{user['paths'][0]}%"],
        )
        db.all("SELECT id, code, keywords, function_area FROM cases_category WHERE is_active")
        codes = path.strip("/").split("/")
        units = db.all(
            "SELECT u.id, u.kind, u.name, u.agency_type, u.responsibilities, d.level, "
            "EXISTS (SELECT 1 FROM collaboration_dutyshift s WHERE s.agency_id = u.id AND "
            "s.date = %s) FROM orgs_unit u JOIN orgs_division d ON d.id = u.division_id "
            "WHERE u.is_active AND "
            "((u.kind = 'community' AND d.code = %s) OR (u.kind = 'street_center' AND d.code = %s)"
            " OR (u.kind = 'agency' AND (d.code = %s OR u.id IN (SELECT s.unit_id FROM "
            "orgs_unit_serves s JOIN orgs_division sd ON sd.id = s.division_id WHERE sd.code = %s)"
            " OR (d.code = %s AND u.id NOT IN (SELECT unit_id FROM orgs_unit_serves))))) "
            "ORDER BY u.name",
            [now.astimezone().date(), codes[2], codes[1], codes[1], codes[1], codes[0]],
        )
        index = crypto.blind_index("id_number", create["parties"][0]["id_number"])
        db.all(
            "SELECT DISTINCT c.id FROM cases_case c JOIN cases_party p ON p.case_id = c.id "
            f"WHERE p.id_number_index = %s AND (c.state IN ({db.placeholders(len(OPEN))}) "
            "OR c.registered_at >= %s)",
            [index, *OPEN, db.ts(since)],
        )
        band = (
            "SELECT * FROM (SELECT case_id FROM cases_repeatkey WHERE grid_id = %s AND key = %s "
            "AND registered_at >= %s ORDER BY registered_at DESC LIMIT 50) AS b"
        )
        candidates = db.all(
            "SELECT id, narrative_words FROM cases_case WHERE id IN ("
            + " UNION ".join(f"{band}{n}" for n in range(len(keys)))
            + ") ORDER BY registered_at DESC, id DESC",
            [value for key in keys for value in (grid_id, key, db.ts(since))],
        )
        best = [pk for pk, _words in candidates[:20]]
        if best:
            db.all(
                "SELECT c.number, cat.name, u.name FROM cases_case c "
                "JOIN cases_category cat ON cat.id = c.category_id "
                "JOIN orgs_unit u ON u.id = c.handling_unit_id "
                f"WHERE c.id IN ({db.placeholders(len(best))})",
                best,
            )
        return grid_id, path, units


def _check(response: httpx.Response, what: str) -> None:
    if response.status_code >= 400:
        raise RuntimeError(f"{what}: HTTP {response.status_code} {response.text[:300]}")


@scenario("intake", group="intake")
def intake(bench) -> list[Measurement]:
    """Intakes through the API, sequential and then with several concurrent clients; then
    the intake page's two requests (the suggestion panel, then the registration)."""
    job = Intake(bench)
    pages = bench.client(CLERK)
    session = pages.cookies["sessionid"]
    api = bench.client(CLERK, api=True)
    times = bench.scale.intake

    job.prepare(times + 3)
    sequential = bench.http(
        "intake (API, with routing suggestion), sequential",
        lambda: api.post("/api/cases/", json=job.payload()[1]),
        baseline=lambda db: job.raw(db, job.token),
        queries=lambda: _create_queries(bench, job),
        times=times,
    )
    rows = [targets.intake(bench, sequential)]
    rows.append(_concurrent(bench, job))

    def page_intake():
        suggest, create = job.payload()
        _check(pages.post("/cases/suggest/", data=suggest), "suggest")
        return api.post("/api/cases/", json=create)

    job.prepare(times + 3)
    page_row = bench.http(
        "intake page (suggest + create), sequential",
        page_intake,
        baseline=lambda db: job.raw(db, job.token, session=session),
        queries=lambda: _suggest_queries(bench, job) + _create_queries(bench, job),
        times=times,
    )
    rows.append(targets.intake(bench, page_row))
    return rows


CROWD_SIZES = {"tiny": (10, 100)}  # other scales: 10 to 10,000
CROWD_SIZES_DEFAULT = (10, 100, 1_000, 10_000)


@scenario("intake-crowded", group="intake")
def intake_crowded(bench) -> list[Measurement]:
    """Intakes through the API into one grid that holds 10, 100, 1,000 and then 10,000 recent
    near-identical matters (a mass complaint about one building): the repeat check compares
    the new matter with a bounded set of them, so the time must not grow with their number.
    The cases are added between the steps; the run removes them with the intakes'."""
    job = Intake(bench)
    api = bench.client(CLERK, api=True)
    code, grid_id = job.grids[0]

    def queries() -> int:
        return bench.count_queries(
            CLERK,
            "post",
            "/api/cases/",
            data=job.payload(code)[1],
            content_type="application/json",
        )

    queries()  # the first in this process fills its caches: not a step's count
    rows, held = [], 0
    for size in CROWD_SIZES.get(bench.scale.name, CROWD_SIZES_DEFAULT):
        _crowd(grid_id, size - held, job)
        held = size
        rows.append(
            bench.http(
                f"intake into a grid with {size:,} recent similar matters",
                lambda: api.post("/api/cases/", json=job.payload(code)[1]),
                queries=queries,
                times=bench.scale.intake,
            )
        )
    return targets.flat(rows)


def _crowd(grid_id: int, count: int, job: Intake) -> None:
    """``count`` more matters like the intake's in the grid, registered over the last 30
    days, with their repeat-check keys, as the service would have written them."""
    from pingan.cases.models import Case, RepeatKey
    from pingan.cases.repeats import comparable, key_rows
    from pingan.orgs.models import Division

    template = Case.objects.filter(grid_id=grid_id).first() or Case.objects.first()
    path = Division.objects.values_list("path", flat=True).get(pk=grid_id)
    now = _now()
    cases = []
    for _ in range(count):
        create = job.payload()[1]
        n = next(_serial)
        cases.append(
            Case(
                number=f"CROWD{n:09d}",
                query_code_hash=template.query_code_hash,
                channel=template.channel,
                category_id=job.category,
                complexity="general",
                title=create["title"],
                narrative=create["narrative"],
                narrative_words=comparable(create["narrative"]),
                grid_id=grid_id,
                area_path=path,
                level=template.level,
                handling_unit_id=template.handling_unit_id,
                registered_by_id=template.registered_by_id,
                registered_at=now - timedelta(days=30 * (n % 1000) / 1000),
            )
        )
    Case.objects.bulk_create(cases, batch_size=1000)
    RepeatKey.objects.bulk_create(
        (
            RepeatKey(**row)
            for case in cases
            for row in key_rows(
                case_id=case.pk,
                grid_id=grid_id,
                registered_at=case.registered_at,
                narrative_words=case.narrative_words,
            )
        ),
        batch_size=5000,
    )


def _create_queries(bench, job: Intake) -> int:
    return bench.count_queries(
        CLERK, "post", "/api/cases/", data=job.payload()[1], content_type="application/json"
    )


def _suggest_queries(bench, job: Intake) -> int:
    return bench.count_queries(CLERK, "post", "/cases/suggest/", data=job.payload()[0])


def _concurrent(bench, job: Intake) -> Measurement:
    """N clients, each registering cases through the API back to back, against the server;
    then N threads with their own connections doing the raw baseline."""
    clients, each = bench.options.clients, bench.scale.concurrent
    latencies: list[float] = []

    async def client_loop() -> None:
        headers = {"Authorization": f"Token {job.token}"}
        async with httpx.AsyncClient(
            base_url=bench.server.url, headers=headers, timeout=120
        ) as http:
            for _ in range(each):
                create = job.payload()[1]
                started = time.perf_counter()
                _check(await http.post("/api/cases/", json=create), "create")
                latencies.append(time.perf_counter() - started)

    async def all_clients() -> None:
        # every client finishes (or fails) before anything is reported, so that the cleanup
        # never deletes cases while another client's request is still writing one
        results = await asyncio.gather(
            *(client_loop() for _ in range(clients)), return_exceptions=True
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            raise failures[0]

    from ..measure import RSSSampler, cpu_seconds

    pids = bench.server.worker_pids()
    cpu_before = cpu_seconds(pids)
    with RSSSampler(bench.server.worker_pids) as rss:
        started = time.perf_counter()
        asyncio.run(all_clients())
        elapsed = time.perf_counter() - started
    row = Measurement(
        scenario=f"intake (API, with routing suggestion), {clients} clients",
        ours=Stats.of(latencies),
        cpu=(cpu_seconds(pids) - cpu_before) / (clients * each),
        peak_mb=rss.peak_mb,
        peak_what="web worker RSS",
        throughput=clients * each / elapsed,
    )

    from ..database import RawDB

    raw_latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    job.prepare(clients * each)

    def raw_loop() -> None:
        db = RawDB.connect(bench.target)
        try:
            for _ in range(each):
                started = time.perf_counter()
                job.raw(db, job.token)
                with lock:
                    raw_latencies.append(time.perf_counter() - started)
        except BaseException as exc:  # reported after the threads join
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=raw_loop) for _ in range(clients)]
    cpu_before = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    row.baseline = Stats.of(raw_latencies)
    row.baseline_cpu = (time.process_time() - cpu_before) / (clients * each)
    row.baseline_throughput = clients * each / elapsed
    row.notes = (
        f"{row.throughput:.0f} cases/s (baseline {row.baseline_throughput:.0f}/s, "
        f"{clients} threads)"
    )
    return targets.intake_rate(bench, row)


# --- the deadline sweep --------------------------------------------------------------------

TIERS = (1, 2, 3, 4)
TIER_NAMES = {1: "一级督办", 2: "二级督办", 3: "三级督办", 4: "四级督办"}
# whom of the supervising unit each audience is: its staff with this role
AUDIENCE_ROLES = {"leaders": "leader", "dispatchers": "dispatcher"}
# the hours a tier waits after the previous one when a complexity has no deadline rule
TIER_DELAYS = {2: 48, 3: 48, 4: 72}


@scenario("sweep", group="jobs")
def sweep(bench) -> list[Measurement]:
    """``supervision_sweep`` over all open cases: the supervision orders of every tier (the
    handling unit's leaders, the level above, the district center's command desk, the district
    leaders), timeline events, notices to each tier's audience and the cases' handlers (and
    texts, kept in memory). Each run is rolled back, so every run issues the full set."""
    from dataclasses import astuple

    from django.db import transaction

    from pingan.cases.supervision import supervision_sweep
    from pingan.core import notify

    now = bench.end
    issued = {}

    def ours():
        with transaction.atomic():
            result = supervision_sweep(now=now)
            issued.update(zip(TIERS, astuple(result), strict=True))
            transaction.set_rollback(True)
        notify.outbox.clear()

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            ours()
        return len(captured)

    row = bench.job(
        "sweep (all open cases)", ours, baseline=lambda db: _raw_sweep(db, now), queries=queries
    )
    row.notes = (
        ", ".join(f"{issued[tier]} tier-{tier}" for tier in TIERS[:-1])
        + f" and {issued[TIERS[-1]]} tier-{TIERS[-1]} supervisions per run"
    )
    return [targets.job(bench, row)]


def _raw_sweep(db, now) -> None:
    """The sweep by hand, tier by tier as ours climbs: the district centers and the tiers'
    delays once; then per tier one select of the overdue cases with no order of that tier for
    their deadline (from tier 2 on, only those whose previous tier's order is older than their
    complexity's delay), each case's chain worked out in Python to find the tier's unit and
    audience; insert the orders, read back the ones this run wrote (as ours does, against a
    concurrent sweep), insert the timeline events, select the audience's staff and the
    handlers' phones, insert the notices and build the texts for those with a phone
    (decrypted). The texts are formatted as ours formats them. Rolled back like ours."""
    stamp = db.ts(now)
    db.begin()
    try:
        centers = db.all(
            "SELECT u.id, u.name, d.path FROM orgs_unit u "
            "LEFT JOIN orgs_division d ON d.id = u.division_id "
            "WHERE u.kind = 'district_center' AND u.is_active ORDER BY u.id"
        )
        policies = {
            complexity: dict(zip(TIER_DELAYS, hours, strict=True))
            for complexity, *hours in db.all(
                "SELECT complexity, tier2_after_hours, tier3_after_hours, tier4_after_hours "
                "FROM cases_deadlinepolicy"
            )
        }
        texts = []
        for tier in TIERS:
            if tier == 1:
                delays = []
            else:
                delays = [
                    (c, db.ts(now - timedelta(hours=policies.get(c, TIER_DELAYS)[tier])))
                    for c in COMPLEXITIES
                ]
            rows = _raw_due(db, stamp, tier, delays, centers)
            texts += _raw_issue(db, rows, tier=tier, now=now)
    finally:
        db.rollback()  # and the texts are not sent


def _raw_due(db, stamp, tier: int, delays, centers) -> list[tuple]:
    """The cases due for ``tier`` as rows for ``_raw_issue``: one select."""
    clock = db.placeholders(len(CLOCK))
    sweeps = (
        "FROM cases_supervision s WHERE s.case_id = c.id AND s.tier = %s "
        "AND s.due_at = c.due_at AND s.issued_by_id IS NULL"
    )
    columns = "c.id, c.number, c.title, c.due_at, c.handler_id, c.handling_unit_id, u.name"
    none_yet = f"NOT EXISTS (SELECT 1 {sweeps})"
    if tier == 1:
        found = db.all(
            f"SELECT {columns} FROM cases_case c JOIN orgs_unit u ON u.id = c.handling_unit_id "
            f"WHERE c.state IN ({clock}) AND c.due_at < %s AND {none_yet} ORDER BY c.id",
            [*CLOCK, stamp, tier],
        )
        # tier 1 is the handling unit's leaders in every chain
        return [(*row, row[5], row[6], "leaders", None) for row in found]
    previous = f"(SELECT s.issued_at {sweeps} LIMIT 1)"
    climbed = " OR ".join(f"(c.complexity = %s AND {previous} < %s)" for _ in delays)
    found = db.all(
        f"SELECT {columns}, c.area_path, u.kind, u.parent_id, p.name, p.kind, {previous} "
        "FROM cases_case c JOIN orgs_unit u ON u.id = c.handling_unit_id "
        "LEFT JOIN orgs_unit p ON p.id = u.parent_id "
        f"WHERE c.state IN ({clock}) AND c.due_at < %s AND ({climbed}) AND {none_yet} "
        "ORDER BY c.id",
        [
            tier - 1,
            *CLOCK,
            stamp,
            *(value for c, cutoff in delays for value in (c, tier - 1, cutoff)),
            tier,
        ],
    )
    rows = []
    for row in found:
        case, (area, kind, parent, parent_name, parent_kind, issued) = row[:7], row[7:]
        steps = _raw_chain(case[5], case[6], kind, parent, parent_name, parent_kind, area, centers)
        if len(steps) >= tier:
            rows.append((*case, *steps[tier - 1], issued))
    return rows


def _raw_chain(unit, name, kind, parent, parent_name, parent_kind, area, centers) -> list:
    """(unit, its name, audience) of each tier, as ``supervision.chain``."""
    steps = [(unit, name, "leaders")]
    if kind == "district_center":
        return steps
    if parent and parent_kind != "district_center":
        steps.append((parent, parent_name, "leaders"))
    center = next(((pk, title) for pk, title, path in centers if area.startswith(path)), None)
    if center is None and centers:
        center = (centers[0][0], centers[0][1])
    if center is not None:
        steps += [(*center, "dispatchers"), (*center, "leaders")]
    return steps


def _raw_issue(db, rows, *, tier: int, now) -> list[tuple[str, str]]:
    """rows: (case id, number, title, due_at, handler, handling unit, its name, target unit,
    its name, audience, the previous tier's issue or None)."""
    from pingan.core import crypto

    if not rows:
        return []
    stamp = db.ts(now)
    cur_many = db.conn.cursor()
    ignore = (
        ("INSERT OR IGNORE INTO", "")
        if db.vendor == "sqlite"
        else ("INSERT INTO", "ON CONFLICT DO NOTHING")
    )
    cur_many.executemany(
        db._sql(
            f"{ignore[0]} cases_supervision (case_id, tier, due_at, unit_id, audience, "
            "supervised_unit_id, issued_at, reason, state, answer, close_note, version, "
            f"updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, '', 'open', '', '', 1, %s) "
            f"{ignore[1]}"
        ),
        [(r[0], tier, r[3], r[7], r[9], r[5], stamp, stamp) for r in rows],
    )
    db.rows += len(rows)
    ours = {
        case
        for (case,) in db.all(
            "SELECT case_id FROM cases_supervision "
            "WHERE tier = %s AND issued_at = %s AND issued_by_id IS NULL",
            [tier, stamp],
        )
    }
    rows = [r for r in rows if r[0] in ours]
    today = now.astimezone(LOCAL_TZ).date()
    deadlines = {r[3]: _raw_moment(r[3]) for r in rows}
    local_due = {due: moment.astimezone(LOCAL_TZ).date() for due, moment in deadlines.items()}
    data = {
        due: json.dumps({"tier": tier, "due_at": moment.isoformat()})
        for due, moment in deadlines.items()
    }
    texts = []
    for _pk, number, title, due, _handler, _unit, unit, _target, target, audience, prev in rows:
        deadline = local_due[due]
        days = max(1, (today - deadline).days)
        head = f"事项“{title}”由{unit}承办，办结期限为 {deadline:%Y-%m-%d}。"
        if tier == 1:
            texts.append(
                (
                    f"督办：{number} 已超期 {days} 天",
                    f"{head}请督促尽快办结，确需延长的请按规定申请延期；"
                    "承办单位请在督办单上反馈原因与措施。",
                    f"超期 {days} 天，向{unit}领导督办。",
                )
            )
            continue
        previous = _raw_moment(prev).astimezone(LOCAL_TZ).date()
        if audience == "dispatchers":
            who = f"{target}指挥调度"
        elif tier == 4:
            who = "区领导"
        else:
            who = f"{target}领导"
        texts.append(
            (
                f"{TIER_NAMES[tier]}：{number} 已超期 {days} 天",
                f"{head}{previous.month}月{previous.day}日已督办，至今仍未办结，现提请{who}督办。",
                f"上一级督办后仍未办结，超期 {days} 天，提请{who}督办。",
            )
        )
    cur_many.executemany(
        db._sql(
            "INSERT INTO cases_caseevent (case_id, kind, from_state, to_state, from_level, "
            "to_level, unit_id, reason, data, created_at) VALUES "
            "(%s, 'supervise', '', '', '', '', %s, %s, %s, %s)"
        ),
        [(r[0], r[7], text[2], data[r[3]], stamp) for r, text in zip(rows, texts, strict=True)],
    )
    db.rows += len(rows)
    # the audience of each tier's unit (its leaders or its dispatchers) and the handlers
    wanted = {(r[7], r[9]) for r in rows}
    units = sorted({unit for unit, _audience in wanted})
    roles = sorted({AUDIENCE_ROLES[audience] for _unit, audience in wanted})
    told: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for staff, unit, phone, role in db.all(
        "SELECT s.id, s.unit_id, s.phone, r.role_id FROM orgs_staff s "
        "JOIN orgs_staff_roles r ON r.staff_id = s.id "
        f"WHERE s.is_active AND r.role_id IN ({db.placeholders(len(roles))}) "
        f"AND s.unit_id IN ({db.placeholders(len(units))}) ORDER BY s.id",
        [*roles, *units],
    ):
        for audience, code in AUDIENCE_ROLES.items():
            if code == role and (unit, audience) in wanted:
                told.setdefault((unit, audience), []).append(
                    (staff, crypto.decrypt(phone) if phone else "")
                )
    handler_ids = sorted({r[4] for r in rows if r[4] is not None})
    handlers = {
        staff: crypto.decrypt(phone) if phone else ""
        for staff, phone in (
            db.all(
                "SELECT id, phone FROM orgs_staff "
                f"WHERE is_active AND id IN ({db.placeholders(len(handler_ids))})",
                handler_ids,
            )
            if handler_ids
            else []
        )
    }
    notices = []
    for r, text in zip(rows, texts, strict=True):
        recipients = dict(told.get((r[7], r[9]), []))
        if r[4] in handlers:  # the handler answers the order: told too
            recipients.setdefault(r[4], handlers[r[4]])
        url = f"/cases/{r[1]}/"
        notices += [
            (staff, "supervision", text[0], text[1], url, stamp, phone)
            for staff, phone in recipients.items()
        ]
    cur_many.executemany(
        db._sql(
            "INSERT INTO core_notice (recipient_id, kind, title, body, url, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)"
        ),
        [notice[:6] for notice in notices],
    )
    db.rows += len(notices)
    db.statements += 3
    # the texts to those with a phone, handed to the SMS gateway once the sweep commits
    return [(n[6], f"【平安综治】{n[2]}。{n[3]}") for n in notices if n[6]]


def _raw_moment(value) -> datetime:
    """A stored datetime, aware in UTC: SQLite keeps naive UTC text, psycopg gives it aware."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)
