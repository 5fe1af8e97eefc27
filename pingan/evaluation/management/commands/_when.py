"""``--at`` parsing shared by the evaluation commands."""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def moment(value: str | None) -> datetime:
    if not value:
        return timezone.now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at: not an ISO date or date-time: {value!r}") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
