"""Schemathesis over the Open311 endpoints, through the shared harness (issue 20): no
generated request gets a server error, and every answer, success or error list, matches the
document in ``open311.schema``. Requests carry a valid key, so they reach the handlers."""

import pytest

from pingan.core import fuzzing
from pingan.orgs.models import Unit
from pingan.patrol import services
from pingan.patrol.open311.schema import DOCUMENT


@pytest.fixture
def key(db, keep_connection):
    unit = Unit.objects.get(kind="street_center", division__code="110101001")
    return services.api_key_create(actor=None, name="东华门 12345", unit=unit)[1]


@fuzzing.operations(r"^/open311/", DOCUMENT).parametrize()
@fuzzing.SETTINGS
@pytest.mark.django_db
def test_every_open311_operation_never_fails_and_matches_its_document(case, key):
    if isinstance(case.body, dict):
        case.body["api_key"] = key
    elif case.query is not None and "api_key" in case.query:
        case.query["api_key"] = key
    fuzzing.call_and_check(case)
