"""The register's services: registration, confirmation workflow, reviews, plans, expiry."""

from datetime import date, timedelta

import pytest
from django.db import connection

from pingan.cases.models import Case
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import Notice
from pingan.persons import services
from pingan.persons.history import to_bytes
from pingan.persons.models import KeyPerson, PersonEvent, RatingProposal, Scorecard
from pingan.persons.selectors import high_risk_by_grid, override_stats

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_registering_opens_a_plan_schedules_a_review_and_proposes_a_rating(register_person):
    person = register_person(employment="unemployed", housing="unstable")
    assert person.plan is not None
    assert person.next_review_on == NOW.date() + timedelta(days=30)
    proposal = RatingProposal.objects.get(person=person, state="pending")
    # unemployed +2, no fixed home +2 -> 4 points: medium
    assert (proposal.score, proposal.level, proposal.previous_level) == (4, "medium", "")
    assert person.level == ""  # nothing is decided until a person confirms
    assert PersonEvent.objects.filter(person=person, kind="register").exists()
    # personal data is encrypted at rest and found by its blind index
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM persons_keyperson WHERE id = %s", [person.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert stored_id and person.id_number not in stored_id
    assert stored_phone and "13812345678" not in stored_phone
    index = KeyPerson._meta.get_field("id_number_index").lookup_value(person.id_number)
    assert KeyPerson.objects.get(id_number_index=index) == person


def test_registering_needs_a_legal_basis_and_refuses_duplicates(register_person):
    with pytest.raises(ApplicationError, match="登记依据"):
        register_person(legal_basis="  ")
    person = register_person()
    with pytest.raises(ApplicationError, match="已在册"):
        register_person(id_number=person.id_number)


def test_grid_workers_may_not_register(register_person):
    with pytest.raises(ForbiddenError):
        register_person(actor="grid_worker")


def test_the_responsible_officer_confirms_the_proposed_level(register_person, staff):
    person = register_person(employment="unemployed", housing="unstable")
    proposal = person.proposals.get(state="pending")
    services.rating_confirm(proposal=proposal, actor=staff("officer"), now=NOW)
    person.refresh_from_db()
    assert (person.level, person.score) == ("medium", 4)
    assert person.next_review_on == NOW.date() + timedelta(days=30)  # earlier date kept
    event = person.events.get(kind="confirm")
    assert (event.actor.username, event.to_value) == ("officer", "medium")
    # the same facts propose nothing new
    assert services.rating_refresh(now=NOW).proposed == 0


def test_a_proposal_can_be_decided_only_once(register_person, staff):
    proposal = register_person().proposals.get(state="pending")
    services.rating_confirm(proposal=proposal, actor=staff("officer"), now=NOW)
    with pytest.raises(ApplicationError, match="已处理"):
        services.rating_confirm(proposal=proposal, actor=staff("officer"), now=NOW)


def test_others_in_the_area_may_not_decide_but_the_street_leader_may(register_person, staff):
    proposal = register_person().proposals.get(state="pending")
    with pytest.raises(ForbiddenError, match="责任人"):
        services.rating_confirm(proposal=proposal, actor=staff("street_dispatcher"), now=NOW)
    services.rating_confirm(proposal=proposal, actor=staff("street_leader"), now=NOW)


def test_an_override_needs_a_reason_and_another_level_and_is_counted(register_person, staff):
    person = register_person(employment="unemployed", housing="unstable")
    proposal = person.proposals.get(state="pending")
    officer = staff("officer")
    with pytest.raises(ApplicationError, match="改定理由"):
        services.rating_override(proposal=proposal, actor=officer, level="low", reason="")
    with pytest.raises(ApplicationError, match="直接点击"):
        services.rating_override(proposal=proposal, actor=officer, level="medium", reason="x")
    services.rating_override(
        proposal=proposal,
        actor=officer,
        level="low",
        reason="已在社区超市稳定就业",
        disputed_factors=["employment"],
        now=NOW,
    )
    person.refresh_from_db()
    assert person.level == "low"
    stats = override_stats(proposal.scorecard)
    assert stats["overridden"] == 1
    assert stats["per_officer"][0]["decided_by__username"] == "officer"
    by_factor = {row["key"]: row for row in stats["per_factor"]}
    assert by_factor["employment"]["disputed"] == 1
    assert by_factor["housing"]["contributing"] == 1
    assert by_factor["housing"]["disputed"] == 0


