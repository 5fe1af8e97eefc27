"""One schemathesis harness for every API (X4): generated requests never get a server error,
and every response matches the OpenAPI schema (status codes, bodies, content types).

A test module takes the operations it covers from ``operations(path_regex)``, decorates its test
with ``@operations(...).parametrize()`` and ``@SETTINGS``, and calls ``call_and_check``. How many
examples each operation gets comes from the Hypothesis profile the root conftest loads: a few,
derandomized, in ``make test``; many, with fresh randomness, in ``make fuzz``.
"""

import functools
import json

import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import checks

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@functools.cache
def _schema_document() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, cls=DjangoJSONEncoder))


def operations(path_regex: str, document: dict | None = None):
    """The operations whose path matches ``path_regex``, ready to ``parametrize()``: of the
    API's generated schema, or of another OpenAPI ``document`` (Open311's)."""
    schema = schemathesis.openapi.from_dict(document or _schema_document())
    # The exhaustive "coverage" phase takes minutes per run; generated and documented examples
    # reach every operation within the suite's time. (Filters ignore empty values on purpose, as
    # the pages do, so "reject every malformed input" is not among the checks.)
    schema.config.phases.coverage.enabled = False
    return schema.include(path_regex=path_regex)


def call_and_check(case, token: str | None = None) -> None:
    """Send one generated request (with the API ``token``, if one is given) straight to the
    WSGI application and check it."""
    from config.wsgi import application

    headers = {"Authorization": f"Token {token}"} if token else {}
    response = case.call(app=application, headers=headers)
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=CHECKS)
