"""Readiness for the next stage on hand-built examples, and the committee's stage change."""

from datetime import date
from decimal import Decimal

import pytest

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.talent import selectors, services
from pingan.talent.models import Milestone, Profile, StageChange, StudyItem

from .conftest import NOW, TODAY


def confirm_milestones(profile, mentor, count, stage="junior"):
    milestones = Milestone.objects.filter(transformation__stage__code=stage).order_by("pk")
    for milestone in milestones[:count]:
        services.milestone_record(
            profile=profile,
            actor=mentor,
            milestone=milestone,
            completed_on=date(2026, 3, 1),
            evidence="导师评语",
            now=NOW,
        )


def confirm_study(profile, mentor, count):
    for item in StudyItem.objects.order_by("order")[:count]:
        services.study_record(
            profile=profile,
            actor=mentor,
            item_code=item.code,
            completed_on=date(2026, 3, 1),
            evidence="学习笔记",
            now=NOW,
        )


def approved_points(profile, approver, rule_code, times=1):
    for _ in range(times):
        entry = services.points_submit(
            profile=profile,
            actor=profile.staff,
            rule_code=rule_code,
            evidence="通报文件",
            occurred_on=date(2026, 5, 1),
            now=NOW,
        )
        services.points_decide(entry=entry, actor=approver, approve=True, now=NOW)


@pytest.fixture
def nearly_ready(org, enroll):
    """A junior assistant meeting every criterion exactly: 17 months, 5 milestones, 40 points
    (study 14 × 2 = 28 is not counted automatically; points come from approved entries only),
    14 study items."""
    profile = enroll("ready1", entered=date(2025, 6, 1))
    confirm_milestones(profile, org.mentor, 5)
    confirm_study(profile, org.mentor, 14)
    approved_points(profile, org.mentor, "competition_municipal", 2)  # 30
    approved_points(profile, org.mentor, "team_debate_win", 2)  # 10 -> 40
    return profile


def criteria(profile, today=TODAY):
    readiness = selectors.readiness_of(profile, today=today)
    return readiness, {c.key: (c.value, c.required, c.met) for c in readiness.criteria}


def test_months_between_counts_whole_months():
    assert selectors.months_between(date(2025, 6, 1), date(2026, 6, 1)) == 12
    assert selectors.months_between(date(2025, 6, 15), date(2026, 6, 14)) == 11
    assert selectors.months_between(date(2026, 6, 1), date(2025, 6, 1)) == 0


def test_every_criterion_met_exactly_is_ready(nearly_ready):
    readiness, found = criteria(nearly_ready)
    assert found == {
        "months": (17, 12, True),
        "milestones": (5, 5, True),
        "points": (Decimal("40"), Decimal("40"), True),
        "study": (14, 14, True),
    }
    assert readiness.ready and readiness.next_stage.code == "intermediate"


def test_time_in_stage_short_is_not_ready(nearly_ready):
    readiness, found = criteria(nearly_ready, today=date(2026, 5, 31))
    assert found["months"] == (11, 12, False)
    assert not readiness.ready


def test_one_milestone_short_is_not_ready(org, enroll):
    profile = enroll("m4")
    confirm_milestones(profile, org.mentor, 4)
    confirm_study(profile, org.mentor, 14)
    approved_points(profile, org.mentor, "competition_municipal", 3)
    readiness, found = criteria(profile)
    assert found["milestones"] == (4, 5, False)
    assert found["points"][2] and found["study"][2] and found["months"][2]
    assert not readiness.ready


def test_unconfirmed_study_and_pending_points_do_not_count(org, enroll):
    # given an assistant whose last study item and last points wait for the mentor
    profile = enroll("pending1")
    confirm_milestones(profile, org.mentor, 5)
    confirm_study(profile, org.mentor, 13)
    approved_points(profile, org.mentor, "competition_municipal", 2)
    approved_points(profile, org.mentor, "team_debate_win", 1)
    last_item = StudyItem.objects.order_by("order")[13]
    record = services.study_record(
        profile=profile,
        actor=profile.staff,
        item_code=last_item.code,
        completed_on=date(2026, 4, 1),
        evidence="心得",
        now=NOW,
    )
    entry = services.points_submit(
        profile=profile,
        actor=profile.staff,
        rule_code="team_debate_win",
        evidence="获胜通报",
        occurred_on=date(2026, 4, 1),
        now=NOW,
    )
    readiness, found = criteria(profile)
    assert found["study"] == (13, 14, False)
    assert found["points"] == (Decimal("35"), Decimal("40"), False)
    assert not readiness.ready
    # when the mentor approves the points and confirms the study item
    services.points_decide(entry=entry, actor=org.mentor, approve=True, now=NOW)
    assert not criteria(profile)[0].ready
    services.study_confirm(record=record, actor=org.mentor, now=NOW)
    # then the assistant is ready
    assert criteria(profile)[0].ready


