"""The declared collaboration actions through the API: a shift added to a roster, and the
hand-offs that tell someone (a whistle's summoned parties, a report's whistle-blower, a task's
owner unit, a named officer's assignment)."""

from datetime import date

import pytest
from django.urls import reverse

from pingan.collaboration.models import DutyShift, SafetyTalk
from pingan.collaboration.services import problem_add, summons_acknowledge, whistle_blow
from pingan.core.models import Notice
from pingan.orgs.choices import UnitKind
from pingan.orgs.models import Staff, Unit

from .conftest import DONGHUAMEN, JINGSHAN, MONDAY_MORNING

pytestmark = pytest.mark.django_db

HOUSING = "东城区住房和城市建设委员会"
POLICE = "东华门派出所"


@pytest.fixture
def center(db):
    return Unit.objects.get(kind=UnitKind.STREET_CENTER, division__code=DONGHUAMEN)


def _post(client, name, body, *args):
    return client.post(reverse(name, args=args), body, content_type="application/json")


# --- a shift added through the API -----------------------------------------------------------


def test_an_organiser_adds_a_shift_through_the_api(client_as, center, unit, today):
    # when the street dispatcher puts the housing commission on duty today
    response = _post(
        client_as("street_dispatcher"),
        "duty-shift-list",
        {"center": center.pk, "agency": unit(HOUSING).pk, "date": today.isoformat()},
    )
    # then the roster has it
    assert response.status_code == 201, response.json()
    assert response.json()["agency"] == HOUSING
    assert DutyShift.objects.filter(center=center, agency=unit(HOUSING), date=today).exists()


