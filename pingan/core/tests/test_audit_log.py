"""审计日志 (X6, 等保 安全审计): the security auditor reads and exports the whole audit trail,
filtered by person, module, object and date; nobody else does, and reading it leaves a trace
too (an export is itself recorded)."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from pingan.core.audit_views import EXPORT_LIMIT
from pingan.core.models import AuditEvent
from pingan.core.services import audit_record
from pingan.core.testing import PermissionMatrix

pytestmark = pytest.mark.django_db


class TestAuditLogPage(PermissionMatrix):
    url_name = "audit:log"
    in_scope = "security_auditor"
    wrong_role = "district_leader"


class TestAuditLogExport(PermissionMatrix):
    url_name = "audit:log-export"
    in_scope = "security_auditor"
    wrong_role = "street_clerk"


@pytest.fixture
def events(staff):
    admin, clerk = staff("admin"), staff("street_clerk")
    audit_record(actor=admin, action="admin.cases.category.change", reason="改名", target=clerk)
    audit_record(actor=clerk, action="cases.export", reason='=HYPERLINK("http://x","y")')
    with time_machine.travel(timezone.now() - timedelta(days=20), tick=False):
        audit_record(actor=clerk, action="core.password_changed", target=clerk)


def test_the_log_opens_on_the_last_week_with_every_actor(client_as, events):
    page = client_as("security_auditor").get("/audit/log/").content.decode()
    assert "admin.cases.category.change" in page and "cases.export" in page
    assert "core.password_changed" not in page  # twenty days ago
    assert 'name="after" id="id_after" value="' in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "street_clerk"}, "cases.export", "admin.cases.category.change"),
        ({"module": "admin"}, "admin.cases.category.change", "cases.export"),
        ({"target": "改名"}, "admin.cases.category.change", "cases.export"),
        ({"after": "2000-01-01", "module": "core"}, "core.password_changed", "cases.export"),
    ],
)
def test_the_filters_narrow_the_log(client_as, events, query, shown, hidden):
    page = client_as("security_auditor").get("/audit/log/", query).content.decode()
    assert shown in page and hidden not in page


def test_a_declared_action_is_named_in_chinese(client_as, staff):
    audit_record(actor=staff("street_clerk"), action="core.token_issue")
    audit_record(actor=staff("street_clerk"), action="core.password_changed")
    page = client_as("security_auditor").get("/audit/log/").content.decode()
    assert "新建令牌" in page and "修改密码" in page


def test_reading_the_log_is_recorded_with_its_filters(client_as):
    client_as("security_auditor").get("/audit/log/", {"module": "cases"})
    read = AuditEvent.objects.get(action="core.audit_read")
    assert read.actor.username == "security_auditor" and "module=cases" in read.data["query"]


def test_a_bad_date_is_said_not_crashed(client_as, events):
    response = client_as("security_auditor").get("/audit/log/", {"after": "2026-13-45"})
    assert response.status_code == 200 and "有效的日期" in response.content.decode()


def test_the_export_holds_the_filtered_rows_as_text_and_is_recorded(client_as, events):
    response = client_as("security_auditor").get("/audit/log.xlsx", {"q": "street_clerk"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and len(rows) == 2
    assert rows[1][4] == "cases.export"
    cell = sheet.cell(row=2, column=8)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    recorded = AuditEvent.objects.get(action="core.audit_export")
    assert recorded.data["rows"] == 1 and "street_clerk" in recorded.data["query"]


def test_an_export_over_the_limit_returns_to_the_page_and_says_why(client_as, events, monkeypatch):
    monkeypatch.setattr("pingan.core.audit_views.EXPORT_LIMIT", 1)
    response = client_as("security_auditor").get("/audit/log.xlsx", follow=True)
    assert response.redirect_chain[0][0].startswith("/audit/log/?")
    assert "超过单次导出上限 1 条" in response.content.decode()
    assert not AuditEvent.objects.filter(action="core.audit_export").exists()
    assert EXPORT_LIMIT == 50_000


def test_the_page_reads_in_constant_queries(client_as, staff, django_assert_max_num_queries):
    client = client_as("security_auditor")
    client.get("/audit/log/")
    for username in ["admin", "street_clerk", "officer", "street_mediator", "evaluator"]:
        audit_record(actor=staff(username), action="cases.export")
    with django_assert_max_num_queries(8):
        page = client.get("/audit/log/").content.decode()
    assert page.count("<tr") >= 6


def test_the_menu_offers_the_log_to_the_security_auditor_only(client_as):
    assert "/audit/log/" in client_as("security_auditor").get("/").content.decode()
    assert "/audit/log/" not in client_as("district_leader").get("/").content.decode()


def test_the_dates_are_whole_local_days_at_both_ends(client_as, staff):
    # given two rows either side of midnight, Beijing time, between 5 and 6 December
    clerk = staff("street_clerk")
    for moment, action in (("2026-12-05T23:59:59+08:00", "cases.export"),
                           ("2026-12-06T00:00:00+08:00", "core.password_changed")):  # fmt: skip
        with time_machine.travel(moment, tick=False):
            audit_record(actor=clerk, action=action)
    auditor = client_as("security_auditor")

    def shown(**dates) -> set[str]:
        page = auditor.get("/audit/log/", dates).content.decode()
        return {action for action in ("cases.export", "core.password_changed") if action in page}

    # then "up to the 5th" ends at its last second and "from the 6th" starts at its first
    assert shown(before="2026-12-05", after="2026-12-01") == {"cases.export"}
    assert shown(after="2026-12-06", before="2026-12-06") == {"core.password_changed"}
    assert shown(after="2026-12-05", before="2026-12-06") == {
        "cases.export",
        "core.password_changed",
    }