def test_milestones_of_another_stage_do_not_count(org, enroll):
    profile = enroll("other-stage")
    confirm_milestones(profile, org.mentor, 2, stage="intermediate")
    assert criteria(profile)[1]["milestones"][0] == 0


def test_the_last_stage_has_no_next(org, enroll):
    profile = enroll("senior1", stage="senior")
    readiness = selectors.readiness_of(profile, today=TODAY)
    assert readiness.final and not readiness.ready and readiness.criteria == []


def test_criteria_are_configuration(nearly_ready, org):
    stage = org.stages["junior"]
    stage.min_points = Decimal("41")
    stage.save()
    readiness, found = criteria(Profile.objects.get(pk=nearly_ready.pk))
    assert found["points"] == (Decimal("40"), Decimal("41"), False)
    assert not readiness.ready


# --- the committee confirms ------------------------------------------------------------------


def test_committee_confirms_a_ready_assistant(nearly_ready, org):
    change = services.stage_change(
        profile=nearly_ready,
        actor=org.committee,
        to_stage=org.stages["intermediate"],
        reason="评审委员会评议通过",
        now=NOW,
    )
    profile = Profile.objects.get(pk=nearly_ready.pk)
    assert profile.stage.code == "intermediate"
    assert profile.stage_entered_on == TODAY
    assert profile.version == 2
    assert change.readiness["ready"] is True and change.override_reason == ""
    assert profile.events.filter(kind="stage").exists()


def test_only_the_committee_confirms(nearly_ready, org):
    for actor in (org.mentor, org.head, nearly_ready.staff):
        with pytest.raises(ForbiddenError):
            services.stage_change(
                profile=nearly_ready,
                actor=actor,
                to_stage=org.stages["intermediate"],
                reason="理由",
                now=NOW,
            )
    assert Profile.objects.get(pk=nearly_ready.pk).stage.code == "junior"


def test_not_ready_needs_an_override_reason(org, enroll):
    profile = enroll("early", entered=date(2026, 6, 1))
    with pytest.raises(ApplicationError, match="尚未达到晋阶条件"):
        services.stage_change(
            profile=profile,
            actor=org.committee,
            to_stage=org.stages["intermediate"],
            reason="理由",
            now=NOW,
        )
    assert Profile.objects.get(pk=profile.pk).stage.code == "junior"
    assert StageChange.objects.filter(profile=profile).count() == 1  # only the enrolment
    services.stage_change(
        profile=profile,
        actor=org.committee,
        to_stage=org.stages["intermediate"],
        reason="理由",
        override_reason="省级业务竞赛一等奖，破格晋阶",
        now=NOW,
    )
    assert Profile.objects.get(pk=profile.pk).stage.code == "intermediate"


def test_a_skip_needs_an_override_reason_even_when_ready(nearly_ready, org):
    with pytest.raises(ApplicationError, match="跨越了阶段"):
        services.stage_change(
            profile=nearly_ready,
            actor=org.committee,
            to_stage=org.stages["senior"],
            reason="理由",
            now=NOW,
        )
    assert Profile.objects.get(pk=nearly_ready.pk).stage.code == "junior"
    change = services.stage_change(
        profile=nearly_ready,
        actor=org.committee,
        to_stage=org.stages["senior"],
        reason="理由",
        override_reason="全国检察业务标兵",
        now=NOW,
    )
    assert change.from_stage.code == "junior" and change.to_stage.code == "senior"


def test_no_move_down_or_sideways(nearly_ready, org):
    with pytest.raises(ApplicationError, match="只能晋升"):
        services.stage_change(
            profile=nearly_ready,
            actor=org.committee,
            to_stage=org.stages["junior"],
            reason="理由",
            override_reason="x",
            now=NOW,
        )


def test_a_stale_version_is_a_conflict(nearly_ready, org):
    from pingan.core.errors import ConflictError

    with pytest.raises(ConflictError):
        services.stage_change(
            profile=nearly_ready,
            actor=org.committee,
            to_stage=org.stages["intermediate"],
            reason="理由",
            expected_version=7,
            now=NOW,
        )
    assert Profile.objects.get(pk=nearly_ready.pk).stage.code == "junior"
