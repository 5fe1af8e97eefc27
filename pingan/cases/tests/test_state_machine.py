"""A stateful property test: random action sequences keep the case's invariants (M2.2)."""

from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from pingan.cases import rules, services
from pingan.cases.choices import State
from pingan.cases.models import Case
from pingan.core.errors import ApplicationError

from .conftest import MONDAY_MORNING

ACTORS = [
    "street_dispatcher",
    "street_mediator",
    "street_clerk",
    "street_leader",
    "district_dispatcher",
]
ACTIONS = {
    "accept": lambda case, actor, now: services.case_accept(case=case, actor=actor, now=now),
    "reject": lambda case, actor, now: services.case_reject(
        case=case, actor=actor, reason="不属受理范围", now=now
    ),
    "assign": lambda case, actor, now: services.case_assign(case=case, actor=actor, now=now),
    "start_mediation": lambda case, actor, now: services.case_start_mediation(
        case=case, actor=actor, now=now
    ),
    "conclude": lambda case, actor, now: services.case_conclude(
        case=case, actor=actor, outcome="agreement", summary="达成协议", now=now
    ),
    "follow_up_happy": lambda case, actor, now: services.case_follow_up(
        case=case, actor=actor, satisfaction=4, now=now
    ),
    "follow_up_unhappy": lambda case, actor, now: services.case_follow_up(
        case=case, actor=actor, satisfaction=1, note="不满意", now=now
    ),
    "archive": lambda case, actor, now: services.case_archive(case=case, actor=actor, now=now),
    "escalate": lambda case, actor, now: services.case_escalate(
        case=case, actor=actor, reason="需上级协调", now=now
    ),
    "assign_down": lambda case, actor, now: services.case_assign_down(
        case=case, actor=actor, level="community", reason="就地化解", now=now
    ),
}


@pytest.mark.django_db
def test_random_action_sequences_keep_invariants(register, staff):
    actors = {name: staff(name) for name in ACTORS}

    class CaseMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.case, _ = register()  # a fresh case for every example
            self.clock = MONDAY_MORNING

        @rule(action=st.sampled_from(sorted(ACTIONS)), actor=st.sampled_from(ACTORS))
        def act(self, action, actor):
            self.clock += timedelta(minutes=7)
            before = Case.objects.get(pk=self.case.pk)
            events_before = before.events.count()
            try:
                ACTIONS[action](self.case, actors[actor], self.clock)
            except ApplicationError:
                # a refused action changes nothing at all
                after = Case.objects.get(pk=self.case.pk)
                assert (after.state, after.level, after.version) == (
                    before.state,
                    before.level,
                    before.version,
                )
                assert after.events.count() == events_before
                self.case = after
            else:
                after = Case.objects.get(pk=self.case.pk)
                assert after.version == before.version + 1
                assert after.events.count() == events_before + 1
                self.case = after

        @invariant()
        def state_is_known_and_timeline_is_complete(self):
            fresh = Case.objects.get(pk=self.case.pk)
            assert fresh.state in State.values
            events = list(fresh.events.order_by("created_at", "id"))
            # the timeline starts with registration and is ordered in time
            assert events[0].kind == "register"
            assert [e.created_at for e in events] == sorted(e.created_at for e in events)
            # every state change on the timeline chains from the previous one to the current
            changes = [e for e in events if e.to_state]
            for earlier, later in pairwise(changes):
                assert later.from_state == earlier.to_state
                assert later.to_state in {
                    rules.CASE.moves[action].target
                    for action in rules.CASE.actions_from(earlier.to_state)
                    if rules.CASE.moves[action].target
                }
            assert changes[-1].to_state == fresh.state
            # level and unit agree: the handling unit is the center of the case's level
            assert fresh.handling_unit_id == services.unit_for_level(fresh.grid, fresh.level).pk
            # a concluded case records where it was resolved
            if fresh.state in (State.CONCLUDED, State.FOLLOWED_UP):
                assert fresh.concluded_level and fresh.concluded_at

    # Example counts come from the profile (derandomized in the suite, many more in make fuzz).
    CaseMachine.TestCase.settings = settings(
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    CaseMachine.TestCase().runTest()
