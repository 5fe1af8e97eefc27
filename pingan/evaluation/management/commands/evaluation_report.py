"""manage.py evaluation_report: produce the quarterly 质效分析 report (page, PDF, Excel)."""

from django.core.management.base import BaseCommand, CommandError

from pingan.evaluation.report import report_generate
from pingan.orgs.models import Division

from ._when import moment


class Command(BaseCommand):
    help = "Generate the quarterly quality analysis report for an area (default: the district)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        parser.add_argument("--area", help="division code (default: the district)")
        parser.add_argument("--at", help="as of this ISO date-time instead of now")

    def handle(self, *args, year, quarter, area=None, at=None, **options):
        divisions = (
            Division.objects.filter(code=area)
            if area
            else Division.objects.filter(parent__isnull=True)
        )
        division = divisions.first()
        if division is None:
            raise CommandError(f"No such area: {area or 'district'}")
        report = report_generate(
            actor=None, year=year, quarter=quarter, division=division, now=moment(at)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Report {report.pk}: {report.data['title']} — PDF {report.pdf.path} "
                f"({report.pdf_ms} ms), Excel {report.xlsx.path}"
            )
        )