def test_new_facts_lead_to_a_new_proposal_that_supersedes_the_old(register_person, staff):
    person = register_person()
    first = person.proposals.get(state="pending")
    services.person_update(
        person=person,
        actor=staff("officer"),
        version=person.version,
        housing="unstable",
        employment="unemployed",
        violations=2,
    )
    # the update re-rated the person at once; the nightly refresh finds nothing more to do
    assert services.rating_refresh(now=NOW) == services.RefreshResult(0, 0)
    first.refresh_from_db()
    assert first.state == "superseded"
    assert person.proposals.get(state="pending").level == "high"


def test_cases_are_linked_by_id_number_and_counted_as_facts(register_person, staff):
    from pingan.cases.models import Category
    from pingan.cases.services import PartyInput, case_register

    person = register_person()
    for title in ("反映拆迁补偿", "再次反映拆迁补偿", "三次反映拆迁补偿"):
        case_register(
            actor=staff("street_clerk"),
            channel="walk_in",
            category=Category.objects.get(code="neighbourhood"),
            complexity="general",
            title=title,
            narrative="来访反映拆迁补偿款未到位，要求尽快解决，情绪较为激动。",
            grid=person.grid,
            parties=[PartyInput("applicant", person.name, person.id_number, "")],
            now=NOW - timedelta(days=3),
        )
    assert services.link_cases_by_id_number(now=NOW) == 3
    assert services.link_cases_by_id_number(now=NOW) == 0
    services.rating_refresh(now=NOW)
    proposal = person.proposals.get(state="pending")
    line = next(x for x in proposal.breakdown if x["key"] == "petitions_90d")
    assert line["fact_text"] == "近 90 天内信访 3 次" and line["points"] == 2
    assert sorted(line["cases"]) == sorted(Case.objects.values_list("number", flat=True))


def test_a_review_schedules_the_next_by_level(register_person, staff):
    person = register_person()
    services.rating_confirm(
        proposal=person.proposals.get(state="pending"), actor=staff("officer"), now=NOW
    )
    person.refresh_from_db()
    later = NOW + timedelta(days=3)
    services.review_record(
        person=person, actor=staff("grid_worker"), contact="met", note="入户见面", now=later
    )
    person.refresh_from_db()
    assert person.next_review_on == later.date() + timedelta(days=182)  # low: half-yearly
    with pytest.raises(ApplicationError, match="复核情况"):
        services.review_record(person=person, actor=staff("officer"), contact="met", note="")


def test_a_measure_needs_an_owner_and_a_future_due_date(register_person, staff):
    person = register_person()
    fields = {
        "person": person,
        "actor": staff("officer"),
        "kind": "support",
        "category": "jobs",
        "description": "推荐到愿意接收的企业面试",
        "due_on": date(2026, 12, 1),
        "now": NOW,
    }
    with pytest.raises(ApplicationError, match="负责人"):
        services.measure_add(owner=None, **fields)
    with pytest.raises(ApplicationError, match="早于今天"):
        services.measure_add(owner=staff("officer"), **{**fields, "due_on": date(2026, 11, 1)})
    measure = services.measure_add(owner=staff("grid_worker"), **fields)
    services.measure_complete(measure=measure, actor=staff("grid_worker"), result="已入职")
    assert person.events.filter(kind="measure_done").exists()


def test_sweep_expires_entries_notifies_overdue_measures_once_and_erases_after_retention(
    register_person, staff, settings
):
    person = register_person(ends_on=date(2026, 12, 31))
    keep = register_person(ends_on=date(2027, 6, 30))
    services.measure_add(
        person=keep,
        actor=staff("officer"),
        kind="management",
        category="visit",
        description="每月走访",
        owner=staff("grid_worker"),
        due_on=date(2026, 12, 5),
        now=NOW,
    )
    later = NOW.replace(year=2027, month=1, day=5)
    # when the sweep runs after the end date and the measure's due date
    result = services.register_sweep(now=later)
    assert (result.expired, result.measures_notified) == (1, 1)
    person.refresh_from_db()
    assert person.state == "expired" and person.retain_until > later.date()
    assert person.next_review_on == person.retain_until  # the retention review
    assert not person.proposals.filter(state="pending").exists()
    notice = Notice.objects.get(kind="person_measure")
    assert notice.recipient.username == "grid_worker" and f"/persons/{keep.pk}/" in notice.url
    # then running it again changes nothing
    assert services.register_sweep(now=later) == services.SweepResult(0, 0, 0)
    # and after retention the personal data is erased
    settings.PINGAN_PERSON_RETENTION_DAYS = 0
    much_later = later + timedelta(days=2000)
    assert services.register_sweep(now=much_later).purged == 1
    person.refresh_from_db()
    assert (person.state, person.id_number, person.phone, person.id_number_index) == (
        "purged",
        "",
        "",
        "",
    )


