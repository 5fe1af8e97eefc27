"""Periodic jobs of collaboration (Huey); tasks only call services."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .escalation import whistle_escalation_sweep


@db_periodic_task(crontab(minute="*/5"))
@lock_task("collaboration-whistle-escalation")
def whistle_escalation_task() -> None:
    """Every five minutes: flag and escalate summonses not acknowledged by their deadline."""
    whistle_escalation_sweep(now=timezone.now())
