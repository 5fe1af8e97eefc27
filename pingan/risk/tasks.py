"""Periodic jobs of risk monitoring (Huey); tasks only call services."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .index import default_window_end, index_refresh
from .models import RiskSettings
from .services import warning_measurement_store


# Huey runs its schedule in UTC (settings.HUEY["utc"]): 16:30 UTC is 00:30 in Beijing.
@db_periodic_task(crontab(minute="30", hour="16"))
@lock_task("risk-index-refresh")
def index_refresh_task() -> None:
    """Every night: the index of the 30 days to midnight, hot spots and early warnings; and the
    early warning's measurement, if its settings have none yet."""
    now = timezone.now()
    index_refresh(window_end=default_window_end(now), now=now)
    if RiskSettings.load().warning_measurement() is None:
        warning_measurement_store(at=now)
