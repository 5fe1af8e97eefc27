"""Idempotent creates: a retried POST with the same Idempotency-Key answers the first result
instead of making a second case; the same key with another request is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.cases.models import Case
from pingan.core import idempotency
from pingan.core.models import IdempotentRequest

PAYLOAD = {
    "channel": "phone",
    "category": "labour",
    "complexity": "general",
    "title": "拖欠工资",
    "narrative": "某餐馆拖欠三名服务员两个月工资共计两万元，请求协调支付。",
    "grid": "110101001001001",
    "parties": [{"role": "applicant", "name": "赵某", "id_number": "", "phone": "13900001111"}],
}


@pytest.fixture
def api(staff):
    def as_(persona: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff(persona))
        return client

    return as_


@pytest.mark.django_db
def test_the_same_key_twice_makes_one_case_and_answers_the_first_result(api):
    client = api("street_clerk")
    first = client.post("/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # the query code too, shown to the same clerk
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Case.objects.count() == 1
    # without a key, or with a new one, a post is a new case
    client.post("/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    client.post("/api/cases/", PAYLOAD, format="json")
    assert Case.objects.count() == 3


@pytest.mark.django_db
def test_a_key_reused_for_another_request_is_refused(api):
    client = api("street_clerk")
    client.post("/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = {**PAYLOAD, "title": "另一件事"}
    response = client.post("/api/cases/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert "已用于另一个请求" in response.json()["detail"]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_create_keeps_no_answer_so_its_corrected_retry_runs(api):
    client = api("street_clerk")
    bad = {**PAYLOAD, "grid": "999"}
    refused = client.post("/api/cases/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert refused.status_code == 400
    assert not IdempotentRequest.objects.exists()
    fixed = client.post("/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert fixed.status_code == 201 and Case.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_person_and_too_long_a_key_is_refused(api):
    api("street_clerk").post("/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = api("receptionist@110101").post(
        "/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 201 and Case.objects.count() == 2
    long = api("street_clerk").post(
        "/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k" * 101
    )
    assert long.status_code == 400 and "不能超过 100 个字符" in long.json()["detail"]


@pytest.mark.django_db
def test_a_grid_workers_retried_report_is_one_report(api):
    from pingan.patrol.models import Report

    report = {"kind": "event", "text": "小区门口堆放杂物堵塞消防通道", "grid": "110101001001001"}
    client = api("grid_worker")
    first = client.post("/api/patrol/reports/", report, format="json", HTTP_IDEMPOTENCY_KEY="r")
    again = client.post("/api/patrol/reports/", report, format="json", HTTP_IDEMPOTENCY_KEY="r")
    assert first.status_code == 201, first.json()
    assert again.json() == first.json() and Report.objects.count() == 1


@pytest.mark.django_db
def test_answers_older_than_a_day_are_forgotten(api, now):
    client = api("street_clerk")
    client.post("/api/cases/", PAYLOAD, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    created = IdempotentRequest.objects.get().created_at
    assert idempotency.purge(now=created + timedelta(hours=23)) == 0
    assert idempotency.purge(now=created + idempotency.KEEP + timedelta(seconds=1)) == 1
    assert timezone.is_aware(created)
