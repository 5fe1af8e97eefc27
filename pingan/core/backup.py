"""Backup and restore of a whole site (X7): the database, the uploads and a manifest.

One archive, ``pingan-backup-<UTC time>.tar.gz``, holds

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite,
  copied with SQLite's online backup API), taken while the site keeps working;
- ``media/…``: every upload under ``MEDIA_ROOT`` (case attachments, grid-report photos,
  evaluation evidence, generated reports and job files);
- ``manifest.json``, written last: when and from which engine, the applied migrations, every
  table's row count in the dump's own snapshot, the SHA-256 of every other member and a
  fingerprint of the data key.

The data key (``PINGAN_DATA_KEY``) is never in the archive: personal data in a backup is
unreadable without it, and the key must be kept apart from the backups. The fingerprint lets a
restore refuse a key that would leave every ID number unreadable.

A restore checks everything before it writes anything: the archive is complete and unaltered,
it was made by this engine, with this data key and by this version of the code or an older
one, the database is empty and no upload would be overwritten. Then it loads the database and
the uploads, checks the row counts against the manifest, applies the migrations a backup from an
older version lacks and verifies every evidence chain (``verify_evidence``).
"""

import getpass
import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from .crypto import _master_key
from .services import audit_record

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
_DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class RestoreReport:
    archive: str
    made_at: str
    tables: int
    rows: int
    media_files: int
    chains: int
    chain_entries: int


def key_fingerprint() -> str:
    """A short, one-way fingerprint of the data key: tells two keys apart, reveals neither."""
    return hashlib.sha256(b"pingan-backup-key-check:" + _master_key()).hexdigest()[:16]


# --- backup --------------------------------------------------------------------------------------


def backup(*, directory: Path, using: str = "default") -> tuple[Path, dict]:
    """Write one archive of the database and the uploads into ``directory``; return it.

    The archive is written under a temporary name and renamed when complete, so an interrupted
    backup (a full disk, a killed process) never leaves a file that looks like a backup.
    """
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in _DUMP:
        raise BackupError(_("不支持备份该类型的数据库：%(vendor)s。") % {"vendor": vendor})
    made_at = datetime.now(UTC)
    target = directory / f"pingan-backup-{made_at:%Y%m%dT%H%M%SZ}.tar.gz"
    partial = target.with_name(target.name + ".partial")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="pingan-backup-", dir=directory) as work:
            dump = Path(work) / _DUMP[vendor]
            if vendor == "postgresql":
                tables, migrations = _dump_postgresql(connection, dump)
            else:
                tables, migrations = _dump_sqlite(connection, dump)
            manifest = {
                "format": FORMAT,
                "made_at": made_at.isoformat(),
                "engine": vendor,
                "host": socket.gethostname(),
                "by": _os_user(),
                "data_key": key_fingerprint(),
                "migrations": migrations,
                "tables": tables,
                "files": {},
            }
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                manifest["files"][dump.name] = _add(archive, dump, dump.name)
                media_root = Path(settings.MEDIA_ROOT)
                for path in sorted(_files(media_root)):
                    name = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                    manifest["files"][name] = _add(archive, path, name)
                body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(body), int(made_at.timestamp())
                archive.addfile(info, io.BytesIO(body))
            partial.chmod(0o600)  # personal data, if only as ciphertext
            partial.rename(target)
    except OSError as exc:
        raise BackupError(
            _("备份未完成，未留下备份文件：%(error)s") % {"error": exc.strerror or exc}
        ) from exc
    finally:
        if partial.exists():  # gone once renamed; otherwise no half archive stays
            partial.unlink()
    audit_record(
        actor=None,
        action="site.backup",
        reason=_("整站备份（含个人信息密文）"),
        data={
            "archive": target.name,
            "by": manifest["by"],
            "host": manifest["host"],
            "rows": sum(manifest["tables"].values()),
            "media_files": len(manifest["files"]) - 1,
        },
    )
    return target, manifest


