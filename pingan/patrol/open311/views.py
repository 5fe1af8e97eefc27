"""Open311 GeoReport v2 (JSON) under ``/open311/v2/``, so existing 311 apps can feed the center.

Follows https://wiki.open311.org/GeoReport_v2:

- ``GET services.json``: our active case categories as services (``metadata`` false, type
  realtime); ``GET services/{service_code}.json``: the definition (no extra attributes).
- ``POST requests.json`` (form-encoded, or JSON): ``api_key``, ``service_code``, ``lat`` and
  ``long`` (required here: the point decides the grid; there is no offline geocoder for
  ``address_string``), ``description``, optional ``address_string``, ``first_name``,
  ``last_name``, ``phone``. It files a report (事) in the grid that contains the point; the
  grid worker verifies it and turns it into a case in one step. Answer: ``[{service_request_id,
  service_notice, account_id}]``.
- ``GET requests.json`` with ``service_request_id`` (comma list; when given, other filters are
  ignored), ``service_code`` (comma list), ``start_date``, ``end_date``, ``status`` (open,
  closed); by default the last 90 days, at most 1000 requests, newest first.
  ``GET requests/{id}.json``: a list of one.
- Errors: a JSON list of ``{code, description}`` with the same HTTP status.
- Date-times: ISO 8601 with the offset (Beijing time, ``+08:00``).

Scope (X1): reading requests also needs an ``api_key``; a key reads only the requests filed
through Open311 in its unit's area, and files only there. Formats other than JSON answer 400.
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from pingan.cases.choices import State
from pingan.cases.models import Category
from pingan.core.calendar import LOCAL_TZ
from pingan.core.errors import ApplicationError
from pingan.core.validators import parse_pk

from ..choices import ReportSource
from ..models import ApiKey, Report
from ..services import api_key_lookup, api_key_paths, report_create_open311

DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
CLOSED_STATES = (State.CONCLUDED, State.FOLLOWED_UP, State.ARCHIVED, State.REJECTED)


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def errors(status: int, *descriptions: str) -> JsonResponse:
    body = [{"code": status, "description": str(text)} for text in descriptions]
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def ok(body, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset, in Beijing time: 2026-11-05T08:15:30+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment, LOCAL_TZ).isoformat(timespec="seconds")


def _format(fmt: str) -> None:
    if fmt != "json":
        raise Open311Error(400, _("仅支持 JSON 格式（.json）。Only the JSON format is supported."))


def _jurisdiction(params) -> None:
    wanted = (params.get("jurisdiction_id") or "").strip()
    if wanted and wanted != settings.PINGAN_OPEN311_JURISDICTION:
        raise Open311Error(404, _("jurisdiction_id 不存在：%(id)s") % {"id": wanted})


def _key(params) -> ApiKey:
    raw = (params.get("api_key") or "").strip()
    if not raw:
        raise Open311Error(403, _("缺少 api_key。api_key is required."))
    key = api_key_lookup(raw)
    if key is None:
        raise Open311Error(403, _("api_key 无效或已停用。api_key is invalid."))
    return key


def open311(view):
    """Turn Open311Error and ApplicationError into the spec's error list."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Open311Error as exc:
            return errors(exc.status, exc.description)
        except ApplicationError as exc:
            return errors(exc.status_code, exc.message)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.get_function_area_display(),
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(category.keywords.replace("，", " ").replace(",", " ").split()),
        "group": category.get_function_area_display(),
    }


@require_GET
@open311
def service_list(request: HttpRequest, fmt: str) -> JsonResponse:
    """GET services.json"""
    _format(fmt)
    _jurisdiction(request.GET)
    return ok([_service(category) for category in Category.objects.filter(is_active=True)])


@require_GET
@open311
def service_definition(request: HttpRequest, code: str, fmt: str) -> JsonResponse:
    """GET services/{service_code}.json"""
    _format(fmt)
    _jurisdiction(request.GET)
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, _("service_code 不存在：%(code)s") % {"code": code})
    return ok({"service_code": category.code, "attributes": []})


def _status(report: Report) -> str:
    return "closed" if report.case_id and report.case.state in CLOSED_STATES else "open"


def _status_notes(report: Report) -> str:
    if report.case_id is None:
        return _("已转至网格员核实。")
    return _("已转为事项 %(number)s：%(state)s。") % {
        "number": report.case.number,
        "state": report.case.get_state_display(),
    }


def _request(report: Report) -> dict:
    case = report.case if report.case_id else None
    updated = max(report.updated_at, case.updated_at) if case else report.updated_at
    return {
        "service_request_id": str(report.pk),
        "status": _status(report),
        "status_notes": _status_notes(report),
        "service_name": report.category.name if report.category_id else "",
        "service_code": report.category.code if report.category_id else "",
        "description": report.text,
        "agency_responsible": case.handling_unit.name if case else report.grid.parent.name,
        "service_notice": "",
        "requested_datetime": iso(report.reported_at),
        "updated_datetime": iso(updated),
        "expected_datetime": iso(case.due_at) if case else None,
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": None,
    }


def _readable(key: ApiKey) -> QuerySet:
    reports = Report.objects.filter(source=ReportSource.OPEN311)
    condition = None
    for path in api_key_paths(key):
        clause = reports.filter(area_path__startswith=path)
        condition = clause if condition is None else condition | clause
    return (condition if condition is not None else reports.none()).select_related(
        "category", "grid__parent", "case__handling_unit"
    )


# The years a search may name: far wider than any report, far from the calendar's ends.
MOMENT_YEARS = (1900, 2999)


