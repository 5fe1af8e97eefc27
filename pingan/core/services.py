"""Services shared by every app: the audit trail."""

from django.db import models

from .models import AuditEvent


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
