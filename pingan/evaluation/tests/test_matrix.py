"""Who may use each evaluation route (X1): the pages and API operations not covered with the
scored data in test_views, each with its refusals."""

import pytest
from django.urls import reverse

from pingan.core.testing import PermissionMatrix
from pingan.evaluation.models import QuarterReport
from pingan.evaluation.report import report_generate
from pingan.orgs.models import Division

from .conftest import DONGHUAMEN, NOW

INDICATOR = {
    "dimension": "efficacy",
    "code": "handled",
    "name": "办结件数",
    "source": "cases_handled",
    "weight": "0",
    "direction": "higher",
    "rule": "capped",
    "points_per_event": "1",
}
WEIGHTS = {"function": "100", "efficacy": "0", "building": "0", "overall": "0"}


class On(PermissionMatrix):
    """A matrix whose URL names a fixture's object (``target``): its pk, or ``args(obj)``."""

    target = ""

    @pytest.fixture(autouse=True)
    def _objects(self, request):
        self.obj = request.getfixturevalue(self.target) if self.target else None
        self.prepare(self.obj)

    def prepare(self, obj) -> None:
        """Fill in what depends on the object (the edit version a form carries …)."""

    def args(self, obj) -> list:
        return [obj.pk]

    def url(self) -> str:
        return reverse(self.url_name, args=self.args(self.obj) if self.obj else [])


@pytest.fixture
def published(street_scheme):
    return street_scheme


@pytest.fixture
def manual_entry(pending):
    return pending["manual"]


@pytest.fixture
def list_entry(pending):
    return pending["list"]


@pytest.fixture
def quarter_report(staff):
    return report_generate(
        actor=staff("evaluator"),
        year=2026,
        quarter=3,
        division=Division.objects.get(code=DONGHUAMEN),
        now=NOW,
    )


# --- pages -----------------------------------------------------------------------------------


class TestSchemeNew(PermissionMatrix):
    url_name = "evaluation:scheme-new"
    in_scope = "evaluator"
    wrong_role = "street_leader"


class TestIndicatorAdd(On):
    url_name = "evaluation:indicator-add"
    method = "post"
    target = "draft"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 302

    def prepare(self, obj) -> None:
        self.data = {**INDICATOR, "version": obj.edit_version}


class TestIndicatorDelete(On):
    url_name = "evaluation:indicator-delete"
    method = "post"
    target = "draft"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 302

    def args(self, obj) -> list:
        return [obj.pk, obj.indicators.get().pk]


class TestSchemeWeights(On):
    url_name = "evaluation:scheme-weights"
    method = "post"
    target = "draft"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 302

    def prepare(self, obj) -> None:
        self.data = {**WEIGHTS, "version": obj.edit_version}


class TestSchemePublish(On):
    url_name = "evaluation:scheme-publish"
    method = "post"
    target = "draft"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 302


class TestSchemeRevise(On):
    url_name = "evaluation:scheme-revise"
    method = "post"
    data = {"reason": "补充人工评价指标"}
    target = "published"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 302


class TestEntryDecide(On):
    url_name = "evaluation:entry-decide"
    method = "post"
    data = {"approve": "1", "note": ""}
    target = "manual_entry"
    in_scope = "u1-evaluator-1"  # a second person
    wrong_role = "street_mediator"
    out_of_scope = "leader@110101002"  # 景山's leader does not see 东华门's entries
    ok_status = 302

    def args(self, obj) -> list:
        return ["manual", obj.pk]


class TestMine(PermissionMatrix):
    url_name = "evaluation:mine"
    in_scope = "street_mediator"


class TestQualityScan(PermissionMatrix):
    url_name = "evaluation:quality-scan"
    method = "post"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 302


class TestReviews(PermissionMatrix):
    url_name = "evaluation:reviews"
    in_scope = "street_mediator"


class TestReview(On):
    url_name = "evaluation:review"
    target = "review"
    in_scope = "district_leader"  # the reviewer the plan assigned (least loaded, lowest id)
    out_of_scope = "street_mediator"

    def prepare(self, obj) -> None:
        assert obj.reviewer.username == self.in_scope


