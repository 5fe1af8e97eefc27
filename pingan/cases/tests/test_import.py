"""Ledger import (X4): the pages, the template, all-or-nothing import and the error report."""

import io
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from pingan.cases import imports
from pingan.cases.import_views import XLSX_TYPE
from pingan.cases.imports import LEDGER_COLUMNS, RowError, import_ledger
from pingan.cases.models import Case, CaseEvent, Party
from pingan.core import crypto
from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.core.validators import id_number_check_digit
from pingan.orgs.models import Division

from .conftest import SHANGHAI, VALID_ID

GRID = "110101001001001"  # 多福巷社区第1网格, 东华门街道 — the street clerk's area
OTHER_STREET_GRID = "110101002001001"  # 景山街道: outside the street clerk's scope
NARRATIVE = "楼上住户卫生间漏水，渗到楼下厨房，多次协商未果，请求调解赔偿。"


def id_number(serial: int) -> str:
    first17 = f"110105194912{serial:05d}"
    return first17 + id_number_check_digit(first17)


def row(**cells) -> dict:
    """One valid ledger row, by column name; override cells by keyword."""
    values = {
        "来源渠道": "来访",
        "事项类别": "邻里纠纷",
        "复杂程度": "一般",
        "紧急程度": "一般",
        "事项标题": "楼上漏水纠纷",
        "事项描述": NARRATIVE,
        "网格编码": GRID,
        "申请人姓名": "王某某",
        "申请人身份证号": VALID_ID,
        "申请人电话": "13812345678",
        "被申请人姓名": "李某某",
    }
    values.update(cells)
    return values


