"""The declared evaluation actions through the API (X4) and who is told (X5): each operation
answers as its page does — success, 403 for a role that may not, 404 outside the scope, 400
with the clerk's message for bad input — and every hand-off leaves a notice."""

from datetime import date

import pytest
from django.urls import reverse

from pingan.core.models import Notice
from pingan.evaluation import services
from pingan.evaluation.choices import EntryState, ListKind, SchemeState
from pingan.evaluation.models import Indicator, ListEntry, ManualEntry, Review, Scheme

from .conftest import DONGHUAMEN, NOW


def _post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def _told(kind: str = "evaluation") -> set[str]:
    return set(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# --- schemes ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_evaluator_creates_a_draft_scheme_through_the_api(client_as, today):
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-scheme-list"),
        {"name": "明年街道方案", "year": today.year + 1, "quarter": 1, "subject_kind": "street"},
    )
    assert response.status_code == 201
    scheme = Scheme.objects.get(pk=response.json()["id"])
    assert (scheme.state, scheme.created_by.username) == (SchemeState.DRAFT, "evaluator")


@pytest.mark.django_db
def test_a_leader_may_read_schemes_but_not_create_one(client_as, today):
    body = {"name": "明年街道方案", "year": today.year + 1, "quarter": 1, "subject_kind": "street"}
    response = _post(client_as("street_leader"), reverse("evaluation-scheme-list"), body)
    assert response.status_code == 403
    assert not Scheme.objects.filter(year=today.year + 1).exists()


@pytest.mark.django_db
def test_a_second_scheme_for_the_same_period_is_refused_with_the_reason(client_as, draft):
    body = {"name": "重复", "year": 2026, "quarter": 4, "subject_kind": "street"}
    response = _post(client_as("evaluator"), reverse("evaluation-scheme-list"), body)
    assert response.status_code == 400
    assert "方案已存在" in response.json()["detail"]


@pytest.mark.django_db
def test_an_indicator_is_added_and_deleted_through_the_api(client_as, draft):
    client = client_as("evaluator")
    response = _post(
        client,
        reverse("evaluation-scheme-indicators", args=[draft.pk]),
        {
            "version": draft.edit_version,
            "dimension": "efficacy",
            "code": "handled",
            "name": "办结件数",
            "source": "cases_handled",
            "weight": "0",
            "direction": "higher",
            "rule": "capped",
            "points_per_event": "1",
            "bands": [],
        },
    )
    assert response.status_code == 201
    assert {i["code"] for i in response.json()["indicators"]} == {"on_time", "handled"}
    added = Indicator.objects.get(scheme=draft, code="handled")
    response = _post(
        client, reverse("evaluation-scheme-indicator-delete", args=[draft.pk, added.pk])
    )
    assert response.status_code == 200
    assert [i["code"] for i in response.json()["indicators"]] == ["on_time"]


@pytest.mark.django_db
def test_an_indicator_without_its_target_is_refused_with_the_rule(client_as, draft):
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-scheme-indicators", args=[draft.pk]),
        {
            "version": draft.edit_version,
            "dimension": "efficacy",
            "code": "rate",
            "name": "按期办结率",
            "source": "on_time_rate",
            "weight": "10",
            "direction": "higher",
            "rule": "linear",
        },
    )
    assert response.status_code == 400
    assert "需要填写目标值" in response.json()["detail"]


@pytest.mark.django_db
def test_a_published_schemes_indicators_cannot_be_deleted(client_as, street_scheme):
    item = street_scheme.indicators.first()
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-scheme-indicator-delete", args=[street_scheme.pk, item.pk]),
    )
    assert response.status_code == 400
    assert "方案已发布" in response.json()["detail"]
    assert Indicator.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_weights_are_set_and_a_stale_version_is_a_conflict(client_as, draft):
    client = client_as("evaluator")
    url = reverse("evaluation-scheme-weights", args=[draft.pk])
    weights = {"function": "70", "efficacy": "30", "building": "0", "overall": "0"}
    response = _post(client, url, {"version": draft.edit_version, **weights})
    assert response.status_code == 200
    assert response.json()["dimension_weights"]["function"] == 70
    response = _post(client, url, {"version": draft.edit_version, **weights})
    assert response.status_code == 409


@pytest.mark.django_db
def test_weights_over_100_are_refused(client_as, draft):
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-scheme-weights", args=[draft.pk]),
        {"version": draft.edit_version, "function": "150", "efficacy": "0", "building": "0"},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"function", "overall"}


@pytest.mark.django_db
def test_a_balanced_draft_is_published_and_an_unbalanced_one_says_by_how_much(client_as, draft):
    client = client_as("evaluator")
    response = _post(client, reverse("evaluation-scheme-publish", args=[draft.pk]))
    assert response.status_code == 200
    assert response.json()["state"] == SchemeState.PUBLISHED
    revised = _post(
        client, reverse("evaluation-scheme-revise", args=[draft.pk]), {"reason": "指标调整"}
    ).json()
    services.indicator_delete(
        actor=draft.created_by, indicator=Indicator.objects.get(scheme=revised["id"])
    )
    response = _post(client, reverse("evaluation-scheme-publish", args=[revised["id"]]))
    assert response.status_code == 400
    assert "相差 -100" in response.json()["detail"]


