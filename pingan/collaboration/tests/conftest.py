"""Fixtures for collaboration tests: an accepted case in 东华门, named officers, a talk."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pingan.cases.models import Category
from pingan.cases.services import PartyInput, case_accept, case_register
from pingan.collaboration.models import NamedOfficer
from pingan.collaboration.services import talk_record
from pingan.orgs.models import Division, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
DONGHUAMEN = "110101001"
JINGSHAN = "110101002"


@pytest.fixture
def street(db):
    return Division.objects.get(code=DONGHUAMEN)


@pytest.fixture
def grid(db):
    return Division.objects.get(code="110101001001001")


@pytest.fixture
def unit(db):
    return lambda name: Unit.objects.get(name=name)


@pytest.fixture
def hard_case(staff, grid):
    """A complex case of 东华门, registered and accepted on Monday morning."""

    def make(**overrides):
        fields = {
            "actor": staff("street_clerk"),
            "channel": "walk_in",
            "category": Category.objects.get(code="demolition"),
            "complexity": "complex",
            "title": "拆迁补偿纠纷",
            "narrative": "平房拆迁补偿标准有争议，当事人多次上访，情绪激动。",
            "grid": grid,
            "parties": [PartyInput("applicant", "王某某")],
            "now": MONDAY_MORNING,
        }
        fields.update(overrides)
        case, _code = case_register(**fields)
        case_accept(case=case, actor=staff("street_dispatcher"), now=MONDAY_MORNING)
        return case

    return make


@pytest.fixture
def named_officer(staff, street):
    """The demo police officer ``officer`` (东华门派出所) as a named officer of 东华门."""
    return NamedOfficer.objects.create(
        staff=staff("officer"), kind="police", street=street, starts_on=date(2026, 1, 1)
    )


@pytest.fixture
def talk(staff, street, named_officer):
    return talk_record(
        actor=staff("street_dispatcher"),
        mode="forum",
        held_on=date(2026, 10, 12),
        place="多福巷社区党群服务中心",
        street=street,
        topic="电动自行车充电安全",
        district_leaders="区委政法委副书记",
        street_members="街道政法委员",
        officers=[named_officer],
        resident_count=18,
    )