def test_a_shift_is_refused_to_a_mediator(client_as, center, unit, today):
    response = _post(
        client_as("street_mediator"),
        "duty-shift-list",
        {"center": center.pk, "agency": unit(HOUSING).pk, "date": today.isoformat()},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色不能执行此操作。"
    assert not DutyShift.objects.exists()


def test_another_streets_center_is_not_found(client_as, center, unit, today):
    response = _post(
        client_as(f"dispatcher@{JINGSHAN}"),
        "duty-shift-list",
        {"center": center.pk, "agency": unit(HOUSING).pk, "date": today.isoformat()},
    )
    assert response.status_code == 404
    assert not DutyShift.objects.exists()


def test_a_shift_needs_a_department_and_no_double_booking(client_as, center, unit, today):
    client = client_as("street_dispatcher")
    body = {"center": center.pk, "agency": unit(HOUSING).pk, "date": today.isoformat()}
    # a center is not a department
    not_agency = _post(client, "duty-shift-list", {**body, "agency": center.pk})
    assert not_agency.status_code == 400
    assert not_agency.json()["agency"] == ["所选单位不存在，或不在您的工作范围内。"]
    # a date must be a date
    bad_date = _post(client, "duty-shift-list", {**body, "date": "2026-13-45"})
    assert bad_date.status_code == 400 and "date" in bad_date.json()
    # and a department is in one place a day
    assert _post(client, "duty-shift-list", body).status_code == 201
    twice = _post(client, "duty-shift-list", body)
    assert twice.status_code == 400 and "同一天不能在两处值班" in twice.json()["detail"]
    assert DutyShift.objects.count() == 1


# --- hand-offs tell someone ------------------------------------------------------------------


def test_a_whistle_blown_through_the_api_tells_the_summoned(
    hard_case, client_as, staff, unit, named_officer
):
    # when the street dispatcher summons the housing commission and the named officer
    case = hard_case()
    response = _post(
        client_as("street_dispatcher"),
        "whistle-list",
        {
            "case": case.number,
            "reason": "需要协同",
            "units": [unit(HOUSING).pk],
            "officers": [named_officer.pk],
        },
    )
    assert response.status_code == 201, response.json()
    # then the officer and the commission's responders are told, the blower is not
    told = Notice.objects.filter(kind="whistle")
    assert told.filter(recipient=staff("officer")).exists()
    assert told.filter(recipient__unit=unit(HOUSING)).exists()
    assert not told.filter(recipient=staff("street_dispatcher")).exists()
    notice = told.get(recipient=staff("officer"))
    url = reverse("collaboration:whistle-detail", args=[response.json()["id"]])
    assert notice.url == url and case.number in notice.body


def test_a_report_tells_whoever_blew_the_whistle(hard_case, client_as, staff, named_officer):
    # given an acknowledged summons of the named officer
    call = whistle_blow(
        case=hard_case(),
        actor=staff("street_dispatcher"),
        reason="需要协同",
        officers=[named_officer],
        now=MONDAY_MORNING,
    )
    summons = call.summonses.get()
    summons_acknowledge(summons=summons, actor=staff("officer"))
    # when the officer reports what they did
    response = _post(
        client_as("officer"),
        "whistle-report",
        {"report": "已到场维护秩序"},
        call.pk,
        summons.pk,
    )
    # then the dispatcher who blew the whistle is told
    assert response.status_code == 200, response.json()
    notice = Notice.objects.get(kind="whistle", recipient=staff("street_dispatcher"))
    assert "已到场维护秩序" in notice.body
    assert notice.url == reverse("collaboration:whistle-detail", args=[call.pk])


def test_a_report_without_text_is_refused_and_tells_no_one(
    hard_case, client_as, staff, named_officer
):
    call = whistle_blow(
        case=hard_case(),
        actor=staff("street_dispatcher"),
        reason="需要协同",
        officers=[named_officer],
        now=MONDAY_MORNING,
    )
    summons = call.summonses.get()
    summons_acknowledge(summons=summons, actor=staff("officer"))
    response = _post(client_as("officer"), "whistle-report", {"report": " "}, call.pk, summons.pk)
    assert response.status_code == 400
    assert not Notice.objects.filter(recipient=staff("street_dispatcher")).exists()


def test_a_task_tells_its_owner_unit(talk, client_as, staff, unit):
    # given a problem on the list
    problem = problem_add(talk=talk, actor=staff("street_dispatcher"), description="楼道充电")
    # when the street hands it to the police station as a task
    response = _post(
        client_as("street_dispatcher"),
        "problem-tasks",
        {"description": "清理楼道电动车", "owner": unit(POLICE).pk, "deadline": "2026-12-31"},
        problem.pk,
    )
    # then the station's officer is told, with the deadline and a link to the problem
    assert response.status_code == 201, response.json()
    notice = Notice.objects.get(kind="task", recipient=staff("officer"))
    assert "清理楼道电动车" in notice.title and "2026-12-31" in notice.body
    assert notice.url.endswith(f"#problem-{problem.pk}")


def test_a_task_without_a_deadline_is_refused_and_tells_no_one(talk, client_as, staff, unit):
    problem = problem_add(talk=talk, actor=staff("street_dispatcher"), description="楼道充电")
    response = _post(
        client_as("street_dispatcher"),
        "problem-tasks",
        {"description": "清理楼道电动车", "owner": unit(POLICE).pk, "deadline": None},
        problem.pk,
    )
    assert response.status_code == 400 and response.json()["detail"] == "请填写完成时限。"
    assert not Notice.objects.filter(kind="task").exists()


def test_a_task_on_the_page_tells_its_owner_unit(talk, client_as, staff, unit):
    problem = problem_add(talk=talk, actor=staff("street_dispatcher"), description="楼道充电")
    response = client_as("street_dispatcher").post(
        reverse("collaboration:task-add", args=[problem.pk]),
        {"description": "清理楼道电动车", "owner": unit(POLICE).pk, "deadline": date(2026, 12, 31)},
    )
    assert response.status_code == 302
    assert Notice.objects.filter(kind="task", recipient=staff("officer")).exists()


def test_assigning_a_named_officer_tells_the_officer(client_as, staff, today):
    # when the district dispatcher assigns a judge to 景山 through the API
    judge = Staff.objects.filter(unit__name="东城区人民法院", roles__code="officer").first()
    response = _post(
        client_as("district_dispatcher"),
        "named-officer-list",
        {"staff": judge.pk, "kind": "judge", "street": JINGSHAN, "starts_on": today.isoformat()},
    )
    # then the judge is told where and from when
    assert response.status_code == 201, response.json()
    notice = Notice.objects.get(kind="officer", recipient=judge)
    assert "景山街道" in notice.title and today.isoformat() in notice.body
    assert notice.url == reverse("collaboration:officers")


def test_an_assignment_refused_to_a_mediator_tells_no_one(client_as, staff, today):
    response = _post(
        client_as("street_mediator"),
        "named-officer-list",
        {
            "staff": staff("officer").pk,
            "kind": "police",
            "street": DONGHUAMEN,
            "starts_on": today.isoformat(),
        },
    )
    assert response.status_code == 403
    assert not Notice.objects.filter(kind="officer").exists()


def test_a_talk_recorded_through_the_api(client_as, named_officer, today):
    response = _post(
        client_as("street_dispatcher"),
        "safety-talk-list",
        {
            "mode": "forum",
            "held_on": today.isoformat(),
            "place": "社区党群服务中心",
            "street": DONGHUAMEN,
            "topic": "停车秩序",
            "officers": [named_officer.pk],
        },
    )
    assert response.status_code == 201, response.json()
    assert SafetyTalk.objects.get(pk=response.json()["id"]).officers.get() == named_officer
