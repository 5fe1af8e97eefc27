"""Open311 GeoReport v2: response shapes, error format and dates as the specification says."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pingan.cases.models import Category
from pingan.orgs.models import Division, Unit
from pingan.patrol import services
from pingan.patrol.models import ApiKey, Report

from .conftest import inside

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
SERVICE_KEYS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_KEYS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip


@pytest.fixture
def street_key(db):
    """A key of 东华门's street center: files and reads only in 东华门."""
    unit = Unit.objects.get(kind="street_center", division__code="110101001")
    return services.api_key_create(actor=None, name="东华门 12345", unit=unit)[1]


@pytest.fixture
def district_key(db):
    unit = Unit.objects.get(kind="district_center")
    return services.api_key_create(actor=None, name="区 12345", unit=unit)[1]


def _post(client, key, grid, **overrides):
    lon, lat = inside(grid)
    data = {
        "api_key": key,
        "service_code": "neighbourhood",
        "lat": f"{lat:.6f}",
        "long": f"{lon:.6f}",
        "description": "楼上装修噪音扰民，晚上十点后仍在施工。",
        "address_string": "多福巷5号",
        "first_name": "先生",
        "last_name": "王",
        "phone": "13800000000",
    }
    data.update(overrides)
    return client.post(f"{BASE}/requests.json", {k: v for k, v in data.items() if v is not None})


def _assert_errors(response, status: int):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and body
    for item in body:
        assert set(item) == {"code", "description"}
        assert item["code"] == status and item["description"]
    return body


def test_the_service_list_is_our_categories(client):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services_ = response.json()
    assert [s["service_code"] for s in services_] == list(
        Category.objects.filter(is_active=True).values_list("code", flat=True)
    )
    for service in services_:
        assert set(service) == SERVICE_KEYS
        assert service["metadata"] is False and service["type"] == "realtime"


def test_a_service_definition_and_an_unknown_one(client):
    response = client.get(f"{BASE}/services/neighbourhood.json")
    assert response.json() == {"service_code": "neighbourhood", "attributes": []}
    _assert_errors(client.get(f"{BASE}/services/nothing.json"), 404)


def test_only_json_is_served(client):
    _assert_errors(client.get(f"{BASE}/services.xml"), 400)


def test_an_unknown_jurisdiction_is_not_found(client):
    _assert_errors(client.get(f"{BASE}/services.json", {"jurisdiction_id": "chicago"}), 404)
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "110101"}).status_code == 200


def test_posting_a_request_files_a_report_in_the_grid_containing_the_point(
    client, street_key, grid
):
    response = _post(client, street_key, grid)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    report = Report.objects.get(pk=int(body[0]["service_request_id"]))
    assert report.grid == grid and report.source == "open311" and report.reporter is None
    assert report.category.code == "neighbourhood" and report.contact_name == "王先生"
    assert report.contact_phone == "13800000000"
    assert ApiKey.objects.get(pk=report.api_key_id).last_used_at is not None


def test_posting_json_works_too(client, street_key, grid):
    lon, lat = inside(grid)
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": street_key, "service_code": "other", "lat": lat, "long": lon,
         "description": "井盖松动，有安全隐患。"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "pa311_thisisnotarealkeyatall"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "graffiti"}, 400),
        ({"lat": None}, 400),
        ({"lat": "north", "long": "east"}, 400),
        ({"lat": "95", "long": "116.4"}, 400),
        ({"lat": "39.9", "long": "116.2"}, 400),  # outside every grid
        ({"description": "吵"}, 400),
        ({"description": "井盖松动" * 600}, 400),  # over 2,000 characters: refused, not cut
        ({"address_string": "东华门" * 100}, 400),
    ],
)
def test_bad_posts_answer_in_the_error_format_and_store_nothing(
    client, street_key, grid, overrides, status
):
    _assert_errors(_post(client, street_key, grid, **overrides), status)
    assert not Report.objects.exists()


def test_a_key_files_only_inside_its_units_area(client, street_key, db):
    elsewhere = Division.objects.filter(code__startswith="110101002", level="grid").first()
    _assert_errors(_post(client, street_key, elsewhere), 403)
    assert not Report.objects.exists()


def test_a_disabled_key_is_refused(client, street_key, grid):
    ApiKey.objects.update(is_active=False)
    _assert_errors(_post(client, street_key, grid), 403)


