"""Schemathesis over the risk API: generated requests never get a 5xx, and every response
matches the OpenAPI schema (status codes, bodies, content types)."""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from config.wsgi import application
from pingan.risk.models import RiskWarning
from pingan.risk.services import instruction_issue

from .conftest import WINDOW_END


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
def token(staff, grid, community_unit, snapshots, keep_connection):
    """Something to read and act on: snapshots, a warning and an instruction."""
    dispatcher = staff("street_dispatcher")
    warning = RiskWarning.objects.create(
        grid=grid, path=grid.path, kind="rising", opened_at=WINDOW_END, last_flagged_at=WINDOW_END
    )
    instruction_issue(
        actor=dispatcher,
        grid=grid,
        unit=community_unit,
        title="核查",
        content="走访",
        due_at=timezone.now() + timedelta(days=2),
        now=timezone.now(),
        warning=warning,
    )
    return Token.objects.get_or_create(user=dispatcher)[0].key


@schema.include(path_regex=r"^/api/risk/").parametrize()
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
def test_risk_api_never_fails_and_matches_its_schema(case, token):
    response = case.call(app=application, headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=CHECKS)
