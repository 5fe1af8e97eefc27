"""manage.py verify_evidence: check every evidence file's record chain; name the first break."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pingan.corrections.selectors import verify_all


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _(
            "Recompute the hash chain of every 减假暂 evidence file (or of the files named) and "
            "name the first entry that was changed, removed or moved. Exits non-zero on a break."
        )

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="file numbers (default: every file)")

    def handle(self, *args, numbers: list[str], **options):
        reports = verify_all(numbers=numbers or None)
        if numbers and len(reports) != len(set(numbers)):
            found = {report.file_number for report in reports}
            raise CommandError(f"unknown file number(s): {', '.join(sorted(set(numbers) - found))}")
        broken = [report for report in reports if not report.ok]
        entries = sum(report.length for report in reports)
        for report in broken:
            where = (
                f"entry #{report.broken_sequence}"
                if report.broken_sequence is not None
                else "the chain's head"
            )
            self.stderr.write(f"BROKEN {report.file_number} at {where}: {report.problem}")
        if broken:
            raise CommandError(
                f"{len(broken)} of {len(reports)} files have a broken chain "
                f"({entries} entries checked)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"All {len(reports)} chains intact ({entries} entries checked).")
        )
