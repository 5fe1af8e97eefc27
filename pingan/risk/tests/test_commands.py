"""manage.py risk_refresh: weekly windows, idempotent; the nightly Huey task is scheduled."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from pingan.risk.models import IndexSnapshot
from pingan.risk.tasks import index_refresh_task

pytestmark = pytest.mark.django_db


def test_risk_refresh_computes_weekly_windows_once(grid, make_case):
    make_case(grid, dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC))
    out = StringIO()
    call_command("risk_refresh", "--end", "2026-06-01", "--weeks", "2", stdout=out)
    call_command("risk_refresh", "--end", "2026-06-01", stdout=out)
    windows = set(IndexSnapshot.objects.values_list("window_end", flat=True))
    assert len(windows) == 2
    assert "2026-05-25: 2157 snapshots" in out.getvalue()


def test_the_refresh_runs_every_night():
    # Huey checks the schedule against UTC: 16:30 UTC is half past midnight in Beijing
    assert index_refresh_task.s().validate_datetime(dt.datetime(2026, 6, 1, 16, 30))
    assert not index_refresh_task.s().validate_datetime(dt.datetime(2026, 6, 1, 0, 30))