def ledger_bytes(*rows: dict, columns=LEDGER_COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for cells in rows:
        sheet.append([cells.get(column) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "东华门台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_TYPE)


@pytest.fixture
def submit(run_jobs):
    """Upload a ledger as a clerk would and let the worker import it; returns the job's page
    (or the upload page's answer when the upload itself is refused)."""

    def post(client, content: bytes, name: str = "东华门台账.xlsx"):
        with run_jobs():
            response = client.post(reverse("cases:import"), {"file": upload(content, name)})
        if response.status_code != 302:
            return response
        assert response["Location"].startswith("/jobs/")
        return client.get(response["Location"])

    return post


@pytest.fixture
def grids(db):
    """Three grids of 东华门 (the street clerk's street), by code."""
    return list(
        Division.objects.filter(level="grid", code__startswith="110101001").order_by("code")[:3]
    )


# --- who may --------------------------------------------------------------------------------


class TestImportPage(PermissionMatrix):
    url_name = "cases:import"
    in_scope = "street_clerk"
    wrong_role = "street_mediator"


class TestTemplateDownload(PermissionMatrix):
    url_name = "cases:import-template"
    in_scope = "street_clerk"
    wrong_role = "street_mediator"


def test_queue_offers_the_import_to_registering_roles_only(client_as):
    url = reverse("cases:import")
    assert url in client_as("street_clerk").get(reverse("cases:queue")).content.decode()
    assert url not in client_as("street_mediator").get(reverse("cases:queue")).content.decode()


# --- the template -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_template_has_the_headers_dropdowns_and_an_example_of_my_area(client_as):
    # when the clerk downloads the template
    response = client_as("street_clerk").get(reverse("cases:import-template"))
    # then it is a workbook whose first row is the ledger's columns
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == LEDGER_COLUMNS
    # with an example row in a grid of the clerk's own street
    example = dict(zip(LEDGER_COLUMNS, [cell.value for cell in sheet[2]], strict=True))
    assert example["事项标题"] == imports.EXAMPLE_TITLE
    assert example["网格编码"].startswith("110101001")
    # and dropdowns for the four coded columns
    validated = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert validated == {"A2", "B2", "C2", "D2"}
    assert "填写说明" in book.sheetnames


@pytest.mark.django_db
def test_the_unchanged_template_is_not_imported(staff):
    clerk = staff("street_clerk")
    content = imports.ledger_template(actor=clerk)
    result = import_ledger(file=upload(content), actor=clerk)
    assert result.created == []
    assert result.errors == [RowError(2, "事项标题", "这是模板自带的示例行，请删除此行后再导入。")]


# --- a good ledger ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_ledger_registers_every_row(client_as, grids, submit):
    # given a three-row ledger: grids by code and by name, labels and a code, a past time
    registered = datetime(2026, 3, 2, 14, 30)
    content = ledger_bytes(
        row(**{"网格编码": grids[0].code, "事项标题": "漏水一"}),
        row(
            **{
                "网格编码": None,
                "网格名称": grids[1].name,
                "事项标题": "物业停车",
                "事项类别": "物业纠纷",
                "来源渠道": "phone",
                "复杂程度": "复杂",
                "紧急程度": None,
                "申请人身份证号": id_number(2),
                "被申请人姓名": None,
            }
        ),
        row(
            **{
                "网格编码": grids[2].code,
                "事项标题": "噪音扰民",
                "登记时间": registered,
                "申请人身份证号": id_number(3),
                "被申请人身份证号": id_number(4),
            }
        ),
    )
    client = client_as("street_clerk")
    before = Case.objects.count()
    # when the street clerk uploads it and the worker imports it
    page = submit(client, content)
    # then three cases exist, each in its grid, registered by the clerk, with its event
    assert page.context["job"].status == "succeeded"
    assert Case.objects.count() == before + 3
    cases = {
        case.title: case for case in Case.objects.filter(registered_by__username="street_clerk")
    }
    assert {title: case.grid_id for title, case in cases.items()} == {
        "漏水一": grids[0].pk,
        "物业停车": grids[1].pk,
        "噪音扰民": grids[2].pk,
    }
    parking = cases["物业停车"]
    assert (parking.channel, parking.complexity, parking.urgency) == ("phone", "complex", "normal")
    assert parking.category.name == "物业纠纷"
    assert cases["噪音扰民"].registered_at == registered.replace(tzinfo=SHANGHAI)
    assert [p.role for p in cases["噪音扰民"].parties.all()] == ["applicant", "respondent"]
    assert CaseEvent.objects.filter(case__in=cases.values(), kind="register").count() == 3
    # and ID numbers are stored encrypted, found by their blind index
    respondent = Party.objects.get(id_number_index=crypto.blind_index("id_number", id_number(4)))
    assert respondent.case == cases["噪音扰民"] and respondent.id_number == id_number(4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM cases_party WHERE id = %s", [respondent.pk])
        assert id_number(4) not in cursor.fetchone()[0]
    assert AuditEvent.objects.get(action="cases.import").data["rows"] == 3
    # and the job's page says so and links every new case
    page = page.content.decode()
    assert "已导入 3 件事项" in page
    for case in cases.values():
        assert reverse("cases:case-detail", args=[case.number]) in page


@pytest.mark.django_db
def test_a_title_row_above_the_headers_is_allowed(staff):
    book = Workbook()
    sheet = book.active
    sheet.append(["东华门街道矛盾纠纷排查化解台账"])
    sheet.append(LEDGER_COLUMNS)
    sheet.append([row().get(column) for column in LEDGER_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_ledger(file=upload(buffer.getvalue()), actor=staff("street_clerk"))
    assert result.ok and len(result.created) == 1


# --- a bad ledger -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_ledger_saves_nothing_and_reports_every_problem(client_as, submit):
    # given a ledger with a good row and four bad ones
    content = ledger_bytes(
        row(),
        row(**{"申请人身份证号": "110105194912310021"}),
        row(**{"事项类别": "宠物纠纷"}),
        row(**{"网格编码": OTHER_STREET_GRID}),
        row(**{"登记时间": timezone.localtime().replace(tzinfo=None) + timedelta(days=3)}),
    )
    client = client_as("street_clerk")
    before = Case.objects.count()
    # when the clerk uploads it
    response = submit(client, content)
    # then nothing is created and each problem is reported by row and column
    assert response.context["job"].status == "failed"
    assert Case.objects.count() == before
    errors = [RowError(**error) for error in response.context["row_errors"]]
    assert [(e.row, e.column) for e in errors] == [
        (3, "申请人身份证号"),
        (4, "事项类别"),
        (5, "网格编码"),
        (6, "登记时间"),
    ]
    assert str(errors[0]) == "第 3 行 · 申请人身份证号：身份证号校验位不正确，请核对后重新输入。"
    page = response.content.decode()
    assert "整份台账未导入" in page and "身份证号校验位不正确" in page
    # the grid outside the clerk's area is refused without saying whether it exists
    assert "不在您的工作范围内" in errors[2].message
    # and the annotated workbook says what is wrong in each row and marks the cells
    report = client.get(reverse("jobs:output", args=[response.context["job"].pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment")
    report_bytes = b"".join(report.streaming_content)
    sheet = load_workbook(io.BytesIO(report_bytes)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "错误说明"
    notes = {number: sheet.cell(row=number, column=len(header)).value for number in range(2, 7)}
    assert notes[2] is None
    assert notes[3].startswith("申请人身份证号：身份证号校验位不正确")
    assert "宠物纠纷" in notes[4]
    id_cell = sheet.cell(row=3, column=LEDGER_COLUMNS.index("申请人身份证号") + 1)
    assert id_cell.fill.fgColor.rgb == imports.ERROR_FILL.fgColor.rgb
    assert sheet.cell(row=2, column=1).fill.fgColor.rgb != imports.ERROR_FILL.fgColor.rgb

    # when the clerk fixes the annotated workbook and uploads it again
    book = load_workbook(io.BytesIO(report_bytes))
    sheet = book.worksheets[0]
    column = {name: index + 1 for index, name in enumerate(header)}
    sheet.cell(row=3, column=column["申请人身份证号"], value=VALID_ID)
    sheet.cell(row=4, column=column["事项类别"], value="邻里纠纷")
    sheet.cell(row=5, column=column["网格编码"], value=GRID)
    sheet.cell(row=6, column=column["登记时间"]).value = None
    buffer = io.BytesIO()
    book.save(buffer)
    response = submit(client, buffer.getvalue())
    # then all five rows are registered (the 错误说明 column is ignored)
    assert response.context["job"].status == "succeeded"
    assert Case.objects.count() == before + 5


def test_a_report_of_a_report_is_annotated_afresh():
    # given a report that marked row 2's category
    first = imports.error_report(ledger_bytes(row(), row()), [RowError(2, "事项类别", "无法识别")])
    # when the re-uploaded workbook has a problem in row 3 only
    second = imports.error_report(first, [RowError(3, "申请人电话", "电话号码格式不正确")])
    # then there is still one 错误说明 column, row 2's note and mark are gone, row 3's are new
    sheet = load_workbook(io.BytesIO(second)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header.count("错误说明") == 1
    note = len(header)
    assert sheet.cell(row=2, column=note).value is None
    assert sheet.cell(row=3, column=note).value == "申请人电话：电话号码格式不正确"
    marked = {
        (cell.row, header[cell.column - 1])
        for line in sheet.iter_rows(min_row=2, max_col=note - 1)
        for cell in line
        if cell.fill == imports.ERROR_FILL
    }
    assert marked == {(3, "申请人电话")}


@pytest.mark.django_db
def test_a_refusal_by_the_service_rolls_back_the_rows_before_it(staff, monkeypatch):
    # given the intake service refuses the third row, after registering the first two
    calls = []
    register = imports.case_register

    def refuse_third(**fields):
        calls.append(fields)
        if len(calls) == 3:
            raise imports.ApplicationError("多福巷社区在“街道”层级没有承办单位。")
        return register(**fields)

    monkeypatch.setattr(imports, "case_register", refuse_third)
    before = Case.objects.count()
    # when the ledger is imported
    result = import_ledger(
        file=upload(ledger_bytes(row(), row(), row(), row())), actor=staff("street_clerk")
    )
    # then nothing is kept and the refusal is that row's error
    assert Case.objects.count() == before
    assert result.created == []
    assert result.errors == [RowError(4, "", "多福巷社区在“街道”层级没有承办单位。")]
    assert not AuditEvent.objects.filter(action="cases.import").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"申请人身份证号": 110105194912310020}, "申请人身份证号", "存成了数字"),
        ({"网格编码": None, "网格名称": "隆福寺社区第1网格"}, "网格名称", "没有名为"),
        ({"网格名称": "多福巷社区第2网格"}, "网格名称", "与编码不一致"),
        ({"网格编码": None}, "网格编码", "请填写网格编码或网格名称"),
        ({"申请人姓名": None}, "申请人姓名", "请填写申请人姓名"),
        ({"被申请人姓名": None, "被申请人电话": "13900000000"}, "被申请人姓名", "同时填写姓名"),
        ({"申请人电话": "12345"}, "申请人电话", "电话号码格式不正确"),
        ({"复杂程度": "很难"}, "复杂程度", "应为一般、复杂之一"),
        ({"事项描述": "漏水"}, "事项描述", "至少10个字"),
        ({"登记时间": "上周三"}, "登记时间", "无法识别"),
    ],
)
def test_each_kind_of_problem_names_its_column(staff, cells, column, message):
    result = import_ledger(file=upload(ledger_bytes(row(**cells))), actor=staff("street_clerk"))
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert message in result.errors[0].message


# --- refused files ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"channel,category\n", "台账.csv", "只能导入 .xlsx 格式"),
        (b"not a zip at all", "台账.xlsx", "文件无法打开"),
        (ledger_bytes(row(), columns=["来源渠道", "事项标题"]), "台账.xlsx", "缺少必填的列"),
        (ledger_bytes(), "台账.xlsx", "没有数据行"),
    ],
)
def test_a_file_that_cannot_be_imported_gets_a_clear_message(
    client_as, submit, content, name, message
):
    before = Case.objects.count()
    response = submit(client_as("street_clerk"), content, name)
    assert message in response.content.decode()
    assert not response.context.get("row_errors")
    assert Case.objects.count() == before
    if "job" in response.context:  # refused by the worker, not by the upload form
        assert response.context["job"].status == "failed"
    else:
        assert response.status_code == 400


@pytest.mark.django_db
def test_more_rows_than_the_limit_are_refused(staff, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(imports.LedgerFileError, match="超过单次导入上限 2 行"):
        import_ledger(file=upload(ledger_bytes(row(), row(), row())), actor=staff("street_clerk"))


@pytest.mark.django_db
def test_an_oversize_upload_is_refused(client_as, monkeypatch, submit):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100)
    response = submit(client_as("street_clerk"), ledger_bytes(row()))
    assert response.status_code == 400
    assert "超过 5 MB" in response.content.decode()


# --- the error report belongs to its uploader -------------------------------------------------


@pytest.mark.django_db
def test_another_user_cannot_see_my_import_or_download_its_report(client, staff, submit):
    client.force_login(staff("street_clerk"))
    job = submit(client, ledger_bytes(row(**{"事项类别": "宠物纠纷"}))).context["job"]
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:detail", "jobs:status", "jobs:output")]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    # another registering user of the same street, with the exact links
    client.force_login(staff("street_dispatcher"))
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    # and a job that does not exist
    client.force_login(staff("street_clerk"))
    assert client.get(reverse("jobs:detail", args=[job.pk + 1000])).status_code == 404


# --- cost -------------------------------------------------------------------------------------

# Each row goes through the intake service (accepted: one use case, one code path): a savepoint
# and its release (2), the handling unit (1), the repeat search (2, plus 1 when it finds an
# earlier case), the case number (3), then the case, its parties and its event (3) — 11 per row
# measured, 12 allowed. The checks before it are a fixed few whatever the number of rows (the
# user's roles and scope, categories, grids in one query, the outer transaction, the audit row):
# 48 queries for 3 rows and 125 for 10 were measured on SQLite.
QUERIES_PER_ROW = 12
FIXED_QUERIES = 16


@pytest.mark.django_db
def test_query_count_grows_linearly_with_rows(staff):
    clerk = staff("street_clerk")

    def queries(rows: int) -> int:
        content = ledger_bytes(*(row(**{"事项标题": f"漏水{n}"}) for n in range(rows)))
        with CaptureQueriesContext(connection) as captured:
            result = import_ledger(file=upload(content), actor=clerk)
        assert len(result.created) == rows
        return len(captured.captured_queries)

    three, ten = queries(3), queries(10)
    assert ten - three <= 7 * QUERIES_PER_ROW
    assert three <= FIXED_QUERIES + 3 * QUERIES_PER_ROW
