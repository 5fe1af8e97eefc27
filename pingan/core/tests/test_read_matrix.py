"""Every cell of docs/security.md's role × object matrix, checked against the code: a role
the matrix gives no reach ("—") gets a query that can match nothing, whatever the data; a
role it gives a reach gets a real one. A new read path for a role, or a declaration the
code does not keep, fails here."""

import pytest
from django.apps import apps
from django.core.exceptions import EmptyResultSet

from pingan.core import security
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Role, Staff, Unit

pytestmark = pytest.mark.django_db

# The demo persona whose unit (and grids) a fresh holder of the role takes: where that role
# works. A role without one works at the district center.
WHERE = {
    RoleCode.RECEPTIONIST: "street_clerk",
    RoleCode.MEDIATOR: "street_mediator",
    RoleCode.GRID_WORKER: "grid_worker",
    RoleCode.DISPATCHER: "street_dispatcher",
    RoleCode.LEADER: "street_leader",
    RoleCode.OFFICER: "officer",
}


def _cells():
    security.render_printed()  # loads every declaration
    subjects = sorted({read.subject for read in security.READS})
    return [(subject, role) for subject in subjects for role in RoleCode]


def _holder(role: str) -> Staff:
    """A member of staff holding ``role`` alone (not a superuser), where the role works."""
    persona = WHERE.get(role)
    model = Staff.objects.get(username=persona) if persona else None
    unit = model.unit if model else Unit.objects.get(kind="district_center")
    holder = Staff.objects.create(username=f"cell-{role}", name="测试", unit=unit)
    holder.roles.add(Role.objects.get(code=role))
    if model is not None:
        holder.grids.set(model.grids.all())
    return Staff.objects.get(pk=holder.pk)


def _reads_something(queryset) -> bool:
    try:
        str(queryset.query)
    except EmptyResultSet:
        return False
    return True


@pytest.mark.parametrize(("subject", "role"), _cells(), ids=lambda value: str(value))
def test_each_cell_of_the_read_matrix_is_what_the_code_does(subject, role):
    declared = [r.reach for r in security.READS if r.subject == subject and role in r.roles]
    visible = apps.get_model(subject).objects.visible_to(_holder(role))
    assert _reads_something(visible) == bool(declared), (subject, role, declared)


@pytest.mark.parametrize("agency", ["court", "procuratorate", "legal_service"])
def test_officers_stationed_by_courts_procuratorates_or_lawyers_read_no_registers(agency):
    # given an officer (驻点干警) whose unit is a court, a procuratorate or a law firm
    from pingan.corrections.models import Release
    from pingan.persons.models import KeyPerson

    unit = Unit.objects.filter(agency_type=agency).first()
    assert unit is not None
    officer = Staff.objects.create(username=f"named-{agency}", name="测试", unit=unit)
    officer.roles.add(Role.objects.get(code=RoleCode.OFFICER))
    officer = Staff.objects.get(pk=officer.pk)
    # then neither key persons nor released persons are theirs to read
    assert not _reads_something(KeyPerson.objects.visible_to(officer))
    assert not _reads_something(Release.objects.visible_to(officer))
    # while the police station's officer reads both
    police = _holder(RoleCode.OFFICER)
    assert police.unit.agency_type == "police_station"
    assert _reads_something(KeyPerson.objects.visible_to(police))
    assert _reads_something(Release.objects.visible_to(police))


def test_the_menu_offers_the_registers_to_the_polices_officer_only(client):
    lawyer_unit = Unit.objects.filter(agency_type="legal_service").first()
    lawyer = Staff.objects.create(username="named-lawyer", name="律师", unit=lawyer_unit)
    lawyer.roles.add(Role.objects.get(code=RoleCode.OFFICER))
    client.force_login(lawyer)
    menu = client.get("/").content.decode()
    assert "/persons/" not in menu and "/corrections/releases/" not in menu
    client.force_login(Staff.objects.get(username="officer"))
    menu = client.get("/").content.decode()
    assert "/persons/" in menu
