"""Notices in bulk (``notify.send_bulk``): stored and texted exactly as ``notify.send`` does."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pingan.core import notify
from pingan.core.models import Notice

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 3, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FIELDS = ("recipient", "title", "body", "url", "created_at", "read_at")


def test_send_bulk_stores_and_texts_what_send_does(staff, django_capture_on_commit_callbacks):
    # given a leader with a phone and one without
    leader, colleague = staff("street_leader"), staff("district_leader")
    colleague.phone = ""
    assert len(leader.phone) == 11
    notices = [
        (leader, "督办：DC2026-000001 已超期 1 天", "事项已超期。\n", "/cases/DC2026-000001/")
    ]
    notices.append((colleague, "督办：DC2026-000002 已超期 2 天", "", "/cases/DC2026-000002/"))
    # when both are sent one way, then the other, and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        notify.send(
            [
                Notice(recipient=r, kind="one", title=t, body=b, url=u, created_at=MOMENT)
                for r, t, b, u in notices
            ]
        )
    texts = list(notify.outbox)
    notify.outbox.clear()
    rows = [(r.pk, r.phone, t, b, u) for r, t, b, u in notices]
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify.send_bulk(kind="many", created_at=MOMENT, notices=rows)
    assert stored == 2
    # then the inboxes hold the same notices and the same single text went out
    one, many = (
        list(Notice.objects.filter(kind=kind).order_by("title").values(*FIELDS))
        for kind in ("one", "many")
    )
    assert one == many and len(many) == 2
    assert notify.outbox == texts
    assert [(m.phone, m.text) for m in texts] == [
        (leader.phone, "【平安综治】督办：DC2026-000001 已超期 1 天。事项已超期。")
    ]


def test_send_bulk_texts_nobody_before_the_commit(staff, django_capture_on_commit_callbacks):
    leader = staff("street_leader")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify.send_bulk(
            kind="many", created_at=MOMENT, notices=[(leader.pk, leader.phone, "督办", "", "/")]
        )
    assert callbacks and notify.outbox == []


def test_send_bulk_of_nothing_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify.send_bulk(kind="many", created_at=MOMENT, notices=[]) == 0