def _os_user() -> str:
    """Who ran the command, for the manifest and the audit trail."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return str(os.getuid())


def _files(root: Path):
    if root.is_dir():
        yield from (path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


class _HashingReader:
    """Hands a file to tarfile and hashes exactly the bytes that went into the archive."""

    def __init__(self, handle):
        self.handle, self.sha256 = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.sha256.update(data)
        return data


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict:
    with path.open("rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def _count_rows(cursor, tables: list[str], quote) -> dict[str, int]:
    """Every table's row count in one statement (names from the catalogue, not from input)."""
    if not tables:
        return {}
    cursor.execute(
        " UNION ALL ".join(
            f"SELECT {index}, COUNT(*) FROM {quote(table)}" for index, table in enumerate(tables)
        )
    )
    return {tables[index]: count for index, count in cursor.fetchall()}


def _migrations(cursor) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [list(row) for row in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _dump_postgresql(connection, dump: Path) -> tuple[dict[str, int], list]:
    """pg_dump in a snapshot the row counts are taken in, so the manifest matches the dump."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run_pg(
            connection.settings_dict,
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={dump}",
        )
        tables = _pg_tables(cursor)
        return _count_rows(cursor, tables, connection.ops.quote_name), _migrations(cursor)


def _dump_sqlite(connection, dump: Path) -> tuple[dict[str, int], list]:
    """SQLite's online backup copies a consistent snapshot; the counts are read from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        tables = _sqlite_tables(cursor)
        return _count_rows(cursor, tables, connection.ops.quote_name), _migrations(cursor)
    except sqlite3.Error as exc:
        raise OSError(str(exc)) from exc
    finally:
        copy.close()


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _run_pg(settings_dict: dict, tool: str, *params: str) -> None:
    """Run pg_dump or pg_restore against the configured database, with its credentials."""
    from django.db.backends.postgresql.client import DatabaseClient

    if shutil.which(tool) is None:
        raise BackupError(
            _("找不到 %(tool)s：请安装与数据库版本一致的 PostgreSQL 客户端。") % {"tool": tool}
        )
    # psql's connection arguments, ending in "--dbname NAME", suit pg_dump and pg_restore too
    args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, ["--dbname"])
    result = subprocess.run(
        [tool, *args[1:], *params],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败：%(error)s") % {"tool": tool, "error": result.stderr.strip()[-2000:]}
        )


