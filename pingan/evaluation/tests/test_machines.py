"""Each evaluation state machine refuses what its table refuses, and a refusal changes nothing."""

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.core.models import AuditEvent
from pingan.core.testing import check_refusals_change_nothing
from pingan.evaluation import services
from pingan.evaluation.choices import ListKind, Rule, SubjectKind
from pingan.evaluation.models import ListEntry, Review, Scheme
from pingan.evaluation.rules import LIST_ENTRY, REVIEW, SCHEME

from .conftest import NOW, indicator

_years = itertools.count(2030)


def test_a_refused_scheme_action_changes_nothing(staff):
    actor = staff("evaluator")

    def make(state: str) -> Scheme:
        # a scheme of its own period, built through the services up to the state asked for
        scheme = services.scheme_create(
            actor=actor,
            name="性质测试方案",
            year=next(_years),
            quarter=1,
            subject_kind=SubjectKind.STREET,
            dimension_weights={"function": 100, "efficacy": 0, "building": 0, "overall": 0},
        )
        services.indicator_save(
            actor=actor,
            scheme=scheme,
            data=indicator("function", "on_time", 100, Rule.LINEAR, "on_time_rate", target=1),
        )
        if state != "draft":
            services.scheme_publish(actor=actor, scheme=scheme, now=NOW)
        if state == "superseded":
            scheme.refresh_from_db()
            revision = services.scheme_revise(actor=actor, scheme=scheme, reason="调整", now=NOW)
            services.scheme_publish(actor=actor, scheme=revision, now=NOW)
        scheme.refresh_from_db()
        assert scheme.state == state
        return scheme

    def act(action: str, scheme: Scheme) -> None:
        if action == "edit":
            services.scheme_set_weights(
                actor=actor,
                scheme=scheme,
                dimension_weights={"function": 50, "efficacy": 50, "building": 0, "overall": 0},
            )
        elif action == "publish":
            services.scheme_publish(actor=actor, scheme=scheme, now=NOW)
        elif action == "revise":
            services.scheme_revise(actor=actor, scheme=scheme, reason="再次调整", now=NOW)
        else:
            services.scores_compute(scheme=scheme, actor=actor, now=NOW)

    def changes(scheme: Scheme):
        # its audit rows, edit counter, weights and indicators, the revisions and score runs
        # that would hang off it
        scheme = Scheme.objects.get(pk=scheme.pk)
        audit = AuditEvent.objects.filter(
            target_id=str(scheme.pk), action__startswith="evaluation.scheme"
        )
        return (
            audit.count(),
            scheme.edit_version,
            scheme.dimension_weights,
            scheme.indicators.count(),
            Scheme.objects.filter(previous=scheme).count(),
            scheme.runs.count(),
        )

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        # "supersede" is no one's action: publishing a revision supersedes the version it revises
        only = ["edit", "publish", "revise", "compute"]
        check_refusals_change_nothing(
            SCHEME, make=make, act=act, events=changes, data=data, only=only
        )

    run()


def test_a_refused_list_entry_decision_changes_nothing(staff, second_evaluator):
    def make(state: str) -> ListEntry:
        entry = services.list_entry_create(
            actor=staff("evaluator"),
            kind=ListKind.POSITIVE,
            title="调解工作获区级表彰",
            points=2,
            occurred_on=date(2026, 8, 1),
            evidence="区司法局通报",
            staff=staff("street_mediator"),
        )
        ListEntry.objects.filter(pk=entry.pk).update(state=state)
        entry.refresh_from_db()
        return entry

    def act(action: str, entry: ListEntry) -> None:
        services.list_entry_decide(
            actor=second_evaluator, entry=entry, approve=action == "approve", note="退回", now=NOW
        )

    def events(entry: ListEntry) -> int:
        return AuditEvent.objects.filter(
            target_id=str(entry.pk), action__startswith="evaluation.list"
        ).count()

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(LIST_ENTRY, make=make, act=act, events=events, data=data)

    run()


def test_a_refused_review_submission_changes_nothing(staff, make_case, review):
    def make(state: str) -> Review:
        # another case in the same plan, assigned to the same independent reviewer
        fresh = Review.objects.create(
            plan=review.plan,
            case=make_case(handler=staff("street_mediator")),
            reviewer=review.reviewer,
        )
        if state != "pending":
            services.review_submit(
                actor=review.reviewer, review=fresh, checklist={}, grade="good", note="", now=NOW
            )
        fresh.refresh_from_db()
        assert fresh.state == state
        return fresh

    def act(action: str, fresh: Review) -> None:
        # a failing grade, so that a wrongly accepted submission would also list a finding
        services.review_submit(
            actor=review.reviewer,
            review=fresh,
            checklist={},
            grade="fail",
            note="卷宗缺少调解协议",
            now=NOW,
        )

    def events(fresh: Review):
        fresh = Review.objects.get(pk=fresh.pk)
        return (
            AuditEvent.objects.filter(
                target_id=str(fresh.pk), action__startswith="evaluation.review"
            ).count(),
            ListEntry.objects.filter(review=fresh).count(),
            fresh.grade,
            fresh.note,
        )

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(REVIEW, make=make, act=act, events=events, data=data)

    run()
