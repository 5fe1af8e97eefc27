"""Who may use each collaboration route, page and API (X1): the street's organisers act on what
is in their street, the summoned officer answers their summons, the owner unit records
progress; a wrong role is refused (403) and another street does not find the object (404)."""

from datetime import date

import pytest

from pingan.cases.models import Category
from pingan.collaboration.models import WhistleSummons
from pingan.collaboration.services import (
    problem_add,
    summons_acknowledge,
    task_add,
    whistle_blow,
)
from pingan.core.testing import PermissionMatrix
from pingan.orgs.choices import UnitKind
from pingan.orgs.models import Unit

from .conftest import DONGHUAMEN, JINGSHAN, MONDAY_MORNING

HOUSING = "东城区住房和城市建设委员会"
POLICE = "东华门派出所"
ORGANISER = "street_dispatcher"
OTHER_STREET = f"dispatcher@{JINGSHAN}"
PERIOD = {"start": "2026-10-01", "end": "2026-12-31"}


@pytest.fixture
def center(db):
    return Unit.objects.get(kind=UnitKind.STREET_CENTER, division__code=DONGHUAMEN)


@pytest.fixture
def call(hard_case, staff, unit, named_officer):
    """A whistle of 东华门 summoning the housing commission and the named police officer."""
    return whistle_blow(
        case=hard_case(),
        actor=staff(ORGANISER),
        reason="需要协同",
        units=[unit(HOUSING)],
        officers=[named_officer],
        now=MONDAY_MORNING,
    )


@pytest.fixture
def officer_summons(call) -> WhistleSummons:
    return call.summonses.select_related("call", "officer__staff").get(officer__isnull=False)


@pytest.fixture
def problem(talk, staff):
    return problem_add(talk=talk, actor=staff(ORGANISER), description="电动车楼道充电")


@pytest.fixture
def task(problem, staff, unit):
    return task_add(
        problem=problem,
        actor=staff(ORGANISER),
        description="清理楼道电动车",
        owner=unit(POLICE),
        deadline=date(2026, 12, 31),
    )


def _case_input() -> dict:
    return {
        "category": Category.objects.get(code="demolition").pk,
        "complexity": "general",
        "applicant": "王某某",
    }


# --- pages ---------------------------------------------------------------------------------


class TestTalkList(PermissionMatrix):
    url_name = "collaboration:talks"
    in_scope = ORGANISER


class TestBoardExport(PermissionMatrix):
    url_name = "collaboration:board-export"
    in_scope = "street_leader"
    wrong_role = "street_mediator"


class TestDepartmentPage(PermissionMatrix):
    url_name = "collaboration:department-detail"
    in_scope = "district_leader"
    wrong_role = "street_mediator"
    out_of_scope = f"leader@{JINGSHAN}"

    @pytest.fixture(autouse=True)
    def _unit(self, unit):
        self.url_args = (unit(POLICE).pk,)


class TestRosterPlanPage(PermissionMatrix):
    url_name = "collaboration:roster-plan"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _data(self, center):
        self.data = {"center": center.pk, "month": "2026-12"}


class TestRosterShiftPage(PermissionMatrix):
    url_name = "collaboration:roster-shift"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _data(self, center, unit):
        self.data = {"center": center.pk, "agency": unit(HOUSING).pk, "date": "2026-12-01"}


class TestWhistleBlowPage(PermissionMatrix):
    url_name = "collaboration:whistle-blow"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _case(self, hard_case, unit):
        self.url_args = (hard_case().number,)
        self.data = {"units": [unit(HOUSING).pk], "report_hours": 12, "reason": "需要协同"}


class TestWhistleClosePage(PermissionMatrix):
    url_name = "collaboration:whistle-close"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _call(self, call):
        self.url_args = (call.pk,)
        self.data = {"result": "已化解", "version": call.version}


class TestSummonsActPage(PermissionMatrix):
    url_name = "collaboration:summons-act"
    method = "post"
    in_scope = "officer"
    wrong_role = ORGANISER
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _summons(self, officer_summons):
        self.url_args = (officer_summons.call_id, officer_summons.pk, "ack")
        self.data = {"version": officer_summons.version}


class TestProblemAddPage(PermissionMatrix):
    url_name = "collaboration:problem-add"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _talk(self, talk):
        self.url_args = (talk.pk,)
        self.data = {"description": "停车难", "raised_by": "居民"}


class TestTaskAddPage(PermissionMatrix):
    url_name = "collaboration:task-add"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _problem(self, problem, unit):
        self.url_args = (problem.pk,)
        self.data = {"description": "规划车位", "owner": unit(POLICE).pk, "deadline": "2026-12-31"}


class TestProblemCasePage(PermissionMatrix):
    url_name = "collaboration:problem-case"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _problem(self, problem, grid):
        self.url_args = (problem.pk,)
        self.data = {**_case_input(), "grid": grid.pk}


class TestTaskProgressPage(PermissionMatrix):
    url_name = "collaboration:task-progress"
    method = "post"
    in_scope = "officer"
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _task(self, task):
        self.url_args = (task.pk,)
        self.data = {"note": "已清理三处"}


class TestTaskResultPage(PermissionMatrix):
    url_name = "collaboration:task-result"
    method = "post"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _task(self, task):
        self.url_args = (task.pk,)
        self.data = {
            "rating": "solved",
            "summary": "楼道清空",
            "evidence": "回访记录",
            "version": task.version,
        }


