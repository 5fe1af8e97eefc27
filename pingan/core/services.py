"""Services shared by every app: the write kernel (versioned updates, required text) and the
audit trail. Every app's services write through these, so a conflict, a missing reason or an
audit row looks and behaves the same everywhere."""

from datetime import datetime

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

from .errors import ApplicationError, ConflictError
from .models import AuditEvent


def conflict_error(model: type[models.Model]) -> ConflictError:
    """The one error a stale write gets: "该事项刚被其他人更新……", named by the model."""
    return ConflictError(
        _("该%(thing)s刚被其他人更新，您的操作未保存。请刷新页面查看最新情况后再操作。")
        % {"thing": model._meta.verbose_name}
    )


def check_version(obj: models.Model, expected_version: int | None) -> None:
    """Refuse early (before other checks) when the user's copy is already stale."""
    if expected_version is not None and expected_version != obj.version:
        raise conflict_error(type(obj))


def versioned_update(
    obj: models.Model, *, expected_version: int | None, now: datetime, **fields
) -> None:
    """Write ``fields`` only if nobody changed the row since it was read (optimistic lock).

    ``expected_version`` is the version the user saw (None: the one ``obj`` was loaded with).
    One UPDATE bumps the version and ``updated_at`` (to ``now``: ``update()`` skips auto_now);
    if another write came first it matches no row and the conflict error is raised, so nothing
    is overwritten silently. ``obj`` is brought up to date on success.
    """
    version = obj.version if expected_version is None else expected_version
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=version)
        .update(**fields, version=F("version") + 1, updated_at=now)
    )
    if updated != 1:
        raise conflict_error(type(obj))
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.version = version + 1
    obj.updated_at = now


# The longest free text any form or API takes where no tighter limit is set (一万字): a
# 300,000-character description was stored before there was one (issue 20).
TEXT_LIMIT = 10_000


def require_text(value: str | None, what: str, *, limit: int = TEXT_LIMIT) -> str:
    """The stripped text, or a clerk-readable error when it is empty or over ``limit``."""
    value = (value or "").strip()
    if not value:
        raise ApplicationError(_("请填写%(what)s。") % {"what": what})
    if len(value) > limit:
        raise ApplicationError(
            _("%(what)s不能超过 %(limit)s 个字。") % {"what": what, "limit": limit}
        )
    return value


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Write one audit row; call it inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        reason=reason,
        data=data or {},
    )


def personal_data_read(*, actor, obj: models.Model, field: str, reason: str) -> str:
    """Return one field of personal data in full and record who read it and why (X2)."""
    audit_record(
        actor=actor,
        action="pii.read",
        target=obj,
        reason=reason,
        data={"field": field},
    )
    return getattr(obj, field)
