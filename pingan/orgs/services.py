"""Writes to the org tree: every change goes through these services."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.errors import ApplicationError
from pingan.core.services import audit_record

from .choices import Level
from .geometry import GeometryError, validate_geometry
from .models import Division

_LEVEL_ORDER = {level: index for index, level in enumerate(Level.values)}
_MAX_ERRORS_SHOWN = 50


@dataclass(frozen=True)
class DivisionSpec:
    """One division as a source describes it (a CSV row, a GeoJSON feature)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: dict | None
    label: str = ""  # where it came from, for error messages ("第 3 个要素")


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def divisions_upsert(*, specs: Iterable[DivisionSpec], actor, source: str) -> UpsertResult:
    """Create or update divisions from a source, all or nothing.

    Every spec is checked before anything is written: known level, no duplicate code, a
    parent of the level above (in the source or already in the tree), a valid polygon, no
    change of level or parent for an existing division. If any check fails, an
    ``ApplicationError`` lists every problem and the tree is left exactly as it was.
    """
    specs = sorted(specs, key=_level_rank)
    existing = {
        row["code"]: row
        for row in Division.objects.values(
            "id",
            "code",
            "name",
            "level",
            "parent__code",
            "path",
            "geometry",
            "center_lng",
            "center_lat",
        )
    }
    errors, centers = _check_specs(specs, existing)
    if errors:
        shown = errors[:_MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        raise ApplicationError(
            _("导入失败，共 %(count)s 处错误，未写入任何数据。") % {"count": len(errors)}
            + (_("（仅列出前 %(shown)s 处）") % {"shown": len(shown)} if more else ""),
            extra={"errors": shown},
        )

    paths = {code: row["path"] for code, row in existing.items()}
    ids = {code: row["id"] for code, row in existing.items()}
    created = updated = unchanged = 0
    now = timezone.now()
    for level in Level.values:
        to_create, to_update = [], []
        for spec in (spec for spec in specs if spec.level == level):
            center = centers.get(spec.code, (None, None))
            row = existing.get(spec.code)
            if row is None:
                is_root = level == Level.DISTRICT
                parent_path = "/" if is_root else paths[spec.parent_code]
                division = Division(
                    code=spec.code,
                    name=spec.name,
                    level=level,
                    parent_id=None if is_root else ids[spec.parent_code],
                    path=f"{parent_path}{spec.code}/",
                    geometry=spec.geometry,
                    center_lng=center[0],
                    center_lat=center[1],
                )
                to_create.append(division)
                paths[spec.code] = division.path
            elif row["name"] != spec.name or (
                spec.geometry is not None and row["geometry"] != spec.geometry
            ):
                kept = spec.geometry is None
                division = Division(
                    id=row["id"],
                    name=spec.name,
                    geometry=row["geometry"] if kept else spec.geometry,
                    center_lng=row["center_lng"] if kept else center[0],
                    center_lat=row["center_lat"] if kept else center[1],
                    updated_at=now,
                )
                to_update.append(division)
            else:
                unchanged += 1
        Division.objects.bulk_create(to_create, batch_size=500)
        # bulk_create sets primary keys on PostgreSQL and SQLite alike (RETURNING).
        ids.update({division.code: division.pk for division in to_create})
        Division.objects.bulk_update(
            to_update,
            ["name", "geometry", "center_lng", "center_lat", "updated_at"],
            batch_size=500,
        )
        created += len(to_create)
        updated += len(to_update)

    result = UpsertResult(created=created, updated=updated, unchanged=unchanged)
    if created or updated:
        audit_record(
            actor=actor,
            action="orgs.divisions_upsert",
            reason=source,
            data={"created": created, "updated": updated, "unchanged": unchanged},
        )
    return result


def _level_rank(spec: DivisionSpec) -> int:
    """Parents before children; unknown levels last (they are reported, not written)."""
    unknown = len(_LEVEL_ORDER)
    return _LEVEL_ORDER.get(spec.level, unknown) if isinstance(spec.level, str) else unknown


def _check_specs(specs: list[DivisionSpec], existing: dict) -> tuple[list[str], dict]:
    errors: list[str] = []
    centers: dict[str, tuple[float, float]] = {}
    levels = {code: row["level"] for code, row in existing.items()}
    seen: set[str] = set()
    for spec in specs:
        if not all(
            isinstance(value, str) for value in (spec.code, spec.name, spec.level)
        ) or not isinstance(spec.parent_code, str | None):
            errors.append(
                _("%(feature)s：代码、名称、层级和上级代码必须是文字。")
                % {"feature": spec.label or _("要素")}
            )
            continue
        where = _("%(label)s（%(code)s）") % {
            "label": spec.label or spec.code,
            "code": spec.code or _("无代码"),
        }
        if not spec.code or not spec.name:
            errors.append(_("%(where)s：缺少代码或名称。") % {"where": where})
            continue
        if spec.code in seen:
            errors.append(
                _("%(where)s：代码 %(code)s 重复出现。") % {"where": where, "code": spec.code}
            )
            continue
        seen.add(spec.code)
        if spec.level not in _LEVEL_ORDER:
            errors.append(
                _("%(where)s：层级“%(level)s”无法识别，应为 %(levels)s。")
                % {"where": where, "level": spec.level, "levels": "、".join(Level.values)}
            )
            continue
        row = existing.get(spec.code)
        if row is not None and row["level"] != spec.level:
            errors.append(_("%(where)s：已存在的区划不能更改层级。") % {"where": where})
        parent_level = Level.parent_of(spec.level)
        if parent_level is not None:
            if levels.get(spec.parent_code) != parent_level:
                errors.append(
                    _("%(where)s：上级代码 %(parent)s 不存在或不是%(level)s。")
                    % {
                        "where": where,
                        "parent": spec.parent_code or _("（空）"),
                        "level": Level(parent_level).label,
                    }
                )
            elif row is not None and row["parent__code"] != spec.parent_code:
                errors.append(_("%(where)s：已存在的区划不能更改上级。") % {"where": where})
        levels.setdefault(spec.code, spec.level)
        if spec.geometry is not None:
            try:
                centers[spec.code] = validate_geometry(spec.geometry)
            except GeometryError as exc:
                errors.append(f"{where}：{exc}")
    return errors, centers
