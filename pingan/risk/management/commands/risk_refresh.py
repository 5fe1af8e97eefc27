"""manage.py risk_refresh: compute the safety index snapshots, hot spots and warnings now."""

import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pingan.core.calendar import LOCAL_TZ
from pingan.risk.index import default_window_end, index_refresh


def day(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not an ISO date: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


class Command(BaseCommand):
    help = (
        "Compute the safety index of every grid, community and street for the window ending at "
        "--end (default today's midnight), then hot spots and early warnings. Idempotent per "
        "window. --weeks N also computes the N−1 weekly windows before it (oldest first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--end", type=day, default=None, help="window end, ISO date")
        parser.add_argument("--weeks", type=int, default=1, help="weekly windows to compute")

    def handle(self, *args, end, weeks: int, **options):
        if weeks < 1:
            raise CommandError("--weeks must be at least 1.")
        now = timezone.now()
        last = default_window_end(end or now)
        for back in range(weeks - 1, -1, -1):
            started = time.monotonic()
            result = index_refresh(window_end=last - timedelta(weeks=back), now=now)
            self.stdout.write(
                f"{timezone.localtime(result.window_end):%Y-%m-%d}: {result.snapshots} snapshots, "
                f"{result.hotspots} hot-spot grids, {result.warnings_opened} warnings opened "
                f"in {time.monotonic() - started:.2f}s"
            )