@pytest.mark.django_db
def test_a_revision_of_a_running_period_needs_its_reason(client_as, street_scheme):
    client = client_as("evaluator")
    url = reverse("evaluation-scheme-revise", args=[street_scheme.pk])
    response = _post(client, url, {"reason": ""})
    assert response.status_code == 400
    assert "必须写明理由" in response.json()["detail"]
    response = _post(client, url, {"reason": "补充人工评价指标"})
    assert response.status_code == 201
    draft = response.json()
    assert (draft["version"], draft["previous"], draft["state"]) == (2, street_scheme.pk, "draft")


# --- entries ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manual_entry_tells_the_approvers_in_whose_scope_its_subject_is(client_as, street_scheme):
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-manual-list"),
        {
            "street": DONGHUAMEN,
            "year": 2026,
            "quarter": 3,
            "indicator_code": "cooperation",
            "value": "85",
            "evidence": "联席会议纪要三份",
        },
    )
    assert response.status_code == 201
    entry = ManualEntry.objects.get(pk=response.json()["id"])
    assert entry.state == EntryState.PENDING
    told = _told()
    assert {"u1-evaluator-1", "district_leader", "street_leader"} <= told
    assert "evaluator" not in told  # the author is not told about their own entry
    assert "u36-leader-1" not in told  # 景山's leader cannot approve an entry on 东华门


@pytest.mark.django_db
def test_a_list_entry_about_a_person_is_entered_through_the_api(client_as):
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-list-list"),
        {
            "username": "street_mediator",
            "kind": "negative",
            "title": "群众投诉工作态度",
            "points": "1",
            "occurred_on": "2026-08-03",
            "evidence": "投诉记录及核查报告",
        },
    )
    assert response.status_code == 201
    assert response.json()["staff"] == "street_mediator"
    assert "street_mediator" not in _told()  # the person evaluated does not approve
    assert "street_leader" in _told()


@pytest.mark.django_db
def test_an_entry_needs_evidence_and_a_known_subject(client_as, street_scheme):
    client = client_as("evaluator")
    body = {
        "street": DONGHUAMEN,
        "year": 2026,
        "quarter": 3,
        "indicator_code": "cooperation",
        "value": "85",
        "evidence": "无",
    }
    response = _post(client, reverse("evaluation-manual-list"), body)
    assert response.status_code == 400
    assert "请填写佐证说明" in response.json()["detail"]
    response = _post(
        client,
        reverse("evaluation-list-list"),
        {
            "username": "nobody-here",
            "kind": "negative",
            "title": "事由",
            "points": "1",
            "occurred_on": "2026-08-03",
            "evidence": "投诉记录及核查报告",
        },
    )
    assert response.status_code == 400
    assert response.json()["username"] == ["没有这个用户名。"]
    assert not ManualEntry.objects.exists() and not ListEntry.objects.exists()


@pytest.mark.django_db
def test_a_street_outside_the_callers_scope_is_not_offered(client_as, staff, street_scheme):
    # A street's evaluator (none in the demo roster: give 景山's leader the role) may enter
    # entries about their own street only, as the page's choices offer.
    jingshan = staff("leader@110101002")
    jingshan.roles.add("evaluator")
    response = _post(
        client_as("leader@110101002"),
        reverse("evaluation-manual-list"),
        {
            "street": DONGHUAMEN,
            "year": 2026,
            "quarter": 3,
            "indicator_code": "cooperation",
            "value": "85",
            "evidence": "联席会议纪要三份",
        },
    )
    assert response.status_code == 400
    assert set(response.json()) == {"street"}
    assert not ManualEntry.objects.exists()


@pytest.mark.django_db
def test_a_leader_cannot_enter_an_entry(client_as, street_scheme):
    response = _post(
        client_as("street_leader"),
        reverse("evaluation-manual-list"),
        {
            "street": DONGHUAMEN,
            "year": 2026,
            "quarter": 3,
            "indicator_code": "cooperation",
            "value": "85",
            "evidence": "联席会议纪要三份",
        },
    )
    assert response.status_code == 403
    assert not ManualEntry.objects.exists()


@pytest.mark.django_db
def test_a_second_person_approves_and_the_author_is_told(client_as, pending):
    response = _post(
        client_as("u1-evaluator-1"),
        reverse("evaluation-manual-decide", args=[pending["manual"].pk]),
        {"approve": True, "note": ""},
    )
    assert response.status_code == 200
    assert response.json()["state"] == EntryState.APPROVED
    notice = Notice.objects.get(recipient__username="evaluator", kind="evaluation")
    assert "已通过" in notice.title


