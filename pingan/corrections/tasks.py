"""Periodic jobs of the corrections app (Huey); tasks only call services."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from pingan.core.metrics import count_sweep

from .services import release_escalate_no_shows, release_notify_due


@db_periodic_task(crontab(minute="7"))
@lock_task("corrections-release-sweep")
def release_sweep_task() -> None:
    """Hourly: tell communities of releases due soon; escalate people who have not reported."""
    now = timezone.now()
    count_sweep(
        "releases",
        reminded=release_notify_due(now=now),
        escalated=release_escalate_no_shows(now=now),
    )
