"""Writes of the patrol app: patrols, reports, a report becoming a case, Open311 keys.

Every function is one use case in one transaction; bad input raises ``ApplicationError`` with a
message a grid worker understands, and nothing is written.
"""

import hashlib
import hmac
import math
import secrets
from datetime import datetime
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.choices import Channel, Complexity, PartyRole, Urgency
from pingan.cases.models import Case, Category
from pingan.cases.services import PartyInput, case_register
from pingan.core import uploads
from pingan.core.calendar import local_date
from pingan.core.errors import ApplicationError, ConflictError, ForbiddenError
from pingan.core.services import audit_record
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import Level
from pingan.orgs.models import Division, Staff, Unit

from .access import PATROL_ROLES
from .choices import CheckItem, PositionSource, ReportKind, ReportSource
from .locate import grid_id_at
from .models import ApiKey, Patrol, Report

MIN_TEXT = 5
API_KEY_PREFIX = "pa311_"


# --- checks --------------------------------------------------------------------------------


def validate_photo(upload) -> str:
    """Check a photo's type (by name and by content, decoded) and size; return its MIME type.
    The image types and the size limit of case attachments: a photo that becomes a case
    attachment is always one the case would have accepted."""
    return uploads.checked_type(
        upload, what=_("照片"), allowed=uploads.IMAGE_TYPES, kinds=uploads.IMAGE_KINDS
    )


def check_position(*, lon, lat) -> tuple[float, float] | None:
    """Both coordinates or neither; finite WGS 84 degrees."""
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        raise ApplicationError(_("位置不完整：经度和纬度需同时提供。"))
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ApplicationError(_("位置坐标不是有效数字。")) from None
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (
        -180 <= lon <= 180 and -90 <= lat <= 90
    ):
        raise ApplicationError(_("位置坐标超出经纬度范围。"))
    return lon, lat


def _require_patroller(actor: Staff, grid: Division) -> None:
    if not has_role(actor, *PATROL_ROLES):
        raise ForbiddenError(_("只有网格员可以巡查和上报。"))
    if grid.level != Level.GRID:
        raise ApplicationError(_("请选择到具体网格。"))
    if not in_scope(actor, grid.path):
        raise ForbiddenError(_("该网格不是您负责的网格。"))


# --- patrols (M6.1) ------------------------------------------------------------------------


@transaction.atomic
def patrol_start(*, actor: Staff, grid: Division, now: datetime | None = None) -> Patrol:
    """Start a patrol of one of the actor's grids; a worker has at most one patrol open."""
    now = now or timezone.now()
    _require_patroller(actor, grid)
    current = Patrol.objects.open().filter(staff=actor).select_related("grid").first()
    if current is not None:
        raise ConflictError(
            _("您在%(grid)s的巡查尚未结束，请先结束该巡查。") % {"grid": current.grid.name}
        )
    return Patrol.objects.create(grid=grid, staff=actor, day=local_date(now), started_at=now)


@transaction.atomic
def patrol_end(
    *,
    patrol: Patrol,
    actor: Staff,
    checked: list[str],
    note: str = "",
    now: datetime | None = None,
) -> Patrol:
    """End a patrol with what was checked; only the worker who started it may end it."""
    now = now or timezone.now()
    if patrol.staff_id != actor.pk:
        raise ForbiddenError(_("这不是您的巡查，不能结束。"))
    items = list(dict.fromkeys(checked or []))
    if not items:
        raise ApplicationError(_("请至少勾选一项本次巡查的检查事项。"))
    unknown = [item for item in items if item not in CheckItem.values]
    if unknown:
        raise ApplicationError(_("检查事项无法识别：%(items)s") % {"items": "、".join(unknown)})
    ended_at = max(now, patrol.started_at)
    updated = Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=True).update(
        ended_at=ended_at, checked=items, note=(note or "").strip(), updated_at=now
    )
    if updated != 1:
        raise ConflictError(_("该巡查已经结束，请刷新页面。"))
    patrol.ended_at, patrol.checked, patrol.note = ended_at, items, (note or "").strip()
    return patrol


