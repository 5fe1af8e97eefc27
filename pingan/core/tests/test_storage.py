"""A full upload disk (X7): a clear error, no partial file, nothing half-written.

The disk is a real one: ``full_disk`` (conftest.py) mounts a 64 kB tmpfs as MEDIA_ROOT."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from pingan.core.errors import StorageFullError
from pingan.core.storage import SiteFileStorage, files_undone_on_error


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_file_that_does_not_fit_leaves_no_part_behind(full_disk):
    storage = SiteFileStorage(location=full_disk)
    with pytest.raises(StorageFullError, match="服务器存储空间已满，文件未能保存") as refused:
        storage.save("cases/attachments/big.pdf", ContentFile(b"%PDF" + b"x" * 200_000))
    assert refused.value.status_code == 507
    assert _files(full_disk) == []
    # what fits is still saved
    name = storage.save("cases/attachments/small.pdf", ContentFile(b"%PDF small"))
    assert (full_disk / name).read_bytes() == b"%PDF small"


def test_files_saved_before_a_failure_are_removed_with_it(full_disk):
    storage = SiteFileStorage(location=full_disk)
    with pytest.raises(StorageFullError), files_undone_on_error():
        storage.save("first.pdf", ContentFile(b"%PDF first"))
        storage.save("second.pdf", ContentFile(b"%PDF" + b"x" * 200_000))
    assert _files(full_disk) == []
    # outside a failing block, nothing is undone
    with files_undone_on_error():
        storage.save("kept.pdf", ContentFile(b"%PDF kept"))
    assert [path.name for path in _files(full_disk)] == ["kept.pdf"]
