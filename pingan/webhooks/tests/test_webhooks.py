"""Webhooks against a real HTTP receiver on 127.0.0.1: the signature it checks, a failure on
purpose and the retry that succeeds, scope and event filters, personal data only where allowed,
automatic disabling, redelivery from the admin, nothing announced for a refused action."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.core.models import AuditEvent, Notice
from pingan.orgs.models import Unit
from pingan.webhooks import services
from pingan.webhooks.models import Delivery, DeliveryStatus, Subscriber

PAYLOAD = {
    "channel": "phone",
    "category": "labour",
    "complexity": "general",
    "title": "拖欠工资",
    "narrative": "某餐馆拖欠三名服务员两个月工资共计两万元，请求协调支付。",
    "grid": "110101001001001",  # 东华门街道
    "external_source": "12345",
    "external_ref": "GD2026120700123",
    "parties": [{"role": "applicant", "name": "赵某", "id_number": "", "phone": "13900001111"}],
}


class Receiver:
    """An HTTP server on 127.0.0.1 that answers with the next of ``codes`` (then 200) and
    keeps what it received, with whether the signature held for ``secret``."""

    def __init__(self):
        self.codes: list[int] = []
        self.received: list[dict] = []
        self.secret = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {
                        "event": self.headers["X-Pingan-Event"],
                        "signed": services.verify(
                            receiver.secret, self.headers[services.SIGNATURE_HEADER], body
                        ),
                        "body": json.loads(body),
                    }
                )
                self.send_response(receiver.codes.pop(0) if receiver.codes else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def subscribe(receiver):
    def make(unit="东华门街道综治中心", **fields):
        subscriber = Subscriber.objects.create(
            name=fields.pop("name", "12345热线"),
            url=fields.pop("url", receiver.url),
            unit=Unit.objects.get(name=unit),
            **fields,
        )
        receiver.secret = subscriber.secret
        return subscriber

    return make


@pytest.fixture
def api(staff):
    def as_(persona: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff(persona))
        return client

    return as_


def _register_and_accept(api, run_jobs):
    with run_jobs():
        number = api("street_clerk").post("/api/cases/", PAYLOAD, format="json").json()["number"]
        accepted = api("street_dispatcher").post(
            f"/api/cases/{number}/accept/", {"version": 1}, format="json"
        )
    assert accepted.status_code == 200
    return number


@pytest.mark.django_db
def test_each_action_reaches_the_subscriber_signed_without_personal_data(
    api, run_jobs, subscribe, receiver
):
    # given: the hotline subscribes to the cases of 东华门街道
    subscribe()
    # when: a clerk registers a case there and the dispatcher accepts it
    number = _register_and_accept(api, run_jobs)
    # then: the receiver got both events, in order, each signed with its secret
    assert [r["event"] for r in receiver.received] == ["cases_create", "cases_accept"]
    assert all(r["signed"] for r in receiver.received)
    accepted = receiver.received[1]["body"]
    # the payload is the case as stored after the action, without the parties
    assert accepted["type"] == "cases_accept"
    assert accepted["subject"]["number"] == number
    assert accepted["subject"]["state"] == "accepted" and accepted["subject"]["version"] == 2
    assert "parties" not in accepted["subject"]
    # the sender reads its own reference in what it hears
    assert accepted["subject"]["external_ref"] == "GD2026120700123"
    assert "赵某" not in json.dumps(receiver.received, ensure_ascii=False)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}


@pytest.mark.django_db
def test_scope_and_event_kinds_decide_who_hears(api, run_jobs, subscribe, receiver):
    # given: one subscriber elsewhere (交道口街道), one here that takes only conclusions
    subscribe(unit="交道口街道综治中心", name="别的街道")
    subscribe(name="只要办结", events=["cases_conclude"])
    # when: a case of 东华门街道 is registered and accepted
    _register_and_accept(api, run_jobs)
    # then: nobody hears of it
    assert receiver.received == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_personal_data_only_to_a_subscriber_allowed_it_and_each_sending_audited(
    api, run_jobs, subscribe, receiver
):
    subscriber = subscribe(personal_data=True)
    _register_and_accept(api, run_jobs)
    parties = receiver.received[0]["body"]["subject"]["parties"]
    assert parties == [{"role": "applicant", "name": "赵某", "phone": "13900001111"}]
    sent = AuditEvent.objects.filter(action="webhook.personal_data")
    assert sent.count() == 2
    assert {e.data["subscriber"] for e in sent} == {subscriber.pk}


@pytest.mark.django_db
def test_a_refused_action_announces_nothing(api, run_jobs, subscribe, receiver):
    subscribe()
    with run_jobs():
        number = api("street_clerk").post("/api/cases/", PAYLOAD, format="json").json()["number"]
        stale = api("street_dispatcher").post(
            f"/api/cases/{number}/accept/", {"version": 7}, format="json"
        )
    assert stale.status_code == 409
    assert [r["event"] for r in receiver.received] == ["cases_create"]
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_delivery_is_retried_after_its_back_off_and_then_delivered(
    api, run_jobs, subscribe, receiver
):
    # given: the receiver fails the first post on purpose
    subscribe(events=["cases_create"])
    receiver.codes = [503]
    with run_jobs():
        api("street_clerk").post("/api/cases/", PAYLOAD, format="json")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code == 503
    first = delivery.log[0]
    # then: it is not due again for a minute …
    tried = timezone.datetime.fromisoformat(first["at"])
    assert services.due(now=tried + timedelta(seconds=59)) == []
    assert services.deliver(delivery.pk, now=tried + timedelta(seconds=59)) is None
    # … and the minute sweep delivers it once due
    later = tried + timedelta(minutes=1)
    assert services.due(now=later) == [delivery.pk]
    services.deliver(delivery.pk, now=later)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2
    assert [entry["status_code"] for entry in delivery.log] == [503, 200]
    assert all(r["signed"] for r in receiver.received)
    assert Subscriber.objects.get().failures == 0


@pytest.mark.django_db
def test_back_off_doubles_and_a_delivery_is_given_up_after_the_last_attempt(
    api, run_jobs, subscribe, receiver
):
    subscribe(events=["cases_create"])
    receiver.codes = [500] * services.MAX_ATTEMPTS
    with run_jobs():
        api("street_clerk").post("/api/cases/", PAYLOAD, format="json")
    delivery = Delivery.objects.get()
    gaps = []
    while delivery.status == DeliveryStatus.RETRYING:
        gaps.append(
            delivery.next_attempt_at - timezone.datetime.fromisoformat(delivery.log[-1]["at"])
        )
        services.deliver(delivery.pk, now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    assert gaps == [timedelta(minutes=2**n) for n in range(services.MAX_ATTEMPTS - 1)]
    assert delivery.status == DeliveryStatus.ABANDONED
    assert delivery.attempts == services.MAX_ATTEMPTS


@pytest.mark.django_db
def test_an_unreachable_subscriber_is_disabled_and_the_administrators_told(
    subscribe, staff, monkeypatch
):
    # given: a subscriber whose address answers nothing, one failure short of the limit
    subscriber = subscribe(url="http://127.0.0.1:9/hook")  # the discard port: refused
    Subscriber.objects.filter(pk=subscriber.pk).update(failures=services.DISABLE_AFTER - 1)
    case = _a_case(staff)
    now = timezone.now()
    [delivery] = services.publish(kind="cases_accept", subject=case, actor=None, at=now)
    # when: the attempt fails
    services.deliver(delivery.pk, now=now)
    # then: the subscriber is switched off, with the reason, and the administrators hear of it
    subscriber.refresh_from_db()
    assert not subscriber.is_active and subscriber.disabled_at == now
    assert "ConnectError" in Delivery.objects.get().log[0]["error"]
    assert AuditEvent.objects.filter(action="webhook.disable").exists()
    notice = Notice.objects.get(kind="webhook_disabled", recipient=staff("admin"))
    assert "12345热线" in notice.title and "重新启用" in notice.body
    # and nothing more is posted to it, nor published for it
    assert services.due(now=now + timedelta(hours=1)) == []
    assert services.publish(kind="cases_accept", subject=case, actor=None, at=now) == []


@pytest.mark.django_db
def test_an_administrator_redelivers_from_the_admin_after_switching_it_on_again(
    client_as, subscribe, receiver, staff, run_jobs
):
    subscriber = subscribe()
    case = _a_case(staff)
    [delivery] = services.publish(kind="cases_accept", subject=case, actor=None, at=timezone.now())
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.ABANDONED)
    Subscriber.objects.filter(pk=subscriber.pk).update(
        is_active=False, failures=services.DISABLE_AFTER
    )
    client = client_as("admin")
    change = reverse("admin:webhooks_subscriber_change", args=[subscriber.pk])
    form = {
        "name": subscriber.name,
        "url": subscriber.url,
        "unit": subscriber.unit_id,
        "secret": subscriber.secret,
        "is_active": "on",
        "audit_reason": "对方已修复接收地址",
    }
    assert client.post(change, form).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.is_active and subscriber.failures == 0
    with run_jobs():
        response = client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "redeliver_selected", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED
    assert receiver.received[0]["signed"]
    assert AuditEvent.objects.filter(action="webhook.redeliver").exists()


def test_a_signature_with_another_secret_a_changed_body_or_an_old_time_is_refused():
    body = b'{"a": 1}'
    header = services.sign("s3cret", 1_800_000_000, body)
    assert services.verify("s3cret", header, body, now=1_800_000_010)
    assert not services.verify("other", header, body, now=1_800_000_010)
    assert not services.verify("s3cret", header, b'{"a": 2}', now=1_800_000_010)
    assert not services.verify("s3cret", header, body, now=1_800_000_000 + 301)
    assert not services.verify("s3cret", "garbage", body, now=1_800_000_010)


def _a_case(staff):
    from pingan.cases.models import Category
    from pingan.cases.services import PartyInput, case_register
    from pingan.orgs.models import Division

    case, _code = case_register(
        actor=staff("street_clerk"),
        channel="walk_in",
        category=Category.objects.get(code="neighbourhood"),
        complexity="general",
        title="楼上漏水纠纷",
        narrative="楼上住户卫生间漏水，渗到楼下厨房，多次协商未果，请求调解赔偿。",
        grid=Division.objects.get(code="110101001001001"),
        parties=[PartyInput("applicant", "王某某", "", "13812345678")],
        now=timezone.now(),
    )
    return case


def test_the_receivers_example_in_docs_api_md_verifies_our_signature():
    import re
    import time
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()
    example = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(example, namespace)  # the integrator's code, as printed
    body = b'{"type": "cases_accept"}'
    header = services.sign("s3cret", int(time.time()), body)
    assert namespace["verified"]("s3cret", header, body)
    assert not namespace["verified"]("s3cret", header, body + b" ")


@pytest.mark.django_db
def test_an_action_whose_result_is_not_an_object_is_not_announced(api, subscribe, receiver):
    # given: a subscriber hearing the whole district, where objects without an area go
    subscribe(unit="东城区综治中心")
    # when: a token is issued (the action answers the token and its secret)
    response = api("street_clerk").post("/api/auth/tokens/", {"name": "平板"}, format="json")
    # then: it works, and nothing is published
    assert response.status_code == 200
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_an_object_the_action_deleted_is_announced_as_deleted(subscribe, staff):
    subscribe(unit="东城区综治中心")
    notice = Notice.objects.create(recipient=staff("admin"), kind="x", title="t", body="b")
    notice.delete()
    [delivery] = services.publish(
        kind="evaluation_schemes_indicators_delete_create",
        subject=notice,
        actor=None,
        at=timezone.now(),
    )
    assert delivery.payload["subject"] == {"type": "core.notice", "id": None, "deleted": True}