def test_getting_a_request_by_id(client, street_key, grid):
    pk = _post(client, street_key, grid).json()[0]["service_request_id"]
    response = client.get(f"{BASE}/requests/{pk}.json", {"api_key": street_key})
    assert response.status_code == 200
    [item] = response.json()
    assert set(item) == REQUEST_KEYS
    assert item["service_request_id"] == pk and item["status"] == "open"
    assert item["service_code"] == "neighbourhood" and item["service_name"] == "邻里纠纷"
    assert ISO_WITH_OFFSET.match(item["requested_datetime"])
    assert item["requested_datetime"].endswith("+08:00")
    assert ISO_WITH_OFFSET.match(item["updated_datetime"])
    assert item["expected_datetime"] is None
    assert isinstance(item["lat"], float) and isinstance(item["long"], float)
    _assert_errors(client.get(f"{BASE}/requests/999999.json", {"api_key": street_key}), 404)
    _assert_errors(client.get(f"{BASE}/requests/{pk}.json"), 403)


def test_a_request_that_became_a_case_reports_its_status(client, street_key, grid, staff):
    pk = _post(client, street_key, grid).json()[0]["service_request_id"]
    report = Report.objects.get(pk=pk)
    case = services.report_to_case(
        report=report,
        actor=staff("grid_worker"),
        category=report.category,
        complexity="general",
        urgency="normal",
        title="装修噪音扰民",
        narrative=report.text,
        applicant_name=report.contact_name,
    )
    [item] = client.get(f"{BASE}/requests/{pk}.json", {"api_key": street_key}).json()
    assert item["status"] == "open" and case.number in item["status_notes"]
    assert item["agency_responsible"] == case.handling_unit.name
    case.__class__.objects.filter(pk=case.pk).update(state="concluded")
    [item] = client.get(f"{BASE}/requests/{pk}.json", {"api_key": street_key}).json()
    assert item["status"] == "closed"
    closed = client.get(f"{BASE}/requests.json", {"api_key": street_key, "status": "closed"})
    assert [i["service_request_id"] for i in closed.json()] == [pk]
    opened = client.get(f"{BASE}/requests.json", {"api_key": street_key, "status": "open"})
    assert opened.json() == []


def test_searching_requests_with_filters(client, street_key, district_key, grid):
    first = _post(client, street_key, grid).json()[0]["service_request_id"]
    second = _post(client, street_key, grid, service_code="other").json()[0]["service_request_id"]
    get = lambda **params: client.get(  # noqa: E731
        f"{BASE}/requests.json", {"api_key": street_key, **params}
    )
    assert [i["service_request_id"] for i in get().json()] == [second, first]
    assert [i["service_request_id"] for i in get(service_code="other").json()] == [second]
    assert len(get(service_request_id=f"{first},{second}").json()) == 2
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert get(start_date=later).json() == []
    earlier = (timezone.now() - timedelta(hours=1)).isoformat()
    assert len(get(start_date=earlier, end_date=later).json()) == 2
    _assert_errors(get(start_date="yesterday"), 400)
    _assert_errors(get(start_date="2026-13-45"), 400)  # well-formed, impossible: not a 500
    _assert_errors(get(end_date="2026-02-30T10:00:00"), 400)
    # the calendar's ends overflowed on the way to UTC or to the default window (500s)
    _assert_errors(get(end_date="0001-01-01"), 400)
    _assert_errors(get(start_date="0001-01-01T00:00:00+08:00"), 400)
    _assert_errors(get(end_date="9999-12-31T23:59:59-12:00"), 400)
    _assert_errors(get(start_date=later, end_date=earlier), 400)
    _assert_errors(get(status="pending"), 400)
    _assert_errors(client.get(f"{BASE}/requests.json"), 403)
    # the district's key sees the street's requests; another street's key does not
    assert len(client.get(f"{BASE}/requests.json", {"api_key": district_key}).json()) == 2


def test_a_key_reads_only_requests_in_its_area(client, district_key, street_key, db):
    elsewhere = Division.objects.filter(code__startswith="110101002", level="grid").first()
    pk = _post(client, district_key, elsewhere).json()[0]["service_request_id"]
    _assert_errors(client.get(f"{BASE}/requests/{pk}.json", {"api_key": street_key}), 404)
    assert client.get(f"{BASE}/requests.json", {"api_key": street_key}).json() == []


def test_patrol_reports_are_not_open311_requests(client, district_key, staff, grid):
    services.report_create(
        actor=staff("grid_worker"), grid=grid, kind="person", text="走访独居老人。"
    )
    assert client.get(f"{BASE}/requests.json", {"api_key": district_key}).json() == []


def test_searching_takes_a_constant_number_of_queries(
    client, street_key, grid, django_assert_max_num_queries
):
    for _ in range(12):
        _post(client, street_key, grid)
    with django_assert_max_num_queries(4):
        response = client.get(f"{BASE}/requests.json", {"api_key": street_key})
    assert len(response.json()) == 12
