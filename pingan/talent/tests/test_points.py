"""The points ledger: rules, evidence, approvers, running totals, rankings; the weighted
multi-dimensional evaluation."""

from datetime import date
from decimal import Decimal

import pytest

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.talent import selectors, services
from pingan.talent.models import PointEntry, ProfileEvent

from .conftest import NOW


def submit(profile, actor, rule="team_debate_win", day=date(2026, 5, 1), quantity=1):
    return services.points_submit(
        profile=profile,
        actor=actor,
        rule_code=rule,
        evidence="通报",
        occurred_on=day,
        quantity=quantity,
        now=NOW,
    )


def approve(entry, actor):
    return services.points_decide(entry=entry, actor=actor, approve=True, now=NOW)


def test_running_totals_count_approved_entries_only(org, enroll):
    # given entries on three days: approved +15, rejected +8, approved -3, pending +5
    profile = enroll("ledger1")
    first = approve(
        submit(profile, profile.staff, "competition_municipal", date(2026, 1, 5)), org.mentor
    )
    rejected = submit(profile, profile.staff, "competition_institution", date(2026, 2, 5))
    services.points_decide(entry=rejected, actor=org.head, approve=False, note="材料不足", now=NOW)
    deduction = approve(submit(profile, org.head, "document_defect", date(2026, 3, 5)), org.mentor)
    pending = submit(profile, profile.staff, "team_debate_win", date(2026, 4, 5))
    # when the ledger is read
    rows = list(selectors.ledger(profile))
    # then the running total moves only with approved entries, in date order
    assert [(r.pk, r.running_total) for r in rows] == [
        (first.pk, Decimal("15")),
        (rejected.pk, Decimal("15")),
        (deduction.pk, Decimal("12")),
        (pending.pk, Decimal("12")),
    ]
    progress = selectors.profile_with_progress(profile)
    assert progress.points_total == Decimal("12")
    assert progress.points_pending == Decimal("5")


def test_quantity_multiplies_the_rule(org, enroll):
    profile = enroll("qty")
    entry = submit(profile, profile.staff, "hearing", quantity=3)
    assert entry.points == Decimal("6")


def test_ranking_within_a_cohort_shares_ties(org, enroll):
    a, b, c, d = (enroll(name) for name in ("r-a", "r-b", "r-c", "r-d"))
    approve(submit(a, a.staff, "competition_municipal"), org.mentor)  # 15
    approve(submit(b, b.staff, "competition_municipal"), org.mentor)  # 15
    approve(submit(c, c.staff, "team_debate_win"), org.mentor)  # 5
    submit(d, d.staff, "competition_municipal")  # pending: 0
    ranks = selectors.cohort_ranks([org.cohort.pk])
    assert (ranks[a.pk], ranks[b.pk], ranks[c.pk], ranks[d.pk]) == (1, 1, 3, 4)
    ordered = selectors.cohort_ranking(org.cohort)
    assert [p.pk for p in ordered][2:] == [c.pk, d.pk]


def test_points_without_a_rule_or_evidence_are_refused(org, enroll):
    profile = enroll("bad-points")
    for rule, evidence in (("", "通报"), ("no_such_rule", "通报"), ("hearing", "  ")):
        with pytest.raises(ApplicationError):
            services.points_submit(
                profile=profile,
                actor=profile.staff,
                rule_code=rule,
                evidence=evidence,
                occurred_on=date(2026, 5, 1),
                now=NOW,
            )
    assert not PointEntry.objects.filter(profile=profile).exists()


def test_no_approval_of_ones_own_entries(org, enroll):
    profile = enroll("self-approve")
    by_mentor = submit(profile, org.mentor)
    by_self = submit(profile, profile.staff)
    # the mentor cannot approve what they submitted
    with pytest.raises(ForbiddenError, match="不能审批本人"):
        approve(by_mentor, org.mentor)
    # the assistant cannot approve their own points, even when someone else submitted them
    with pytest.raises(ForbiddenError):
        approve(by_mentor, profile.staff)
    with pytest.raises(ForbiddenError):
        approve(by_self, profile.staff)
    assert set(PointEntry.objects.filter(profile=profile).values_list("state", flat=True)) == {
        "pending"
    }
    # someone else may
    approve(by_mentor, org.head)
    assert PointEntry.objects.get(pk=by_mentor.pk).approver == org.head


def test_an_unrelated_mentor_cannot_approve(org, enroll):
    profile = enroll("unrelated")
    entry = submit(profile, profile.staff)
    with pytest.raises(ForbiddenError):
        approve(entry, org.other_mentor)
    with pytest.raises(ForbiddenError):
        approve(entry, org.other_head)


