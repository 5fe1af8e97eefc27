"""manage.py data_quality_scan: run the data-quality scan now (Huey runs it every night)."""

from django.core.management.base import BaseCommand

from pingan.evaluation.scan import data_quality_scan

from ._when import moment


class Command(BaseCommand):
    help = "Check every case record against the data-quality rules; open and close corrections."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="scan as of this ISO date-time instead of now")

    def handle(self, *args, at: str | None = None, **options):
        run = data_quality_scan(now=moment(at))
        self.stdout.write(
            self.style.SUCCESS(
                f"Scanned {run.checked} cases: {run.opened} corrections opened, "
                f"{run.resolved} closed; open per rule: {run.counts}"
            )
        )
