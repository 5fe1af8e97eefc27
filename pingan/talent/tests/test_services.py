"""Study, milestones, rotations, transfers and outcomes: who may record what, and bad input."""

import itertools
from datetime import date

import pytest

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.talent import selectors, services
from pingan.talent.models import (
    Milestone,
    MilestoneRecord,
    ProfileEvent,
    StudyItem,
    StudyRecord,
)

from .conftest import NOW


def record(profile, actor, code="Z01", day=date(2026, 3, 1), evidence="学习笔记"):
    return services.study_record(
        profile=profile, actor=actor, item_code=code, completed_on=day, evidence=evidence, now=NOW
    )


def test_assistant_records_and_the_mentor_confirms(org, enroll):
    profile = enroll("study1")
    entry = record(profile, profile.staff)
    assert entry.state == "submitted" and entry.confirmed_by is None
    with pytest.raises(ForbiddenError):
        services.study_confirm(record=entry, actor=profile.staff, now=NOW)
    with pytest.raises(ForbiddenError):
        services.study_confirm(record=entry, actor=org.head, now=NOW)
    services.study_confirm(record=entry, actor=org.mentor, now=NOW)
    entry.refresh_from_db()
    assert entry.state == "confirmed" and entry.confirmed_by == org.mentor
    with pytest.raises(ApplicationError, match="已由导师确认"):
        record(profile, profile.staff)


def test_a_mentors_entry_is_confirmed_at_once(org, enroll):
    profile = enroll("study2")
    entry = record(profile, org.mentor)
    assert entry.state == "confirmed" and entry.confirmed_by == org.mentor


def test_items_outside_the_catalogue_are_refused(org, enroll):
    profile = enroll("study3")
    with pytest.raises(ApplicationError, match="不在必研必学目录中"):
        record(profile, profile.staff, code="X99")
    StudyItem.objects.filter(code="Y13").update(is_active=False)
    with pytest.raises(ApplicationError, match="不在必研必学目录中"):
        record(profile, profile.staff, code="Y13")
    assert not StudyRecord.objects.filter(profile=profile).exists()


def test_study_needs_evidence_and_a_past_date(org, enroll):
    profile = enroll("study4")
    with pytest.raises(ApplicationError, match="佐证材料"):
        record(profile, profile.staff, evidence=" ")
    with pytest.raises(ApplicationError, match="不能晚于今天"):
        record(profile, profile.staff, day=date(2027, 1, 1))
    assert not StudyRecord.objects.filter(profile=profile).exists()


def test_others_cannot_record_study(org, enroll):
    profile = enroll("study5")
    peer = enroll("study-peer")
    for actor in (peer.staff, org.other_mentor, org.head, org.committee):
        with pytest.raises(ForbiddenError):
            record(profile, actor)


def test_recording_study_moves_the_matrix(org, enroll):
    profile = enroll("matrix1")

    def cell(code):
        return next(
            c
            for _stage, row in selectors.transformation_matrix(profile)
            for c in row
            if c.transformation.code == code
        )

    assert cell("legal_reasoning").state == "not_started"
    record(profile, profile.staff, code="Z01")
    assert cell("legal_reasoning").state == "in_progress"
    assert cell("legal_reasoning").study_submitted == 1
    for milestone in Milestone.objects.filter(transformation__code="legal_reasoning"):
        services.milestone_record(
            profile=profile,
            actor=org.mentor,
            milestone=milestone,
            completed_on=date(2026, 3, 1),
            evidence="评语",
            now=NOW,
        )
    assert cell("legal_reasoning").state == "achieved"


def test_rotation_counts_linked_and_entered_cases(org, enroll, register_case):
    profile = enroll("rot1")
    rotation = services.rotation_add(
        profile=profile,
        actor=org.head,
        department=org.other_dept,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
        required_cases=10,
        now=NOW,
    )
    case = register_case()
    services.rotation_link_case(
        rotation=rotation, actor=org.mentor, case_number=case.number, now=NOW
    )
    with pytest.raises(ApplicationError, match="已关联"):
        services.rotation_link_case(
            rotation=rotation, actor=org.mentor, case_number=case.number, now=NOW
        )
    with pytest.raises(ApplicationError, match="没有找到"):
        services.rotation_link_case(
            rotation=rotation, actor=org.mentor, case_number="DC1999-000001", now=NOW
        )
    services.rotation_set_entered(
        rotation=rotation, actor=org.head, count=6, reason="线下办理", now=NOW
    )
    rotation.refresh_from_db()
    assert rotation.cases.count() + rotation.entered_cases == 7


