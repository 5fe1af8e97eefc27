"""Which windows have stored snapshots: latest first, each once, at most ``limit``."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingan.risk.models import IndexSnapshot
from pingan.risk.selectors import snapshot_windows

from .conftest import WINDOW_END

pytestmark = pytest.mark.django_db


def _copy_to(snapshots, end):
    IndexSnapshot.objects.bulk_create(
        IndexSnapshot(
            division=s.division,
            level=s.level,
            path=s.path,
            window_start=end - timedelta(days=30),
            window_end=end,
            value=s.value,
            colour=s.colour,
            components=s.components,
            computed_at=end,
        )
        for s in snapshots
    )


def test_windows_latest_first_each_once_up_to_the_limit(snapshots):
    earlier = [WINDOW_END - timedelta(weeks=n) for n in (1, 2, 3)]
    for end in earlier:
        _copy_to(snapshots, end)
    with CaptureQueriesContext(connection) as queries:
        windows = snapshot_windows()
    assert windows == [WINDOW_END, *earlier] and len(queries) == 1
    assert snapshot_windows(limit=2) == [WINDOW_END, earlier[0]]


def test_no_snapshots_no_windows(db):
    assert snapshot_windows() == []
