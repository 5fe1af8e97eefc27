"""Periodic jobs of the case app (Huey); tasks only call services."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .supervision import supervision_sweep


@db_periodic_task(crontab(minute="*/5"))
@lock_task("cases-supervision-sweep")
def supervision_sweep_task() -> None:
    """Every five minutes: issue the supervision notices (督办) that have fallen due."""
    supervision_sweep(now=timezone.now())
