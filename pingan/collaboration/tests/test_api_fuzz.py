"""Schemathesis over the collaboration API: generated requests never get a 5xx, and every
response matches the OpenAPI schema (status codes, bodies, content types)."""

import json
from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from config.wsgi import application
from pingan.collaboration.services import problem_add, task_add, whistle_blow
from pingan.orgs.models import Unit


def _schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, cls=DjangoJSONEncoder))


schema = schemathesis.openapi.from_dict(_schema())
schema.config.phases.coverage.enabled = False
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def keep_connection():
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(staff, hard_case, talk, named_officer, keep_connection):
    """Something to read and act on: a whistle, a talk with a problem and a task."""
    dispatcher = staff("street_dispatcher")
    whistle_blow(case=hard_case(), actor=dispatcher, reason="协同", officers=[named_officer])
    problem = problem_add(talk=talk, actor=dispatcher, description="停车难")
    task_add(
        problem=problem,
        actor=dispatcher,
        description="规划车位",
        owner=Unit.objects.get(name="东华门派出所"),
        deadline=date(2026, 12, 1),
    )
    return Token.objects.get_or_create(user=dispatcher)[0].key


@schema.include(path_regex=r"^/api/collaboration/").parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@pytest.mark.django_db
def test_collaboration_api_never_fails_and_matches_its_schema(case, token):
    response = case.call(app=application, headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=CHECKS)
