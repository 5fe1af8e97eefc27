"""Backup and restore (X7): backup → wipe → restore gives back every row, key and chain.

Every refusal is checked before the database is found not empty, so the refusals are tested
against the live test database and shown to write nothing there."""

import base64
import io
import json
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pingan.cases.models import Case, CaseEvent
from pingan.core.backup import MANIFEST, read_manifest
from pingan.core.models import AuditEvent
from pingan.corrections.models import EnforcementRecord, EvidenceFile, Release
from pingan.corrections.selectors import verify_all

pytestmark = pytest.mark.django_db(transaction=True)

UPLOADS = {
    "cases/attachments/2026/12/现场照片.jpg": b"\xff\xd8\xff\xe0 not really a jpeg " * 100,
    "evaluation/evidence/自评材料.pdf": b"%PDF-1.7 evidence",
}


def _tables() -> list[str]:
    return connection.introspection.table_names()


def _wipe() -> None:
    """Drop every table, as an empty database would be."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in _tables():
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    assert _tables() == []


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, content in UPLOADS.items():
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return settings.MEDIA_ROOT


@pytest.fixture
def archive(media, tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", output=tmp_path / "backups", stdout=out)
    assert "数据密钥（PINGAN_DATA_KEY）不在备份中" in out.getvalue()
    (path,) = (tmp_path / "backups").glob("pingan-backup-*.tar.gz")
    return path


@pytest.fixture(autouse=True)
def _schema_back():
    """A test that fails between wipe and restore must not leave later tests without tables."""
    yield
    if not _tables():
        call_command("migrate", verbosity=0)


@contextmanager
def _nothing_written():
    """The refusals come before the check for an empty database: on this one, no row moves."""
    tables, audit = _tables(), AuditEvent.objects.count()
    yield
    assert (_tables(), AuditEvent.objects.count()) == (tables, audit)


def _rewrite(source: Path, target: Path, *, manifest=None, member=None) -> Path:
    """A copy of an archive with its manifest or one member's bytes changed."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for info in old.getmembers():
            data = old.extractfile(info).read()
            if info.name == MANIFEST and manifest:
                body = json.loads(data)
                manifest(body)
                data = json.dumps(body).encode()
            elif member and info.name == member[0]:
                data = member[1]
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def test_backup_wipe_restore_gives_back_every_row_the_id_numbers_and_every_chain(
    archive_of_site, media, settings, tmp_path
):
    archive, before = archive_of_site
    # when the database and the uploads are gone
    _wipe()
    settings.MEDIA_ROOT = tmp_path / "new-media"
    # and the archive is restored
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    # then every table has its rows back, checked by the command against the manifest
    assert "行数与清单一致" in out.getvalue()
    after = _counts()
    assert after.pop("audit") == before.pop("audit") + 1  # the restore itself is audited
    assert after == before
    restored = AuditEvent.objects.get(action="site.restore")
    assert restored.data["archive"] == archive.name
    # an ID number decrypts with the same key
    release = Release.objects.get(pk=before["first_release"])
    assert release.id_number == before["first_id_number"]
    # every evidence chain verifies
    reports = verify_all()
    assert len(reports) == before["evidence_files"] > 0
    assert all(report.ok for report in reports)
    # the uploads are back, byte for byte
    for name, content in UPLOADS.items():
        assert (settings.MEDIA_ROOT / name).read_bytes() == content


def _counts() -> dict:
    first = Release.objects.order_by("pk").first()
    return {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "releases": Release.objects.count(),
        "evidence_files": EvidenceFile.objects.count(),
        "chain_entries": EnforcementRecord.objects.count(),
        "audit": AuditEvent.objects.count(),
        "first_release": first.pk,
        "first_id_number": first.id_number,
    }