def test_rotation_period_must_be_valid(org, enroll):
    profile = enroll("rot2")
    with pytest.raises(ApplicationError, match="不能早于开始日期"):
        services.rotation_add(
            profile=profile,
            actor=org.head,
            department=org.dept,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 1, 1),
            required_cases=5,
            now=NOW,
        )


def test_transfers_are_the_committees_and_outcomes_are_counted(org, enroll):
    profile = enroll("senior-x", stage="senior")
    with pytest.raises(ForbiddenError):
        services.transfer_record(
            profile=profile,
            actor=org.mentor,
            track="prosecutor",
            state="applied",
            decided_on=date(2026, 9, 1),
            note="本人申请",
            now=NOW,
        )
    services.transfer_record(
        profile=profile,
        actor=org.committee,
        track="prosecutor",
        state="applied",
        decided_on=date(2026, 9, 1),
        note="本人申请",
        now=NOW,
    )
    for kind, title in (("model_expert", "省级检察业务标兵能手"), ("talent_pool", "全国人才库")):
        services.outcome_record(
            profile=profile,
            actor=org.head,
            kind=kind,
            level="provincial",
            title=title,
            awarded_on=date(2026, 10, 1),
            evidence="表彰文件",
            now=NOW,
        )
    stats = selectors.overview(type(profile).objects.filter(pk=profile.pk), today=NOW.date())
    assert (stats["model_experts"], stats["talent_pool"]) == (1, 1)


def test_mentor_change_needs_a_mentor_and_a_reason(org, enroll):
    profile = enroll("mentor-change")
    with pytest.raises(ApplicationError):
        services.mentor_assign(
            profile=profile, actor=org.head, mentor=org.head, reason="x", now=NOW
        )
    with pytest.raises(ApplicationError, match="更换理由"):
        services.mentor_assign(
            profile=profile, actor=org.head, mentor=org.other_mentor, reason="", now=NOW
        )
    with pytest.raises(ForbiddenError):
        services.mentor_assign(
            profile=profile, actor=org.mentor, mentor=org.other_mentor, reason="x", now=NOW
        )
    services.mentor_assign(
        profile=profile, actor=org.head, mentor=org.other_mentor, reason="工作调整", now=NOW
    )
    assert type(profile).objects.get(pk=profile.pk).mentor == org.other_mentor


def _check_record_refusals(machine, *, make, act) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.testing import check_refusals_change_nothing

    def events(entry) -> int:
        return ProfileEvent.objects.filter(profile=entry.profile).count()

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(machine, make=make, act=act, events=events, data=data)

    run()


def test_a_refused_study_confirmation_changes_nothing(org, enroll):
    from pingan.talent.rules import STUDY_RECORD

    made = itertools.count()

    def make(state: str) -> StudyRecord:
        # entered by the assistant, confirmed by the mentor when that is the state asked for
        profile = enroll(f"study_refused{next(made)}")
        entry = record(profile, profile.staff)
        if state == "confirmed":
            services.study_confirm(record=entry, actor=org.mentor, now=NOW)
        entry.refresh_from_db()
        assert entry.state == state
        return entry

    def act(action: str, entry: StudyRecord) -> None:
        services.study_confirm(record=entry, actor=org.mentor, now=NOW)

    _check_record_refusals(STUDY_RECORD, make=make, act=act)


def test_a_refused_milestone_confirmation_changes_nothing(org, enroll):
    from pingan.talent.rules import MILESTONE_RECORD

    made = itertools.count()
    milestone = Milestone.objects.order_by("pk").first()

    def make(state: str) -> MilestoneRecord:
        profile = enroll(f"milestone_refused{next(made)}")
        entry = services.milestone_record(
            profile=profile,
            actor=profile.staff,
            milestone=milestone,
            completed_on=date(2026, 3, 1),
            evidence="评语",
            now=NOW,
        )
        if state == "confirmed":
            services.milestone_confirm(record=entry, actor=org.mentor, now=NOW)
        entry.refresh_from_db()
        assert entry.state == state
        return entry

    def act(action: str, entry: MilestoneRecord) -> None:
        services.milestone_confirm(record=entry, actor=org.mentor, now=NOW)

    _check_record_refusals(MILESTONE_RECORD, make=make, act=act)
