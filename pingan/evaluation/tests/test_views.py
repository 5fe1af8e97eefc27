"""Pages: who may open them (scope refusals), what they show, and their query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pingan.core.testing import PermissionMatrix
from pingan.evaluation import services
from pingan.evaluation.choices import Rule, SubjectKind
from pingan.evaluation.models import Indicator, Scheme

from .conftest import NOW, Q3_START, indicator


@pytest.fixture
def scored(staff, make_case, street_scheme):
    """Scores of the street scheme and of a mediator scheme (cases handled, capped)."""
    actor = staff("evaluator")
    mediator = staff("street_mediator")
    for _ in range(3):
        make_case(handler=mediator)
    make_case(concluded_at=Q3_START.replace(day=13))
    make_case("jingshan")
    people = services.scheme_create(
        actor=actor,
        name="调解员方案",
        year=2026,
        quarter=3,
        subject_kind=SubjectKind.PERSON,
        role="mediator",
        dimension_weights={"function": 100, "efficacy": 0, "building": 0, "overall": 0},
    )
    services.indicator_save(
        actor=actor,
        scheme=people,
        data=indicator(
            "function", "handled", 100, Rule.CAPPED, "cases_handled", points_per_event=Decimal(20)
        ),
    )
    people = services.scheme_publish(actor=actor, scheme=people, now=Q3_START)
    street_run = services.scores_compute(scheme=street_scheme, actor=None, now=NOW)
    people_run = services.scores_compute(scheme=people, actor=None, now=NOW)
    own = people_run.subjects.get(staff=mediator)
    return {
        "scheme": street_scheme,
        "people": people,
        "donghuamen": street_run.subjects.get(division__code="110101001"),
        "own": own,
        "own_item": own.items.get(),
        "street_item": street_run.subjects.get(division__code="110101001")
        .items.get(indicator__code="on_time"),
    }  # fmt: skip


class DataMatrix(PermissionMatrix):
    """A permission matrix whose URL needs the scored data."""

    target = ""
    item = ""

    @pytest.fixture(autouse=True)
    def _scored(self, scored):
        self.data_ = scored

    def url(self) -> str:
        obj = self.data_[self.target]
        args = [obj.pk] if not self.item else [obj.pk, self.data_[self.item].pk]
        return reverse(self.url_name, args=args)


class TestIndex(PermissionMatrix):
    url_name = "evaluation:index"
    in_scope = "evaluator"


class TestSchemeDetail(DataMatrix):
    url_name = "evaluation:scheme-detail"
    target = "scheme"
    in_scope = "evaluator"
    wrong_role = "street_mediator"


class TestSchemeScores(DataMatrix):
    url_name = "evaluation:scheme-scores"
    target = "scheme"
    in_scope = "street_leader"
    wrong_role = "street_mediator"


class TestStreetScore(DataMatrix):
    url_name = "evaluation:subject-score"
    target = "donghuamen"
    in_scope = "evaluator"
    out_of_scope = "leader@110101002"  # 景山's leader does not see 东华门


class TestOwnScore(DataMatrix):
    url_name = "evaluation:subject-score"
    target = "own"
    in_scope = "street_mediator"
    out_of_scope = "mediator@110101002"  # another mediator sees only their own


class TestTrace(DataMatrix):
    url_name = "evaluation:trace"
    target = "donghuamen"
    item = "street_item"
    in_scope = "evaluator"
    out_of_scope = "street_mediator"


class TestCompute(DataMatrix):
    url_name = "evaluation:scheme-compute"
    method = "post"
    target = "scheme"
    in_scope = "evaluator"
    wrong_role = "street_leader"
    ok_status = 302


class TestEntries(PermissionMatrix):
    url_name = "evaluation:entries"
    in_scope = "evaluator"
    wrong_role = "street_mediator"


class TestQuality(PermissionMatrix):
    url_name = "evaluation:quality"
    in_scope = "evaluator"
    wrong_role = "street_mediator"


class TestReports(PermissionMatrix):
    url_name = "evaluation:reports"
    in_scope = "evaluator"
    wrong_role = "street_mediator"


class TestApiSchemes(PermissionMatrix):
    url_name = "evaluation-scheme-list"
    api = True
    in_scope = "evaluator"
    wrong_role = "street_mediator"


class TestApiScore(DataMatrix):
    url_name = "evaluation-score-detail"
    api = True
    target = "own"
    in_scope = "street_mediator"
    out_of_scope = "mediator@110101002"


def test_a_person_without_oversight_is_sent_to_their_own_scores(client_as):
    response = client_as("street_mediator").get(reverse("evaluation:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:mine")


def test_a_person_sees_their_own_breakdown(client_as, scored):
    client = client_as("street_mediator")
    page = client.get(reverse("evaluation:mine")).content.decode()
    assert reverse("evaluation:subject-score", args=[scored["own"].pk]) in page
    detail = client.get(reverse("evaluation:subject-score", args=[scored["own"].pk]))
    assert "60.00" in detail.content.decode()  # 3 cases × 20 points


def test_a_street_leader_sees_only_their_street_in_the_ranking(client_as, scored):
    response = client_as("street_leader").get(
        reverse("evaluation:scheme-scores", args=[scored["scheme"].pk])
    )
    rows = response.context["table"].rows
    assert [row.record.subject_name for row in rows] == ["东华门街道"]


def test_click_through_lists_the_cases_behind_a_rate(client_as, scored):
    url = reverse("evaluation:trace", args=[scored["donghuamen"].pk, scored["street_item"].pk])
    client = client_as("evaluator")
    every = client.get(url).context["table"].rows
    missed = client.get(url, {"part": "miss"}).context["table"].rows
    assert len(every) == 4 and len(missed) == 1


def test_indicator_without_target_is_refused_on_the_page(client_as, staff):
    scheme = services.scheme_create(
        actor=staff("evaluator"), name="新方案", year=2026, quarter=4, subject_kind="street"
    )
    response = client_as("evaluator").post(
        reverse("evaluation:indicator-add", args=[scheme.pk]),
        {
            "version": scheme.edit_version,
            "dimension": "function",
            "code": "on_time",
            "name": "按期办结率",
            "source": "on_time_rate",
            "weight": "40",
            "direction": "higher",
            "rule": "linear",
        },
    )
    assert response.status_code == 400
    assert "需要填写目标值" in response.content.decode()
    assert not Indicator.objects.filter(scheme=scheme).exists()


def test_publishing_unbalanced_weights_shows_by_how_much(client_as, staff):
    scheme = services.scheme_create(
        actor=staff("evaluator"), name="新方案", year=2026, quarter=4, subject_kind="street"
    )
    services.indicator_save(
        actor=staff("evaluator"),
        scheme=scheme,
        data=indicator("function", "a", 30, Rule.LINEAR, "on_time_rate", target=Decimal(1)),
    )
    response = client_as("evaluator").post(reverse("evaluation:scheme-publish", args=[scheme.pk]))
    assert response.status_code == 400
    assert "相差 -10" in response.content.decode()
    assert Scheme.objects.get(pk=scheme.pk).state == "draft"


def test_api_lists_only_what_the_caller_may_see(client_as, scored):
    mine = client_as("street_mediator").get(reverse("evaluation-score-list")).json()
    assert [row["id"] for row in mine["results"]] == [scored["own"].pk]
    leader = client_as("street_leader").get(reverse("evaluation-score-list")).json()
    names = {row["subject_name"] for row in leader["results"]}
    assert "东华门街道" in names and "景山街道" not in names


# --- query counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target", "limit"),
    [
        ("evaluation:scheme-scores", "scheme", 15),
        ("evaluation:subject-score", "donghuamen", 13),
        ("evaluation:scheme-detail", "scheme", 13),
    ],
)
def test_score_pages_query_counts(
    client_as, scored, django_assert_max_num_queries, name, target, limit
):
    client = client_as("evaluator")
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name, args=[scored[target].pk])).status_code == 200


def test_trace_and_mine_query_counts(client_as, scored, django_assert_max_num_queries):
    url = reverse("evaluation:trace", args=[scored["donghuamen"].pk, scored["street_item"].pk])
    client = client_as("evaluator")
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    client = client_as("street_mediator")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("evaluation:mine")).status_code == 200


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("evaluation:index", 14),
        # the two entry forms each list the streets and the units in scope
        ("evaluation:entries", 16),
        ("evaluation:quality", 14),
        ("evaluation:reports", 14),
    ],
)
def test_list_pages_query_counts(client_as, scored, django_assert_max_num_queries, name, limit):
    client = client_as("evaluator")
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name)).status_code == 200


def test_api_query_counts(client_as, scored, django_assert_max_num_queries):
    client = client_as("evaluator")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("evaluation-score-list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("evaluation-scheme-list")).status_code == 200
