"""Evidence files of manual and list entries: who may download them, how they are served."""

from datetime import date
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from pingan.core.errors import ApplicationError
from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.evaluation import services
from pingan.evaluation.choices import ListKind
from pingan.evaluation.models import ManualEntry

from .conftest import NOW

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def entries(staff, second_evaluator):
    """A negative-list entry about 东华门's mediator with a PDF, approved by the second
    evaluator; and one about 东华门 street without a file."""
    actor = staff("evaluator")
    with_file = services.list_entry_create(
        actor=actor,
        kind=ListKind.NEGATIVE,
        title="群众投诉工作态度",
        points=1,
        occurred_on=date(2026, 8, 3),
        evidence="投诉记录及核查报告",
        staff=staff("street_mediator"),
        evidence_file=SimpleUploadedFile("核查报告.pdf", PDF, content_type="application/pdf"),
    )
    with_file = services.list_entry_decide(
        actor=second_evaluator, entry=with_file, approve=True, now=NOW
    )
    without = services.list_entry_create(
        actor=actor,
        kind=ListKind.POSITIVE,
        title="获评市级调解工作室",
        points=2,
        occurred_on=date(2026, 8, 4),
        evidence="市司法局通报",
        division=staff("street_mediator").unit.division,
    )
    return {"with_file": with_file, "without": without}


class TestEvidence(PermissionMatrix):
    url_name = "evaluation:entry-evidence"
    in_scope = "street_mediator"  # the person evaluated
    out_of_scope = "mediator@110101002"

    @pytest.fixture(autouse=True)
    def _entries(self, entries):
        self.entry = entries["with_file"]

    def url(self) -> str:
        return reverse(self.url_name, args=["list", self.entry.pk])


def test_the_file_is_a_download_with_its_type_and_name(client_as, entries, staff):
    entry = entries["with_file"]
    response = client_as("street_mediator").get(
        reverse("evaluation:entry-evidence", args=["list", entry.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    name = quote(entry.evidence_file.name.rsplit("/", 1)[-1])
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{name}"
    assert response["X-Content-Type-Options"] == "nosniff"
    read = AuditEvent.objects.get(action="evaluation.evidence.read")
    assert (read.actor, read.target_id) == (staff("street_mediator"), str(entry.pk))


@pytest.mark.parametrize("who", ["evaluator", "street_leader", "second"])
def test_overseers_in_scope_and_the_approver_may_read(client, client_as, entries, who, staff):
    if who == "second":
        person = entries["with_file"].decided_by
        client.force_login(person)
    else:
        client = client_as(who)
    url = reverse("evaluation:entry-evidence", args=["list", entries["with_file"].pk])
    assert client.get(url).status_code == 200


def test_refusals_leave_no_read_on_record(client_as, entries):
    url = reverse("evaluation:entry-evidence", args=["list", entries["with_file"].pk])
    assert client_as("leader@110101002").get(url).status_code == 404  # 景山's leader
    assert client_as("grid_worker").get(url).status_code == 404
    missing = reverse("evaluation:entry-evidence", args=["list", entries["without"].pk])
    assert client_as("evaluator").get(missing).status_code == 404  # no file
    other_kind = reverse("evaluation:entry-evidence", args=["other", entries["with_file"].pk])
    assert client_as("evaluator").get(other_kind).status_code == 404
    assert not AuditEvent.objects.filter(action="evaluation.evidence.read").exists()


def test_the_link_is_shown_where_the_entry_is(client_as, entries):
    url = reverse("evaluation:entry-evidence", args=["list", entries["with_file"].pk])
    assert url in client_as("street_mediator").get(reverse("evaluation:mine")).content.decode()
    page = client_as("evaluator").get(reverse("evaluation:entries")).content.decode()
    assert url in page
    assert page.count('data-testid="evidence-link"') == 1  # the entry without a file has none


def _manual_entry(staff, evidence_file):
    """A manual value of 东华门's cooperation indicator, with an evidence file."""
    return services.manual_entry_create(
        actor=staff("evaluator"),
        year=2026,
        quarter=3,
        indicator_code="cooperation",
        value=88,
        evidence="联席会议评分汇总表",
        division=staff("street_leader").unit.division,
        evidence_file=evidence_file,
    )


def test_a_manual_entry_evidence_file(client_as, staff, street_scheme):
    entry = _manual_entry(staff, SimpleUploadedFile("评分表.xlsx", _workbook()))
    url = reverse("evaluation:entry-evidence", args=["manual", entry.pk])
    response = client_as("street_leader").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert client_as("street_mediator").get(url).status_code == 404  # not about them
    assert url in client_as("evaluator").get(reverse("evaluation:entries")).content.decode()


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["单位", "得分"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [("评分表.xlsx", b"PK\x03\x04"), ("说明.html", b"<html></html>"), ("照片.jpg", PDF)],
)
def test_an_evidence_file_that_is_not_what_its_name_says_is_refused(
    staff, street_scheme, name, content
):
    # given an evidence file whose content is not a document of its kind
    # when a manual entry is made with it
    # then it is refused with the file named, and nothing is entered
    with pytest.raises(ApplicationError, match=name):
        _manual_entry(staff, SimpleUploadedFile(name, content))
    assert not ManualEntry.objects.exists()
