"""manage.py supervision_sweep: issue due 督办 notices now (Huey also runs it every 5 minutes)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pingan.cases.supervision import supervision_sweep


class Command(BaseCommand):
    help = (
        "Issue supervision notices (督办) for overdue cases; running it twice issues nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--at", help="sweep as of this ISO date-time instead of now (for checks and replays)"
        )

    def handle(self, *args, at: str | None = None, **options):
        now = timezone.now()
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at: not an ISO date-time: {at!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = supervision_sweep(now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"督办 issued: {result.tier1} to handling units' leaders, "
                f"{result.tier2} to the next level's leaders."
            )
        )
