"""Fixtures for talent tests: a hand-built procuratorate world, and the demo cohort."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from pingan.orgs.choices import AgencyType, Level, RoleCode
from pingan.orgs.models import Staff, Unit
from pingan.talent.demo_data import load_demo
from pingan.talent.models import Cohort, Department, Stage
from pingan.talent.reference import ensure_config
from pingan.talent.services import profile_enroll

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


def make_staff(username: str, role: str, unit: Unit) -> Staff:
    person = Staff.objects.create(username=username, name=username, unit=unit)
    person.roles.add(role)
    return person


@pytest.fixture
def procuratorate(db) -> Unit:
    return Unit.objects.get(agency_type=AgencyType.PROCURATORATE, division__level=Level.DISTRICT)


@pytest.fixture
def org(procuratorate):
    """Two departments with their heads, two mentors, a committee member, one cohort."""
    ensure_config()
    unit = procuratorate
    world = SimpleNamespace(
        unit=unit,
        committee=make_staff("t_committee", RoleCode.TALENT_COMMITTEE, unit),
        head=make_staff("t_head", RoleCode.DEPARTMENT_HEAD, unit),
        other_head=make_staff("t_head2", RoleCode.DEPARTMENT_HEAD, unit),
        mentor=make_staff("t_mentor", RoleCode.MENTOR, unit),
        other_mentor=make_staff("t_mentor2", RoleCode.MENTOR, unit),
        stages={s.code: s for s in Stage.objects.all()},
    )
    world.dept = Department.objects.create(unit=unit, name="测试一部", head=world.head)
    world.other_dept = Department.objects.create(unit=unit, name="测试二部", head=world.other_head)
    world.cohort = Cohort.objects.create(unit=unit, name="测试批次", year=2024)
    return world


@pytest.fixture
def enroll(org):
    """Enrol an assistant: enroll("a1", stage="junior", entered=date(...), mentor=..., dept=...)."""

    def make(
        username: str,
        *,
        stage: str = "junior",
        entered: date = date(2025, 6, 1),
        mentor: Staff | None = None,
        department: Department | None = None,
    ):
        staff = make_staff(username, RoleCode.ASSISTANT, org.unit)
        return profile_enroll(
            staff=staff,
            actor=org.committee,
            department=department or org.dept,
            cohort=org.cohort,
            stage=org.stages[stage],
            stage_entered_on=entered,
            joined_on=entered,
            mentor=mentor or org.mentor,
            now=NOW,
        )

    return make


@pytest.fixture
def demo(db):
    """The demo cohort (about sixty assistants) on top of the test org tree."""
    return load_demo(seed=2026, end=NOW)


@pytest.fixture
def register_case(staff, procuratorate):
    """Register a case the procuratorate joins (its talent roles may link it to a
    rotation): make() -> Case."""
    from pingan.cases.models import Case, Category
    from pingan.cases.reference import ensure_reference_data
    from pingan.cases.services import PartyInput, case_register
    from pingan.orgs.models import Division

    ensure_reference_data()

    def make() -> Case:
        case, _code = case_register(
            actor=staff("street_clerk"),
            channel="walk_in",
            category=Category.objects.get(code="law_litigation"),
            complexity="general",
            title="申诉咨询",
            narrative="当事人对判决执行有异议，请求检察机关监督。",
            grid=Division.objects.get(code="110101001001001"),
            parties=[PartyInput("applicant", "王某", "", "")],
            now=NOW,
        )
        case.joint_units.add(procuratorate)
        return case

    return make
