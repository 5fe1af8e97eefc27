"""The register API: same permissions, logging and services as the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.persons import services
from pingan.persons.models import Scorecard

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


# --- fitting a scorecard: a background job, followed at /api/jobs/{id}/ ----------------------


@pytest.fixture
def api_fit(client_as, run_jobs):
    """POST a history table to the fit endpoint and let the worker run the job."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(username: str, data: bytes, **fields):
        client = client_as(username)
        with run_jobs():
            response = client.post(
                reverse("scorecard-fit"), {"csv": SimpleUploadedFile("h.csv", data), **fields}
            )
        return client, response

    return post


def test_api_fit_queues_a_job_whose_result_names_the_new_version(api_fit):
    from pingan.persons.history import to_bytes
    from pingan.persons.models import Scorecard

    client, response = api_fit(
        "admin", to_bytes(1200, seed=4), outcome="escalated_12m", group="性别", exclude="民族"
    )
    assert response.status_code == 202
    queued = response.json()
    assert queued["status"] == "queued" and queued["kind"] == "persons.scorecard_fit"
    job = client.get(reverse("job-detail", args=[queued["id"]])).json()
    scorecard = Scorecard.objects.get(source="fitted")
    assert job["status"] == "succeeded" and job["result"] == {"scorecard": scorecard.pk}
    assert job["message"] == "评分卡已生成，等待审核。" and job["progress"] is None
    assert scorecard.state == "pending" and scorecard.created_by.username == "admin"
    assert client.get(reverse("scorecard-detail", args=[scorecard.pk])).status_code == 200


def test_api_fit_with_bad_data_fails_with_its_problems_and_writes_nothing(api_fit):
    from pingan.persons.models import Scorecard

    data = "y,民族,n\n" + "\n".join(f"{i % 2},汉族{i % 2},{i % 3}" for i in range(300))
    client, response = api_fit("admin", data.encode(), outcome="y")
    job = client.get(reverse("job-detail", args=[response.json()["id"]])).json()
    assert job["status"] == "failed" and job["message"] == "数据有问题，未拟合、未生成评分卡。"
    assert any("受保护的列不能作为因子" in problem for problem in job["result"]["problems"])
    assert not Scorecard.objects.filter(source="fitted").exists()


def test_api_fit_refusals(api_fit, client_as, monkeypatch):
    from pingan.core.models import Job
    from pingan.persons import forms

    _client, refused = api_fit("district_leader", b"y\n1\n", outcome="y")
    assert refused.status_code == 403
    _client, invalid = api_fit("admin", b"y\n1\n", outcome="")
    assert invalid.status_code == 400
    with monkeypatch.context() as patch:
        patch.setattr(forms, "MAX_CSV_BYTES", 3)  # the upload is larger than the page allows
        _client, too_large = api_fit("admin", b"y\n1\n", outcome="y")
    assert too_large.status_code == 400 and too_large.json()["csv"] == ["文件超过 50 MB。"]
    assert not Job.objects.exists()
    # a job is its owner's: anyone else gets 404, an anonymous caller 401
    _client, queued = api_fit("admin", b"y\n1\n", outcome="y")
    url = reverse("job-detail", args=[queued.json()["id"]])
    assert client_as("district_leader").get(url).status_code == 404
    client_as("admin").logout()
    from rest_framework.test import APIClient

    assert APIClient().get(url).status_code == 401


# --- the permission matrix of the declared actions' operations --------------------------------


class _PersonAction(PermissionMatrix):
    """A POST on one of the officer's persons: other roles 403, another street's officer 404."""

    api = True
    method = "post"
    in_scope = "officer"
    wrong_role = "street_clerk"
    out_of_scope = "officer@110101002"

    @pytest.fixture(autouse=True)
    def _person(self, register_person, today):
        person = register_person()
        self.url_args = (person.pk,)
        self.data = self.body(person, today)

    def body(self, person, today) -> dict:
        return {}


class TestConfirmApi(_PersonAction):
    url_name = "person-confirm"

    def body(self, person, today):
        return {"proposal": person.proposals.get().pk}


class TestOverrideApi(_PersonAction):
    url_name = "person-override"

    def body(self, person, today):
        return {"proposal": person.proposals.get().pk, "level": "high", "reason": "近期多次争吵"}


class TestReviewsApi(_PersonAction):
    url_name = "person-reviews"
    ok_status = 201

    def body(self, person, today):
        return {"contact": "met", "note": "在家，情绪稳定"}


class TestSituationApi(_PersonAction):
    url_name = "person-situation"

    def body(self, person, today):
        return {"address": "东城区多福巷14号", "version": person.version}


class TestMeasuresApi(_PersonAction):
    url_name = "person-measures"
    ok_status = 201

    def body(self, person, today):
        return {
            "kind": "support",
            "category": "jobs",
            "description": "推荐就业",
            "owner": "officer",
            "due_on": (today + timedelta(days=14)).isoformat(),
        }


class _MeasureAction(_PersonAction):
    @pytest.fixture(autouse=True)
    def _person(self, register_person, staff, today):
        measure = services.measure_add(
            person=register_person(),
            actor=staff("officer"),
            kind="support",
            category="jobs",
            description="推荐就业",
            owner=staff("officer"),
            due_on=today + timedelta(days=14),
        )
        self.url_args = (measure.pk,)
        self.data = {"result": "已推荐两家企业"}


class TestMeasureCompleteApi(_MeasureAction):
    url_name = "person-measure-complete"


class TestMeasureCancelApi(_MeasureAction):
    url_name = "person-measure-cancel"


class _ScorecardMatrix(PermissionMatrix):
    api = True
    in_scope = "district_leader"
    wrong_role = "officer"

    @pytest.fixture(autouse=True)
    def _scorecard(self, staff):
        active = Scorecard.objects.get(state="active")
        self.url_args = (services.scorecard_copy(scorecard=active, actor=staff("admin")).pk,)


class TestScorecardDetailApi(_ScorecardMatrix):
    url_name = "scorecard-detail"


class TestScorecardReviewApi(_ScorecardMatrix):
    url_name = "scorecard-review"
    method = "post"
    data = {"approve": False, "note": "分档需再核"}


class TestScorecardFitApi(PermissionMatrix):
    url_name = "scorecard-fit"
    api = True
    in_scope = "admin"
    wrong_role = "district_leader"
    ok_status = 202

    def request(self, client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("h.csv", b"y\n1\n")
        return client.post(self.url(), {"csv": upload, "outcome": "y"})