def _moment(value: str, name: str) -> datetime:
    value = value.strip().replace(" ", "+")  # a '+' left unescaped in a query string
    try:
        # A well-formed but impossible date (2026-13-45) raises instead of answering None.
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, datetime.min.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s 不是 ISO 8601 日期时间：%(value)s") % {"name": name, "value": value[:40]},
        )
    # Years at the calendar's ends overflow on the way to UTC or when the default window is
    # taken from them (0001-01-01, 9999-12-31T23:59:59-12:00 answered 500, issue 20).
    if not MOMENT_YEARS[0] <= parsed.year <= MOMENT_YEARS[1]:
        raise Open311Error(
            400,
            _("%(name)s 超出可查询的范围（%(first)s 至 %(last)s 年）。")
            % {"name": name, "first": MOMENT_YEARS[0], "last": MOMENT_YEARS[1]},
        )
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


# What a 311 client may send, at most (a report's text on the phone page has the same cap).
LIMITS = {
    "description": 2000,
    "address_string": 200,
    "first_name": 30,
    "last_name": 30,
    "phone": 20,
}


def _within_limits(params) -> None:
    for name, limit in LIMITS.items():
        if len(params.get(name) or "") > limit:
            raise Open311Error(
                400, _("%(name)s 过长：最多 %(limit)s 个字。") % {"name": name, "limit": limit}
            )


def _csv(params, name: str) -> list[str]:
    """A comma-delimited parameter as a list of its non-empty parts."""
    return [part.strip() for part in (params.get(name) or "").split(",") if part.strip()]


def _list(request: HttpRequest) -> JsonResponse:
    params = request.GET
    reports = _readable(_key(params))
    ids = _csv(params, "service_request_id")
    if ids:
        pks = [parse_pk(part) for part in ids]
        if None in pks:
            raise Open311Error(400, _("service_request_id 应为数字编号，以逗号分隔。"))
        found = reports.filter(pk__in=pks).order_by("-reported_at", "-id")
        return ok([_request(report) for report in found])
    codes = _csv(params, "service_code")
    if codes:
        reports = reports.filter(category__code__in=codes)
    statuses = set(_csv(params, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed（可用逗号分隔）。"))
    if statuses == {"closed"}:
        reports = reports.filter(case__state__in=CLOSED_STATES)
    elif statuses == {"open"}:
        reports = reports.exclude(case__state__in=CLOSED_STATES)
    end = _moment(params["end_date"], "end_date") if params.get("end_date") else None
    start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None:
        start = (end or timezone.now()) - DEFAULT_WINDOW
    if end is not None and end < start:
        raise Open311Error(400, _("end_date 不能早于 start_date。"))
    reports = reports.filter(reported_at__gte=start)
    if end is not None:
        reports = reports.filter(reported_at__lte=end)
    found = reports.order_by("-reported_at", "-id")[:MAX_REQUESTS]
    return ok([_request(report) for report in found])


def _params(request: HttpRequest):
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Open311Error(400, _("请求体不是有效的 JSON。")) from None
        if not isinstance(body, dict):
            raise Open311Error(400, _("请求体应为 JSON 对象。"))
        return {key: "" if value is None else str(value) for key, value in body.items()}
    return request.POST


def _create(request: HttpRequest) -> JsonResponse:
    params = _params(request)
    _jurisdiction(params)
    key = _key(params)
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code。service_code is required."))
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(400, _("service_code 不存在：%(code)s") % {"code": code})
    lat, lon = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    if not lat or not lon:
        raise Open311Error(
            400, _("缺少 lat 和 long：本系统按坐标确定所在网格。lat and long are required.")
        )
    try:
        lat_value, lon_value = float(lat), float(lon)
    except ValueError:
        raise Open311Error(400, _("lat 或 long 不是有效数字。")) from None
    _within_limits(params)
    # Chinese order: family name first.
    name = "".join((params.get(part) or "").strip() for part in ("last_name", "first_name"))
    report = report_create_open311(
        api_key=key,
        category=category,
        lon=lon_value,
        lat=lat_value,
        description=params.get("description") or "",
        address=params.get("address_string") or "",
        contact_name=name,
        contact_phone=params.get("phone") or "",
    )
    notice = _("已受理，转%(grid)s的网格员核实。") % {"grid": report.grid.name}
    return ok(
        [{"service_request_id": str(report.pk), "service_notice": notice, "account_id": None}]
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311
def requests(request: HttpRequest, fmt: str) -> JsonResponse:
    """GET requests.json (search) and POST requests.json (file a request)."""
    _format(fmt)
    if request.method == "POST":
        return _create(request)
    _jurisdiction(request.GET)
    return _list(request)


@csrf_exempt  # writes nothing; a client's POST to a wrong address gets the error list too
def unknown(request: HttpRequest) -> JsonResponse:
    """An address under /open311/v2/ that names no endpoint."""
    return errors(404, _("没有这个 Open311 地址：%(path)s") % {"path": request.path[:80]})


@require_GET
@open311
def request_detail(request: HttpRequest, pk: str, fmt: str) -> JsonResponse:
    """GET requests/{service_request_id}.json: a list of one."""
    _format(fmt)
    _jurisdiction(request.GET)
    reports = _readable(_key(request.GET))
    report = reports.filter(pk=parse_pk(pk)).first()
    if report is None:
        raise Open311Error(404, _("service_request_id 不存在：%(id)s") % {"id": pk})
    return ok([_request(report)])
