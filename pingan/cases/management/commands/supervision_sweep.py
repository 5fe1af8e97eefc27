"""manage.py supervision_sweep: issue due 督办 notices now (Huey also runs it every 5 minutes)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.supervision import supervision_sweep


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _(
            "Issue supervision notices (督办) for overdue cases; "
            "running it twice issues nothing new."
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
                _(
                    "督办 issued: %(tier1)s to handling units' leaders, "
                    "%(tier2)s to the next level's leaders."
                )
                % {"tier1": result.tier1, "tier2": result.tier2}
            )
        )
