"""Working-day calendar (M2.3): the seeded official schedule and deadline arithmetic.

Expected dates are worked out by hand from the State Council schedules (and checked against
chinese-calendar 1.11); the day of acceptance never counts.
"""

import os
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pingan.core.calendar import (
    LOCAL_TZ,
    add_days,
    days_left,
    elapsed_ratio,
    missing_calendar_years,
)
from pingan.core.models import AuditEvent, CalendarSource, CalendarYear, WorkCalendarDay

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime.combine(date(year, month, day), time.max, tzinfo=LOCAL_TZ)


# --- the seed -------------------------------------------------------------------------------


def test_seed_covers_every_year_of_the_package_day_by_day():
    years = list(
        CalendarYear.objects.filter(complete=True, source=CalendarSource.OFFICIAL).values_list(
            "year", flat=True
        )
    )
    assert years == list(range(2004, 2027))
    assert WorkCalendarDay.objects.filter(date__year=2026).count() == 365
    assert WorkCalendarDay.objects.filter(date__year=2024).count() == 366


def test_seed_names_holidays_and_make_up_working_days_in_chinese():
    national_day = WorkCalendarDay.objects.get(date=date(2026, 10, 1))
    assert not national_day.is_workday
    assert national_day.note == "国庆节"
    assert national_day.source == CalendarSource.OFFICIAL

    # Sunday 2026-01-04 is worked in exchange for the New Year's Day break.
    make_up = WorkCalendarDay.objects.get(date=date(2026, 1, 4))
    assert make_up.date.weekday() == 6
    assert make_up.is_workday
    assert make_up.note == "元旦调休上班"
    assert WorkCalendarDay.objects.get(date=date(2026, 2, 14)).note == "春节调休上班"

    plain_monday = WorkCalendarDay.objects.get(date=date(2026, 3, 2))
    assert plain_monday.is_workday
    assert plain_monday.note == ""


def test_seed_command_is_idempotent_and_keeps_administrator_entries():
    # given an administrator's correction inside a seeded year
    WorkCalendarDay.objects.filter(date=date(2026, 10, 9)).update(
        is_workday=False, note="区里统一安排休息", source=CalendarSource.ADMIN
    )

    # when the official calendar is seeded again
    call_command("seed_work_calendar", "2026", stdout=StringIO())

    # then nothing is duplicated and the correction survives
    assert WorkCalendarDay.objects.filter(date__year=2026).count() == 365
    corrected = WorkCalendarDay.objects.get(date=date(2026, 10, 9))
    assert (corrected.is_workday, corrected.source) == (False, CalendarSource.ADMIN)

    # until the operator asks for the official day back
    call_command("seed_work_calendar", "2026", "--replace-admin", stdout=StringIO())
    restored = WorkCalendarDay.objects.get(date=date(2026, 10, 9))
    assert (restored.is_workday, restored.note, restored.source) == (
        True,
        "",
        CalendarSource.OFFICIAL,
    )


# --- working-day deadlines ------------------------------------------------------------------


def test_seven_working_days_across_national_day_2025():
    # Accepted Monday 2025-09-29. Tue 09-30 is day 1; 10-01..10-08 is the holiday; Thu 10-09 (2),
    # Fri 10-10 (3), the make-up Saturday 10-11 (4), Mon 10-13 (5), Tue 10-14 (6), Wed 10-15 (7).
    deadline = add_days(start=at(2025, 9, 29, 10, 30), days=7, working=True)

    assert deadline.due_at == end_of(2025, 10, 15)
    assert deadline.due_at.utcoffset() == timedelta(hours=8)
    assert not deadline.provisional
    assert deadline.missing_years == ()


def test_the_day_of_acceptance_is_local_and_never_counts():
    # 2025-09-28 17:00 UTC is already Monday 2025-09-29 01:00 in Beijing.
    deadline = add_days(start=datetime(2025, 9, 28, 17, 0, tzinfo=UTC), days=7, working=True)
    assert deadline.due_at == end_of(2025, 10, 15)


def test_seven_working_days_across_spring_festival_2026():
    # Accepted Thursday 2026-02-12. Fri 02-13 (1), make-up Saturday 02-14 (2), holiday
    # 02-15..02-23, Tue 02-24 (3) .. Fri 02-27 (6), make-up Saturday 02-28 (7).
    deadline = add_days(start=at(2026, 2, 12), days=7, working=True)

    assert deadline.due_at == end_of(2026, 2, 28)
    assert not deadline.provisional


