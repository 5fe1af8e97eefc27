"""Schemathesis over every API operation that no app's own fuzz test covers (the case, risk and
collaboration APIs have theirs, with data to act on): no generated request gets a server error,
and every response matches the schema. Each path is called as the persona who works there, so
requests get past the role checks into the handlers."""

import pytest

from pingan.core import fuzzing
from pingan.core.models import ApiToken
from pingan.corrections.demo_data import ensure_prisons
from pingan.talent.demo_data import load_demo as load_talent

PERSONA_BY_PREFIX = {
    "/api/releases": "prison_officer",
    "/api/evidence-files": "prison_officer",
    "/api/talent": "talent_committee",
    "/api/evaluation": "evaluator",
    "/api/scorecards": "admin",
    "/api/patrol": "grid_worker",
}
OWN_FUZZ_TESTS = r"^/api/(?!cases/|risk/|collaboration/|schema/|docs/)"


@pytest.fixture
def tokens(staff, now, keep_connection):
    ensure_prisons()  # and their officers
    load_talent(seed=1, end=now)  # the procuratorate's people, with records to read
    return lambda username: ApiToken.objects.create(user=staff(username), name="fuzz")[1]


@fuzzing.operations(OWN_FUZZ_TESTS).parametrize()
@fuzzing.SETTINGS
@pytest.mark.django_db
def test_every_other_api_operation_never_fails_and_matches_its_schema(case, tokens):
    persona = next(
        (who for prefix, who in PERSONA_BY_PREFIX.items() if case.path.startswith(prefix)),
        "street_dispatcher",
    )
    fuzzing.call_and_check(case, tokens(persona))


@pytest.mark.parametrize("pk", ["¹¹", "٣", "1.5", "9" * 20, "-1", ""])
def test_a_malformed_id_is_a_json_404_not_a_server_error(client_as, pk):
    # given ids that str.isdigit() accepts but int() refuses, too long for the database, or none
    client = client_as("street_dispatcher")
    for path in (
        f"/api/risk/warnings/{pk}/",
        f"/api/persons/{pk}/",
        f"/api/evaluation/reports/{pk}/",
    ):
        # when they are looked up
        response = client.get(path)
        # then the answer is "not found", in JSON, as from any other API address
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json" and response.json()["detail"]
