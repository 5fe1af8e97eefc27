"""The daily digest (每日汇总, X5): a person may take one text a day summing up routine
notices instead of one text each; supervision (督办) is texted at once whatever they chose."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from pingan.core import notify
from pingan.core.models import AuditEvent, Notice
from pingan.core.testing import PermissionMatrix

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 3, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _send(person, kind: str, at: datetime, title: str = "交办承办：DC2026-000001") -> None:
    notify.send([Notice(recipient=person, kind=kind, title=title, url="/", created_at=at)])


def test_a_digest_reader_is_texted_for_supervision_only(staff, django_capture_on_commit_callbacks):
    mediator = staff("street_mediator")
    notify.notice_digest_set(staff=mediator, digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        _send(mediator, "case", MORNING)
        _send(mediator, "supervision", MORNING, title="督办：DC2026-000001 已超期 3 天")
    # both are in the inbox; only the supervision went out as a text
    assert Notice.objects.filter(recipient=mediator).count() == 2
    assert [message.text for message in notify.outbox] == [
        "【平安综治】督办：DC2026-000001 已超期 3 天"
    ]
    assert AuditEvent.objects.get(action="notify.digest_on").actor == mediator


def test_the_digest_goes_once_a_day_with_what_is_unread(staff, django_capture_on_commit_callbacks):
    mediator, clerk, leader = (
        staff("street_mediator"),
        staff("street_clerk"),
        staff("street_leader"),
    )
    for person in (mediator, clerk):
        notify.notice_digest_set(staff=person, digest=True)
    # given three routine notices for the mediator in the last day, one of them read, one
    # supervision, and an older one; the clerk has read everything; the leader takes texts
    for hours in (2, 5, 9):
        _send(mediator, "case", MORNING - timedelta(hours=hours))
    first = Notice.objects.filter(recipient=mediator).order_by("pk").first()
    Notice.objects.filter(pk=first.pk).update(read_at=MORNING)
    _send(mediator, "supervision", MORNING - timedelta(hours=1))
    _send(mediator, "case", MORNING - timedelta(days=2))
    _send(clerk, "case", MORNING - timedelta(hours=3))
    Notice.objects.filter(recipient=clerk).update(read_at=MORNING)
    _send(leader, "case", MORNING - timedelta(hours=3))
    notify.outbox.clear()
    # when the morning digest runs (twice)
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify.digest_send(now=MORNING)
    with django_capture_on_commit_callbacks(execute=True):
        again = notify.digest_send(now=MORNING + timedelta(hours=1))
    # then one text, to the mediator, counting the two unread routine notices of the day
    assert (sent, again) == (1, 0)
    (message,) = notify.outbox
    assert message.phone == mediator.phone
    assert message.text == "【平安综治】每日待办汇总。过去一天您有 2 条未读通知，请登录平台查看。"
    # and the next morning it may go again
    _send(mediator, "case", MORNING + timedelta(hours=20))
    assert notify.digest_send(now=MORNING + timedelta(days=1)) == 1


def test_the_choice_is_made_on_the_inbox_page_and_in_the_api(client_as, staff):
    client = client_as("street_mediator")
    response = client.post(reverse("inbox:digest"), {"digest": "1"})
    assert response.status_code == 302
    assert staff("street_mediator").notice_digest is True
    page = client.get(reverse("inbox:list")).content.decode()
    assert 'data-testid="digest-form"' in page and "已改为每日 8 点汇总" in page
    # a value that is neither choice changes nothing
    client.post(reverse("inbox:digest"), {"digest": "maybe"})
    assert staff("street_mediator").notice_digest is True
    api = client.post(reverse("notice-digest"), {"digest": False}, content_type="application/json")
    assert api.status_code == 200 and api.json() == {"digest": False}
    assert staff("street_mediator").notice_digest is False
    bad = client.post(reverse("notice-digest"), {}, content_type="application/json")
    assert bad.status_code == 400


class TestDigestPage(PermissionMatrix):
    url_name = "inbox:digest"
    method = "post"
    data = {"digest": "1"}
    in_scope = "grid_worker"
    ok_status = 302


class TestDigestApi(PermissionMatrix):
    url_name = "notice-digest"
    api = True
    method = "post"
    data = {"digest": True}
    in_scope = "officer"


def test_the_morning_task_runs_the_digest(staff, monkeypatch):
    from pingan.core import tasks

    ran = []
    monkeypatch.setattr(notify, "digest_send", lambda *, now: ran.append(now) or 0)
    tasks.notice_digest_task.call_local()
    assert len(ran) == 1
    # 00:00 UTC is 08:00 in Beijing
    assert tasks.notice_digest_task.task_class().validate_datetime(datetime(2026, 12, 3, 0, 0))
    assert not tasks.notice_digest_task.task_class().validate_datetime(datetime(2026, 12, 3, 8, 0))
