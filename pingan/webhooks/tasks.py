"""Background delivery of webhooks (Huey); tasks only call services."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from .services import deliver, due


@db_task()
def deliver_task(delivery_id: int) -> None:
    deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("webhooks-retry")
def retry_due_task() -> None:
    """Every minute: the deliveries whose back-off has passed."""
    now = timezone.now()
    for pk in due(now=now):
        deliver(pk, now=now)