@pytest.fixture
def archive_of_site(media, tmp_path):
    call_command("pingan_demo", cases=120, app_data="corrections", stdout=io.StringIO())
    before = _counts()
    assert before["cases"] == 120 and before["chain_entries"] > 0
    call_command("backup", output=tmp_path / "backups", stdout=io.StringIO())
    (path,) = (tmp_path / "backups").glob("pingan-backup-*.tar.gz")
    # the backup is audited in the live database, after its snapshot
    assert AuditEvent.objects.filter(action="site.backup", data__archive=path.name).exists()
    manifest = read_manifest(path)
    assert manifest["tables"]["cases_case"] == 120
    assert set(UPLOADS) <= {name.removeprefix("media/") for name in manifest["files"]}
    return path, before


def test_a_restore_refuses_a_database_that_is_not_empty(archive):
    cases = Case.objects.count()
    with pytest.raises(CommandError, match=r"不是空的.*只能恢复到空数据库"):
        call_command("restore", str(archive))
    assert Case.objects.count() == cases


def test_a_changed_file_in_the_archive_is_named_and_nothing_is_written(archive, tmp_path):
    name = next(iter(UPLOADS))
    changed = _rewrite(archive, tmp_path / "changed.tar.gz", member=(f"media/{name}", b"swapped"))
    with _nothing_written(), pytest.raises(CommandError, match=f"media/{name} 的校验值不符"):
        call_command("restore", str(changed))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(engine="oracle"), "来自 oracle 数据库"),
        (lambda m: m["migrations"].append(["cases", "9999_future"]), "更新版本.*cases.9999_future"),
        (lambda m: m.update(format=99), "备份格式 99 不受本版本支持"),
        (lambda m: m["files"].update({"media/gone.txt": {"sha256": "0", "size": 1}}), "缺少"),
    ],
    ids=["engine", "newer-version", "format", "missing-member"],
)
def test_an_archive_this_site_cannot_take_is_refused_before_anything_is_written(
    archive, tmp_path, change, message
):
    altered = _rewrite(archive, tmp_path / "altered.tar.gz", manifest=change)
    with _nothing_written(), pytest.raises(CommandError, match=message):
        call_command("restore", str(altered))


def test_another_data_key_is_refused_since_personal_data_would_be_unreadable(archive, settings):
    settings.PINGAN_DATA_KEY = base64.b64encode(b"k" * 32).decode()
    refused = pytest.raises(CommandError, match="数据密钥（PINGAN_DATA_KEY）与备份时的不同")
    with _nothing_written(), refused:
        call_command("restore", str(archive))


def test_an_upload_on_disk_with_other_content_is_not_overwritten(archive, media):
    name = next(iter(UPLOADS))
    (media / name).write_bytes(b"a newer photo")
    with _nothing_written(), pytest.raises(CommandError, match="已有不同内容的同名文件"):
        call_command("restore", str(archive))
    assert (media / name).read_bytes() == b"a newer photo"


def test_a_file_that_is_not_a_backup_gets_a_clear_error(tmp_path):
    junk = tmp_path / "notes.tar.gz"
    junk.write_bytes(b"hello")
    with pytest.raises(CommandError, match="不是完整的平安备份文件"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "absent.tar.gz"))


def test_a_backup_from_an_older_version_gets_this_versions_schema(media, tmp_path):
    # given a site one migration behind this code (before the repeat check's keys)
    call_command("migrate", "cases", "0015", verbosity=0)
    assert "cases_repeatkey" not in _tables()
    call_command("backup", output=tmp_path / "backups", stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("pingan-backup-*.tar.gz")
    # when its backup is restored by this version
    _wipe()
    call_command("restore", str(archive), stdout=io.StringIO())
    # then its rows were checked against its manifest, and the missing migration applied after
    assert "cases_repeatkey" in _tables()
    assert AuditEvent.objects.filter(action="site.restore").exists()


def test_a_backup_that_cannot_be_written_says_so_and_leaves_nothing(media, tmp_path):
    occupied = tmp_path / "backups"
    occupied.write_text("a file where the folder should be")
    audit = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="备份未完成，未留下备份文件"):
        call_command("backup", output=occupied / "nightly")
    assert occupied.read_text() == "a file where the folder should be"
    assert AuditEvent.objects.count() == audit  # no backup recorded that does not exist