# --- reports (M6.2) ------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    actor: Staff,
    grid: Division,
    kind: str,
    text: str,
    is_early_sign: bool = False,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    photo=None,
    now: datetime | None = None,
) -> Report:
    """File a report from the grid. A GPS position must lie in the chosen grid (border rule of
    ``locate``); without one the report is placed at the grid's centre point."""
    now = now or timezone.now()
    _require_patroller(actor, grid)
    if kind not in ReportKind.values:
        raise ApplicationError(_("请选择上报类型（人、地、事、物、情）。"))
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise ApplicationError(
            _("情况描述过短，请写明看到了什么、在哪里（至少%(n)s个字）。") % {"n": MIN_TEXT}
        )
    position = check_position(lon=lon, lat=lat)
    if position is not None:
        found = grid_id_at(*position)
        if found is None:
            raise ApplicationError(_("您当前的位置不在任何网格内，请到网格内上报，或不使用定位。"))
        if found != grid.pk:
            other = Division.objects.only("name").get(pk=found)
            raise ApplicationError(
                _("您当前的位置在“%(other)s”，不在所选的“%(grid)s”内。请选择正确的网格。")
                % {"other": other.name, "grid": grid.name}
            )
        source = PositionSource.GPS
    else:
        position = (grid.center_lng, grid.center_lat)
        source = PositionSource.GRID
    if photo:
        validate_photo(photo)
    patrol = Patrol.objects.open().filter(staff=actor, grid=grid).first()
    return Report.objects.create(
        grid=grid,
        area_path=grid.path,
        kind=kind,
        is_early_sign=bool(is_early_sign),
        text=text,
        address=(address or "").strip()[:200],
        reported_at=now,
        reporter=actor,
        patrol=patrol,
        source=ReportSource.PATROL,
        lon=position[0],
        lat=position[1],
        position_source=source,
        photo=photo or "",
    )


def report_case_initial(report: Report) -> dict:
    """What the case intake is pre-filled with when a report becomes a case."""
    title = report.text.splitlines()[0][:40]
    prefix = _("【苗头隐患】") if report.is_early_sign else ""
    reporter = report.reporter or None
    return {
        "category": report.category_id,
        "complexity": Complexity.GENERAL,
        "urgency": Urgency.URGENT if report.is_early_sign else Urgency.NORMAL,
        "title": f"{prefix}{report.get_kind_display()}：{title}"[:80],
        "narrative": report.text,
        "address": report.address,
        "applicant_name": report.contact_name or (reporter.get_full_name() if reporter else ""),
    }


@transaction.atomic
def report_to_case(
    *,
    report: Report,
    actor: Staff,
    category: Category,
    complexity: str,
    urgency: str,
    title: str,
    narrative: str,
    applicant_name: str,
    applicant_phone: str = "",
    now: datetime | None = None,
) -> Case:
    """Turn a report into a case in one step (M6.2): the case intake with the report's grid,
    address and photo, channel 网格上报; the report points at the case and the case's page lists
    the report. A report becomes at most one case."""
    now = now or timezone.now()
    locked = Report.objects.select_for_update().filter(pk=report.pk).values("case_id").first()
    if locked is None:
        raise ApplicationError(_("该上报已不存在。"))
    if locked["case_id"] is not None:
        number = Case.objects.values_list("number", flat=True).get(pk=locked["case_id"])
        raise ConflictError(_("该上报已转为事项 %(number)s。") % {"number": number})
    attachments = []
    if report.photo:
        with report.photo.open("rb") as handle:
            copy = ContentFile(handle.read(), name=PurePath(report.photo.name).name)
        copy.content_type = uploads.IMAGE_TYPES.get(PurePath(copy.name).suffix.lower(), "")
        attachments.append(copy)
    channel = Channel.ONLINE if report.source == ReportSource.OPEN311 else Channel.GRID_REPORT
    case, _code = case_register(
        actor=actor,
        channel=channel,
        category=category,
        complexity=complexity,
        urgency=urgency,
        title=title,
        narrative=narrative,
        grid=report.grid,
        parties=[PartyInput(PartyRole.APPLICANT, applicant_name, phone=applicant_phone)],
        address=report.address,
        attachments=attachments,
        now=now,
    )
    updated = Report.objects.filter(pk=report.pk, case__isnull=True).update(
        case=case, updated_at=now
    )
    if updated != 1:
        raise ConflictError(_("该上报刚被其他人转为事项，请刷新页面。"))
    report.case = case
    audit_record(
        actor=actor,
        action="patrol.report_to_case",
        target=report,
        data={"case": case.number, "grid": report.grid.code},
    )
    return case


