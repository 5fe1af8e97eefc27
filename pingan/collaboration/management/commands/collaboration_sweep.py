"""manage.py collaboration_sweep: escalate late acknowledgements and supervise overdue tasks now
(Huey runs it every five minutes)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pingan.collaboration.escalation import task_overdue_sweep, whistle_escalation_sweep


class Command(BaseCommand):
    help = (
        "Escalate whistle summonses not acknowledged by their deadline (报到超时督办) and "
        "supervise four-list tasks past theirs; running it twice issues nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help="sweep as of this ISO date-time instead of now")

    def handle(self, *args, at: str | None = None, **options):
        now = timezone.now()
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at: not an ISO date-time: {at!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = whistle_escalation_sweep(now=now)
        tasks = task_overdue_sweep(now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"报到超时督办 issued: {result.tier1} to summoned departments' leaders, "
                f"{result.tier2} to the level above; {tasks} overdue tasks supervised."
            )
        )
