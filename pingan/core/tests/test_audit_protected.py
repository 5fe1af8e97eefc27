"""The audit trail is protected in the database itself, not only by the application."""

import pytest
from django.db import DatabaseError, connection, transaction

from pingan.core.models import AuditEvent
from pingan.core.services import audit_record

pytestmark = pytest.mark.django_db


def test_an_audit_row_cannot_be_changed_even_by_a_query_past_the_application(staff):
    # given an audit row
    event = audit_record(actor=staff("street_clerk"), action="cases.registered", reason="登记")
    # when someone with the application's database account rewrites it
    # then the database refuses, and the row is as written
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="改写")
    assert AuditEvent.objects.get(pk=event.pk).reason == "登记"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps rows 180 days")
def test_a_recent_audit_row_cannot_be_removed_on_postgresql():
    # given an audit row written now by the database's own clock (the suite's clock is moved)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent"
            " (action, target_type, target_id, target_repr, reason, data, created_at)"
            " VALUES ('cases.registered', '', '', '', '登记', '{}', now()) RETURNING id"
        )
        (pk,) = cursor.fetchone()
    # when someone deletes it
    # then the database refuses: rows are kept at least 180 days
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=pk).delete()
    assert AuditEvent.objects.filter(pk=pk).exists()