def test_the_periodic_task_runs_through_the_real_queue(register_person, monkeypatch):
    import huey.contrib.djhuey as djhuey
    from huey.contrib.djhuey import HUEY as huey

    from pingan.persons.tasks import register_sweep_task

    # given an entry whose end date has passed
    person = register_person(ends_on=date(2026, 11, 24), now=NOW)
    huey.flush()
    monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
    # when the scheduler enqueues the periodic task and a worker takes it from the queue
    register_sweep_task()
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    # then the entry has left the register
    person.refresh_from_db()
    assert person.state == "expired"
    assert huey.pending_count() == 0


def test_the_command_runs_the_sweep_and_a_second_run_changes_nothing(register_person):
    from io import StringIO

    from django.core.management import call_command

    register_person(ends_on=date(2026, 11, 24), now=NOW)
    out = StringIO()
    call_command("persons_sweep", at="2026-12-01T09:00:00+08:00", stdout=out)
    assert "1 expired" in out.getvalue()
    out = StringIO()
    call_command("persons_sweep", at="2026-12-01T09:00:00+08:00", stdout=out)
    assert "0 expired" in out.getvalue() and "0 rating proposals" in out.getvalue()


def test_high_risk_by_grid_now_and_at_a_past_moment(register_person, staff, grid):
    person = register_person(employment="unemployed", housing="unstable", violations=2)
    proposal = person.proposals.get(state="pending")
    assert proposal.level == "high"
    before = NOW - timedelta(hours=1)
    services.rating_confirm(proposal=proposal, actor=staff("officer"), now=NOW)
    assert high_risk_by_grid() == {grid.pk: 1}
    assert high_risk_by_grid(at=NOW + timedelta(minutes=1)) == {grid.pk: 1}
    assert high_risk_by_grid(at=before) == {}


def test_a_reviewer_may_not_approve_their_own_fit(staff):
    admin = staff("admin")
    scorecard = services.scorecard_fit(
        actor=admin,
        data=to_bytes(1500, seed=2),
        filename="h.csv",
        outcome="escalated_12m",
        group="性别",
        exclude=("民族",),
    )
    with pytest.raises(ForbiddenError, match="自己制作"):
        services.scorecard_review(scorecard=scorecard, actor=admin, approve=True)
    with pytest.raises(ForbiddenError):
        services.scorecard_review(scorecard=scorecard, actor=staff("street_leader"), approve=True)
    old = Scorecard.objects.get(state="active")
    services.scorecard_review(scorecard=scorecard, actor=staff("district_leader"), approve=True)
    old.refresh_from_db()
    assert (scorecard.state, old.state) == ("active", "retired")


def test_only_administrators_fit(staff):
    with pytest.raises(ForbiddenError):
        services.scorecard_fit(
            actor=staff("district_leader"),
            data=to_bytes(300, seed=2),
            filename="h.csv",
            outcome="escalated_12m",
        )


def test_a_fit_on_foreign_columns_is_approved_as_a_report_only(staff):
    rows = ["y,score,kind"] + [f"{i % 2},{(i % 2) * 3 + i % 4},{'ab'[i % 2]}" for i in range(400)]
    scorecard = services.scorecard_fit(
        actor=staff("admin"), data="\n".join(rows).encode(), filename="f.csv", outcome="y"
    )
    services.scorecard_review(scorecard=scorecard, actor=staff("district_leader"), approve=True)
    assert scorecard.state == "approved"
    assert Scorecard.objects.get(state="active").source == "configured"


def test_a_measure_owner_from_another_area_is_refused(register_person, staff):
    person = register_person()
    with pytest.raises(ApplicationError, match="所在区域"):
        services.measure_add(
            person=person,
            actor=staff("officer"),
            kind="management",
            category="visit",
            description="走访",
            owner=staff("officer@110101002"),
            due_on=date(2026, 12, 1),
            now=NOW,
        )


def test_high_risk_persons_are_a_component_of_the_safety_index(register_person, staff, grid):
    from pingan.risk.components import REGISTRY

    person = register_person(employment="unemployed", housing="unstable", violations=2)
    services.rating_confirm(
        proposal=person.proposals.get(state="pending"), actor=staff("officer"), now=NOW
    )
    compute = REGISTRY["high_risk_persons"].compute
    assert compute(NOW - timedelta(days=30), NOW + timedelta(minutes=1)) == {grid.pk: 1.0}
    # a stock: as the register stood at the window's end
    assert compute(NOW - timedelta(days=30), NOW - timedelta(hours=1)) == {}