class TestReport(On):
    url_name = "evaluation:report"
    target = "quarter_report"
    in_scope = "street_leader"
    out_of_scope = "leader@110101002"


class TestReportFile(On):
    url_name = "evaluation:report-file"
    target = "quarter_report"
    in_scope = "evaluator"
    out_of_scope = "leader@110101002"

    def args(self, obj) -> list:
        return [obj.pk, "pdf"]


# --- API -------------------------------------------------------------------------------------


class TestApiSchemeDetail(On):
    url_name = "evaluation-scheme-detail"
    api = True
    target = "published"
    in_scope = "street_leader"
    wrong_role = "street_mediator"


class TestApiSchemeCompute(On):
    url_name = "evaluation-scheme-compute"
    api = True
    method = "post"
    target = "published"
    in_scope = "evaluator"
    wrong_role = "street_leader"


class TestApiIndicators(On):
    url_name = "evaluation-scheme-indicators"
    api = True
    method = "post"
    target = "draft"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 201

    def prepare(self, obj) -> None:
        self.data = {**INDICATOR, "version": obj.edit_version}


class TestApiIndicatorDelete(TestIndicatorDelete):
    url_name = "evaluation-scheme-indicator-delete"
    api = True
    ok_status = 200


class TestApiWeights(TestSchemeWeights):
    url_name = "evaluation-scheme-weights"
    api = True
    ok_status = 200


class TestApiPublish(TestSchemePublish):
    url_name = "evaluation-scheme-publish"
    api = True
    ok_status = 200


class TestApiRevise(TestSchemeRevise):
    url_name = "evaluation-scheme-revise"
    api = True
    ok_status = 201


class TestApiScores(PermissionMatrix):
    url_name = "evaluation-score-list"
    api = True
    in_scope = "street_mediator"


class TestApiManualEntries(PermissionMatrix):
    url_name = "evaluation-manual-list"
    api = True
    in_scope = "street_mediator"


class TestApiListEntries(PermissionMatrix):
    url_name = "evaluation-list-list"
    api = True
    in_scope = "street_mediator"


class TestApiManualDecide(TestEntryDecide):
    url_name = "evaluation-manual-decide"
    api = True
    data = {"approve": True, "note": ""}
    ok_status = 200

    def args(self, obj) -> list:
        return [obj.pk]


class TestApiListDecide(TestApiManualDecide):
    url_name = "evaluation-list-decide"
    target = "list_entry"


class TestApiReviewPlans(PermissionMatrix):
    url_name = "evaluation-plan-list"
    api = True
    method = "post"
    data = {"name": "每案必检", "kind": "every", "start": "2026-07-01", "end": "2026-09-30"}
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 201

    @pytest.fixture(autouse=True)
    def _case(self, staff, make_case):
        make_case(handler=staff("street_mediator"))


class TestApiReviews(PermissionMatrix):
    url_name = "evaluation-review-list"
    api = True
    in_scope = "street_mediator"


class TestApiReviewSubmit(On):
    url_name = "evaluation-review-submit"
    api = True
    method = "post"
    target = "review"
    in_scope = "district_leader"
    wrong_role = "evaluator"  # sees the review (scope) but is not its reviewer
    out_of_scope = "street_mediator"

    def prepare(self, obj) -> None:
        assert obj.reviewer.username == self.in_scope
        self.data = {"version": obj.version, "grade": "pass", "note": ""}


class TestApiQualityScan(PermissionMatrix):
    url_name = "evaluation-quality-scan"
    api = True
    method = "post"
    in_scope = "evaluator"
    wrong_role = "street_leader"


class TestApiReports(PermissionMatrix):
    url_name = "evaluation-report-list"
    api = True
    in_scope = "street_mediator"  # an empty list: reports are for overseers


class TestApiReport(TestReport):
    url_name = "evaluation-report-detail"
    api = True


def test_a_report_outside_the_callers_area_is_not_listed(client_as, quarter_report):
    rows = client_as("leader@110101002").get(reverse("evaluation-report-list")).json()
    assert rows["results"] == []
    assert QuarterReport.objects.count() == 1
