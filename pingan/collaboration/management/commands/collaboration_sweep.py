"""manage.py collaboration_sweep: escalate late acknowledgements and supervise overdue tasks now
(Huey runs it every five minutes)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.collaboration.escalation import task_overdue_sweep, whistle_escalation_sweep


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _(
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
                _(
                    "报到超时督办 issued: %(tier1)s to summoned departments' leaders, "
                    "%(tier2)s to the level above; %(tasks)s overdue tasks supervised."
                )
                % {"tier1": result.tier1, "tier2": result.tier2, "tasks": tasks}
            )
        )
