"""Periodic jobs of the evaluation (Huey); tasks only call services."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .scan import data_quality_scan


@db_periodic_task(crontab(hour="2", minute="15"))
@lock_task("evaluation-data-quality-scan")
def data_quality_scan_task() -> None:
    """Every night at 02:15: the data-quality scan of all case records."""
    data_quality_scan(now=timezone.now())
