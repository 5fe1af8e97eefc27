"""Case-quality review: stratified sampling, reviewer independence, findings."""

from collections import Counter
from datetime import date

import pytest

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.evaluation import services
from pingan.evaluation.models import ListEntry, Review
from pingan.evaluation.services import CaseRow, Reviewer, assign_reviewers, stratified_sample
from pingan.orgs.models import Staff

from .conftest import NOW

DH = "/110101/110101001/110101001001/110101001001001/"  # a grid of 东华门
JS = "/110101/110101002/110101002001/110101002001001/"  # a grid of 景山


def rows(unit, category, n, start, path=DH):
    return [CaseRow(start + i, unit, None, category, path) for i in range(n)]


def test_every_stratum_gets_its_share_and_at_least_one():
    # given strata (unit 1, cat 1): 10 cases, (1, 2): 3, (2, 1): 1
    cases = rows(1, 1, 10, 0) + rows(1, 2, 3, 100) + rows(2, 1, 1, 200)
    # when a 20% sample is drawn
    sample = stratified_sample(cases, rate=0.2, seed=7)
    # then ceil(2.0) = 2, ceil(0.6) = 1, ceil(0.2) = 1
    assert Counter((r.unit_id, r.category_id) for r in sample) == {(1, 1): 2, (1, 2): 1, (2, 1): 1}
    # and the same seed draws the same sample, another seed (usually) another
    assert stratified_sample(cases, rate=0.2, seed=7) == sample
    assert any(stratified_sample(cases, rate=0.2, seed=s) != sample for s in range(1, 6))


def test_reviewers_never_review_their_own_units_cases_or_their_own_handling():
    cases = [CaseRow(1, 20, 500, 1, DH), CaseRow(2, 20, None, 1, DH), CaseRow(3, 10, None, 1, JS)]
    reviewers = [Reviewer(500, 30, "/110101/"), Reviewer(501, 10, "/110101/110101001/")]
    pairs = assign_reviewers(cases, reviewers, cross=False)
    for case, reviewer in pairs:
        assert reviewer.unit_id != case.unit_id
        assert reviewer.pk != case.handler_id
    assert [r.pk for _c, r in pairs] == [501, 500, 500]


def test_cross_review_goes_to_another_street():
    cases = [CaseRow(1, 10, None, 1, DH), CaseRow(2, 20, None, 1, JS)]
    reviewers = [
        Reviewer(1, 30, "/110101/110101001/"),  # 东华门
        Reviewer(2, 40, "/110101/110101002/"),  # 景山
        Reviewer(3, 50, "/110101/"),  # district: not a street, not for cross review
    ]
    pairs = assign_reviewers(cases, reviewers, cross=True)
    assert [(c.pk, r.pk) for c, r in pairs] == [(1, 2), (2, 1)]


def test_no_independent_reviewer_is_refused():
    with pytest.raises(ApplicationError):
        assign_reviewers([CaseRow(1, 10, None, 1, DH)], [Reviewer(1, 10, DH)], cross=False)


@pytest.mark.django_db
def test_plan_assigns_independent_reviewers_and_a_failure_feeds_the_negative_list(staff, make_case):
    mediator = staff("street_mediator")
    cases = [make_case(handler=mediator) for _ in range(4)] + [make_case("jingshan")]
    plan = services.review_plan_create(
        actor=staff("evaluator"),
        name="每案必检",
        kind="every",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
    )
    reviews = list(Review.objects.filter(plan=plan).select_related("reviewer", "case"))
    assert {r.case for r in reviews} == set(cases)
    assert all(r.reviewer.unit_id != r.case.handling_unit_id for r in reviews)
    review = next(r for r in reviews if r.case.handler_id == mediator.pk)
    # someone else cannot fill it in
    other = Staff.objects.filter(roles__code="evaluator").exclude(pk=review.reviewer_id).first()
    with pytest.raises(ForbiddenError):
        services.review_submit(
            actor=other, review=review, checklist={}, grade="pass", note="", now=NOW
        )
    # a failing grade needs a note, then lands on the handler's negative list
    with pytest.raises(ApplicationError):
        services.review_submit(
            actor=review.reviewer, review=review, checklist={}, grade="fail", note="", now=NOW
        )
    services.review_submit(
        actor=review.reviewer,
        review=review,
        checklist={"facts": True},
        grade="fail",
        note="协议与笔录不一致",
        now=NOW,
    )
    entry = ListEntry.objects.get(review=review)
    assert (entry.kind, entry.staff_id, entry.state) == ("negative", mediator.pk, "approved")
    assert entry.decided_by_id == review.reviewer_id != mediator.pk


@pytest.mark.django_db
def test_sample_plan_needs_a_rate(staff, make_case):
    make_case()
    with pytest.raises(ApplicationError):
        services.review_plan_create(
            actor=staff("evaluator"),
            name="抽查",
            kind="sample",
            start=date(2026, 7, 1),
            end=date(2026, 9, 30),
        )
