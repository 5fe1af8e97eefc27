"""The register API: same permissions, logging and services as the pages."""

import pytest
from django.urls import reverse

from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix

pytestmark = pytest.mark.django_db


class TestPersonListApi(PermissionMatrix):
    url_name = "person-list"
    api = True
    in_scope = "officer"
    wrong_role = "evaluator"


class TestPersonDetailApi(PermissionMatrix):
    url_name = "person-detail"
    api = True
    in_scope = "officer"
    wrong_role = "street_clerk"
    out_of_scope = "officer@110101002"

    @pytest.fixture(autouse=True)
    def _person(self, register_person):
        self.url_args = (register_person().pk,)


class TestScorecardApi(PermissionMatrix):
    url_name = "scorecard-list"
    api = True
    in_scope = "district_leader"
    wrong_role = "officer"


def test_api_list_query_count_is_pinned(client_as, register_person, django_assert_max_num_queries):
    for _ in range(8):
        register_person()
    client = client_as("officer")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("person-list"))
    assert response.json()["count"] == 8
    assert all("*" in row["id_number"] for row in response.json()["results"])


def test_api_detail_is_logged_and_confirm_works(client_as, register_person):
    person = register_person(employment="unemployed")
    client = client_as("officer")
    body = client.get(reverse("person-detail", args=[person.pk])).json()
    assert AuditEvent.objects.filter(action="persons.view", data__via="api").count() == 1
    proposal = body["pending_proposal"]
    lines = {line["key"]: line for line in proposal["breakdown"]}
    assert lines["employment"]["fact_text"] == "就业状况：无业"
    response = client.post(
        reverse("person-override", args=[person.pk]),
        {"proposal": proposal["id"], "level": "medium", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400 and "改定理由" in response.json()["detail"]
    response = client.post(
        reverse("person-confirm", args=[person.pk]),
        {"proposal": proposal["id"]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["level"] == "low"


def test_api_measure_without_owner_is_refused(client_as, register_person):
    person = register_person()
    response = client_as("officer").post(
        reverse("person-measures", args=[person.pk]),
        {"kind": "support", "category": "jobs", "description": "推荐就业", "due_on": "2030-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "负责人" in response.json()["detail"]
