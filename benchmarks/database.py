"""The benchmark database: where it lives, whether it is reachable, its cache marker, and the
raw DB-API connection the baselines use (sqlite3 or psycopg, no Django)."""

import json
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from .config import VAR, BenchError, Options

MARKER_TABLE = "pingan_bench_marker"


@dataclass(frozen=True)
class Target:
    """One scale's benchmark database."""

    vendor: str  # "sqlite" or "postgresql"
    url: str  # DATABASE_URL for Django and the server
    path: Path | None = None  # SQLite file
    conninfo: dict = field(default_factory=dict)  # psycopg keywords
    admin_conninfo: dict = field(default_factory=dict)  # the maintenance database

    @property
    def label(self) -> str:
        return "sqlite" if self.vendor == "sqlite" else "postgresql"

    @property
    def router_path(self) -> Path:
        """The routing model trained on this database's cases."""
        name = self.path.stem if self.vendor == "sqlite" else self.conninfo["dbname"]
        return VAR / f"router-{self.label}-{name}.npz"


def resolve(options: Options) -> Target:
    """SQLite under var/bench/ unless DATABASE_URL names PostgreSQL; then a database of its own
    per scale, named after DATABASE_URL's with ``_<scale>`` appended."""
    scale = options.scale.name
    url = options.database_url
    if not url or url.startswith("sqlite:"):
        path = VAR / f"{scale}.sqlite3"
        return Target(vendor="sqlite", url=f"sqlite:///{path}", path=path)
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql", "psql"}:
        raise BenchError(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported: use postgres:// or leave "
            "DATABASE_URL unset for SQLite."
        )
    base = unquote(parts.path.lstrip("/")) or "pingan"
    name = f"{base}_{scale}"
    common = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "connect_timeout": 5,
    }
    return Target(
        vendor="postgresql",
        url=urlunsplit(parts._replace(path=f"/{name}")),
        conninfo={**common, "dbname": name},
        admin_conninfo={**common, "dbname": "postgres"},
    )


def check_reachable(target: Target) -> None:
    """Fail early, in one sentence, when the database server cannot be reached."""
    if target.vendor == "sqlite":
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BenchError(f"Cannot create {target.path.parent}: {exc}") from exc
        return
    import psycopg

    try:
        with psycopg.connect(**target.admin_conninfo):
            pass
    except psycopg.Error as exc:
        info = target.admin_conninfo
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BenchError(
            f"PostgreSQL at {info['host']}:{info['port']} is not reachable as {info['user']!r}: "
            f"{reason}"
        ) from exc


def recreate(target: Target) -> None:
    """Start from an empty database (the generator only fills a database without cases)."""
    if target.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target.path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = target.conninfo["dbname"]
    with psycopg.connect(**target.admin_conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(target: Target) -> None:
    """Remove the benchmark database (the smoke test cleans up after itself)."""
    if target.vendor == "sqlite":
        recreate(target)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(**target.admin_conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(target.conninfo["dbname"])
            )
        )


def read_marker(target: Target) -> dict | None:
    """What was built into this database, or None when it is absent or unfinished."""
    if target.vendor == "sqlite" and not target.path.exists():
        return None
    try:
        db = RawDB.connect(target)
    except Exception:
        return None
    try:
        row = db.one(f"SELECT value FROM {MARKER_TABLE} WHERE key = %s", ["build"])
    except Exception:
        return None
    finally:
        db.close()
    return json.loads(row[0]) if row else None


def write_marker(target: Target, marker: dict) -> None:
    db = RawDB.connect(target)
    try:
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key varchar(40) PRIMARY KEY, value text)"
        )
        db.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = %s", ["build"])
        db.execute(
            f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s)",
            ["build", json.dumps(marker, sort_keys=True)],
        )
    finally:
        db.close()


class RawDB:
    """A thin DB-API wrapper for the baselines: ``%s`` placeholders on both engines, explicit
    transactions, and a count of the rows each statement returned or changed."""

    def __init__(self, conn, vendor: str) -> None:
        self.conn = conn
        self.vendor = vendor
        self.rows = 0
        self.statements = 0

    @classmethod
    def connect(cls, target: Target) -> "RawDB":
        if target.vendor == "sqlite":
            conn = sqlite3.connect(target.path, timeout=20, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            return cls(conn, "sqlite")
        import psycopg

        return cls(psycopg.connect(**target.conninfo, autocommit=True), "postgresql")

    def close(self) -> None:
        self.conn.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.vendor == "sqlite" else sql

    def execute(self, sql: str, params=()) -> int:
        cur = self.conn.execute(self._sql(sql), params)
        self.statements += 1
        count = max(cur.rowcount, 0)
        self.rows += count
        return count

    def all(self, sql: str, params=()) -> list[tuple]:
        rows = self.conn.execute(self._sql(sql), params).fetchall()
        self.statements += 1
        self.rows += len(rows)
        return rows

    def one(self, sql: str, params=()) -> tuple | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE" if self.vendor == "sqlite" else "BEGIN")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def ts(self, moment: datetime):
        """A datetime as Django stores it: UTC text on SQLite, timestamptz on PostgreSQL."""
        if self.vendor == "sqlite":
            return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return moment

    def flag(self, value: bool):
        return int(value) if self.vendor == "sqlite" else value

    def placeholders(self, count: int) -> str:
        return ", ".join(["%s"] * count)

    def reset_counts(self) -> tuple[int, int]:
        counts = (self.rows, self.statements)
        self.rows = self.statements = 0
        return counts


def wait_for_file(path: Path, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.05)
    return False
