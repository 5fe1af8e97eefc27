"""The duty roster (M3.2): rotation over the working-day calendar, month boundaries, holidays,
one place a day, the roster page, and routing that prefers units on duty."""

from datetime import date

import pytest
from django.urls import reverse

from pingan.cases import routing
from pingan.collaboration.models import DutyShift
from pingan.collaboration.services import (
    ROTATION_PER_DAY,
    duty_shift_add,
    roster_plan_month,
    rotation,
)
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.orgs.choices import Stationing, UnitKind
from pingan.orgs.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(db):
    return Unit.objects.select_related("division").get(kind=UnitKind.DISTRICT_CENTER)


def rotating_ids():
    return list(
        Unit.objects.filter(stationing=Stationing.ROTATING, division__level="district")
        .order_by("name")
        .values_list("pk", flat=True)
    )


def on_duty(center, day) -> list[int]:
    return list(
        DutyShift.objects.filter(center=center, date=day, agency__stationing=Stationing.ROTATING)
        .order_by("agency__name")
        .values_list("agency_id", flat=True)
    )


def test_the_demo_district_center_has_five_permanent_and_twelve_rotating_agencies(center):
    agencies = Unit.objects.filter(kind=UnitKind.AGENCY, division=center.division)
    assert agencies.filter(stationing=Stationing.PERMANENT).count() == 5
    assert agencies.filter(stationing=Stationing.ROTATING).count() == 12
    assert agencies.filter(stationing=Stationing.ON_CALL).exists()


def test_rotation_takes_turns_and_wraps_round():
    days = [date(2026, 11, d) for d in (2, 3, 4, 5, 6)]
    plan = rotation(agencies=[1, 2, 3, 4, 5], days=days, start=3, per_day=2)
    assert [plan[d] for d in days] == [[4, 5], [1, 2], [3, 4], [5, 1], [2, 3]]
    assert rotation(agencies=[], days=days, start=0, per_day=3) == {}
    # never more per day than there are agencies
    assert rotation(agencies=[7], days=days[:2], start=0, per_day=3) == {days[0]: [7], days[1]: [7]}


def test_a_month_puts_permanent_agencies_on_every_working_day_and_rotating_ones_in_turn(
    center, staff
):
    # when the district dispatcher plans November 2026 (21 working days)
    written = roster_plan_month(
        center=center, month=date(2026, 11, 1), actor=staff("district_dispatcher")
    )
    # then each working day has the 5 permanent agencies and 3 rotating ones, weekends nothing
    assert written == 21 * (5 + ROTATION_PER_DAY)
    assert DutyShift.objects.filter(date=date(2026, 11, 2)).count() == 8
    assert not DutyShift.objects.filter(date=date(2026, 11, 7)).exists()  # a Saturday
    ids = rotating_ids()
    assert on_duty(center, date(2026, 11, 2)) == sorted(ids[:3], key=ids.index)
    # and every rotating agency serves equally often across the month's full cycles
    counts = [DutyShift.objects.filter(agency=pk, date__month=11).count() for pk in ids]
    assert max(counts) - min(counts) <= 1
    # and the planning is on the audit trail
    assert AuditEvent.objects.filter(action="collaboration.roster_plan").exists()


def test_the_rotation_carries_on_across_the_month_boundary_and_skips_the_national_day_holiday(
    center, staff
):
    actor = staff("district_dispatcher")
    ids = rotating_ids()
    # given September 2026 is planned; its last working day is Wednesday 30 September
    roster_plan_month(center=center, month=date(2026, 9, 1), actor=actor)
    last_in_september = on_duty(center, date(2026, 9, 30))
    # when October is planned
    roster_plan_month(center=center, month=date(2026, 10, 15), actor=actor)
    # then nobody is on duty over the holiday (1–7 October) or the Sunday after it
    for day in range(1, 8):
        assert not DutyShift.objects.filter(date=date(2026, 10, day)).exists()
    assert not DutyShift.objects.filter(date=date(2026, 10, 11)).exists()
    # and the first working day of October takes the next three in the order, not the first
    after = ids.index(max(last_in_september, key=ids.index)) + 1
    expected = [ids[(after + k) % len(ids)] for k in range(ROTATION_PER_DAY)]
    assert sorted(on_duty(center, date(2026, 10, 8)), key=ids.index) == sorted(
        expected, key=ids.index
    )
    # and Saturday 10 October, a make-up working day (调休上班), is staffed
    assert DutyShift.objects.filter(date=date(2026, 10, 10)).count() == 5 + ROTATION_PER_DAY


