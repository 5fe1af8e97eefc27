"""Uploads typed by their content (X6, issue 20), for every file a user or a client sends:
case attachments, grid-report photos, evaluation evidence.

A file is kept when its name's suffix is one of the kinds allowed there, it is within the size
limit, and its content is what the suffix says (``filetype`` reads the first bytes): an HTML
page renamed .jpg is refused. Images are also decoded by Pillow, so a truncated or forged one
is refused before it is kept. The type stored (and served back) is the detected one, never the
browser's word."""

from pathlib import PurePath

import filetype
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from .errors import ApplicationError

# What a clerk may attach as evidence: PDF, images, Word, Excel.
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOCUMENT_KINDS = gettext_lazy("PDF、图片、Word 或 Excel 文件")
IMAGE_TYPES = {suffix: mime for suffix, mime in DOCUMENT_TYPES.items() if mime.startswith("image/")}
IMAGE_KINDS = gettext_lazy("JPG 或 PNG 图片")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_SNIFF_BYTES = 8192
# Detected types that are the expected one under another name.
_SAME = {"image/apng": "image/png"}


def checked_type(
    upload,
    *,
    what: str,
    allowed: dict[str, str] = DOCUMENT_TYPES,
    kinds: str = DOCUMENT_KINDS,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> str:
    """The MIME type of ``upload`` read from its content, or ``ApplicationError`` (400) with a
    message naming the file as ``what`` (附件, 照片 …) and the ``kinds`` it may be."""
    name = getattr(upload, "name", "") or ""
    expected = allowed.get(PurePath(name).suffix.lower())
    named = {"what": what, "name": name, "kinds": kinds}
    if expected is None:
        raise ApplicationError(_("%(what)s“%(name)s”的类型不支持，请上传%(kinds)s。") % named)
    if upload.size > max_bytes:
        raise ApplicationError(
            _("%(what)s“%(name)s”超过 %(mb)s MB，请压缩后再上传。")
            % {**named, "mb": max(1, max_bytes // 2**20)}
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(_SNIFF_BYTES))
    upload.seek(0)
    detected = _SAME.get(kind.mime, kind.mime) if kind else ""
    if detected != expected:
        raise ApplicationError(
            _("%(what)s“%(name)s”的内容与文件类型不符，请上传真实的%(kinds)s。") % named
        )
    if detected.startswith("image/"):
        _verify_image(upload, named)
    return detected


def _verify_image(upload, named: dict) -> None:
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ApplicationError(
            _("%(what)s“%(name)s”不是完整的图片，请重新拍摄或选择。") % named
        ) from None
    finally:
        upload.seek(0)
