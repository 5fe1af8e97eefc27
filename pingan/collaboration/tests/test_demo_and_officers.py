"""The demo data (idempotent, plausible) and the named-officer page."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from pingan.collaboration import selectors
from pingan.collaboration.demo_data import load_demo
from pingan.collaboration.models import (
    DutyShift,
    NamedOfficer,
    SafetyTalk,
    Task,
    TaskResult,
    WhistleCall,
    WhistleSummons,
)
from pingan.core.errors import ApplicationError
from pingan.core.testing import PermissionMatrix
from pingan.demo.cases import generate_cases
from pingan.orgs.choices import Level
from pingan.orgs.models import Division, Staff

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db
END = datetime(2026, 11, 26, 18, 0, tzinfo=SHANGHAI)


def test_the_demo_loads_every_part_once(client_as):
    # given a year of demo cases
    generate_cases(count=1500, seed=7, end=END)
    # when the collaboration demo loads
    summary = load_demo(seed=7, end=END)
    # then every street has its four named officers, and 东华门's can log in
    streets = Division.objects.filter(level=Level.STREET).count()
    assert NamedOfficer.objects.count() == 4 * streets
    assert set(
        NamedOfficer.objects.filter(street__code="110101001").values_list(
            "staff__username", flat=True
        )
    ) == {"officer", "judge", "prosecutor", "lawyer"}
    assert Staff.objects.get(username="judge").check_password("Pingan@2026")
    # and the district center has a roster up to next month
    assert DutyShift.objects.filter(date__gte=date(2026, 12, 1)).exists()
    # and whistles have realistic response times: most on time, a few late
    assert 50 <= WhistleCall.objects.count() <= 320
    figures = selectors.whistle_response_by_unit(
        start=datetime(2025, 1, 1, tzinfo=SHANGHAI), end=END, now=END
    )
    late = sum(f.late for f in figures.values())
    summoned = sum(f.summoned for f in figures.values())
    assert 0 < late < summoned / 3
    assert all(
        f.p90_minutes is None or f.p90_minutes >= f.avg_minutes * 0.8 for f in figures.values()
    )
    # and two quarters of talks with problems flowing to results, some overdue
    assert SafetyTalk.objects.filter(held_on__lt=date(2026, 8, 1)).exists()
    assert TaskResult.objects.exists() and Task.objects.overdue(today=date(2026, 11, 26)).exists()
    assert "named officers" in summary
    # when it runs again, nothing is created
    counts = (
        WhistleCall.objects.count(),
        WhistleSummons.objects.count(),
        SafetyTalk.objects.count(),
    )
    assert load_demo(seed=7, end=END) == "already there, nothing created"
    assert counts == (
        WhistleCall.objects.count(),
        WhistleSummons.objects.count(),
        SafetyTalk.objects.count(),
    )
    # and the pages read the demo data
    client = client_as("district_leader")
    assert (
        client.get(
            reverse("collaboration:departments") + "?start=2025-11-01&end=2026-11-26"
        ).status_code
        == 200
    )
    assert (
        client.get(reverse("collaboration:board") + "?start=2026-05-01&end=2026-11-26").status_code
        == 200
    )


class TestOfficers(PermissionMatrix):
    url_name = "collaboration:officers"
    in_scope = "street_dispatcher"


def test_a_street_sees_only_its_officers_and_an_organiser_assigns_one(
    named_officer, client_as, staff
):
    other = NamedOfficer.objects.create(
        staff=Staff.objects.filter(unit__name="景山派出所", roles__code="officer").first(),
        kind="police",
        street=Division.objects.get(code="110101002"),
        starts_on=date(2026, 1, 1),
    )
    body = client_as("street_dispatcher").get(reverse("collaboration:officers")).content.decode()
    assert "赵勇" in body and other.staff.name not in body
    # a district dispatcher assigns a judge to 东华门
    judge = Staff.objects.filter(unit__name="东城区人民法院", roles__code="officer").first()
    response = client_as("district_dispatcher").post(
        reverse("collaboration:officers"),
        {
            "staff": judge.pk,
            "kind": "judge",
            "street": named_officer.street_id,
            "starts_on": "2026-11-01",
        },
    )
    assert response.status_code == 302
    assert NamedOfficer.objects.filter(staff=judge, kind="judge").exists()
    # a mediator may not assign
    refused = client_as("street_mediator").post(reverse("collaboration:officers"), {})
    assert refused.status_code == 403


def test_an_officer_needs_the_officer_role(staff, street):
    from pingan.collaboration.services import officer_assign

    with pytest.raises(ApplicationError, match="不是驻点干警"):
        officer_assign(
            staff=staff("street_clerk"),
            kind="lawyer",
            street=street,
            starts_on=date(2026, 1, 1),
            actor=staff("district_dispatcher"),
        )