def test_a_refused_measure_move_changes_nothing(register_person, staff):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.testing import check_refusals_change_nothing
    from pingan.persons.models import Measure
    from pingan.persons.rules import MEASURE

    officer = staff("officer")
    person = register_person()

    def make(state: str) -> Measure:
        measure = services.measure_add(
            person=person,
            actor=officer,
            kind="support",
            category="jobs",
            description="推荐到愿意接收的企业面试",
            owner=officer,
            due_on=date(2026, 12, 1),
            now=NOW,
        )
        done = {"result": "已办", "done_at": NOW} if state != "open" else {}
        Measure.objects.filter(pk=measure.pk).update(state=state, **done)
        measure.refresh_from_db()
        return measure

    def act(action: str, measure: Measure) -> None:
        if action == "complete":
            services.measure_complete(measure=measure, actor=officer, result="已面试", now=NOW)
        else:
            services.measure_cancel(measure=measure, actor=officer, reason="本人拒绝", now=NOW)

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(
            MEASURE, make=make, act=act, events=lambda m: person.events.count(), data=data
        )

    run()


def test_a_refused_rating_decision_changes_nothing(register_person, staff):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.actions import perform
    from pingan.core.testing import check_refusals_change_nothing
    from pingan.persons import actions
    from pingan.persons.rules import PROPOSAL

    officer = staff("officer")

    def make(state: str) -> RatingProposal:
        """A proposal brought to ``state`` the way the register does it."""
        person = register_person(employment="unemployed", housing="unstable")
        proposal = person.proposals.get(state="pending")
        if state == "confirmed":
            services.rating_confirm(proposal=proposal, actor=officer, now=NOW)
        elif state == "overridden":
            services.rating_override(proposal=proposal, actor=officer, level="low", reason="已就业")
        elif state == "superseded":  # new facts propose another level
            services.person_update(
                person=person, actor=officer, version=person.version, violations=2
            )
        proposal.refresh_from_db()
        assert proposal.state == state
        return proposal

    def act(action: str, proposal: RatingProposal) -> None:
        if action == "confirm":
            perform(actions.CONFIRM, proposal, officer, {})
        else:
            level = "high" if proposal.level != "high" else "low"
            perform(actions.OVERRIDE, proposal, officer, {"level": level, "reason": "情况已变化"})

    def events(proposal: RatingProposal) -> tuple:
        """The person's timeline, and the level the decision would have written."""
        person = KeyPerson.objects.get(pk=proposal.person_id)
        notices = Notice.objects.filter(url=services.person_url(person.pk)).count()
        return person.events.count(), person.version, person.level, person.score, notices

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        # superseding is the rating refresh's, never a person's move
        check_refusals_change_nothing(
            PROPOSAL, make=make, act=act, events=events, data=data, only=["confirm", "override"]
        )

    run()


def test_a_refused_scorecard_review_changes_nothing(staff):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.actions import perform
    from pingan.core.models import AuditEvent
    from pingan.core.testing import check_refusals_change_nothing
    from pingan.persons import actions
    from pingan.persons.rules import SCORECARD

    admin, leader = staff("admin"), staff("district_leader")

    def make(state: str) -> Scorecard:
        """A version the administrator wrote, reviewed into ``state`` by the district leader."""
        active = Scorecard.objects.get(state="active")
        copy = services.scorecard_copy(scorecard=active, actor=admin)
        if state in ("active", "retired", "rejected"):
            approve = state != "rejected"
            services.scorecard_review(
                scorecard=copy, actor=leader, approve=approve, note="因子口径不清", now=NOW
            )
        elif state == "approved":  # a report only: one factor the register does not hold
            copy.factors.filter(pk=copy.factors.first().pk).update(key="foreign_column")
            services.scorecard_review(scorecard=copy, actor=leader, approve=True, now=NOW)
        scorecard = active if state == "retired" else copy
        scorecard.refresh_from_db()
        assert scorecard.state == state
        return scorecard

    def act(action: str, scorecard: Scorecard) -> None:
        # the review form's one decision: approve (activates or approves a report) or reject
        data = {"approve": action != "reject", "note": "" if action != "reject" else "口径不清"}
        perform(actions.SCORECARD_REVIEW, scorecard, leader, data)

    def events(scorecard: Scorecard) -> tuple:
        """Its audit rows, and which version is in use (an activation retires the other)."""
        audit = AuditEvent.objects.filter(target_type="persons.scorecard", target_id=scorecard.pk)
        states = tuple(Scorecard.objects.order_by("pk").values_list("state", flat=True))
        return audit.count(), states, Notice.objects.filter(recipient=admin).count()

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        # retiring is what another version's activation does, never a reviewer's move
        check_refusals_change_nothing(
            SCORECARD,
            make=make,
            act=act,
            events=events,
            data=data,
            only=["activate", "approve_report", "reject"],
        )

    run()