def test_a_decision_is_final(org, enroll):
    from pingan.core.errors import ConflictError
    from pingan.talent.models import PointEntry

    profile = enroll("twice")
    entry = approve(submit(profile, profile.staff), org.mentor)
    # a decided entry is refused by the table ...
    with pytest.raises(ApplicationError, match="已被审批"):
        services.points_decide(entry=entry, actor=org.head, approve=False, note="x", now=NOW)
    # ... and a stale copy still showing "pending" loses the compare-and-set
    stale = PointEntry.objects.get(pk=entry.pk)
    stale.state = "pending"
    with pytest.raises(ConflictError):
        services.points_decide(entry=stale, actor=org.head, approve=False, note="x", now=NOW)
    assert PointEntry.objects.get(pk=entry.pk).state == "approved"


def test_an_overlong_decision_note_is_refused_not_cut(org, enroll):
    profile = enroll("long")
    entry = submit(profile, profile.staff)
    with pytest.raises(ApplicationError, match="不能超过 200 个字"):
        services.points_decide(
            entry=entry, actor=org.mentor, approve=False, note="理" * 201, now=NOW
        )


def test_rejection_needs_a_note(org, enroll):
    profile = enroll("note")
    entry = submit(profile, profile.staff)
    with pytest.raises(ApplicationError, match="审批意见"):
        services.points_decide(entry=entry, actor=org.mentor, approve=False, now=NOW)


def test_every_ledger_change_is_on_the_timeline(org, enroll):
    profile = enroll("events")
    approve(submit(profile, profile.staff), org.mentor)
    kinds = list(ProfileEvent.objects.filter(profile=profile).values_list("kind", flat=True))
    assert kinds.count("points") == 1 and kinds.count("points_decide") == 1


# --- multi-dimensional evaluation ------------------------------------------------------------


def test_weighted_evaluation_over_the_four_dimensions(org, enroll):
    # given a mentor 90, department 80, self 100, two peers 70 and 80 (mean 75)
    profile = enroll("eval1")
    peer1, peer2 = enroll("peer1"), enroll("peer2")
    for actor, score in (
        (org.mentor, 90),
        (org.head, 80),
        (profile.staff, 100),
        (peer1.staff, 70),
        (peer2.staff, 80),
    ):
        services.evaluation_submit(
            profile=profile, actor=actor, period="2026年度", score=score, now=NOW
        )
    [period] = selectors.weighted_scores(profile)
    assert period.by_dimension == {
        "mentor": Decimal("90.0"),
        "department": Decimal("80.0"),
        "self": Decimal("100.0"),
        "peer": Decimal("75.0"),
    }
    # 0.4*90 + 0.3*80 + 0.2*75 + 0.1*100 = 36 + 24 + 15 + 10 = 85
    assert period.weighted == Decimal("85.0")


def test_missing_dimensions_renormalise_the_weights(org, enroll):
    profile = enroll("eval2")
    services.evaluation_submit(profile=profile, actor=org.mentor, period="P", score=90, now=NOW)
    services.evaluation_submit(profile=profile, actor=org.head, period="P", score=80, now=NOW)
    [period] = selectors.weighted_scores(profile)
    # (0.4*90 + 0.3*80) / 0.7 = 60 / 0.7 = 85.71…
    assert period.weighted == Decimal("85.7")


def test_outsiders_cannot_evaluate_and_scores_stay_in_range(org, enroll):
    profile = enroll("eval3")
    with pytest.raises(ForbiddenError):
        services.evaluation_submit(
            profile=profile, actor=org.other_mentor, period="P", score=90, now=NOW
        )
    with pytest.raises(ApplicationError):
        services.evaluation_submit(
            profile=profile, actor=org.mentor, period="P", score=101, now=NOW
        )


def test_a_refused_points_decision_changes_nothing(org, enroll):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.testing import check_refusals_change_nothing
    from pingan.talent.rules import POINTS

    profile = enroll("refused")

    def make(state: str) -> PointEntry:
        entry = submit(profile, profile.staff)
        PointEntry.objects.filter(pk=entry.pk).update(state=state)
        entry.refresh_from_db()
        return entry

    def act(action: str, entry: PointEntry) -> None:
        approve = action == "approve"
        services.points_decide(entry=entry, actor=org.mentor, approve=approve, note="否", now=NOW)

    def events(entry: PointEntry) -> int:
        return ProfileEvent.objects.filter(profile=entry.profile).count()

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(POINTS, make=make, act=act, events=events, data=data)

    run()
