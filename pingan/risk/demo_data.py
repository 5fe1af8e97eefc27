"""Demo data of risk monitoring: index snapshots from the demo cases, so `make demo` opens a
coloured map with a history to slide through, hot spots and early warnings."""

from datetime import datetime, timedelta

from django.utils import timezone

from .index import default_window_end, index_refresh
from .models import IndexSnapshot

HISTORY_WEEKS = 12


def load_demo(*, seed: int, end: datetime) -> str:
    """Weekly snapshots for the 12 weeks to ``end`` (oldest first, so warning episodes open
    and close in order); nothing if snapshots are already there."""
    if IndexSnapshot.objects.exists():
        return "snapshots already there, none computed"
    last = default_window_end(end)
    now = timezone.now()
    results = [
        index_refresh(window_end=last - timedelta(weeks=back), now=now)
        for back in range(HISTORY_WEEKS - 1, -1, -1)
    ]
    latest = results[-1]
    return (
        f"{len(results)} weekly index windows ({latest.snapshots} areas each), "
        f"{latest.hotspots} hot-spot grids and "
        f"{sum(r.warnings_opened for r in results)} warnings opened"
    )