def test_working_days_agree_with_chinese_calendar_for_every_start_in_2025():
    def by_package(start: date, days: int) -> date:
        day = start
        while days:
            day += timedelta(days=1)
            days -= chinese_calendar.is_workday(day)
        return day

    for offset in range(365):
        start = date(2025, 1, 1) + timedelta(days=offset)
        deadline = add_days(start=at(start.year, start.month, start.day), days=7, working=True)
        assert deadline.due_at.date() == by_package(start, 7), start


def test_natural_days_end_at_the_end_of_the_last_day():
    deadline = add_days(start=at(2026, 11, 26, 14, 30), days=30, working=False)

    assert deadline.due_at == end_of(2026, 12, 26)
    assert not deadline.provisional


def test_a_deadline_in_a_year_without_a_schedule_is_provisional():
    # Accepted Monday 2026-12-28: Tue 12-29 (1) .. Thu 12-31 (3), then 2027 has no official
    # schedule yet, so Mon-Fri count: Fri 01-01 (4), Mon 01-04 (5) .. Wed 01-06 (7).
    deadline = add_days(start=at(2026, 12, 28), days=7, working=True)

    assert deadline.due_at == end_of(2027, 1, 6)
    assert deadline.provisional
    assert deadline.missing_years == (2027,)


def test_once_an_administrator_enters_2027_the_deadline_is_firm(client_as):
    # given the administrator records New Year's Day 2027 and marks the year complete
    admin = client_as("admin")
    response = admin.post(
        reverse("admin:core_workcalendarday_add"),
        {
            "date": "2027-01-01",
            "is_workday": "",
            "note": "元旦",
            "audit_reason": "国务院办公厅通知",
        },
    )
    assert response.status_code == 302
    response = admin.post(
        reverse("admin:core_calendaryear_add"),
        {"year": 2027, "complete": "on", "audit_reason": "2027 年安排已录入"},
    )
    assert response.status_code == 302

    # when the same deadline is computed
    deadline = add_days(start=at(2026, 12, 28), days=7, working=True)

    # then 01-01 is skipped: Mon 01-04 (4) .. Thu 01-07 (7), and nothing is provisional
    assert deadline.due_at == end_of(2027, 1, 7)
    assert not deadline.provisional
    assert deadline.missing_years == ()
    assert WorkCalendarDay.objects.get(date=date(2027, 1, 1)).source == CalendarSource.ADMIN
    assert CalendarYear.objects.get(year=2027).source == CalendarSource.ADMIN
    assert AuditEvent.objects.filter(
        action="admin.core.calendaryear.add", target_repr="2027", reason="2027 年安排已录入"
    ).exists()


def test_admin_edits_of_an_official_day_become_administrator_entries(client_as):
    day = WorkCalendarDay.objects.get(date=date(2026, 10, 9))
    response = client_as("admin").post(
        reverse("admin:core_workcalendarday_change", args=[day.pk]),
        {
            "date": "2026-10-09",
            "is_workday": "",
            "note": "区里统一安排休息",
            "audit_reason": "区通知",
        },
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.is_workday, day.source) == (False, CalendarSource.ADMIN)


def test_thirty_working_days_take_at_most_two_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        deadline = add_days(start=at(2026, 3, 31), days=30, working=True)
    # April 2026: Tomb-sweeping 04-04..04-06 and Labour Day 05-01..05-05, make-up Sat 05-09:
    # Apr 1-3, 7-10, 13-17, 20-24, 27-30 (21), May 6-8, the make-up Sat 05-09, May 11-15 (30).
    assert deadline.due_at == end_of(2026, 5, 15)


def test_zero_days_end_today_and_naive_or_negative_input_is_refused():
    assert add_days(start=at(2026, 3, 2), days=0, working=True).due_at == end_of(2026, 3, 2)
    with pytest.raises(ValueError):
        add_days(start=datetime(2026, 3, 2, 9, 0), days=7, working=True)
    with pytest.raises(ValueError):
        add_days(start=at(2026, 3, 2), days=-1, working=False)


def test_missing_calendar_years():
    assert missing_calendar_years([2027, 2025, 2003, 2026]) == [2003, 2027]


# --- progress and time left ------------------------------------------------------------------


def test_elapsed_ratio():
    start = at(2026, 3, 2, 9, 0)
    due_at = start + timedelta(days=10)

    assert elapsed_ratio(start=start, due_at=due_at, now=start - timedelta(hours=1)) == 0.0
    assert elapsed_ratio(start=start, due_at=due_at, now=start + timedelta(days=5)) == 0.5
    assert elapsed_ratio(start=start, due_at=due_at, now=due_at) == 1.0
    assert elapsed_ratio(start=start, due_at=due_at, now=start + timedelta(days=15)) == 1.5


