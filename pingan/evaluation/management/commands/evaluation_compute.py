"""manage.py evaluation_compute: recompute the scores of published schemes, with timings."""

import time

from django.core.management.base import BaseCommand

from pingan.evaluation.models import Scheme
from pingan.evaluation.services import Measured, scores_compute

from ._when import moment


class Command(BaseCommand):
    help = "Compute the scores of every published scheme (or of --year/--quarter only)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--quarter", type=int)
        parser.add_argument("--at", help="compute as of this ISO date-time instead of now")

    def handle(self, *args, year=None, quarter=None, at=None, **options):
        now = moment(at)
        schemes = Scheme.objects.filter(state="published").order_by("year", "quarter", "pk")
        if year:
            schemes = schemes.filter(year=year)
        if quarter is not None:
            schemes = schemes.filter(quarter=quarter)
        started = time.monotonic()
        # The schemes of one period share their sources' values: each is measured once.
        measured: dict[tuple[int, int], Measured] = {}
        for scheme in schemes:
            if scheme.period[0] > now:
                continue
            shared = measured.setdefault((scheme.year, scheme.quarter), Measured())
            run = scores_compute(scheme=scheme, actor=None, now=now, measured=shared)
            self.stdout.write(
                f"{scheme} ({scheme.period_label}): {run.subject_count} subjects "
                f"in {run.duration_ms} ms"
            )
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.2f}s."))
