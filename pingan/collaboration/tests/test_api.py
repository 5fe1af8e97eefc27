"""The collaboration API: the same rules, scope and errors as the pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from pingan.collaboration.models import NamedOfficer, Task, WhistleSummons
from pingan.orgs.models import Staff, Unit

pytestmark = pytest.mark.django_db

HOUSING = "东城区住房和城市建设委员会"


def api(name, *args):
    return reverse(name, args=args)


def test_a_whistle_through_the_api_from_blowing_to_reporting(hard_case, client_as, named_officer):
    case = hard_case()
    client = client_as("street_dispatcher")
    # given a case, the street dispatcher blows the whistle
    response = client.post(
        api("whistle-list"),
        {
            "case": case.number,
            "reason": "需要警官到场",
            "officers": [named_officer.pk],
            "report_hours": 6,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    summons = body["summonses"][0]
    assert summons["state"] == "summoned" and summons["officer"] == "赵勇"
    # someone else acknowledging is refused with a Chinese message
    refused = client.post(
        api("whistle-acknowledge", body["id"], summons["id"]), {}, content_type="application/json"
    )
    assert refused.status_code == 403 and "不能代为报到" in refused.json()["detail"]
    # the officer acknowledges and reports
    officer = client_as("officer")
    ack = officer.post(
        api("whistle-acknowledge", body["id"], summons["id"]), {}, content_type="application/json"
    )
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    report = officer.post(
        api("whistle-report", body["id"], summons["id"]),
        {"report": "已到场"},
        content_type="application/json",
    )
    assert report.json()["state"] == "reported"
    # the street closes it
    client = client_as("street_dispatcher")
    closed = client.post(
        api("whistle-close", body["id"]), {"result": "已化解"}, content_type="application/json"
    )
    assert closed.json()["closed_at"]


def test_a_whistle_on_a_case_outside_ones_scope_is_not_found(hard_case, client_as):
    case = hard_case()
    response = client_as("dispatcher@110101002").post(
        api("whistle-list"),
        {"case": case.number, "reason": "x", "units": [Unit.objects.get(name=HOUSING).pk]},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_anonymous_callers_get_401(client):
    assert client.get(api("whistle-list")).status_code == 401
    assert client.get(api("safety-talk-list")).status_code == 401


def test_lists_are_scoped_and_query_counts_pinned(talk, client_as, django_assert_max_num_queries):
    client = client_as("street_dispatcher")
    with django_assert_max_num_queries(10):
        talks = client.get(api("safety-talk-list")).json()
    assert talks["count"] == 1
    with django_assert_max_num_queries(10):
        officers = client.get(api("named-officer-list")).json()
    assert [o["name"] for o in officers["results"]] == ["赵勇"]
    assert client.get(api("safety-talk-detail", talk.pk)).json()["problems"] == []
    # another street sees none of it
    other = client_as("dispatcher@110101002")
    assert other.get(api("safety-talk-list")).json()["count"] == 0
    assert other.get(api("named-officer-list")).json()["count"] == 0
    assert other.get(api("safety-talk-detail", talk.pk)).status_code == 404


def test_the_four_lists_through_the_api(talk, client_as):
    client = client_as("street_dispatcher")
    problem = client.post(
        api("safety-talk-problems", talk.pk),
        {"description": "群租房隐患"},
        content_type="application/json",
    ).json()
    missing = client.post(
        api("problem-tasks", problem["id"]),
        {"description": "排查", "owner": None, "deadline": None},
        content_type="application/json",
    )
    assert missing.status_code == 400 and missing.json()["detail"] == "请选择责任单位。"
    owner = Unit.objects.get(name="东华门派出所")
    task = client.post(
        api("problem-tasks", problem["id"]),
        {"description": "排查", "owner": owner.pk, "deadline": "2026-12-10"},
        content_type="application/json",
    ).json()
    client.post(
        api("task-progress", task["id"]), {"note": "已排查"}, content_type="application/json"
    )
    no_evidence = client.post(
        api("task-result", task["id"]),
        {"rating": "solved", "summary": "已清理", "evidence": ""},
        content_type="application/json",
    )
    assert no_evidence.status_code == 400 and "佐证材料" in no_evidence.json()["detail"]
    done = client.post(
        api("task-result", task["id"]),
        {"rating": "solved", "summary": "已清理", "evidence": "照片"},
        content_type="application/json",
    ).json()
    assert done["result"]["evidence"] == "照片" and done["progress"][0]["note"] == "已排查"
    assert Task.objects.get(pk=task["id"]).done_at is not None
    figures = client.get(
        api("collaboration-figures-four-lists") + "?start=2026-10-01&end=2026-10-31"
    ).json()
    assert figures[0]["tasks"] == 1 and figures[0]["done"] == 1


def test_figures_need_a_role_that_reads_them(client_as):
    url = api("collaboration-figures-departments") + "?start=2026-10-01&end=2026-10-31"
    assert client_as("street_mediator").get(url).status_code == 403
    assert client_as("district_leader").get(url).status_code == 200
    assert (
        client_as("district_leader").get(api("collaboration-figures-departments")).status_code
        == 400
    )


def test_planning_a_roster_and_assigning_an_officer_through_the_api(client_as, staff):
    client = client_as("district_dispatcher")
    center = Unit.objects.get(name="东城区综治中心")
    planned = client.post(
        api("duty-shift-plan"),
        {"center": center.pk, "month": "2026-12-01"},
        content_type="application/json",
    )
    assert planned.status_code == 201 and len(planned.json()) == 23 * 8
    again = client.post(
        api("duty-shift-plan"),
        {"center": center.pk, "month": "2026-12-01"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "已经排过" in again.json()["detail"]
    judge = Staff.objects.filter(unit__name="东城区人民法院", roles__code="officer").first()
    assigned = client.post(
        api("named-officer-list"),
        {"staff": judge.pk, "kind": "judge", "street": "110101002", "starts_on": str(date.today())},
        content_type="application/json",
    )
    assert assigned.status_code == 201
    twice = client.post(
        api("named-officer-list"),
        {
            "staff": judge.pk,
            "kind": "judge",
            "street": "110101002",
            "starts_on": str(date.today() + timedelta(days=3)),
        },
        content_type="application/json",
    )
    assert twice.status_code == 400 and NamedOfficer.objects.filter(staff=judge).count() == 1
    assert not WhistleSummons.objects.exists()
