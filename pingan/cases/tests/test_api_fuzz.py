"""Schemathesis over the case API: generated requests never get a 5xx, and every response
matches the OpenAPI schema (status codes, bodies, content types)."""

import pytest

from pingan.core import fuzzing
from pingan.core.models import ApiToken


@pytest.fixture
def token(staff, register, keep_connection):
    register()  # something to read, act on and collide with
    return ApiToken.objects.create(user=staff("street_dispatcher"), name="fuzz")[1]


@fuzzing.operations(r"^/api/cases/").parametrize()
@fuzzing.SETTINGS
@pytest.mark.django_db
def test_case_api_never_fails_and_matches_its_schema(case, token):
    fuzzing.call_and_check(case, token)
