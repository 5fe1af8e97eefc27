"""Background work of the core app (Huey): the runner of every registered job kind, and the
daily digest of routine notices."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import idempotency, notify
from .jobs import job_run


@db_task()
def job_run_task(job_id: int) -> None:
    """Run one queued job (see ``pingan.core.jobs``)."""
    job_run(job_id)


# Huey keeps its clock in UTC (settings.HUEY["utc"]): 00:00 UTC is 08:00 in Beijing.
@db_periodic_task(crontab(hour="0", minute="0"))
@lock_task("core-notice-digest")
def notice_digest_task() -> None:
    """Every morning at 08:00: text each person who chose the daily digest (每日汇总)."""
    notify.digest_send(now=timezone.now())


@db_periodic_task(crontab(hour="19", minute="10"))
@lock_task("core-idempotency-purge")
def idempotency_purge_task() -> None:
    """Every night at 03:10 Beijing: forget the answers of creates older than a day."""
    idempotency.purge(now=timezone.now())
