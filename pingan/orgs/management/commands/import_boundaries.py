"""manage.py import_boundaries FILE.geojson: create or update divisions from a GeoJSON file.

The file is a FeatureCollection; each feature's properties hold ``code``, ``name``, ``level``
(district/street/community/grid, or 区/街道/社区/网格) and ``parent_code`` (absent or null for
a district), and its geometry is a WGS 84 Polygon or MultiPolygon.

This command only reads the file and checks its shape (readable, JSON, a FeatureCollection of
features with properties and a geometry). Every rule about codes, parents and geometry lives in
``pingan.orgs.services.divisions_upsert``, which writes all features or none. Any problem ends
the command with a ``CommandError`` listing every error line, so a file is never half imported.
``--dry-run`` runs the same checks and counts, then rolls back.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core.errors import ApplicationError
from pingan.orgs.choices import Level
from pingan.orgs.services import DivisionSpec, divisions_upsert

# Both the stored values ("district") and the Chinese labels ("区") name a level.
_LEVEL_ALIASES = {
    **{value: value for value in Level.values},
    **{str(label): value for value, label in Level.choices},
}
_MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import division boundaries (district, streets, communities, grids) from a GeoJSON "
        "FeatureCollection; all features or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection (WGS 84)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report the counts, but write nothing",
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        specs = _read_specs(path)
        source = f"import_boundaries: {path.name}"
        try:
            with transaction.atomic():
                result = divisions_upsert(specs=specs, actor=None, source=source)
                if dry_run:
                    transaction.set_rollback(True)
        except ApplicationError as exc:
            raise CommandError(_error_text(exc.message, exc.extra.get("errors", []))) from None
        counts = _("新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if dry_run:
            message = _("试运行完成（未写入任何数据）：%(counts)s。") % {"counts": counts}
        else:
            message = _("导入完成：%(counts)s。") % {"counts": counts}
        self.stdout.write(self.style.SUCCESS(message))


def _error_text(summary: str, errors: list[str]) -> str:
    return "\n".join([summary, *errors])


def _fail(errors: list[str]) -> CommandError:
    shown = errors[:_MAX_ERRORS_SHOWN]
    summary = _("导入失败，共 %(count)s 处错误，未写入任何数据。") % {"count": len(errors)}
    if len(errors) > len(shown):
        summary += _("（仅列出前 %(shown)s 处）") % {"shown": len(shown)}
    return CommandError(_error_text(summary, shown))


def _read_specs(path: Path) -> list[DivisionSpec]:
    """Parse the file into specs, or raise a CommandError that lists every file-level problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise _fail([_("文件 %(path)s 不存在。") % {"path": path}]) from None
    except IsADirectoryError:
        raise _fail([_("%(path)s 是目录，不是文件。") % {"path": path}]) from None
    except UnicodeDecodeError:
        raise _fail([_("文件 %(path)s 不是 UTF-8 编码的文本。") % {"path": path}]) from None
    except OSError as exc:
        raise _fail(
            [_("无法读取文件 %(path)s：%(error)s。") % {"path": path, "error": exc.strerror or exc}]
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(
            [
                _("文件 %(name)s 不是有效的 JSON：第 %(line)s 行第 %(column)s 列，%(error)s。")
                % {"name": path.name, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
            ]
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _fail(
            [
                _(
                    "文件 %(name)s 不是 GeoJSON FeatureCollection"
                    "（顶层应为对象，且 type 为 FeatureCollection）。"
                )
                % {"name": path.name}
            ]
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise _fail([_("文件 %(name)s 缺少 features 列表。") % {"name": path.name}])
    if not features:
        raise _fail([_("文件 %(name)s 中没有任何要素。") % {"name": path.name}])

    errors: list[str] = []
    specs: list[DivisionSpec] = []
    for index, feature in enumerate(features, start=1):
        label = _("第 %(index)s 个要素") % {"index": index}
        spec = _feature_spec(feature, label, errors)
        if spec is not None:
            specs.append(spec)
    if errors:
        raise _fail(errors)
    return specs


def _feature_spec(feature, label: str, errors: list[str]) -> DivisionSpec | None:
    """One feature as a spec; on a file-level problem append to ``errors`` and return None."""
    if not isinstance(feature, dict):
        errors.append(_("%(label)s：不是 JSON 对象。") % {"label": label})
        return None
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        errors.append(_("%(label)s：缺少 properties 对象。") % {"label": label})
        return None
    code = properties.get("code")
    where = f"{label}（{code}）" if isinstance(code, str) and code.strip() else label
    problems = []
    if feature.get("geometry") is None:
        problems.append(_("缺少 geometry（边界）"))
    if code is not None and not isinstance(code, str):
        problems.append(_("代码必须是字符串") + _quote_hint(code))
    name = properties.get("name")
    if name is not None and not isinstance(name, str):
        problems.append(_("名称必须是字符串"))
    parent_code = properties.get("parent_code")
    if parent_code is not None and not isinstance(parent_code, str):
        problems.append(_("上级代码必须是字符串") + _quote_hint(parent_code))
    level = properties.get("level")
    if level is not None and not isinstance(level, str):
        problems.append(_("层级必须是字符串"))
    if problems:
        errors.append(f"{where}：{'；'.join(problems)}。")
        return None
    level = (level or "").strip()
    return DivisionSpec(
        code=(code or "").strip(),
        name=(name or "").strip(),
        level=_LEVEL_ALIASES.get(level, _LEVEL_ALIASES.get(level.lower(), level)),
        parent_code=(parent_code or "").strip() or None,
        geometry=feature["geometry"],
        label=label,
    )


def _quote_hint(value) -> str:
    """For a code written as a JSON number, show how to write it as a string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _('（应写作 "%(value)s"，带引号）') % {"value": value}
    return ""
