"""Seed the working-day calendar from the chinese-calendar package.

Every day of every year the installed package covers gets a row, and each such year is marked
complete. The mapping is written out here rather than imported from app code, so this migration
keeps doing what it did when it landed; ``manage.py seed_work_calendar`` re-seeds later years
after the package is upgraded.
"""

import datetime

from django.db import migrations

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


def covered_years(chinese_calendar):
    years = []
    for year in range(1949, 2101):
        try:
            chinese_calendar.is_workday(datetime.date(year, 1, 1))
        except NotImplementedError:
            continue
        years.append(year)
    return years


def day_note(chinese_calendar, day, is_workday):
    _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    label = HOLIDAY_NAMES.get(name, name) if name else ""
    if is_workday and day.weekday() >= 5:
        return f"{label}调休上班"
    return label


def seed(apps, schema_editor):
    import chinese_calendar

    WorkCalendarDay = apps.get_model("core", "WorkCalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    years = covered_years(chinese_calendar)
    days = []
    for year in years:
        day = datetime.date(year, 1, 1)
        while day.year == year:
            is_workday = chinese_calendar.is_workday(day)
            days.append(
                WorkCalendarDay(
                    date=day,
                    is_workday=is_workday,
                    note=day_note(chinese_calendar, day, is_workday),
                    source="official",
                )
            )
            day += datetime.timedelta(days=1)
    WorkCalendarDay.objects.bulk_create(days, batch_size=500)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, complete=True, source="official") for year in years],
        batch_size=500,
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "WorkCalendarDay").objects.filter(source="official").delete()
    apps.get_model("core", "CalendarYear").objects.filter(source="official").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_add_work_calendar"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