# --- Open311 (external channel) -------------------------------------------------------------


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor: Staff | None, name: str, unit: Unit) -> tuple[ApiKey, str]:
    """Create an Open311 key for a unit; return it with the raw key, which is shown only once."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("请填写使用该密钥的系统名称。"))
    secret = secrets.token_urlsafe(32)
    raw = f"{API_KEY_PREFIX}{secret}"
    key = ApiKey.objects.create(
        name=name[:80], unit=unit, prefix=secret[:12], key_hash=key_digest(raw), created_by=actor
    )
    audit_record(actor=actor, action="patrol.api_key_create", target=key, data={"unit": unit.pk})
    return key, raw


def api_key_lookup(raw: str) -> ApiKey | None:
    """The active key matching ``raw``, or ``None``; compared in constant time."""
    raw = (raw or "").strip()
    if not raw.startswith(API_KEY_PREFIX) or len(raw) < len(API_KEY_PREFIX) + 12:
        return None
    prefix = raw[len(API_KEY_PREFIX) : len(API_KEY_PREFIX) + 12]
    key = ApiKey.objects.select_related("unit__division").filter(prefix=prefix).first()
    if key is None or not key.is_active:
        return None
    if not hmac.compare_digest(key.key_hash, key_digest(raw)):
        return None
    return key


def api_key_paths(key: ApiKey) -> list[str]:
    """The org-tree paths a key may file and read in: its unit's area, or the streets the
    unit serves (a police station, a justice office)."""
    served = list(key.unit.serves.values_list("path", flat=True))
    return served or [key.unit.division.path]


@transaction.atomic
def report_create_open311(
    *,
    api_key: ApiKey,
    category: Category,
    lon,
    lat,
    description: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    now: datetime | None = None,
) -> Report:
    """File a service request from an external 311 system as a report (事) in the grid that
    contains the point; the grid's worker verifies it and turns it into a case in one step."""
    now = now or timezone.now()
    position = check_position(lon=lon, lat=lat)
    if position is None:
        raise ApplicationError(_("请提供位置（lat 与 long）。"))
    if not category.is_active:
        raise ApplicationError(_("该服务类别已停用。"))
    description = (description or "").strip()
    if len(description) < MIN_TEXT:
        raise ApplicationError(_("描述过短，请写明问题和地点（至少%(n)s个字）。") % {"n": MIN_TEXT})
    grid_id = grid_id_at(*position)
    if grid_id is None:
        raise ApplicationError(_("该位置不在本区任何网格内。"))
    grid = Division.objects.get(pk=grid_id)
    if not any(grid.path.startswith(path) for path in api_key_paths(api_key)):
        raise ForbiddenError(_("该位置不在此接口密钥所属单位的辖区内。"))
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return Report.objects.create(
        grid=grid,
        area_path=grid.path,
        kind=ReportKind.EVENT,
        category=category,
        text=description,
        address=(address or "").strip()[:200],
        reported_at=now,
        api_key=api_key,
        source=ReportSource.OPEN311,
        lon=position[0],
        lat=position[1],
        position_source=PositionSource.CLIENT,
        contact_name=(contact_name or "").strip()[:60],
        contact_phone=(contact_phone or "").strip()[:20],
    )
