"""manage.py pingan_demo: load the Dongcheng demo data (idempotent)."""

import importlib
import resource
import sys
import time
from datetime import datetime

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from pingan.cases.models import Case, CaseEvent, Party
from pingan.cases.reference import ensure_reference_data
from pingan.core.calendar import LOCAL_TZ
from pingan.demo.cases import generate_cases
from pingan.demo.orgs import load_org_tree
from pingan.persons.reference import ensure_reference_data as ensure_person_types


def moment(value: str) -> datetime:
    """An ISO date or date-time; naive values are Beijing time."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--end: not an ISO date or date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def _peak() -> str:
    """This process's peak resident memory so far, to show which step sets the generator's."""
    return f", peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"


class Command(BaseCommand):
    help = (
        "Load the Dongcheng demo: the org tree, units, function areas and staff, then one year "
        "of synthetic cases (only into a database that has no cases yet)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--cases",
            type=int,
            default=60000,
            help="synthetic cases over the year before --end (default 60000; 0 skips them)",
        )
        parser.add_argument(
            "--end",
            type=moment,
            default=None,
            help="when the generated year ends, ISO date or date-time (default: now)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="cases per insert batch (default 5000)"
        )
        parser.add_argument(
            "--app-data",
            default="all",
            help="whose demo data to load after the cases: all (default), none, or app labels "
            "separated by commas (e.g. corrections,patrol)",
        )

    def handle(self, *args, seed: int, cases: int, end, batch_size: int, app_data: str, **options):
        if cases < 0 or batch_size < 1:
            raise CommandError("--cases must be 0 or more and --batch-size at least 1.")
        started = time.monotonic()
        # Categories, deadline policies and the key-person types (which a release hand-over
        # files people under) come from migrations; a flushed database needs them.
        ensure_reference_data()
        ensure_person_types()
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
        end = end or timezone.now()
        if cases:
            self._generate(count=cases, seed=seed, end=end, batch=batch_size)
        self._load_app_demos(seed=seed, end=end, wanted=app_data)

    def _load_app_demos(self, *, seed: int, end: datetime, wanted: str) -> None:
        """Each app with a ``demo_data`` module adds its own demo data, in INSTALLED_APPS order.

        ``load_demo(*, seed, end)`` must be idempotent (it creates nothing when its data is
        already there) and returns a one-line summary for this command's output."""
        labels = None if wanted == "all" else set(filter(None, wanted.split(",")))
        if labels:
            unknown = labels - {"none"} - {config.label for config in apps.get_app_configs()}
            if unknown:
                raise CommandError(
                    f"--app-data: unknown app label(s): {', '.join(sorted(unknown))}"
                )
        for config in apps.get_app_configs():
            if labels is not None and config.label not in labels:
                continue
            name = f"{config.name}.demo_data"
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name == name:
                    continue
                raise
            started = time.monotonic()
            summary = module.load_demo(seed=seed, end=end)
            elapsed = time.monotonic() - started
            line = f"{config.verbose_name}: {summary} ({elapsed:.1f}s{_peak()})"
            self.stdout.write(self.style.SUCCESS(line))

    def _generate(self, *, count: int, seed: int, end: datetime, batch: int) -> None:
        present = Case.objects.count()
        if present:
            self.stdout.write(
                f"Cases: none generated, the database already holds {present} cases "
                "(demo cases are generated only into a database without cases)."
            )
            return
        started = time.monotonic()
        # The bar shows on a terminal only; the summary below is printed either way.
        with tqdm(total=count, unit=_("件"), file=sys.stderr, disable=None, desc=_("事项")) as bar:
            created = generate_cases(
                count=count, seed=seed, end=end, batch_size=batch, progress=bar.update
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Cases: {created} generated in {elapsed:.1f}s{_peak()} "
                f"({Party.objects.count()} parties, {CaseEvent.objects.count()} timeline events), "
                f"registered over the year to {timezone.localtime(end):%Y-%m-%d %H:%M}."
            )
        )
