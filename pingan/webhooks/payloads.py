"""What an event says about its subject: by model, the fields another system acts on, never
personal data unless the subscriber may receive it."""

from collections.abc import Callable

from django.db import models

from pingan.cases.models import Case


def case_payload(case: Case, *, personal: bool) -> dict:
    data = {
        "number": case.number,
        "state": case.state,
        "state_label": case.get_state_display(),
        "level": case.level,
        "channel": case.channel,
        "category": case.category.code,
        "grid": case.grid.code,
        "handling_unit": case.handling_unit.name if case.handling_unit_id else None,
        "registered_at": case.registered_at.isoformat(),
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "concluded_at": case.concluded_at.isoformat() if case.concluded_at else None,
        "outcome": case.outcome or None,
        "external_source": case.external_source or None,
        "external_ref": case.external_ref or None,
        "version": case.version,
    }
    if personal:
        data["parties"] = [
            {"role": party.role, "name": party.name, "phone": party.phone}
            for party in case.parties.all()
        ]
    return data


PAYLOADS: dict[type[models.Model], Callable[..., dict]] = {Case: case_payload}


def fresh(subject: models.Model) -> models.Model | None:
    """The subject as stored: services write with one versioned UPDATE, so the instance an
    action was given may still hold the state from before it. None if the action deleted it."""
    return type(subject)._default_manager.filter(pk=subject.pk).first()


def subject_payload(subject: models.Model, *, personal: bool) -> dict:
    """The subject's type, id and state, and what its model's payload adds."""
    data = {"type": subject._meta.label_lower, "id": subject.pk}
    if getattr(subject, "_deleted", False):
        return {**data, "deleted": True}
    build = PAYLOADS.get(type(subject))
    if build is not None:
        data.update(build(subject, personal=personal))
    elif hasattr(subject, "state"):
        data["state"] = subject.state
    return data


def carries_personal_data(subject: models.Model) -> bool:
    return type(subject) is Case