def test_a_month_cannot_be_planned_twice(center, staff):
    actor = staff("district_dispatcher")
    roster_plan_month(center=center, month=date(2026, 11, 1), actor=actor)
    before = DutyShift.objects.count()
    with pytest.raises(ApplicationError, match="已经排过"):
        roster_plan_month(center=center, month=date(2026, 11, 20), actor=actor)
    assert DutyShift.objects.count() == before


def test_an_agency_cannot_be_in_two_places_on_one_day(center, staff):
    # given the court is on duty at the district center on 2 November
    roster_plan_month(center=center, month=date(2026, 11, 1), actor=staff("district_dispatcher"))
    court = Unit.objects.get(name="东城区人民法院")
    street_center = Unit.objects.get(name="东华门街道综治中心")
    before = DutyShift.objects.count()
    # when the street puts it on its own roster the same day
    with pytest.raises(ApplicationError, match="同一天不能在两处值班"):
        duty_shift_add(
            center=street_center, agency=court, day=date(2026, 11, 2), actor=staff("street_leader")
        )
    # then nothing changed; another day is fine
    assert DutyShift.objects.count() == before
    duty_shift_add(
        center=street_center, agency=court, day=date(2026, 11, 7), actor=staff("street_leader")
    )


def test_planning_needs_an_organiser_of_that_center(center, staff):
    with pytest.raises(ForbiddenError):
        roster_plan_month(center=center, month=date(2026, 11, 1), actor=staff("street_dispatcher"))
    with pytest.raises(ForbiddenError):
        roster_plan_month(center=center, month=date(2026, 11, 1), actor=staff("street_mediator"))
    assert not DutyShift.objects.exists()


def test_routing_prefers_a_unit_on_duty_today(staff, center, monkeypatch):
    from pingan.orgs.models import Division

    grid = Division.objects.get(code="110101001001001")
    narrative = "小区物业拆迁补偿纠纷，住建部门和街道都可以处理。"
    before = {
        s.unit.name: s for s in routing.suggest(narrative=narrative, category=None, grid=grid)
    }
    housing = Unit.objects.get(name="东城区住房和城市建设委员会")
    assert housing.name in before and "今日在岗" not in before[housing.name].reason
    # when the housing commission is on duty at the district center today
    from django.utils import timezone

    DutyShift.objects.create(center=center, agency=housing, date=timezone.localdate())
    after = {s.unit.name: s for s in routing.suggest(narrative=narrative, category=None, grid=grid)}
    # then it scores higher and the reason says so
    assert after[housing.name].score > before[housing.name].score
    assert "今日在岗" in after[housing.name].reason


class TestRosterPage(PermissionMatrix):
    url_name = "collaboration:roster"
    in_scope = "street_dispatcher"


def test_the_roster_page_shows_who_is_on_duty_in_few_queries(
    center, staff, client_as, django_assert_max_num_queries
):
    roster_plan_month(center=center, month=date(2026, 11, 1), actor=staff("district_dispatcher"))
    client = client_as("street_dispatcher")
    url = reverse("collaboration:roster") + f"?center={center.pk}&date=2026-11-02"
    with django_assert_max_num_queries(15):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="on-duty"') == 8
    assert "2026年11月2日在岗 8 家" in body
    # a street dispatcher reads the district roster but may not plan it
    assert "排定月值班表" not in body


def test_a_center_outside_the_users_reach_is_not_found(client_as):
    other = Unit.objects.get(name="景山街道综治中心")
    response = client_as("street_dispatcher").get(
        reverse("collaboration:roster") + f"?center={other.pk}"
    )
    assert response.status_code == 404


def test_calendar_weeks_start_on_monday():
    from pingan.collaboration.selectors import calendar_weeks

    days = [{"date": date(2026, 11, d)} for d in range(1, 31)]  # 1 November 2026 is a Sunday
    weeks = calendar_weeks(days)
    assert weeks[0][:6] == [None] * 6 and weeks[0][6]["date"] == date(2026, 11, 1)
    assert all(len(week) == 7 for week in weeks) and weeks[-1][0]["date"] == date(2026, 11, 30)
