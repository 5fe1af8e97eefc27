"""The org-tree API: scoped like the pages, token and session auth, a valid OpenAPI schema."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from pingan.core.models import ApiToken
from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Unit

OTHER_STREET_DISPATCHER = "dispatcher@110101002"


class TestDivisionListApi(PermissionMatrix):
    url_name = "division-list"
    api = True
    in_scope = "street_dispatcher"


class TestDivisionApi(PermissionMatrix):
    url_name = "division-detail"
    url_args = ("110101001",)
    api = True
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER


class TestUnitListApi(PermissionMatrix):
    url_name = "unit-list"
    api = True
    in_scope = "street_dispatcher"


class TestUnitApi(PermissionMatrix):
    url_name = "unit-detail"
    api = True
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER

    def url(self) -> str:
        return f"/api/units/{Unit.objects.get(name='东华门派出所').pk}/"


class TestMeApi(PermissionMatrix):
    url_name = "api-me"
    api = True
    in_scope = "grid_worker"


class TestSchema(PermissionMatrix):
    url_name = "schema"
    api = True
    in_scope = "street_dispatcher"


class TestApiDocs(PermissionMatrix):
    url_name = "api-docs"
    api = True
    in_scope = "street_dispatcher"


class TestApiRoot(PermissionMatrix):
    url_name = "api-root"
    api = True
    in_scope = "street_dispatcher"


@pytest.mark.django_db
def test_division_list_is_scoped_and_filterable(client_as, django_assert_num_queries):
    client = client_as("street_dispatcher")
    # session, user, roles, scope (2), count, page
    with django_assert_num_queries(7):
        data = client.get("/api/divisions/", {"level": "community"}).json()
    assert data["count"] == 10
    assert {row["parent"] for row in data["results"]} == {"110101001"}
    assert "geometry" not in data["results"][0]
    assert client.get("/api/divisions/", {"parent": "110101002"}).json()["count"] == 0


@pytest.mark.django_db
def test_division_detail_has_geometry(client_as):
    data = client_as("grid_worker").get("/api/divisions/110101001001001/").json()
    assert data["geometry"]["type"] == "Polygon"
    assert data["parent"] == "110101001001"


@pytest.mark.django_db
def test_unit_list_pins_queries(client_as, django_assert_num_queries):
    client = client_as("district_dispatcher")
    # session, user, roles, scope (2), count, page, serves, function areas
    with django_assert_num_queries(9):
        data = client.get("/api/units/").json()
    assert data["count"] == Unit.objects.count()
    assert len(data["results"]) == 50


@pytest.mark.django_db
def test_token_authentication(staff):
    _token, text = ApiToken.objects.create(user=staff("officer"), name="test")
    client = APIClient()
    assert client.get("/api/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    data = client.get("/api/me/").json()
    assert data["username"] == "officer"
    assert data["scope"] == ["110101001"]
    assert data["roles"] == ["officer"]
    client.credentials(HTTP_AUTHORIZATION="Token forged-token")
    refused = client.get("/api/me/")
    assert refused.status_code == 401 and refused.json()["detail"] == "认证令牌无效。"


@pytest.mark.django_db
def test_a_deactivated_users_token_is_refused(staff):
    officer = staff("officer")
    _token, text = ApiToken.objects.create(user=officer, name="test")
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    refused = client.get("/api/me/")
    assert refused.status_code == 401 and refused.json()["detail"] == "用户未激活或者已删除。"


@pytest.mark.django_db
def test_the_token_check_reads_the_users_unit_in_the_same_query(staff):
    from pingan.core.authentication import TokenAuthentication

    _token, text = ApiToken.objects.create(user=staff("officer"), name="test")
    TokenAuthentication().authenticate_credentials(text.encode())  # notes the first use
    with CaptureQueriesContext(connection) as queries:
        user, _token = TokenAuthentication().authenticate_credentials(text.encode())
        assert user.unit.name
    assert len(queries) == 1


@pytest.mark.django_db
def test_openapi_schema_is_valid(client_as):
    response = client_as("admin").get("/api/schema/")
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/divisions/", "/api/divisions/{code}/", "/api/units/", "/api/me/"} <= set(
        schema["paths"]
    )


@pytest.mark.django_db
def test_api_docs_are_served_locally(client_as):
    response = client_as("admin").get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "swagger" in content.lower()
    assert "cdn" not in content.lower() and "jsdelivr" not in content.lower()
