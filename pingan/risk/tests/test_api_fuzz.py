"""Schemathesis over the risk API: generated requests never get a 5xx, and every response
matches the OpenAPI schema (status codes, bodies, content types)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pingan.core import fuzzing
from pingan.core.models import ApiToken
from pingan.risk.models import RiskWarning
from pingan.risk.services import instruction_issue

from .conftest import WINDOW_END


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
    return ApiToken.objects.create(user=dispatcher, name="fuzz")[1]


@fuzzing.operations(r"^/api/risk/").parametrize()
@fuzzing.SETTINGS
@pytest.mark.django_db
def test_risk_api_never_fails_and_matches_its_schema(case, token):
    fuzzing.call_and_check(case, token)
