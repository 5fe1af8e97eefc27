"""Periodic jobs of collaboration (Huey); tasks only call services."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from pingan.core.metrics import count_sweep

from .escalation import task_overdue_sweep, whistle_escalation_sweep


@db_periodic_task(crontab(minute="*/5"))
@lock_task("collaboration-sweep")
def collaboration_sweep_task() -> None:
    """Every five minutes: escalate summonses not acknowledged by their deadline, and
    supervise four-list tasks past theirs."""
    now = timezone.now()
    whistles = whistle_escalation_sweep(now=now)
    count_sweep("whistles", tier1=whistles.tier1, tier2=whistles.tier2)
    count_sweep("four_lists", overdue=task_overdue_sweep(now=now))
