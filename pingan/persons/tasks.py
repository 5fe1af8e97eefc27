"""Periodic job of the register (Huey); tasks only call services."""

from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .services import link_cases_by_id_number, rating_refresh, register_sweep


def run_sweep(*, now: datetime):
    """Expiry, erasure and overdue measures; then new cases linked and ratings refreshed."""
    sweep = register_sweep(now=now)
    linked = link_cases_by_id_number(now=now)
    refresh = rating_refresh(now=now)
    return sweep, linked, refresh


@db_periodic_task(crontab(hour="17", minute="10"))  # UTC: 01:10 Beijing
@lock_task("persons-register-sweep")
def register_sweep_task() -> None:
    """Every night at 01:10 Beijing time: the register's sweep (idempotent)."""
    run_sweep(now=timezone.now())
