"""The permission matrix of the corrections routes, page and API: anonymous, the wrong role,
another area (or another prison) and the persona who may.

Releases: the receiving street (东华门街道) acts, 景山街道's staff find nothing (404); the grid
worker and the prison see the release but may not confirm, follow up or place (403). Evidence
files: the prison's own officers act, the other prison's find nothing (404); the auditor reads
every file but may not review, confirm or conclude (403).
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from pingan.core.testing import PermissionMatrix
from pingan.corrections import services
from pingan.corrections.models import EvidenceFile, FundEntry

from .conftest import NOW

pytestmark = pytest.mark.django_db

OTHER_STREET_DISPATCHER = "dispatcher@110101002"  # 景山街道
OTHER_STREET_LEADER = "leader@110101002"
ITEMS = [("计分考核材料", "狱政科", True), ("奖惩审批表", "狱政科", True)]
VERDICTS = {"authenticity": "pass", "completeness": "pass", "relevance": "pass"}


@pytest.fixture
def evidence_file(prison, staff) -> EvidenceFile:
    return services.evidence_file_open(
        prison=prison,
        actor=staff("prison_officer"),
        subject="孙某",
        kind="parole",
        items=ITEMS,
        now=NOW,
    )


@pytest.fixture
def reviewed_file(evidence_file, staff) -> EvidenceFile:
    """Every item reviewed by one officer and confirmed by another: ready to conclude."""
    for item in evidence_file.items.all():
        services.evidence_item_review(
            item=item, actor=staff("prison_officer"), findings="", now=NOW, **VERDICTS
        )
        services.evidence_item_confirm(item=item, actor=staff("prison_reviewer"), now=NOW)
    return EvidenceFile.objects.get(pk=evidence_file.pk)


@pytest.fixture
def employer(arrived, staff):
    return services.employer_add(
        actor=staff("street_dispatcher"), name="东华门物业服务公司", grid=arrived.grid, jobs="保洁"
    )


@pytest.fixture
def fund_entry(arrived, staff) -> FundEntry:
    return services.fund_record(
        release=arrived,
        actor=staff("street_dispatcher"),
        kind="contribution",
        amount="500.00",
        purpose="社会捐助",
        now=NOW,
    )


def test_the_other_streets_personas_exist(staff):
    assert staff(OTHER_STREET_DISPATCHER) is not None
    assert staff(OTHER_STREET_LEADER) is not None


# --- releases: pages ---------------------------------------------------------------------------


class _ReleaseMatrix:
    """A release that has arrived in 东华门街道. A mixin, not a PermissionMatrix: the base hides
    the wrong-role test of a class whose ``wrong_role`` is None, and its subclasses inherit that."""

    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _release(self, arrived):
        self.release = arrived

    def url(self) -> str:
        return reverse(self.url_name, args=[self.release.pk])


class TestReleasePage(_ReleaseMatrix, PermissionMatrix):
    url_name = "corrections:release-detail"  # seen by the prison and the receiving area alike


class TestReleaseArrive(_ReleaseMatrix, PermissionMatrix):
    url_name = "corrections:release-arrive"
    method = "post"
    wrong_role = "grid_worker"  # sees the release, is named its helper, may not confirm
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _release(self, register, staff, now):
        self.release = register(release_date=(now - timedelta(days=3)).date(), now=now)
        self.data = {"responsible": staff("grid_worker").pk, "version": self.release.version}


class TestReleaseFollowup(_ReleaseMatrix, PermissionMatrix):
    url_name = "corrections:release-followup"
    method = "post"
    wrong_role = "grid_worker"
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _data(self, _release):
        self.data = {"insurance_kind": "", "version": self.release.version}


class TestReleasePlacement(_ReleaseMatrix, PermissionMatrix):
    url_name = "corrections:release-placement"
    method = "post"
    wrong_role = "grid_worker"
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _data(self, _release, employer):
        self.data = {"employer": employer.pk, "job": "保洁", "outcome": "offered"}


class TestReleaseFund(_ReleaseMatrix, PermissionMatrix):
    url_name = "corrections:release-fund"
    method = "post"
    data = {"kind": "contribution", "amount": "500.00", "purpose": "社会捐助"}
    wrong_role = "grid_worker"
    ok_status = 302


class TestFundApprove(_ReleaseMatrix, PermissionMatrix):
    url_name = "corrections:fund-approve"
    method = "post"
    in_scope = "street_leader"
    wrong_role = "street_dispatcher"  # records entries, only a leader approves them
    out_of_scope = OTHER_STREET_LEADER
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _entry(self, _release, fund_entry):
        self.entry = fund_entry

    def url(self) -> str:
        return reverse(self.url_name, args=[self.release.pk, self.entry.pk])


class TestPlaces(PermissionMatrix):
    url_name = "corrections:places"
    in_scope = "street_dispatcher"  # the pickers list only the grids in the user's scope
    wrong_role = "auditor"


# --- releases: API -----------------------------------------------------------------------------


class TestReleaseApiDetail(_ReleaseMatrix, PermissionMatrix):
    url_name = "release-detail"
    api = True


class TestReleaseApiArrive(TestReleaseArrive):
    url_name = "release-arrive"
    api = True
    ok_status = 200

    @pytest.fixture(autouse=True)
    def _release(self, register, now):
        self.release = register(release_date=(now - timedelta(days=3)).date(), now=now)
        self.data = {"responsible": "grid_worker", "version": self.release.version}


class TestReleaseApiFollowup(TestReleaseFollowup):
    url_name = "release-followup"
    api = True
    ok_status = 200


class TestReleaseApiPlacement(TestReleasePlacement):
    url_name = "release-placement"
    api = True
    ok_status = 200


class TestReleaseApiFund(TestReleaseFund):
    url_name = "release-fund"
    api = True
    ok_status = 201


class TestReleaseApiFundApprove(TestFundApprove):
    url_name = "release-fund-approve"
    api = True
    ok_status = 200


def test_the_prison_pays_into_the_fund_of_its_own_release(arrived, client_as):
    """The prison pays the person's savings in: the page offers it the form, and the page and
    the API accept it (another prison does not see the release at all)."""
    data = {"kind": "contribution", "amount": "300.00", "purpose": "狱内劳动报酬"}
    page = client_as("prison_officer").post(
        reverse("corrections:release-fund", args=[arrived.pk]), data
    )
    assert page.status_code == 302
    api = client_as("prison_officer").post(
        reverse("release-fund", args=[arrived.pk]), data, content_type="application/json"
    )
    assert api.status_code == 201
    assert FundEntry.objects.filter(release=arrived, recorded_by__username="prison_officer").count()
    other = client_as("prison_officer2").post(
        reverse("release-fund", args=[arrived.pk]), data, content_type="application/json"
    )
    assert other.status_code == 404


# --- evidence files: pages ---------------------------------------------------------------------


class _FileMatrix:
    """An open file of 北京市监狱 (P01): its officers act, 北京市第二监狱's find nothing (a mixin,
    as ``_ReleaseMatrix``)."""

    in_scope = "prison_officer"
    out_of_scope = "prison_officer2"

    @pytest.fixture(autouse=True)
    def _file(self, evidence_file):
        self.file = evidence_file

    def url(self) -> str:
        return reverse(self.url_name, args=[self.file.number])


class TestFilePage(_FileMatrix, PermissionMatrix):
    url_name = "corrections:file-detail"  # the auditor reads it too; others find nothing


class TestFileBundle(_FileMatrix, PermissionMatrix):
    url_name = "corrections:file-bundle"


class TestFileNew(PermissionMatrix):
    url_name = "corrections:file-new"
    in_scope = "prison_officer"
    wrong_role = "auditor"  # reads every file, opens none


class _ItemMatrix(_FileMatrix):
    method = "post"
    wrong_role = "auditor"

    def url(self) -> str:
        return reverse(self.url_name, args=[self.file.number, self.item.pk])


class TestItemReview(_ItemMatrix, PermissionMatrix):
    url_name = "corrections:item-review"
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _item(self, _file):
        self.item = self.file.items.first()
        self.data = {f"item{self.item.pk}-{name}": value for name, value in VERDICTS.items()}


class TestItemConfirm(_ItemMatrix, PermissionMatrix):
    url_name = "corrections:item-confirm"
    in_scope = "prison_reviewer"  # the second officer, not the first reviewer
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _item(self, _file, staff):
        self.item = self.file.items.first()
        services.evidence_item_review(
            item=self.item, actor=staff("prison_officer"), findings="", now=NOW, **VERDICTS
        )


class TestFileConclude(_FileMatrix, PermissionMatrix):
    url_name = "corrections:file-conclude"
    method = "post"
    wrong_role = "auditor"
    ok_status = 302

    @pytest.fixture(autouse=True)
    def _file(self, reviewed_file):
        self.file = reviewed_file
        self.data = {"conclusion": "同意提请假释", "version": reviewed_file.version}


def test_the_first_reviewer_cannot_confirm_on_the_page_and_is_told_why(evidence_file, client_as):
    item = evidence_file.items.first()
    client = client_as("prison_officer")
    client.post(
        reverse("corrections:item-review", args=[evidence_file.number, item.pk]),
        {f"item{item.pk}-{name}": value for name, value in VERDICTS.items()},
    )
    confirm = reverse("corrections:item-confirm", args=[evidence_file.number, item.pk])
    response = client.post(confirm)
    assert response.status_code == 403
    assert "复核人不能是初审人本人" in response.content.decode()
    item.refresh_from_db()
    assert item.second_reviewed_at is None


# --- evidence files: API -----------------------------------------------------------------------


class TestFileApiList(PermissionMatrix):
    url_name = "evidence-file-list"
    api = True
    in_scope = "auditor"  # scoped rather than refused: others list no file


class TestFileApiDetail(_FileMatrix, PermissionMatrix):
    url_name = "evidence-file-detail"
    api = True


class TestFileApiBundle(_FileMatrix, PermissionMatrix):
    url_name = "evidence-file-bundle"
    api = True


class TestFileApiRecords(_FileMatrix, PermissionMatrix):
    url_name = "evidence-file-records"
    api = True


class TestFileApiVerify(_FileMatrix, PermissionMatrix):
    url_name = "evidence-file-verify"
    api = True


class TestFileApiChangeRecord(_FileMatrix, PermissionMatrix):
    """Records are append-only: even the prison's own officer is refused (403, and the attempt
    logged); another prison's officer finds no such file."""

    url_name = "evidence-file-change-record"
    api = True
    method = "delete"
    ok_status = 403

    def url(self) -> str:
        return reverse(self.url_name, args=[self.file.number, 1])


class TestFileApiReview(TestItemReview):
    url_name = "evidence-file-review"
    api = True
    ok_status = 200
    data = VERDICTS

    @pytest.fixture(autouse=True)
    def _item(self, _file):
        self.item = self.file.items.first()


class TestFileApiConfirm(TestItemConfirm):
    url_name = "evidence-file-confirm"
    api = True
    ok_status = 200


class TestFileApiConclude(TestFileConclude):
    url_name = "evidence-file-conclude"
    api = True
    ok_status = 200