def test_days_left_counts_like_add_days():
    accepted = at(2025, 9, 29, 10, 30)
    due_at = add_days(start=accepted, days=7, working=True).due_at  # end of 2025-10-15

    # 剩余 7 个工作日 right after acceptance, 16 natural days
    assert days_left(due_at=due_at, now=accepted, working=True) == 7
    assert days_left(due_at=due_at, now=accepted, working=False) == 16
    # during the holiday: 10-09, 10-10, 10-11 (make-up Saturday), 10-13, 10-14, 10-15
    assert days_left(due_at=due_at, now=at(2025, 10, 3), working=True) == 6
    # on the due day itself, until midnight
    assert days_left(due_at=due_at, now=at(2025, 10, 15, 23, 0), working=True) == 0


def test_days_left_is_negative_when_overdue():
    due_at = end_of(2025, 10, 15)  # Wednesday

    # Saturday 10-18: Thu and Fri were missed, 3 calendar days late
    assert days_left(due_at=due_at, now=at(2025, 10, 18), working=True) == -2
    assert days_left(due_at=due_at, now=at(2025, 10, 18), working=False) == -3
    # a minute past midnight is already overdue
    assert days_left(due_at=due_at, now=at(2025, 10, 16, 0, 1), working=False) == -1

    # missed on Friday 10-17: still 1 day overdue over the weekend, never 0
    friday = end_of(2025, 10, 17)
    assert days_left(due_at=friday, now=at(2025, 10, 19), working=True) == -1


def test_admin_lists_a_year_and_finds_holidays_by_note(client_as):
    response = client_as("admin").get(
        reverse("admin:core_workcalendarday_changelist"), {"date__year": 2026, "q": "国庆"}
    )
    assert response.status_code == 200
    # the holiday 10-01..10-07 and its make-up working days 09-20 and 10-10
    assert response.context["cl"].result_count == 9


def test_admin_changes_need_a_reason_and_are_audited_with_it(client_as):
    """Every admin form asks why; without a reason nothing changes, and the reason, the actor
    and the changed fields land in the audit trail. Deleting asks too; bulk delete is gone."""
    admin = client_as("admin")
    day = WorkCalendarDay.objects.get(date=date(2026, 10, 9))
    url = reverse("admin:core_workcalendarday_change", args=[day.pk])
    data = {"date": "2026-10-09", "is_workday": "", "note": "临时调休"}
    refused = admin.post(url, data)
    assert refused.status_code == 200 and "请填写修改原因" in refused.content.decode()
    day.refresh_from_db()
    assert day.is_workday and day.note != "临时调休"

    assert admin.post(url, {**data, "audit_reason": "区政府通知"}).status_code == 302
    event = AuditEvent.objects.get(action="admin.core.workcalendarday.change")
    assert (event.actor.username, event.reason) == ("admin", "区政府通知")
    assert set(event.data["changed"]) == {"is_workday", "note"}

    delete = reverse("admin:core_workcalendarday_delete", args=[day.pk])
    assert 'name="audit_reason"' in admin.get(delete).content.decode()
    admin.post(delete, {"post": "yes"})
    assert WorkCalendarDay.objects.filter(pk=day.pk).exists()
    admin.post(delete, {"post": "yes", "audit_reason": "录入错误"})
    assert not WorkCalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEvent.objects.get(action="admin.core.workcalendarday.delete").reason == "录入错误"

    changelist = admin.get(reverse("admin:core_workcalendarday_changelist"))
    assert "delete_selected" not in changelist.content.decode()


def test_every_admin_page_opens_and_every_audited_form_asks_why(client_as):
    from django.contrib import admin as django_admin

    from pingan.core.admin import AuditedAdmin

    client = client_as("admin")
    for model, model_admin in django_admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{info}_changelist")).status_code == 200, info
        if not isinstance(model_admin, AuditedAdmin):
            continue
        add = client.get(reverse(f"{info}_add"))
        assert add.status_code in (200, 403), info
        if add.status_code == 200:
            assert 'name="audit_reason"' in add.content.decode(), info


def test_the_suite_runs_on_its_fixed_clock(now):
    """conftest.py puts the whole run at 10:00 on PINGAN_TEST_TODAY (today when unset), so no
    test depends on the day it happens to run."""
    expected = os.environ.get("PINGAN_TEST_TODAY") or now.date().isoformat()
    assert timezone.localdate().isoformat() == expected
    assert (timezone.localtime() - now).total_seconds() < 3600  # it ticks, from 10:00
    assert 10 <= now.hour < 14  # the suite takes minutes, not hours
