"""manage.py pingan_demo: load the Dongcheng demo data (idempotent)."""

import time

from django.core.management.base import BaseCommand

from pingan.demo.orgs import load_org_tree


class Command(BaseCommand):
    help = "Load the Dongcheng demo: the org tree, units, function areas and staff."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    def handle(self, *args, seed: int, **options):
        started = time.monotonic()
        counts = load_org_tree(seed=seed)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                "Dongcheng demo loaded in {:.1f}s: {} divisions, {} units, {} staff created "
                "(0 everywhere means it was already there).".format(
                    elapsed,
                    counts["divisions_created"],
                    counts["units_created"],
                    counts["staff_created"],
                )
            )
        )
