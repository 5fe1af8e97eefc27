"""The OpenAPI schema a generated client inherits: no generator warning, no hashed enum name
(``Status54dEnum``), the token scheme and the Idempotency-Key header documented."""

import re

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    # --fail-on-warn: any warning (an unresolved enum collision, a view whose model cannot be
    # read, an unknown authenticator) fails the command and this test
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_enum_names_are_chosen_not_hashed(schema):
    names = list(schema["components"]["schemas"])
    # a collision's name ends in three hex digits of a hash (Kind36fEnum, State295Enum)
    hashed = [n for n in names if re.search(r"(?=[0-9a-fA-F]{3}Enum$)\w*\d\w*Enum$", n[-7:])]
    assert hashed == []
    assert {"CaseStateEnum", "ReportKindEnum", "RoleCodeEnum"} <= set(names)


def test_token_authentication_and_idempotent_creates_are_documented(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": scheme["description"],
    }
    create = schema["paths"]["/api/cases/"]["post"]
    assert {"tokenAuth": []} in create["security"]
    headers = [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
