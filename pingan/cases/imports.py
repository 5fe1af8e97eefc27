"""Import of a center's existing case ledger (台账) from Excel (X4).

Every row is checked first and every problem is reported by row and column; only a ledger with
no problems is registered, each row through ``case_register`` and all rows in one transaction,
so a ledger is imported entirely or not at all. The clerk gets the workbook back with the
problems written beside the rows (``error_report``), fixes it and uploads it again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from itertools import chain, islice
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.services import audit_record
from pingan.core.validators import validate_id_number, validate_phone
from pingan.orgs.access import has_role
from pingan.orgs.choices import Level
from pingan.orgs.models import Division, Staff

from . import rules
from .choices import Channel, Complexity, PartyRole, Urgency
from .models import Category
from .services import PartyInput, case_register

CHANNEL = "来源渠道"
CATEGORY = "事项类别"
COMPLEXITY = "复杂程度"
URGENCY = "紧急程度"
TITLE = "事项标题"
NARRATIVE = "事项描述"
GRID_CODE = "网格编码"
GRID_NAME = "网格名称"
ADDRESS = "详细地址"
APPLICANT_NAME = "申请人姓名"
APPLICANT_ID = "申请人身份证号"
APPLICANT_PHONE = "申请人电话"
RESPONDENT_NAME = "被申请人姓名"
RESPONDENT_ID = "被申请人身份证号"
RESPONDENT_PHONE = "被申请人电话"
REGISTERED_AT = "登记时间"
NOTE = "错误说明"

LEDGER_COLUMNS = [
    CHANNEL,
    CATEGORY,
    COMPLEXITY,
    URGENCY,
    TITLE,
    NARRATIVE,
    GRID_CODE,
    GRID_NAME,
    ADDRESS,
    APPLICANT_NAME,
    APPLICANT_ID,
    APPLICANT_PHONE,
    RESPONDENT_NAME,
    RESPONDENT_ID,
    RESPONDENT_PHONE,
    REGISTERED_AT,
]
# Columns the ledger must have; the grid is given by code or by name (at least one column).
REQUIRED_COLUMNS = [CHANNEL, CATEGORY, COMPLEXITY, TITLE, NARRATIVE, APPLICANT_NAME]
GRID_COLUMNS = [GRID_CODE, GRID_NAME]

# (column, whether it must be filled, what to write) — on the upload page and in the template.
LEDGER_HELP = [
    (
        CHANNEL,
        gettext_lazy("必填"),
        gettext_lazy(
            "来访、来信、电话/12345转办、网上/移动端、网格上报、部门移交，可从下拉列表选择"
        ),
    ),
    (CATEGORY, gettext_lazy("必填"), gettext_lazy("如“邻里纠纷”“物业纠纷”，可从下拉列表选择")),
    (COMPLEXITY, gettext_lazy("必填"), gettext_lazy("一般（7个工作日）或复杂（30个工作日）")),
    (URGENCY, gettext_lazy("选填"), gettext_lazy("一般、紧急或特急；不填按“一般”")),
    (TITLE, gettext_lazy("必填"), gettext_lazy("不超过80个字")),
    (NARRATIVE, gettext_lazy("必填"), gettext_lazy("写明事由、经过和诉求，至少10个字")),
    (
        GRID_CODE,
        gettext_lazy("二选一"),
        gettext_lazy("15位网格编码；与“网格名称”填一项即可，两项都填时须一致"),
    ),
    (
        GRID_NAME,
        gettext_lazy("二选一"),
        gettext_lazy("如“多福巷社区第1网格”；须在您的工作范围内且不重名，重名时请填编码"),
    ),
    (ADDRESS, gettext_lazy("选填"), gettext_lazy("发生地点的详细地址")),
    (APPLICANT_NAME, gettext_lazy("必填"), gettext_lazy("申请人姓名或单位名称")),
    (
        APPLICANT_ID,
        gettext_lazy("选填"),
        gettext_lazy("18位居民身份证号；请将该列设为“文本”格式，以免末几位丢失"),
    ),
    (
        APPLICANT_PHONE,
        gettext_lazy("选填"),
        gettext_lazy("手机号，或带区号的固定电话，如 010-65123456"),
    ),
    (RESPONDENT_NAME, gettext_lazy("选填"), gettext_lazy("有被申请人时填写")),
    (RESPONDENT_ID, gettext_lazy("选填"), gettext_lazy("同申请人身份证号")),
    (RESPONDENT_PHONE, gettext_lazy("选填"), gettext_lazy("同申请人电话")),
    (
        REGISTERED_AT,
        gettext_lazy("选填"),
        gettext_lazy("原台账的登记时间，如 2026-11-23 09:30 或 2026-11-23；不填按导入时间"),
    ),
]

MAX_ROWS = 2000
HEADER_SCAN_ROWS = 10
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TEMPLATE_NAME = gettext_lazy("事项台账")
EXAMPLE_TITLE = "示例：楼上漏水纠纷（导入前请删除此行）"

NOT_XLSX_MESSAGE = gettext_lazy(
    "只能导入 .xlsx 格式的 Excel 文件。如果是 .xls、.et 或 .csv 文件，"
    "请用 Excel 或 WPS 另存为 .xlsx 后再上传。"
)
UNREADABLE_MESSAGE = gettext_lazy(
    "文件无法打开，可能已损坏、加了密码或不是 Excel 文件。请用 Excel 或 WPS 另存为 .xlsx 后再上传。"
)

ERROR_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
ERROR_FONT = Font(color="FF9C0006")
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDCE6F2", end_color="FFDCE6F2")
_WIDTHS = {NARRATIVE: 48, TITLE: 28, ADDRESS: 28, GRID_NAME: 22, GRID_CODE: 18, CHANNEL: 16}
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


class LedgerFileError(ApplicationError):
    """The file as a whole cannot be imported (wrong type, unreadable, headers, size)."""


class RowError(NamedTuple):
    """One problem in the ledger: the Excel row number, the column (or "") and the message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            where = _("第 %(row)s 行 · %(column)s") % {"row": self.row, "column": self.column}
        else:
            where = _("第 %(row)s 行") % {"row": self.row}
        return _("%(where)s：%(message)s") % {"where": where, "message": self.message}


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the numbers of the cases created, or the problems (never both)."""

    created: list[str]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the template --------------------------------------------------------------------------


def ledger_template(*, actor: Staff | None = None) -> bytes:
    """An empty ledger to fill in: the header row, one example row (with a grid of the actor's
    scope when given), dropdowns for the coded columns and a sheet explaining every column."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(TEMPLATE_NAME)
    required = set(REQUIRED_COLUMNS) | set(GRID_COLUMNS)
    sheet.append(LEDGER_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFC00000" if cell.value in required else None)
        cell.fill = HEADER_FILL
        if cell.value in required:
            text = _("必填") if cell.value not in GRID_COLUMNS else _("网格编码、网格名称填一项")
            cell.comment = Comment(text, _("平安综治"))
    sheet.append(_example_row(actor))
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="FF808080")
    for index, column in enumerate(LEDGER_COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = _WIDTHS.get(column, 14)
        if column in (GRID_CODE, APPLICANT_ID, APPLICANT_PHONE, RESPONDENT_ID, RESPONDENT_PHONE):
            dimension.number_format = "@"  # typed as text, so long digit strings stay exact
        elif column == REGISTERED_AT:
            dimension.number_format = "yyyy-mm-dd hh:mm"
    sheet.cell(
        row=2, column=LEDGER_COLUMNS.index(REGISTERED_AT) + 1
    ).number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"

    options_title = _("选项")
    options = book.create_sheet(options_title)
    lists = {
        CHANNEL: [str(label) for label in Channel.labels],
        CATEGORY: list(Category.objects.filter(is_active=True).values_list("name", flat=True)),
        COMPLEXITY: [str(label) for label in Complexity.labels],
        URGENCY: [str(label) for label in Urgency.labels],
    }
    for index, (column, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=column)
        for offset, value in enumerate(values, start=2):
            options.cell(row=offset, column=index, value=value)
        target = get_column_letter(LEDGER_COLUMNS.index(column) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"'{options_title}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=column == URGENCY,
            errorStyle="warning",  # codes are accepted too, so warn rather than refuse
            errorTitle=_("%(column)s无法识别") % {"column": column},
            error=_("请从下拉列表中选择%(column)s。") % {"column": column},
            showErrorMessage=True,
        )
        validation.add(f"{target}2:{target}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)
    options.sheet_state = "hidden"

    guide = book.create_sheet(_("填写说明"))
    guide.append([_("列名"), _("是否必填"), _("填写要求")])
    for line in LEDGER_HELP:
        guide.append([str(value) for value in line])
    guide.append([])
    guide.append(
        [
            _("说明"),
            "",
            _("每次最多导入 %(rows)s 行；第2行为示例，导入前请删除。") % {"rows": f"{MAX_ROWS:,}"},
        ]
    )
    guide.append(["", "", _("有任何一行出错时，整份台账都不会导入；请按错误说明修改后重新上传。")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 80
    return _save(book)


def _example_row(actor: Staff | None) -> list:
    grids = Division.objects.filter(level=Level.GRID)
    if actor is not None:
        grids = grids.visible_to(actor)
    grid = grids.order_by("code").first()
    registered = timezone.localtime() - timedelta(days=1)
    return [
        str(Channel.WALK_IN.label),
        "邻里纠纷",
        str(Complexity.GENERAL.label),
        str(Urgency.NORMAL.label),
        EXAMPLE_TITLE,
        "楼上住户卫生间漏水，渗到楼下厨房，多次协商未果，请求调解赔偿。",
        grid.code if grid else "",
        grid.name if grid else "",
        "某某胡同12号",
        "王某某",
        "11010519491231002X",
        "13812345678",
        "李某某",
        "",
        "",
        registered.replace(hour=9, minute=30, second=0, microsecond=0, tzinfo=None),
    ]


# --- the import ----------------------------------------------------------------------------


def import_ledger(
    *,
    file,
    actor: Staff,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row of an uploaded ledger; if none has a problem, register them all.

    ``file`` is an uploaded file (anything with ``read()`` and ``name``). A file that cannot be
    imported at all raises ``LedgerFileError``; problems in rows come back in ``errors`` and
    nothing is saved. Rows are registered in one transaction, so a refusal by the intake
    service on any row (reported as that row's error) leaves the database as it was.
    ``progress(done, total)`` is told of each registered row.
    """
    now = now or timezone.now()
    if not has_role(actor, *rules.REGISTER_ROLES):
        raise ForbiddenError(_("您的角色不能登记事项。"))
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise LedgerFileError(str(NOT_XLSX_MESSAGE))
    rows = _read_rows(file.read())
    rows, errors = _RowChecker(actor=actor, now=now, rows=rows).check()
    if errors:
        return ImportResult(created=[], errors=errors)
    created: list[str] = []
    try:
        with transaction.atomic():
            for number, fields in rows:
                try:
                    case, _code = case_register(actor=actor, **fields)
                except ApplicationError as exc:
                    raise _RowRefused(RowError(number, "", exc.message)) from exc
                created.append(case.number)
                if progress:
                    progress(len(created), len(rows))
            audit_record(
                actor=actor,
                action="cases.import",
                reason=_("导入事项台账"),
                data={"file": name[:200], "rows": len(created)},
            )
    except _RowRefused as refused:
        return ImportResult(created=[], errors=[refused.error])
    return ImportResult(created=created, errors=[])


class _RowRefused(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def _header(value) -> str:
    """A header cell as a column name; a trailing required marker (*) is ignored."""
    return str(value).strip().rstrip("*＊").strip() if value is not None else ""


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_rows(data: bytes) -> list[tuple[int, dict]]:
    """The data rows of the first sheet as (Excel row number, {column: value})."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise LedgerFileError(_("文件超过 5 MB，请拆分为多个文件分批导入。"))
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl fails in many ways on a bad file; all mean "re-save it"
        raise LedgerFileError(str(UNREADABLE_MESSAGE)) from None
    try:
        return _rows_of(book.worksheets[0])
    except LedgerFileError:
        raise
    except Exception:  # a read-only sheet is parsed while iterating
        raise LedgerFileError(str(UNREADABLE_MESSAGE)) from None
    finally:
        book.close()


def _header_index(lines: list[tuple]) -> int:
    """Which of the first lines is the header: ledgers often carry a title row above it."""
    for index, values in enumerate(lines):
        if len({_header(value) for value in values} & set(LEDGER_COLUMNS)) >= 3:
            return index
    return 0


def _rows_of(sheet) -> list[tuple[int, dict]]:
    lines = sheet.iter_rows(values_only=True)
    top = list(islice(lines, HEADER_SCAN_ROWS))
    at = _header_index(top)
    header_row = at + 1
    header = [_header(value) for value in (top[at] if top else ())]
    seen = [name for name in header if name]
    doubled = sorted({name for name in seen if seen.count(name) > 1 and name in LEDGER_COLUMNS})
    if doubled:
        raise LedgerFileError(
            _("第 %(row)s 行的列名“%(columns)s”出现了不止一次，请只保留一列。")
            % {"row": header_row, "columns": "、".join(doubled)}
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if not any(column in header for column in GRID_COLUMNS):
        missing.append(_("%(code)s（或%(name)s）") % {"code": GRID_CODE, "name": GRID_NAME})
    if missing:
        raise LedgerFileError(
            _(
                "第 %(row)s 行缺少必填的列：%(columns)s。"
                "请下载台账模板，按模板第 1 行的列名填写（列的顺序不限）。"
            )
            % {"row": header_row, "columns": "、".join(missing)}
        )
    positions = {name: index for index, name in enumerate(header) if name in LEDGER_COLUMNS}
    rows = []
    for number, values in enumerate(chain(top[at + 1 :], lines), start=header_row + 1):
        if all(_is_blank(value) for value in values):
            continue
        if len(rows) == MAX_ROWS:
            raise LedgerFileError(
                _("台账超过单次导入上限 %(rows)s 行，请拆分为多个文件分批导入。")
                % {"rows": f"{MAX_ROWS:,}"}
            )
        cells = {
            name: values[index] if index < len(values) else None
            for name, index in positions.items()
        }
        rows.append((number, cells))
    if not rows:
        raise LedgerFileError(
            _("台账中没有数据行：请从第 %(row)s 行起每行填写一件事项。") % {"row": header_row + 1}
        )
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class _RowChecker:
    """Turns ledger rows into ``case_register`` arguments, collecting every problem.

    Categories and the grids named anywhere in the ledger are read in one query each, so the
    check costs the same few queries for 3 rows or 2,000.
    """

    def __init__(self, *, actor: Staff, now: datetime, rows: list[tuple[int, dict]]) -> None:
        self.actor, self.now, self.rows = actor, now, rows
        self.errors: list[RowError] = []
        self.categories: dict[str, Category] = {}
        for category in Category.objects.all():
            self.categories[category.name] = category
            self.categories[category.code.lower()] = category
        self.category_names = "、".join(
            dict.fromkeys(c.name for c in self.categories.values() if c.is_active)
        )
        codes = {_text(cells.get(GRID_CODE)) for _number, cells in rows} - {""}
        names = {_text(cells.get(GRID_NAME)) for _number, cells in rows} - {""}
        grids = (
            Division.objects.visible_to(actor)
            .filter(level=Level.GRID)
            .filter(Q(code__in=codes) | Q(name__in=names))
        )
        self.grids_by_code: dict[str, Division] = {}
        self.grids_by_name: dict[str, list[Division]] = {}
        for grid in grids:
            self.grids_by_code[grid.code] = grid
            self.grids_by_name.setdefault(grid.name, []).append(grid)

    def check(self) -> tuple[list[tuple[int, dict]], list[RowError]]:
        checked = [(number, self._row(number, cells)) for number, cells in self.rows]
        return checked, self.errors

    def _fail(self, number: int, column: str, message: str) -> None:
        self.errors.append(RowError(number, column, message))

    def _row(self, number: int, cells: dict) -> dict:
        def text(column: str) -> str:
            return _text(cells.get(column))

        def choice(column: str, choices, default: str = "") -> str:
            value = text(column)
            if not value:
                if not default:
                    self._fail(number, column, _("请填写%(column)s。") % {"column": column})
                return default
            for code, label in choices.choices:
                if value in (str(label), code) or value.lower() == code:
                    return code
            labels = "、".join(str(label) for label in choices.labels)
            self._fail(
                number,
                column,
                _("无法识别“%(value)s”，应为%(labels)s之一。") % {"value": value, "labels": labels},
            )
            return ""

        fields: dict = {
            "channel": choice(CHANNEL, Channel),
            "category": self._category(number, text(CATEGORY)),
            "complexity": choice(COMPLEXITY, Complexity),
            "urgency": choice(URGENCY, Urgency, default=Urgency.NORMAL),
            "title": self._title(number, text(TITLE)),
            "narrative": self._narrative(number, cells.get(NARRATIVE)),
            "grid": self._grid(number, text(GRID_CODE), text(GRID_NAME), cells),
            "address": self._limited(number, ADDRESS, text(ADDRESS), 200),
            "parties": self._parties(number, cells),
        }
        registered_at = self._registered_at(number, cells.get(REGISTERED_AT))
        if registered_at is not None:
            fields["now"] = registered_at
        return fields

    def _category(self, number: int, value: str) -> Category | None:
        if not value:
            self._fail(number, CATEGORY, _("请填写事项类别。"))
            return None
        category = self.categories.get(value) or self.categories.get(value.lower())
        if category is None:
            self._fail(
                number,
                CATEGORY,
                _("无法识别“%(value)s”，应为%(categories)s之一（可从下拉列表选择）。")
                % {"value": value, "categories": self.category_names},
            )
        elif not category.is_active:
            self._fail(
                number,
                CATEGORY,
                _("事项类别“%(category)s”已停用，请选择其他类别。") % {"category": category.name},
            )
            return None
        return category

    def _title(self, number: int, value: str) -> str:
        if not value:
            self._fail(number, TITLE, _("请填写事项标题。"))
        elif value == EXAMPLE_TITLE:
            self._fail(number, TITLE, _("这是模板自带的示例行，请删除此行后再导入。"))
        return self._limited(number, TITLE, value, 80)

    def _narrative(self, number: int, value) -> str:
        # keep the clerk's line breaks: a narrative is prose, not a cell label
        narrative = str(value).strip() if value is not None else ""
        if len(narrative) < 10:
            self._fail(number, NARRATIVE, _("事项描述过短，请写明事由、经过和诉求（至少10个字）。"))
        return narrative

    def _limited(self, number: int, column: str, value: str, limit: int) -> str:
        if len(value) > limit:
            self._fail(
                number,
                column,
                _("不能超过%(limit)s个字（现有%(length)s个字）。")
                % {"limit": limit, "length": len(value)},
            )
        return value

    def _grid(self, number: int, code: str, name: str, cells: dict) -> Division | None:
        if code:
            grid = self.grids_by_code.get(code)
            if grid is None:
                self._fail(
                    number,
                    GRID_CODE,
                    _("找不到网格编码“%(code)s”，或该网格不在您的工作范围内。请核对编码。")
                    % {"code": code},
                )
            elif name and name != grid.name:
                self._fail(
                    number,
                    GRID_NAME,
                    _(
                        "网格名称与编码不一致：编码“%(code)s”是“%(name)s”。"
                        "请核对后只保留正确的一项。"
                    )
                    % {"code": code, "name": grid.name},
                )
            return grid
        if name:
            matches = self.grids_by_name.get(name, [])
            if len(matches) == 1:
                return matches[0]
            if matches:
                self._fail(
                    number,
                    GRID_NAME,
                    _("您的工作范围内有 %(count)s 个名为“%(name)s”的网格，请改填网格编码。")
                    % {"count": len(matches), "name": name},
                )
            else:
                self._fail(
                    number,
                    GRID_NAME,
                    _("您的工作范围内没有名为“%(name)s”的网格，请核对名称。") % {"name": name},
                )
            return None
        column = GRID_CODE if GRID_CODE in cells else GRID_NAME
        self._fail(number, column, _("请填写网格编码或网格名称。"))
        return None

    def _parties(self, number: int, cells: dict) -> list[PartyInput]:
        parties = [
            self._party(
                number, cells, PartyRole.APPLICANT, APPLICANT_NAME, APPLICANT_ID, APPLICANT_PHONE
            )
        ]
        respondent = self._party(
            number, cells, PartyRole.RESPONDENT, RESPONDENT_NAME, RESPONDENT_ID, RESPONDENT_PHONE
        )
        if respondent is not None:
            parties.append(respondent)
        return [party for party in parties if party is not None]

    def _party(
        self,
        number: int,
        cells: dict,
        role: str,
        name_column: str,
        id_column: str,
        phone_column: str,
    ) -> PartyInput | None:
        name = _text(cells.get(name_column))
        id_number = self._id_number(number, id_column, cells.get(id_column))
        phone = "".join(_text(cells.get(phone_column)).split())
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as exc:
                self._fail(number, phone_column, exc.messages[0])
        if not name:
            if role == PartyRole.APPLICANT:
                self._fail(number, name_column, _("请填写申请人姓名。"))
            elif id_number or phone:
                self._fail(
                    number, name_column, _("填写了被申请人的身份证号或电话，请同时填写姓名。")
                )
            return None
        self._limited(number, name_column, name, 60)
        return PartyInput(role, name, id_number, phone)

    def _id_number(self, number: int, column: str, value) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Excel keeps 15 significant digits: an ID typed as a number has lost its tail
            self._fail(
                number,
                column,
                _(
                    "身份证号被 Excel 存成了数字，末几位可能已丢失。"
                    "请把该列设为“文本”格式后重新输入。"
                ),
            )
            return ""
        id_number = "".join(_text(value).split()).upper()
        if id_number:
            try:
                validate_id_number(id_number)
            except ValidationError as exc:
                self._fail(number, column, exc.messages[0])
        return id_number

    def _registered_at(self, number: int, value) -> datetime | None:
        if _is_blank(value):
            return None
        moment = _as_datetime(value)
        if moment is None:
            self._fail(
                number,
                REGISTERED_AT,
                _("无法识别“%(value)s”，应为“2026-11-23 09:30”或“2026-11-23”这样的日期时间。")
                % {"value": _text(value)},
            )
            return None
        if moment > self.now:
            shown = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
            self._fail(
                number, REGISTERED_AT, _("登记时间 %(time)s 晚于现在，请核对。") % {"time": shown}
            )
            return None
        return moment


def _as_datetime(value) -> datetime | None:
    """A cell as an aware datetime in the current time zone; a date alone is its midnight."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    else:
        text = " ".join(str(value).split())
        for pattern in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- the error report ----------------------------------------------------------------------


def error_report(file_bytes: bytes, errors: list[RowError]) -> bytes:
    """The uploaded workbook with an “错误说明” column saying what is wrong in each row and the
    wrong cells highlighted; a re-uploaded report is annotated afresh, not twice."""
    book = load_workbook(BytesIO(file_bytes))
    sheet = book.worksheets[0]
    top = [tuple(cell.value for cell in line) for line in sheet.iter_rows(max_row=HEADER_SCAN_ROWS)]
    header_row = _header_index(top) + 1
    columns = {
        _header(cell.value): cell.column for cell in sheet[header_row] if not _is_blank(cell.value)
    }
    note_column = columns.get(NOTE) or max(columns.values(), default=0) + 1
    for line in sheet.iter_rows(min_row=header_row + 1):
        for cell in line:
            if cell.column == note_column:
                cell.value = None
            elif cell.fill == ERROR_FILL:
                cell.fill = PatternFill(fill_type=None)
    header = sheet.cell(row=header_row, column=note_column, value=NOTE)
    header.font = Font(bold=True, color=ERROR_FONT.color)
    header.fill = ERROR_FILL
    sheet.column_dimensions[get_column_letter(note_column)].width = 60

    notes: dict[int, list[str]] = {}
    for error in sorted(errors, key=lambda error: error.row):
        notes.setdefault(error.row, []).append(
            f"{error.column}：{error.message}" if error.column else error.message
        )
        if error.column in columns:
            sheet.cell(row=error.row, column=columns[error.column]).fill = ERROR_FILL
    for row, lines in notes.items():
        cell = sheet.cell(row=row, column=note_column, value="\n".join(lines))
        cell.font = ERROR_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if sheet.freeze_panes is None:
        sheet.freeze_panes = f"A{header_row + 1}"
    book.active = 0
    return _save(book)


def _save(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
