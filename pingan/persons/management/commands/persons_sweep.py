"""manage.py persons_sweep: the register's daily job by hand (Huey runs it every night)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pingan.persons.tasks import run_sweep


class Command(BaseCommand):
    help = (
        "Expire register entries past their end date, erase those past retention, send overdue "
        "measures to their owners, link new cases by ID number and refresh rating proposals. "
        "Running it twice changes nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help="run as of this ISO date-time instead of now")

    def handle(self, *args, at: str | None = None, **options):
        now = timezone.now()
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at: not an ISO date-time: {at!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        sweep, linked, refresh = run_sweep(now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Register: {sweep.expired} expired, {sweep.purged} erased, "
                f"{sweep.measures_notified} overdue measures sent to owners, {linked} cases "
                f"linked, {refresh.proposed} rating proposals ({refresh.superseded} superseded)."
            )
        )
