"""manage.py release_sweep: notify communities of coming releases and escalate no-shows."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pingan.corrections.services import release_escalate_no_shows, release_notify_due


class Command(BaseCommand):
    help = "Run the release hand-over sweep once (the Huey worker runs it every hour)."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="as of this ISO date-time (default: now)")

    def handle(self, *args, at: str | None, **options):
        now = parse_datetime(at) if at else timezone.now()
        if now is None:
            raise CommandError(f"--at: not an ISO date-time: {at!r}")
        notified = release_notify_due(now=now)
        escalated = release_escalate_no_shows(now=now)
        self.stdout.write(f"Releases notified: {notified}; not arrived, escalated: {escalated}")
