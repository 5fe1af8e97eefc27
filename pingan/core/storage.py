"""Where uploads are kept: the file system under MEDIA_ROOT, failing cleanly (X7).

Django's FileSystemStorage leaves the part it wrote when the disk fills up in the middle of a
file. ``SiteFileStorage`` removes it and raises ``StorageFullError`` (HTTP 507, a message a clerk
understands); ``perform`` runs each declared action inside ``files_undone_on_error``, so the
files an action saved before it failed (the first attachments of a registration whose third
did not fit) are removed with the rows its transaction rolls back. Nothing half-written stays.
"""

import errno
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

from .errors import StorageFullError

_FULL = {errno.ENOSPC, errno.EDQUOT}
_saved: ContextVar[list | None] = ContextVar("pingan_saved_files", default=None)


class SiteFileStorage(FileSystemStorage):
    def _save(self, name, content):
        try:
            name = super()._save(name, content)
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            # the name was free before the write (Storage.save asked): the part is ours
            Path(self.path(name)).unlink(missing_ok=True)
            raise StorageFullError(
                _("服务器存储空间已满，文件未能保存，本次操作未生效。请联系系统管理员。")
            ) from exc
        saved = _saved.get()
        if saved is not None:
            saved.append((self, name))
        return name


@contextmanager
def files_undone_on_error():
    """Delete the files saved inside the block if it raises (its transaction rolls back)."""
    saved = []
    token = _saved.set(saved)
    try:
        yield
    except BaseException:
        for storage, name in saved:
            storage.delete(name)
        raise
    finally:
        _saved.reset(token)