# --- API: reads ------------------------------------------------------------------------------


class _Api(PermissionMatrix):
    api = True


class TestDepartmentFiguresApi(_Api):
    url_name = "collaboration-figures-departments"
    data = PERIOD
    in_scope = "district_leader"
    wrong_role = "street_mediator"


class TestStreetFiguresApi(_Api):
    url_name = "collaboration-figures-streets"
    data = PERIOD
    in_scope = "district_leader"
    wrong_role = "street_mediator"


class TestFourListFiguresApi(_Api):
    url_name = "collaboration-figures-four-lists"
    data = PERIOD
    in_scope = "district_leader"
    wrong_role = "officer"


class TestDutyShiftListApi(_Api):
    url_name = "duty-shift-list"
    in_scope = ORGANISER


class TestOfficerListApi(_Api):
    url_name = "named-officer-list"
    in_scope = ORGANISER


class TestOfficerDetailApi(_Api):
    url_name = "named-officer-detail"
    in_scope = ORGANISER
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _officer(self, named_officer):
        self.url_args = (named_officer.pk,)


class TestTalkListApi(_Api):
    url_name = "safety-talk-list"
    in_scope = ORGANISER


class TestTalkDetailApi(_Api):
    url_name = "safety-talk-detail"
    in_scope = ORGANISER
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _talk(self, talk):
        self.url_args = (talk.pk,)


class TestProblemDetailApi(_Api):
    url_name = "problem-detail"
    in_scope = ORGANISER
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _problem(self, problem):
        self.url_args = (problem.pk,)


class TestTaskListApi(_Api):
    url_name = "task-list"
    in_scope = "officer"


class TestTaskDetailApi(_Api):
    url_name = "task-detail"
    in_scope = "officer"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _task(self, task):
        self.url_args = (task.pk,)


class TestWhistleListApi(_Api):
    url_name = "whistle-list"
    in_scope = "officer"


class TestWhistleDetailApi(_Api):
    url_name = "whistle-detail"
    in_scope = "officer"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _call(self, call):
        self.url_args = (call.pk,)


# --- API: the declared actions ---------------------------------------------------------------


class _Act(_Api):
    method = "post"
    ok_status = 201


class TestRosterShiftApi(_Act):
    url_name = "duty-shift-list"
    in_scope = ORGANISER
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _data(self, center, unit):
        self.data = {"center": center.pk, "agency": unit(HOUSING).pk, "date": "2026-12-01"}


class TestRosterPlanApi(_Act):
    url_name = "duty-shift-plan"
    in_scope = ORGANISER
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _data(self, center):
        self.data = {"center": center.pk, "month": "2026-12-01"}


class TestWhistleBlowApi(_Act):
    url_name = "whistle-list"
    in_scope = ORGANISER
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _data(self, hard_case, unit):
        self.data = {"case": hard_case().number, "reason": "需要协同", "units": [unit(HOUSING).pk]}


class TestWhistleCloseApi(_Act):
    url_name = "whistle-close"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET
    ok_status = 200

    @pytest.fixture(autouse=True)
    def _call(self, call):
        self.url_args = (call.pk,)
        self.data = {"result": "已化解"}


class TestAcknowledgeApi(_Act):
    url_name = "whistle-acknowledge"
    in_scope = "officer"
    wrong_role = ORGANISER
    out_of_scope = OTHER_STREET
    ok_status = 200

    @pytest.fixture(autouse=True)
    def _summons(self, officer_summons):
        self.url_args = (officer_summons.call_id, officer_summons.pk)


class TestReportApi(_Act):
    url_name = "whistle-report"
    in_scope = "officer"
    wrong_role = ORGANISER
    out_of_scope = OTHER_STREET
    ok_status = 200

    @pytest.fixture(autouse=True)
    def _summons(self, officer_summons, staff):
        summons_acknowledge(summons=officer_summons, actor=staff("officer"))
        self.url_args = (officer_summons.call_id, officer_summons.pk)
        self.data = {"report": "已到场维护秩序"}


class TestProblemAddApi(_Act):
    url_name = "safety-talk-problems"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _talk(self, talk):
        self.url_args = (talk.pk,)
        self.data = {"description": "停车难"}


class TestTaskAddApi(_Act):
    url_name = "problem-tasks"
    in_scope = ORGANISER
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _problem(self, problem, unit):
        self.url_args = (problem.pk,)
        self.data = {"description": "规划车位", "owner": unit(POLICE).pk, "deadline": "2026-12-31"}


class TestProblemCaseApi(_Act):
    url_name = "problem-case"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _problem(self, problem, grid):
        self.url_args = (problem.pk,)
        self.data = {**_case_input(), "grid": grid.code}


class TestTaskProgressApi(_Act):
    url_name = "task-progress"
    in_scope = "officer"
    wrong_role = "street_mediator"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _task(self, task):
        self.url_args = (task.pk,)
        self.data = {"note": "已清理三处"}


class TestTaskResultApi(_Act):
    url_name = "task-result"
    in_scope = ORGANISER
    wrong_role = "officer"
    out_of_scope = OTHER_STREET

    @pytest.fixture(autouse=True)
    def _task(self, task):
        self.url_args = (task.pk,)
        self.data = {"rating": "solved", "summary": "楼道清空", "evidence": "回访记录"}
