"""Schemathesis over the collaboration API: generated requests never get a 5xx, and every
response matches the OpenAPI schema (status codes, bodies, content types)."""

from datetime import date

import pytest

from pingan.collaboration.services import problem_add, task_add, whistle_blow
from pingan.core import fuzzing
from pingan.core.models import ApiToken
from pingan.orgs.models import Unit


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
    return ApiToken.objects.create(user=dispatcher, name="fuzz")[1]


@fuzzing.operations(r"^/api/collaboration/").parametrize()
@fuzzing.SETTINGS
@pytest.mark.django_db
def test_collaboration_api_never_fails_and_matches_its_schema(case, token):
    fuzzing.call_and_check(case, token)
