"""Least privilege (issue 20): who sees a district's cases is decided by role and scope
together, not by the unit's area alone."""

from datetime import date

import pytest
from django.urls import reverse

from pingan.cases.models import Case
from pingan.collaboration.models import NamedOfficer
from pingan.orgs.access import scope_paths
from pingan.orgs.choices import AgencyType, Level, RoleCode
from pingan.orgs.models import Division, Staff, Unit
from pingan.persons.access import staff_in_area

pytestmark = pytest.mark.django_db

JINGSHAN = "110101002"  # 景山街道, another street than the fixtures' 东华门


def _court_staff(username: str, *roles: str) -> Staff:
    court = Unit.objects.get(agency_type=AgencyType.COURT, division__level=Level.DISTRICT)
    person = Staff.objects.create(username=username, name=username, unit=court)
    person.roles.add(*roles)
    return person


def _cases(register, staff):
    """A case of 东华门 and one of 景山."""
    here, _code = register()
    grid = Division.objects.filter(level=Level.GRID, path__contains=f"/{JINGSHAN}/").first()
    there, _code = register(f"{RoleCode.RECEPTIONIST}@{JINGSHAN}", grid=grid)
    return here, there


def test_a_named_officer_works_in_the_street_they_are_named_to(client, register, staff):
    # given a lawyer of a district agency named to 东华门, and a case there and in 景山
    here, there = _cases(register, staff)
    lawyer = _court_staff("named_lawyer", RoleCode.OFFICER)
    assert scope_paths(lawyer) == ["/110101/"]  # before being named: the court's area
    NamedOfficer.objects.create(
        staff=lawyer,
        kind="lawyer",
        street=Division.objects.get(code="110101001"),
        starts_on=date(2026, 1, 1),
    )
    lawyer = Staff.objects.get(pk=lawyer.pk)  # a fresh request: scope is read again
    # when they open their profile, the case list and each case
    client.force_login(lawyer)
    me = client.get("/api/me/").json()
    listed = {row["number"] for row in client.get("/api/cases/").json()["results"]}
    # then their scope is that street: its case is theirs, the other street's is not found
    assert me["scope"] == ["110101001"]
    assert here.number in listed and there.number not in listed
    assert client.get(reverse("cases:case-detail", args=[here.number])).status_code == 200
    assert client.get(reverse("cases:case-detail", args=[there.number])).status_code == 404
    assert client.get(f"/api/cases/{there.number}/").status_code == 404
    # and they are offered as the owner of work (a key person's measure) in their street only
    assert lawyer in staff_in_area(here.area_path)
    assert lawyer not in staff_in_area(there.area_path)


def test_a_named_officers_past_assignment_no_longer_narrows_nor_widens(register, staff):
    # given an officer whose only assignment ended last year
    lawyer = _court_staff("past_lawyer", RoleCode.OFFICER)
    NamedOfficer.objects.create(
        staff=lawyer,
        kind="lawyer",
        street=Division.objects.get(code="110101001"),
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    # then their scope is their unit's, as for any officer not named to a street
    assert scope_paths(lawyer) == ["/110101/"]


@pytest.mark.parametrize("roles", [(), (RoleCode.AUDITOR,), (RoleCode.PRISON_OFFICER,)])
def test_staff_without_a_case_role_see_no_case_of_their_units_area(client, register, staff, roles):
    # given cases in two streets, and a court clerk with no case role (or the auditor's)
    here, there = _cases(register, staff)
    person = _court_staff("court_clerk", *roles)
    client.force_login(person)
    # when they look for cases on pages and through the API
    # then none is found, though their unit's area is the whole district
    assert not Case.objects.visible_to(person).exists()
    assert client.get("/api/cases/").json()["count"] == 0
    for case in (here, there):
        assert client.get(reverse("cases:case-detail", args=[case.number])).status_code == 404
        assert client.get(f"/api/cases/{case.number}/").status_code == 404
    # and a case they handle in person is theirs to see
    Case.objects.filter(pk=here.pk).update(handler=person)
    assert list(Case.objects.visible_to(person)) == [here]


def test_the_area_roles_still_see_their_area(register, staff):
    here, there = _cases(register, staff)
    assert set(Case.objects.visible_to(staff("district_dispatcher"))) >= {here, there}
    assert set(Case.objects.visible_to(staff("street_clerk"))) == {here}
