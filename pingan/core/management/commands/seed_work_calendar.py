"""manage.py seed_work_calendar: (re)load official working days from chinese-calendar.

Run it after upgrading the package, when a new year's schedule has been published. Safe to run
again: days are upserted by date, years by number. Days an administrator entered are kept
unless ``--replace-admin`` is given, because a local correction outranks a package.
"""

from datetime import date, timedelta

import chinese_calendar
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pingan.core.models import CalendarSource, CalendarYear, WorkCalendarDay

# chinese-calendar names holidays by English enum values; staff read Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def covered_years() -> list[int]:
    """The years the installed chinese-calendar has data for (it raises for any other)."""
    years = []
    for year in range(1949, 2101):
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            continue
        years.append(year)
    return years


def official_days(year: int) -> list[WorkCalendarDay]:
    """Every day of ``year`` as an unsaved calendar row, with a Chinese note on special days."""
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        is_workday = chinese_calendar.is_workday(day)
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
        note = HOLIDAY_NAMES.get(name, name) if name else ""
        if is_workday and day.weekday() >= 5:
            note = f"{note}调休上班"
        days.append(
            WorkCalendarDay(
                date=day, is_workday=is_workday, note=note, source=CalendarSource.OFFICIAL
            )
        )
        day += timedelta(days=1)
    return days


class Command(BaseCommand):
    help = "Load official working days and holidays from chinese-calendar (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "years", nargs="*", type=int, help="years to seed (default: every year covered)"
        )
        parser.add_argument(
            "--replace-admin",
            action="store_true",
            help="overwrite days an administrator entered as well",
        )

    @transaction.atomic
    def handle(self, *args, years: list[int], replace_admin: bool, **options):
        available = covered_years()
        wanted = sorted(set(years)) or available
        unknown = [year for year in wanted if year not in available]
        if unknown:
            raise CommandError(
                f"chinese-calendar {chinese_calendar.__version__} has no data for "
                f"{', '.join(map(str, unknown))}; it covers {available[0]}–{available[-1]}."
            )

        in_range = WorkCalendarDay.objects.filter(
            date__range=(date(wanted[0], 1, 1), date(wanted[-1], 12, 31))
        )
        kept = set()
        if not replace_admin:
            admin_days = in_range.filter(source=CalendarSource.ADMIN)
            kept = {day for day in admin_days.values_list("date", flat=True) if day.year in wanted}
        before = in_range.count()
        rows = [day for year in wanted for day in official_days(year) if day.date not in kept]
        WorkCalendarDay.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["date"],
            update_fields=["is_workday", "note", "source", "updated_at"],
        )
        CalendarYear.objects.bulk_create(
            [
                CalendarYear(year=year, complete=True, source=CalendarSource.OFFICIAL)
                for year in wanted
            ],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["year"],
            update_fields=["complete", "source", "updated_at"],
        )
        created = in_range.count() - before
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {wanted[0]}–{wanted[-1]} from chinese-calendar "
                f"{chinese_calendar.__version__}: {len(rows)} days written ({created} new), "
                f"{len(kept)} administrator-entered days kept."
            )
        )