@pytest.mark.django_db
def test_returning_an_entry_needs_a_reason_and_the_author_cannot_decide(client_as, pending):
    url = reverse("evaluation-list-decide", args=[pending["list"].pk])
    response = _post(client_as("u1-evaluator-1"), url, {"approve": False, "note": ""})
    assert response.status_code == 400
    assert response.json()["detail"] == "退回时请写明理由。"
    response = _post(client_as("evaluator"), url, {"approve": True})
    assert response.status_code == 403
    assert "第二人审核" in response.json()["detail"]
    response = _post(client_as("u1-evaluator-1"), url, {"approve": False, "note": "材料不全"})
    assert response.json()["state"] == EntryState.REJECTED
    assert "被退回" in Notice.objects.get(recipient__username="evaluator").title


@pytest.mark.django_db
def test_entry_lists_hold_what_the_caller_may_see(
    client_as, staff, pending, django_assert_max_num_queries
):
    more = [
        services.list_entry_create(
            actor=staff("u1-evaluator-1"),
            kind=ListKind.NEGATIVE,
            title=f"投诉{n}",
            points=1,
            occurred_on=date(2026, 8, n),
            evidence="投诉记录及核查报告",
            staff=staff("street_mediator"),
        )
        for n in (2, 3, 4)
    ]
    services.list_entry_decide(actor=staff("evaluator"), entry=more[0], approve=True, now=NOW)
    client = client_as("street_mediator")
    with django_assert_max_num_queries(8):  # however many rows
        mine = client.get(reverse("evaluation-list-list")).json()
    assert {row["id"] for row in mine["results"]} == {pending["list"].pk, *(e.pk for e in more)}
    assert client.get(reverse("evaluation-manual-list")).json()["results"] == []
    client = client_as("evaluator")
    with django_assert_max_num_queries(7):  # session, user, roles, the scope's paths, the page
        manual = client.get(reverse("evaluation-manual-list")).json()
    assert [row["id"] for row in manual["results"]] == [pending["manual"].pk]


# --- reviews and the scan --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_review_plan_tells_each_reviewer(client_as, staff, make_case):
    make_case(handler=staff("street_mediator"))
    make_case("jingshan")
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-plan-list"),
        {"name": "每案必检", "kind": "every", "start": "2026-07-01", "end": "2026-09-30"},
    )
    assert response.status_code == 201
    assert response.json()["case_count"] == 2
    reviewers = set(
        Review.objects.filter(plan=response.json()["id"]).values_list(
            "reviewer__username", flat=True
        )
    )
    assert _told() == reviewers - {"evaluator"}  # the planner is not told of their own share


@pytest.mark.django_db
def test_a_sample_plan_without_a_rate_is_refused(client_as, make_case):
    make_case()
    response = _post(
        client_as("evaluator"),
        reverse("evaluation-plan-list"),
        {"name": "抽查", "kind": "sample", "start": "2026-07-01", "end": "2026-09-30"},
    )
    assert response.status_code == 400
    assert "抽查比例" in response.json()["detail"]
    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_the_reviewer_submits_and_a_failing_grade_needs_its_note(client_as, review):
    client = client_as(review.reviewer.username)
    url = reverse("evaluation-review-submit", args=[review.pk])
    body = {"version": review.version, "grade": "fail", "note": "", "check_facts": True}
    response = _post(client, url, body)
    assert response.status_code == 400
    assert "写明问题" in response.json()["detail"]
    response = _post(client, url, {**body, "note": "协议与笔录不一致"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["checklist"]["facts"]) == ("done", True)
    assert ListEntry.objects.get(review=review).kind == ListKind.NEGATIVE


@pytest.mark.django_db
def test_reviews_list_the_callers_own(client_as, review, django_assert_max_num_queries):
    client = client_as(review.reviewer.username)
    with django_assert_max_num_queries(8):
        rows = client.get(reverse("evaluation-review-list")).json()["results"]
    assert [row["id"] for row in rows] == [review.pk]
    assert client_as("street_mediator").get(reverse("evaluation-review-list")).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.django_db
def test_an_evaluator_runs_the_scan_through_the_api(client_as, make_case):
    make_case(satisfaction=None)
    response = _post(client_as("evaluator"), reverse("evaluation-quality-scan"))
    assert response.status_code == 200
    assert set(response.json()) == {"id", "started_at", "opened", "resolved"}


# --- the page serves the same declaration ----------------------------------------------------


@pytest.mark.django_db
def test_a_decision_on_the_page_tells_the_author_too(client_as, pending):
    response = client_as("u1-evaluator-1").post(
        reverse("evaluation:entry-decide", args=["manual", pending["manual"].pk]),
        {"approve": "1", "note": ""},
    )
    assert response.status_code == 302
    assert Notice.objects.filter(recipient__username="evaluator", kind="evaluation").exists()


@pytest.mark.django_db
def test_a_plan_on_the_page_tells_the_reviewers_too(client_as, staff, make_case):
    make_case(handler=staff("street_mediator"))
    response = client_as("evaluator").post(
        reverse("evaluation:reviews"),
        {"name": "每案必检", "kind": "every", "start": "2026-07-01", "end": "2026-09-30"},
    )
    assert response.status_code == 302
    assert _told() == {Review.objects.get().reviewer.username}
