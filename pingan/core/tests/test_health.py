"""Liveness, readiness, metrics and the structured request log (X7)."""

import json
import logging

import huey.contrib.djhuey as djhuey
import pytest
from django.core.management import call_command
from huey import RedisHuey
from prometheus_client import REGISTRY
from structlog.stdlib import ProcessorFormatter

from pingan.cases.tasks import supervision_sweep_task
from pingan.core import health, notify
from pingan.core.models import Notice

pytestmark = pytest.mark.django_db

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def _ready(client):
    response = client.get("/health/ready/?format=json", **LOOPBACK)
    return response.status_code, response.json()


def _failing(report: dict) -> dict:
    return {check: result for check, result in report.items() if result != "OK"}


@pytest.mark.parametrize("path", ["/health/live/", "/health/ready/", "/metrics"])
def test_the_monitoring_endpoints_refuse_anyone_outside_the_monitoring_networks(client, path):
    assert client.get(path, REMOTE_ADDR="10.8.1.20").status_code == 403


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(client, settings):
    settings.PINGAN_TRUSTED_PROXIES = ["127.0.0.1"]
    # a browser behind the proxy is not the monitoring server
    outside = client.get("/health/live/", HTTP_X_FORWARDED_FOR="10.8.1.20", **LOOPBACK)
    assert outside.status_code == 403
    # a header sent straight to the site proves nothing
    settings.PINGAN_MONITORING_NETWORKS = ["10.9.0.0/16"]
    spoofed = client.get("/health/live/", REMOTE_ADDR="10.8.1.20", HTTP_X_FORWARDED_FOR="10.9.0.5")
    assert spoofed.status_code == 403
    # the monitoring network, named, is let in
    prometheus = client.get("/health/live/", REMOTE_ADDR="10.9.0.5")
    assert (prometheus.status_code, prometheus.json()) == (200, {"status": "ok"})


def test_ready_when_the_database_migrations_cache_queue_storage_and_disk_answer(client):
    status, report = _ready(client)
    assert (status, _failing(report)) == (200, {})
    # a browser gets the same JSON, not the library's own page
    page = client.get("/health/ready/", HTTP_ACCEPT="text/html", **LOOPBACK)
    assert page["Content-Type"] == "application/json"
    assert page.json() == report
    assert {check.split("(")[0] for check in report} == {
        "Database",
        "Migrations",
        "Cache",
        "JobQueue",
        "Storage",
        "Disk",
    }


def test_not_ready_when_the_job_queue_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(djhuey, "HUEY", RedisHuey("pingan", url="redis://127.0.0.1:1/0"))
    status, report = _ready(client)
    assert (status, _failing(report)) == (500, {"JobQueue()": "Unavailable: job queue unreachable"})


def test_not_ready_when_the_upload_disk_is_fuller_than_allowed(client, settings):
    settings.PINGAN_DISK_MAX_PERCENT = 0.001
    status, report = _ready(client)
    assert status == 500
    (disk,) = _failing(report).values()
    assert disk.startswith("Warning:") and disk.endswith("disk usage")


@pytest.mark.django_db(transaction=True)
def test_not_ready_while_a_migration_is_unapplied(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", set())
    call_command("migrate", "cases", "0015", verbosity=0)
    try:
        status, report = _ready(client)
    finally:
        call_command("migrate", "cases", verbosity=0)
    unapplied = "Unavailable: 1 migrations not applied: run manage.py migrate"
    assert (status, _failing(report)) == (500, {"Migrations(alias='default')": unapplied})
    assert _ready(client)[0] == 200


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_requests_per_view_database_time_and_notices(client, staff):
    requests = "django_http_requests_latency_seconds_by_view_method_count"
    queries = "django_db_query_duration_seconds_count"
    inbox = _sample("pingan_notices_total", channel="inbox")
    before = _sample(requests, view="health-live", method="GET")
    client.get("/health/live/", **LOOPBACK)
    notify.send(
        [Notice(recipient=staff("street_dispatcher"), kind="info", title="测试")], sms=False
    )
    body = client.get("/metrics", **LOOPBACK).content.decode()
    assert _sample(requests, view="health-live", method="GET") == before + 1
    assert _sample("pingan_notices_total", channel="inbox") == inbox + 1
    assert f'{queries}{{alias="default",vendor=' in body
    assert "pingan_notices_total" in body


def test_metrics_time_every_background_task_and_count_what_a_sweep_issued(run_jobs):
    runs = _sample("pingan_job_runs_total", task="supervision_sweep_task", outcome="ok")
    timed = _sample("pingan_job_duration_seconds_count", task="supervision_sweep_task")
    with run_jobs():
        supervision_sweep_task()
    assert _sample("pingan_job_runs_total", task="supervision_sweep_task", outcome="ok") == runs + 1
    assert _sample("pingan_job_duration_seconds_count", task="supervision_sweep_task") == timed + 1
    assert (
        REGISTRY.get_sample_value(
            "pingan_sweep_items_total", {"sweep": "supervision", "kind": "tier1"}
        )
        is not None
    )
    # a run that finds the previous one still going is counted as locked, not lost
    locked = _sample("pingan_job_runs_total", task="supervision_sweep_task", outcome="locked")
    with djhuey.HUEY.lock_task("cases-supervision-sweep"), run_jobs():
        supervision_sweep_task()
    assert (
        _sample("pingan_job_runs_total", task="supervision_sweep_task", outcome="locked")
        == locked + 1
    )


def test_each_request_is_logged_as_one_json_line_with_its_request_id_and_no_query(
    client, caplog, settings
):
    caplog.set_level(logging.INFO, logger="django_structlog")
    settings.PINGAN_TRUSTED_PROXIES = []
    response = client.get(
        "/health/live/?q=110101199003071234", HTTP_X_FORWARDED_FOR="10.1.1.1", **LOOPBACK
    )
    request_id = response.headers["X-Request-ID"]
    (finished,) = [r for r in caplog.records if r.msg.get("event") == "request_finished"]
    formatter = next(
        handler.formatter
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, ProcessorFormatter)
    )
    line = formatter.format(finished)
    assert "\n" not in line
    logged = json.loads(line)
    assert logged["request_id"] == request_id
    assert logged["request"] == "GET /health/live/"  # the searched ID number stays out
    assert logged["ip"] == "127.0.0.1"  # not the header an untrusted peer sent
    assert (logged["code"], logged["level"], logged["event"]) == (200, "info", "request_finished")
    assert "110101199003071234" not in line
