"""manage.py risk_history: write the synthetic history table for risk_fit (var/risk_history.csv)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingan.persons.history import write_csv


class Command(BaseCommand):
    help = "Write a synthetic key-person history CSV whose outcome depends on known factors."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default=str(Path(settings.BASE_DIR) / "var" / "risk_history.csv")
        )
        parser.add_argument("--rows", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--shuffle-outcome",
            action="store_true",
            help="permute the outcome column (a control on which any fit must find nothing)",
        )

    def handle(self, *args, out, rows, seed, shuffle_outcome, **options):
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        path = write_csv(Path(out), rows, seed=seed, shuffle_outcome=shuffle_outcome)
        self.stdout.write(self.style.SUCCESS(f"Wrote {rows} rows to {path}."))
