"""Deadline arithmetic on the working-day calendar.

Deadlines are counted in local dates (Asia/Shanghai) and fall at the end of the last counted
day, 23:59:59.999999 local time. Working days come from ``WorkCalendarDay`` rows; a day without
a row follows the plain rule (Monday to Friday work). A year whose official schedule has not
been entered (no complete ``CalendarYear``) is counted by that plain rule too, and every
deadline that relies on such a year is marked provisional so the UI can say so.

Every function takes the moments it needs as arguments (``start``, ``now``): nothing here reads
the clock, so tests are deterministic.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .models import CalendarYear, WorkCalendarDay

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Deadline:
    """When something is due, and whether that rests on a year without an official schedule."""

    due_at: datetime
    provisional: bool
    missing_years: tuple[int, ...]


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware moment."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("deadline arithmetic needs timezone-aware datetimes")
    return moment.astimezone(LOCAL_TZ).date()


def end_of_day(day: date) -> datetime:
    """The last microsecond of a local date, timezone-aware."""
    return datetime.combine(day, time.max, tzinfo=LOCAL_TZ)


def add_days(*, start: datetime, days: int, working: bool) -> Deadline:
    """The deadline ``days`` natural or working days after ``start``.

    Natural days: the end of the local date ``days`` after the start date.

    Working days: the day of ``start`` itself never counts, however early it is; counting begins
    the next day, which matches the common practice for "办结时限 7 个工作日". Holidays and
    make-up working days (调休上班) come from the working-day calendar. Days in a year without a
    complete calendar count Monday to Friday, and the deadline is provisional.

    Two queries per lookup window; the window is wide enough for any real holiday, so one
    window is the rule.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    start_day = local_date(start)
    if not working or days == 0:
        return Deadline(
            due_at=end_of_day(start_day + timedelta(days=days)), provisional=False, missing_years=()
        )

    first = start_day + timedelta(days=1)
    # Seven working days never need more than about three weeks, even across Spring Festival.
    span = 2 * days + 21
    while True:
        last = first + timedelta(days=span - 1)
        workdays, uncovered = _working_days(first=first, last=last)
        if len(workdays) >= days:
            break
        span *= 2
    due_day = workdays[days - 1]
    missing = tuple(sorted(year for year in uncovered if year <= due_day.year))
    return Deadline(due_at=end_of_day(due_day), provisional=bool(missing), missing_years=missing)


def elapsed_ratio(*, start: datetime, due_at: datetime, now: datetime) -> float:
    """The share of the allowed time used so far, in natural time: 0 at start, over 1 when late."""
    total = (due_at - start).total_seconds()
    if total <= 0:
        return 1.0 if now >= due_at else 0.0
    return max(0.0, (now - start).total_seconds() / total)


def days_left(*, due_at: datetime, now: datetime, working: bool) -> int:
    """Days left until ``due_at``: 剩余 N 个工作日 when positive, 已超期 N 天 when negative.

    Counted like ``add_days``: today does not count, the due day does, so right after
    acceptance this returns the days granted, and 0 on the due day itself. With ``working``,
    only working days count in either direction; a deadline missed on a Friday still reads
    -1 over the weekend, because an overdue matter is never shown as 0.
    """
    due_day = local_date(due_at)
    today = local_date(now)
    if now <= due_at:
        if not working:
            return (due_day - today).days
        workdays, _uncovered = _working_days(first=today + timedelta(days=1), last=due_day)
        return len(workdays)
    if not working:
        return -max(1, (today - due_day).days)
    workdays, _uncovered = _working_days(first=due_day + timedelta(days=1), last=today)
    return -max(1, len(workdays))


def missing_calendar_years(years: Iterable[int]) -> list[int]:
    """The given years whose official schedule has not been entered, in order."""
    wanted = set(years)
    complete = set(
        CalendarYear.objects.filter(year__in=wanted, complete=True).values_list("year", flat=True)
    )
    return sorted(wanted - complete)


def _working_days(*, first: date, last: date) -> tuple[list[date], set[int]]:
    """The working days from ``first`` to ``last`` inclusive, and the years among them without a
    complete calendar. Two queries, whatever the span."""
    if last < first:
        return [], set()
    uncovered = set(missing_calendar_years(range(first.year, last.year + 1)))
    # Rows count even in an incomplete year: an administrator's partial entry beats the rule.
    entered = dict(
        WorkCalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday")
    )
    workdays = []
    day = first
    while day <= last:
        is_workday = entered.get(day)
        if is_workday is None:
            is_workday = day.weekday() < 5
        if is_workday:
            workdays.append(day)
        day += timedelta(days=1)
    return workdays, uncovered


def workdays_in(*, first: date, last: date) -> set[date]:
    """The working days in [first, last], in one query (for labelling a page of deadlines)."""
    if last < first:
        return set()
    workdays, _uncovered = _working_days(first=first, last=last)
    return set(workdays)
