"""A leader's approvals queue (待我审批, M2.3): pending extension requests in scope, each
decided in one step through the case's declared action."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pingan.cases.actions import ACTIONS
from pingan.cases.models import DeadlineExtension
from pingan.core.actions import perform
from pingan.core.models import Notice
from pingan.core.testing import PermissionMatrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(register, staff):
    """A case accepted and assigned, whose mediator asked for 10 more days."""
    case, _ = register()
    dispatcher, mediator = staff("street_dispatcher"), staff("street_mediator")
    perform(ACTIONS["accept"], case, dispatcher, {})
    perform(ACTIONS["assign"], case, dispatcher, {"handler": mediator})
    case.refresh_from_db()
    perform(ACTIONS["extension_request"], case, mediator, {"days": 10, "reason": "等待鉴定结论"})
    case.refresh_from_db()
    return case


def test_a_leader_decides_an_extension_from_the_queue_in_one_step(client_as, asked):
    client = client_as("street_leader")
    queue = client.get(reverse("cases:approvals")).content.decode()
    assert asked.number in queue and "等待鉴定结论" in queue
    # when the leader approves it from the list
    response = client.post(
        reverse("cases:case-act", args=[asked.number, "extension_decide"]),
        {
            "next": reverse("cases:approvals"),
            "extension_decide-version": asked.version,
            "extension_decide-approve": "1",
        },
    )
    # then they are back on the list, now empty, and the requester is told
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:approvals")
    assert "没有待审批的延期申请" in client.get(reverse("cases:approvals")).content.decode()
    assert DeadlineExtension.objects.get(case=asked).state == "approved"
    assert Notice.objects.filter(recipient__username="street_mediator", url__contains=asked.number)


def test_next_never_leads_off_the_site(client_as, asked):
    response = client_as("street_leader").post(
        reverse("cases:case-act", args=[asked.number, "extension_decide"]),
        {
            "next": "https://evil.example/",
            "extension_decide-version": asked.version,
            "extension_decide-approve": "1",
        },
    )
    assert response["Location"] == reverse("cases:case-detail", args=[asked.number])


def test_another_streets_leader_sees_none_and_the_queue_is_a_constant_number_of_queries(
    client_as, asked, register, staff, django_assert_max_num_queries
):
    assert (
        asked.number
        not in client_as("leader@110101002").get(reverse("cases:approvals")).content.decode()
    )
    client = client_as("street_leader")
    client.get(reverse("cases:approvals"))  # warm the session
    with django_assert_max_num_queries(15):  # 14, and the escalations waiting
        client.get(reverse("cases:approvals"))


def test_a_case_escalated_to_the_district_waits_there_until_someone_takes_it_on(
    client_as, register, staff
):
    # given a street case escalated (上提) to the district center
    case, _ = register()
    perform(ACTIONS["accept"], case, staff("street_dispatcher"), {})
    case.refresh_from_db()
    perform(ACTIONS["escalate"], case, staff("street_dispatcher"), {"reason": "涉及多个街道"})
    # then the district leader sees it waiting, on the queue and the home page
    leader = client_as("district_leader")
    assert case.number in leader.get(reverse("cases:approvals")).content.decode()
    assert "上提待分派" in leader.get(reverse("home")).content.decode()
    # and the street leader, whose unit let it go, does not
    assert (
        case.number
        not in client_as("street_leader").get(reverse("cases:approvals")).content.decode()
    )
    # once the district dispatcher hands it to a handler, it no longer waits
    case.refresh_from_db()
    perform(
        ACTIONS["assign"],
        case,
        staff("district_dispatcher"),
        {"handler": staff("district_dispatcher")},
    )
    page = client_as("district_leader").get(reverse("cases:approvals")).content.decode()
    assert case.number not in page and "没有上提到本单位" in page


def test_the_api_lists_the_escalations_waiting_for_the_leaders_unit(
    client_as, register, staff, django_assert_max_num_queries
):
    # given two street cases escalated to the district center
    for _ in range(2):
        case, _code = register()
        perform(ACTIONS["accept"], case, staff("street_dispatcher"), {})
        case.refresh_from_db()
        perform(ACTIONS["escalate"], case, staff("street_dispatcher"), {"reason": "跨街道"})
    client = client_as("district_leader")
    # then the district leader reads both, in a fixed number of queries: session, user,
    # roles, count, page, the deadline words' three reads
    with django_assert_max_num_queries(8):
        body = client.get(reverse("case-escalations")).json()
    assert body["count"] == 2
    assert {row["level"] for row in body["results"]} == {"district"}
    # and a mediator is refused in words
    refused = client_as("district_dispatcher").get(reverse("case-escalations"))
    assert refused.status_code == 403 and "只有领导" in refused.json()["detail"]


class TestEscalationsApi(PermissionMatrix):
    url_name = "case-escalations"
    api = True
    in_scope = "district_leader"
    wrong_role = "district_dispatcher"


def test_the_api_lists_the_queue_for_leaders_only(staff, asked):
    client = APIClient()
    client.force_authenticate(staff("street_leader"))
    body = client.get("/api/cases/approvals/").json()
    assert [(row["case"], row["days"]) for row in body["results"]] == [(asked.number, 10)]
    client.force_authenticate(staff("street_mediator"))
    response = client.get("/api/cases/approvals/")
    assert response.status_code == 403
    assert "只有领导可以审批延期申请" in response.json()["detail"]


class TestApprovalsPage(PermissionMatrix):
    url_name = "cases:approvals"
    in_scope = "street_leader"
    wrong_role = "street_mediator"


class TestApprovalsApi(PermissionMatrix):
    url_name = "case-approvals"
    api = True
    in_scope = "street_leader"
    wrong_role = "street_mediator"
