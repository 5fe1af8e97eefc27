"""The Open311 GeoReport v2 endpoints as an OpenAPI document, for the shared fuzz harness
(``pingan.core.fuzzing``): what a 311 client may send and what it gets back, success and
error alike (the specification's list of ``{code, description}``)."""

from .views import LIMITS, MOMENT_YEARS

_TEXT = {"type": "string"}
_ERRORS = {
    "description": "a list of errors, Open311's error format",
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["code", "description"],
                    "properties": {"code": {"type": "integer"}, "description": _TEXT},
                },
            }
        }
    },
}
_SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": _TEXT,
        "service_name": _TEXT,
        "description": _TEXT,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": _TEXT,
        "group": _TEXT,
    },
}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_NULLABLE_NUMBER = {"type": ["number", "null"]}
_REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "requested_datetime"],
    "properties": {
        "service_request_id": _TEXT,
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _TEXT,
        "service_name": _TEXT,
        "service_code": _TEXT,
        "description": _TEXT,
        "agency_responsible": _TEXT,
        "service_notice": _TEXT,
        "requested_datetime": _TEXT,
        "updated_datetime": _TEXT,
        "expected_datetime": _NULLABLE_TEXT,
        "address": _TEXT,
        "address_id": _NULLABLE_TEXT,
        "zipcode": _NULLABLE_TEXT,
        "lat": _NULLABLE_NUMBER,
        "long": _NULLABLE_NUMBER,
        "media_url": _NULLABLE_TEXT,
    },
}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list_of(item: dict) -> dict:
    return {"type": "array", "items": item}


def _query(name: str, *, required: bool = False, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema or _TEXT}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": _TEXT}


# only json is served; xml answers the error list
_FMT = {"name": "fmt", "in": "path", "required": True, "schema": {"enum": ["json", "xml"]}}
_KEY = _query("api_key", required=True)
_JURISDICTION = _query("jurisdiction_id")
_DATE = {"type": "string", "format": "date-time"}
_FAILURES = {"400": _ERRORS, "403": _ERRORS, "404": _ERRORS, "405": _ERRORS}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Open311 GeoReport v2",
        "version": "2",
        "description": f"Searches may name the years {MOMENT_YEARS[0]} to {MOMENT_YEARS[1]}.",
    },
    "paths": {
        "/open311/v2/services.{fmt}": {
            "get": {
                "operationId": "open311_services",
                "parameters": [_FMT, _JURISDICTION],
                "responses": {"200": _json("the service list", _list_of(_SERVICE))} | _FAILURES,
            }
        },
        "/open311/v2/services/{code}.{fmt}": {
            "get": {
                "operationId": "open311_service",
                "parameters": [_path("code"), _FMT, _JURISDICTION],
                "responses": {
                    "200": _json(
                        "a service definition",
                        {
                            "type": "object",
                            "required": ["service_code", "attributes"],
                            "properties": {"service_code": _TEXT, "attributes": {"type": "array"}},
                        },
                    )
                }
                | _FAILURES,
            }
        },
        "/open311/v2/requests.{fmt}": {
            "get": {
                "operationId": "open311_requests",
                "parameters": [
                    _FMT,
                    _KEY,
                    _JURISDICTION,
                    _query("service_request_id"),
                    _query("service_code"),
                    _query("status"),
                    _query("start_date", schema=_DATE),
                    _query("end_date", schema=_DATE),
                ],
                "responses": {"200": _json("the requests found", _list_of(_REQUEST))} | _FAILURES,
            },
            "post": {
                "operationId": "open311_request_create",
                "parameters": [_FMT],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["api_key", "service_code", "lat", "long"],
                                "properties": {
                                    "api_key": _TEXT,
                                    "jurisdiction_id": _TEXT,
                                    "service_code": _TEXT,
                                    "lat": {"type": "number"},
                                    "long": {"type": "number"},
                                    **{
                                        name: {"type": "string", "maxLength": limit}
                                        for name, limit in LIMITS.items()
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "the request filed",
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["service_request_id", "service_notice"],
                                "properties": {
                                    "service_request_id": _TEXT,
                                    "service_notice": _TEXT,
                                    "account_id": _NULLABLE_TEXT,
                                },
                            },
                        },
                    )
                }
                | _FAILURES,
            },
        },
        "/open311/v2/requests/{pk}.{fmt}": {
            "get": {
                "operationId": "open311_request",
                "parameters": [_path("pk"), _FMT, _KEY, _JURISDICTION],
                "responses": {"200": _json("one request, in a list", _list_of(_REQUEST))}
                | _FAILURES,
            }
        },
    },
}