# --- restore -------------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict:
    """The archive's manifest, or a clear error if this is not a complete Pingan backup."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.getmember(MANIFEST)
            manifest = json.load(archive.extractfile(member))
    except FileNotFoundError as exc:
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": archive_path}) from exc
    except (KeyError, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(
            _("%(path)s 不是完整的平安备份文件（缺少或无法读取清单）。") % {"path": archive_path}
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("备份格式 %(found)s 不受本版本支持（支持 %(supported)s）。")
            % {"found": manifest.get("format"), "supported": FORMAT}
        )
    return manifest


def restore(*, archive_path: Path, using: str = "default") -> RestoreReport:
    """Load an archive into an empty database and ``MEDIA_ROOT``; check it; report what came."""
    connection = connections[using]
    manifest = read_manifest(archive_path)
    _check_members(archive_path, manifest)
    _check_compatible(manifest, connection)
    media_root = Path(settings.MEDIA_ROOT)
    media = {
        name: meta for name, meta in manifest["files"].items() if name.startswith(MEDIA_PREFIX)
    }
    _check_media_free(media_root, media)
    _check_empty(connection)

    with tempfile.TemporaryDirectory(prefix="pingan-restore-") as work:
        dump_name = _DUMP[connection.vendor]
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extract(dump_name, work, filter="data")
            dump = Path(work) / dump_name
            if connection.vendor == "postgresql":
                _run_pg(
                    connection.settings_dict,
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    str(dump),
                )
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            else:
                connection.ensure_connection()
                source = sqlite3.connect(dump)
                try:
                    source.backup(connection.connection)
                finally:
                    source.close()
            for member in archive.getmembers():
                if member.name in media:
                    member.name = member.name.removeprefix(MEDIA_PREFIX)
                    archive.extract(member, media_root, filter="data")
    return _verify_restored(archive_path, manifest, connection, len(media))


def _check_compatible(manifest: dict, connection) -> None:
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            _("该备份来自 %(engine)s 数据库，不能恢复到 %(vendor)s 数据库。")
            % {"engine": manifest["engine"], "vendor": connection.vendor}
        )
    if manifest["data_key"] != key_fingerprint():
        raise BackupError(
            _(
                "当前的数据密钥（PINGAN_DATA_KEY）与备份时的不同：恢复后身份证号、电话等个人信息"
                "将无法解密。请先配置备份时使用的密钥。"
            )
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
    if unknown:
        raise BackupError(
            _("该备份由更新版本的平安生成（本版本没有迁移 %(names)s），请安装该版本后再恢复。")
            % {"names": "、".join(unknown[:5])}
        )


def _check_empty(connection) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            _(
                "数据库 %(name)s 不是空的（已有 %(count)d 张表）。只能恢复到空数据库："
                "请新建一个数据库，或确认后删除此数据库的全部表。"
            )
            % {"name": connection.settings_dict["NAME"], "count": len(tables)}
        )


def _check_members(archive_path: Path, manifest: dict) -> None:
    """Every listed member present, unaltered, and nothing else in the archive."""
    listed = manifest["files"]
    seen = set()
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            if member.name == MANIFEST:
                continue
            meta = listed.get(member.name)
            if meta is None or not member.isfile():
                raise BackupError(
                    _("备份文件含有清单之外的内容：%(name)s。") % {"name": member.name}
                )
            if _sha256(archive.extractfile(member)) != meta["sha256"]:
                raise BackupError(
                    _("备份文件已损坏或被改动：%(name)s 的校验值不符。") % {"name": member.name}
                )
            seen.add(member.name)
    missing = sorted(set(listed) - seen)
    if missing:
        raise BackupError(
            _("备份文件不完整，缺少：%(names)s。") % {"names": "、".join(missing[:5])}
        )


def _check_media_free(media_root: Path, media: dict) -> None:
    """Refuse before writing anything if an upload on disk differs from the one restored."""
    clashes = []
    for name, meta in media.items():
        path = media_root / name.removeprefix(MEDIA_PREFIX)
        if not path.exists():
            continue
        with path.open("rb") as handle:
            if _sha256(handle) != meta["sha256"]:
                clashes.append(name.removeprefix(MEDIA_PREFIX))
    if clashes:
        raise BackupError(
            _("上传文件目录 %(root)s 中已有不同内容的同名文件：%(names)s。请清空该目录后再恢复。")
            % {"root": media_root, "names": "、".join(clashes[:5])}
        )


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _verify_restored(archive_path: Path, manifest: dict, connection, media_files: int):
    from pingan.corrections.selectors import verify_all

    with connection.cursor() as cursor:
        tables = _pg_tables(cursor) if connection.vendor == "postgresql" else _sqlite_tables(cursor)
        counts = _count_rows(cursor, tables, connection.ops.quote_name)
    if counts != manifest["tables"]:
        differ = sorted(
            table
            for table in set(counts) | set(manifest["tables"])
            if counts.get(table) != manifest["tables"].get(table)
        )
        raise BackupError(
            _("恢复后的行数与备份清单不符：%(tables)s。") % {"tables": "、".join(differ[:5])}
        )
    # a backup from an older version gets this version's schema before the models read it
    call_command("migrate", database=connection.alias, interactive=False, verbosity=0)
    reports = verify_all()
    broken = [report.file_number for report in reports if not report.ok]
    if broken:
        raise BackupError(
            _("恢复后证据链校验未通过：%(numbers)s。") % {"numbers": "、".join(broken[:5])}
        )
    report = RestoreReport(
        archive=archive_path.name,
        made_at=manifest["made_at"],
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=media_files,
        chains=len(reports),
        chain_entries=sum(report.length for report in reports),
    )
    audit_record(
        actor=None,
        action="site.restore",
        reason=_("从备份恢复整站"),
        data={"by": _os_user(), **asdict(report)},
    )
    return report
