"""Least privilege (issue 20): the procuratorate's talent roles see the cases linked to them,
not the district's cases their unit's area would cover."""

from datetime import date

import pytest
from django.urls import reverse

from pingan.cases.models import Case
from pingan.talent import services

from .conftest import NOW


def _sees(client, case) -> tuple[int, int, bool]:
    """What a client gets for a case: its page, its API detail, and whether the list has it."""
    page = client.get(reverse("cases:case-detail", args=[case.number])).status_code
    detail = client.get(f"/api/cases/{case.number}/").status_code
    listed = client.get("/api/cases/", {"search": case.number}).json()["count"] == 1
    return page, detail, listed


def _rotation(org, profile):
    """A rotation of the assistant through the other department, late in 2026."""
    return services.rotation_add(
        profile=profile,
        actor=org.head,
        department=org.other_dept,
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 31),
        required_cases=5,
        now=NOW,
    )


@pytest.mark.django_db
def test_talent_roles_see_a_case_only_once_a_rotation_links_it(
    client, org, enroll, register_case, staff
):
    # given a district case the procuratorate joins, and an assistant with their mentor
    profile = enroll("a_linked")
    case = register_case()
    assistant = profile.staff
    rotation = _rotation(org, profile)
    # when no rotation links it yet
    # then no talent role finds it anywhere, while its street's clerk does
    for person in (assistant, org.mentor, org.head, org.committee):
        client.force_login(person)
        assert _sees(client, case) == (404, 404, False), person.username
        assert not Case.objects.visible_to(person).exists()
    client.force_login(staff("street_clerk"))
    assert _sees(client, case) == (200, 200, True)
    # when the mentor links it (found as a case the procuratorate joins)
    services.rotation_link_case(
        rotation=rotation, actor=org.mentor, case_number=case.number, now=NOW
    )
    # then the assistant, the mentor, the head and the committee see that case and no other
    other = register_case()
    for person in (assistant, org.mentor, org.head, org.committee):
        client.force_login(person)
        assert _sees(client, case) == (200, 200, True), person.username
        assert _sees(client, other)[0] == 404
        assert list(Case.objects.visible_to(person)) == [case]
    # and another mentor's assistant's reader does not
    client.force_login(org.other_mentor)
    assert _sees(client, case) == (404, 404, False)


@pytest.mark.django_db
def test_a_rotation_cannot_link_a_case_the_procuratorate_has_no_part_in(org, enroll, register_case):
    # given a case of a street the procuratorate neither handles nor joins
    profile = enroll("a_unlinked")
    case = register_case()
    case.joint_units.clear()
    rotation = _rotation(org, profile)
    # when the mentor tries to link it
    # then it is not found, as if it did not exist, and nothing is linked
    with pytest.raises(services.ApplicationError, match="没有找到"):
        services.rotation_link_case(
            rotation=rotation, actor=org.mentor, case_number=case.number, now=NOW
        )
    assert not rotation.cases.exists()
