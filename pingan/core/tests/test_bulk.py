"""Plain multi-row inserts (``insert_rows``): what ``bulk_create`` would store, without a model
instance per row."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from pingan.core.bulk import db_value, insert_rows
from pingan.core.models import AuditEvent, Notice, WorkCalendarDay

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 3, 8, 0, 1, 250, tzinfo=ZoneInfo("Asia/Shanghai"))
NOTICE_FIELDS = ("recipient", "kind", "title", "body", "url", "created_at", "read_at")


def test_a_row_reads_back_as_bulk_create_writes_it(staff):
    # given the same notice written by bulk_create and by insert_rows
    leader = staff("street_leader")
    Notice.objects.bulk_create(
        [
            Notice(
                recipient=leader,
                kind="supervision",
                title="督办",
                body="正文",
                url="/cases/x/",
                created_at=MOMENT,
            )
        ]
    )
    insert_rows(
        Notice,
        ("recipient", "kind", "title", "body", "url", "created_at"),
        [
            (
                leader.pk,
                "supervision",
                "督办",
                "正文",
                "/cases/x/",
                db_value(Notice, "created_at", MOMENT),
            )
        ],
    )
    # then both read back the same, the moment included, and the field left out (read_at)
    # took its default
    first, second = Notice.objects.order_by("pk").values(*NOTICE_FIELDS)
    assert first == second
    assert (second["created_at"], second["read_at"]) == (MOMENT, None)
    # and the database compares the stored moments as equal
    assert Notice.objects.filter(created_at=MOMENT).count() == 2


def test_json_is_stored_through_db_value_and_defaults_fill_the_rest():
    insert_rows(
        AuditEvent,
        ("action", "data", "created_at"),
        [
            (
                "test.bulk",
                db_value(AuditEvent, "data", {"tier": 2, "单位": "东华门街道综治中心"}),
                db_value(AuditEvent, "created_at", MOMENT),
            )
        ],
    )
    event = AuditEvent.objects.get(action="test.bulk")
    assert (event.data, event.actor, event.target_type, event.created_at) == (
        {"tier": 2, "单位": "东华门街道综治中心"},
        None,
        "",
        MOMENT,
    )
    assert AuditEvent.objects.filter(action="test.bulk", data__tier=2).exists()


def test_a_field_that_stamps_itself_must_be_given():
    # bulk_create would stamp created_at; a plain insert cannot, so it refuses
    with pytest.raises(ValueError, match=r"AuditEvent\.created_at"):
        insert_rows(AuditEvent, ("action",), [("test.bulk",)])


def test_conflicting_rows_are_skipped_only_when_asked():
    stamp = db_value(WorkCalendarDay, "created_at", MOMENT)
    day = db_value(WorkCalendarDay, "date", date(2099, 1, 1))
    names = ("date", "is_workday", "created_at", "updated_at")
    insert_rows(WorkCalendarDay, names, [(day, True, stamp, stamp)] * 2, ignore_conflicts=True)
    stored = WorkCalendarDay.objects.get(date=date(2099, 1, 1))
    assert (stored.is_workday, stored.source) == (True, "admin")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(WorkCalendarDay, names, [(day, False, stamp, stamp)])


def test_no_rows_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_rows(AuditEvent, ("action", "created_at"), [])
