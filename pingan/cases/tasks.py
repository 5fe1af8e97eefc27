"""Periodic jobs of the case app (Huey); tasks only call services."""

from dataclasses import asdict

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from pingan.core.metrics import count_sweep

from .repeats import forget_expired
from .supervision import supervision_sweep


@db_periodic_task(crontab(minute="*/5"))
@lock_task("cases-supervision-sweep")
def supervision_sweep_task() -> None:
    """Every five minutes: issue the supervision notices (督办) that have fallen due."""
    result = supervision_sweep(now=timezone.now())
    count_sweep("supervision", **asdict(result))


# Huey keeps its clock in UTC (settings.HUEY["utc"]): 19:40 UTC is 03:40 in Beijing.
@db_periodic_task(crontab(hour="19", minute="40"))
@lock_task("cases-repeat-keys-forget")
def repeat_keys_forget_task() -> None:
    """Every night at 03:40 Beijing: forget the repeat check's keys of cases older than its
    window, which it never reads again."""
    count_sweep("repeat_keys", forgotten=forget_expired(now=timezone.now()))
