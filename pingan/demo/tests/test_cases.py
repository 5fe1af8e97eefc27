"""The synthetic year of cases: realistic, consistent with the services, deterministic, fast."""

import io
import queue
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from pingan.cases import rules, services
from pingan.cases.choices import CLOCK_STATES, OPEN_STATES, DayType, EventKind
from pingan.cases.models import (
    Case,
    CaseEvent,
    CaseSequence,
    Category,
    DeadlinePolicy,
    Party,
    RepeatKey,
)
from pingan.cases.repeats import band_keys, comparable, window_start
from pingan.cases.services import PartyInput, unit_for_level
from pingan.core.calendar import add_days
from pingan.core.errors import ApplicationError
from pingan.core.validators import validate_id_number, validate_phone
from pingan.demo import cases as demo_cases
from pingan.demo.cases import DeadlineTable, generate_cases
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Division, Staff

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
END = datetime(2026, 3, 16, 18, 0, tzinfo=SHANGHAI)  # a Monday evening
SEED = 7


@pytest.fixture
def generated() -> int:
    return generate_cases(count=300, seed=SEED, end=END)


def fingerprint() -> list[tuple]:
    return list(
        Case.objects.order_by("number").values_list(
            "number", "category__code", "state", "level", "grid__code"
        )
    )


def everything() -> dict[str, tuple]:
    """Every generated value, by case number, without the row ids (which a second run draws
    afresh) and with personal data as read through the fields (ciphertexts differ by nonce)."""
    cases = {
        row.pop("number"): row
        for row in Case.objects.values(*(f.attname for f in Case._meta.concrete_fields))
    }
    numbers = {row.pop("id"): number for number, row in cases.items()}
    parties, events = defaultdict(list), defaultdict(list)
    for party in Party.objects.order_by("case_id", "role", "name").values():
        del party["id"]
        parties[numbers[party.pop("case_id")]].append(party)
    for event in CaseEvent.objects.order_by("case_id", "created_at").values():
        del event["id"]
        events[numbers[event.pop("case_id")]].append(event)
    return {number: (row, parties[number], events[number]) for number, row in cases.items()}


def timelines() -> dict[int, list[CaseEvent]]:
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("case_id", "created_at", "id"):
        events[event.case_id].append(event)
    return events


def test_the_requested_number_of_cases_is_generated_with_parties(generated):
    # given 300 generated cases
    assert generated == 300
    assert Case.objects.count() == 300
    # then every case has exactly one applicant, and most a respondent
    applicants = Party.objects.filter(role="applicant")
    assert applicants.count() == 300
    assert applicants.values("case").distinct().count() == 300
    with_respondent = Party.objects.filter(role="respondent").values("case").distinct().count()
    assert 0.7 < with_respondent / 300 < 0.98
    # and all of them were registered over the year before the end
    first, last = (
        Case.objects.order_by("registered_at").values_list("registered_at", flat=True)[i]
        for i in (0, 299)
    )
    assert END - timedelta(days=365) <= first < last < END


def test_generated_cases_store_their_words_as_registered_ones_do(generated):
    # the repeat check reads Case.narrative_words; a generated case carries them already
    for narrative, stored in Case.objects.values_list("narrative", "narrative_words"):
        assert stored == comparable(narrative) != ""


def test_the_same_seed_gives_the_same_cases(generated):
    # given the cases of one run
    before = fingerprint()
    # when they are deleted and the generator runs again with the same seed and end
    Case.objects.all().delete()
    assert generate_cases(count=300, seed=SEED, end=END) == 300
    # then it writes exactly the same cases, whatever the batch size
    assert fingerprint() == before
    Case.objects.all().delete()
    generate_cases(count=300, seed=SEED, end=END, batch_size=7)
    assert fingerprint() == before
    # and another seed gives another year
    Case.objects.all().delete()
    generate_cases(count=300, seed=SEED + 1, end=END)
    assert fingerprint() != before


def test_rows_built_in_a_second_process_are_those_of_the_serial_path():
    # given the cases built and written in this process, in small batches
    generate_cases(count=300, seed=SEED, end=END, batch_size=40, parallel=False)
    serial = everything()
    assert len(serial) == 300
    Case.objects.all().delete()
    # when the same cases are built in a forked process while this one writes them
    assert generate_cases(count=300, seed=SEED, end=END, batch_size=40, parallel=True) == 300
    # then every value of every case, party and timeline event is the same
    assert everything() == serial
    assert CaseSequence.objects.get(year=2026).last == max(
        int(number[-6:]) for number in serial if number.startswith("DC2026-")
    )


def test_an_error_in_the_second_process_is_raised_here():
    # given a district where nobody can mediate any more
    for staff in Staff.objects.filter(roles__in=[RoleCode.MEDIATOR, RoleCode.DISPATCHER]):
        staff.is_active = False
        staff.save(update_fields=["is_active"])
    # then the generator reports it, as it does when it builds the cases itself
    for parallel in (False, True):
        with pytest.raises(ApplicationError, match="没有可办理此环节的工作人员"):
            generate_cases(count=300, seed=SEED, end=END, parallel=parallel)


def test_batches_are_built_one_at_a_time():
    # given the batches of a year of 100 000 cases
    factory = demo_cases._CaseFactory(
        rng=demo_cases.random.Random(SEED), end=END, deadlines=DeadlineTable()
    )
    times = demo_cases._registration_times(
        demo_cases.random.Random(SEED), 100_000, factory.start_ts, factory.end_ts
    )
    writers = (
        demo_cases._RowWriter(Case, with_pk=True),
        demo_cases._RowWriter(Party),
        demo_cases._RowWriter(CaseEvent),
        demo_cases._RowWriter(RepeatKey),
    )
    batches = demo_cases._batches(factory, writers, times, 1, 50)
    # when the first batch is taken
    cases, parties, events, keys, marks = next(batches)
    # then only its 50 cases have been built: memory does not grow with the count
    assert len(cases) == 50
    assert sum(factory.sequence.values()) == 50
    assert marks == {2025: 50}
    assert len(parties) >= 50
    # and its events are in time order, each case's steps still in their own order
    times_column = writers[2].names.index("created_at")
    assert [row[times_column] for row in events] == sorted(row[times_column] for row in events)
    # and the repeat check's keys are only those of the cases its window can reach (the first
    # batch is the year's oldest: none)
    assert keys == []


def test_the_generated_cases_of_the_window_have_their_repeat_keys(generated):
    window = Case.objects.filter(registered_at__gte=window_start(END))
    older = Case.objects.filter(registered_at__lt=window_start(END))
    assert window.exists() and older.exists()
    assert not RepeatKey.objects.filter(case__in=older).exists()
    assert set(RepeatKey.objects.values_list("case", flat=True)) == set(
        window.exclude(narrative_words="").values_list("pk", flat=True)
    )
    sample = window.first()
    stored = set(RepeatKey.objects.filter(case=sample).values_list("key", flat=True))
    assert stored == set(band_keys(sample.narrative_words))


def test_case_ids_are_reserved_as_one_block(staff):
    # given a block of 100 case ids reserved for a generator
    first = demo_cases._reserve_case_ids(100)
    # when a clerk registers a matter meanwhile
    case, _code = services.case_register(
        actor=staff("street_clerk"),
        channel="walk_in",
        category=Category.objects.get(code="neighbourhood"),
        complexity="general",
        title="楼道堆物纠纷",
        narrative="邻居在楼道内长期堆放杂物，影响通行，协商未果，请求调解。",
        grid=Division.objects.get(code="110101001001001"),
        parties=[PartyInput("applicant", "王某某", "", "13812345678")],
        now=END,
    )
    # then the case takes an id after the block, and the next block starts after that
    assert case.pk >= first + 100
    assert demo_cases._reserve_case_ids(10) > case.pk


def test_every_timeline_follows_the_state_machine(generated):
    cases = {case.pk: case for case in Case.objects.all()}
    for case_id, events in timelines().items():
        case = cases[case_id]
        register, *steps = events
        # the timeline starts with the registration at the level that took the matter in
        assert (register.kind, register.from_state, register.to_state) == (
            EventKind.REGISTER,
            "",
            "registered",
        )
        state, level = register.to_state, register.to_level
        previous = register.created_at
        for event in steps:
            assert event.created_at > previous, case.number
            previous = event.created_at
            target = rules.CASE.moves[event.kind].target
            assert rules.CASE.allows(event.kind, state), (case.number, event.kind, state)
            if target is not None:
                assert (event.from_state, event.to_state) == (state, target), case.number
                state = target
            if event.kind in (EventKind.ESCALATE, EventKind.ASSIGN_DOWN):
                assert event.from_level == level, case.number
                level = event.to_level
        # and ends where the case stands, one version per step
        assert (state, level) == (case.state, case.level), case.number
        assert case.version == len(events)
    assert len(cases) == 300


def test_escalations_and_rejections_happen_but_stay_a_minority(generated):
    kinds = defaultdict(set)
    for case_id, kind in CaseEvent.objects.values_list("case_id", "kind"):
        kinds[kind].add(case_id)
    assert 0 < len(kinds[EventKind.ESCALATE]) < 75
    assert 0 < len(kinds[EventKind.ASSIGN_DOWN]) < 120
    assert 0 < len(kinds[EventKind.REJECT]) < 30
    escalated = CaseEvent.objects.filter(kind=EventKind.ESCALATE)
    assert all(
        rules.level_above(event.from_level) == event.to_level
        for event in escalated.only("from_level", "to_level")
    )


def test_handling_unit_and_registrar_follow_the_funnel(generated):
    sample = list(Case.objects.select_related("grid", "registered_by").order_by("number")[:50])
    for case in sample:
        assert case.handling_unit_id == unit_for_level(case.grid, case.level).pk, case.number
        assert case.area_path == case.grid.path
        # the registrar works in the unit that took the matter in
        register = CaseEvent.objects.get(case=case, kind=EventKind.REGISTER)
        assert case.registered_by.unit_id == register.unit_id, case.number
        assert register.unit_id == unit_for_level(case.grid, register.to_level).pk


def test_parties_carry_valid_id_numbers_and_phones(generated):
    parties = list(Party.objects.all())
    with_id = [party for party in parties if party.id_number]
    for party in with_id:
        validate_id_number(party.id_number)
        assert party.id_number.startswith("110101")
        assert 1936 <= int(party.id_number[6:10]) <= 2008
    for party in parties:
        if party.phone:
            validate_phone(party.phone)
    applicants = [party for party in parties if party.role == "applicant"]
    share = sum(bool(party.id_number) for party in applicants) / len(applicants)
    assert 0.6 < share < 0.8


def test_concluded_cases_record_their_level_and_most_end_low(generated):
    concluded = Case.objects.exclude(concluded_at=None)
    assert concluded.count() > 250
    assert not concluded.filter(concluded_level="").exists()
    assert not concluded.filter(outcome="").exists()
    assert not concluded.filter(outcome="no_agreement", legal_route="").exists()
    low = concluded.filter(concluded_level__in=["grid", "community"]).count()
    assert 0.5 <= low / concluded.count() <= 0.85
    # and open cases carry no conclusion
    assert not Case.objects.filter(state__in=OPEN_STATES).exclude(concluded_at=None).exists()


def test_deadlines_follow_the_policy_and_some_open_cases_are_overdue():
    # given a larger year, so that there are enough open cases to look at
    generate_cases(count=3000, seed=SEED, end=END)
    running = list(Case.objects.filter(state__in=CLOCK_STATES))
    # then each running case's deadline is the policy's from its last clock start
    policies = {policy.complexity: policy for policy in DeadlinePolicy.objects.all()}
    for case in running:
        start = (
            CaseEvent.objects.filter(case=case, kind__in=[EventKind.ACCEPT, EventKind.REOPEN])
            .latest("created_at")
            .created_at
        )
        policy = policies[case.complexity]
        expected = add_days(
            start=start, days=policy.days, working=policy.day_type == DayType.WORKING
        )
        assert case.due_at == expected.due_at, case.number
        assert start < case.warn_at < case.due_at
    # and a few open cases are overdue at the end of the year, most are not
    overdue = Case.objects.overdue(now=END).count()
    opened = Case.objects.filter(state__in=OPEN_STATES).count()
    assert 0 < overdue < opened * 0.15
    assert Case.objects.running().filter(due_at__gte=END).exists()


def test_generation_is_skipped_when_cases_exist(generated):
    # when the generator runs again on a database that has cases
    created = generate_cases(count=300, seed=SEED + 1, end=END)
    # then it creates nothing
    assert created == 0
    assert Case.objects.count() == 300


def test_queries_per_batch_do_not_grow_with_its_size(django_assert_max_num_queries):
    # given the deadlines of the year already looked up (once per date, not per case)
    deadlines = DeadlineTable()
    generate_cases(count=200, seed=SEED, end=END, deadlines=deadlines)
    Case.objects.all().delete()
    # when 200 cases go in as one batch (one insert statement per table)
    with django_assert_max_num_queries(26) as one_batch:
        generate_cases(count=200, seed=SEED, end=END, batch_size=200, deadlines=deadlines)
    Case.objects.all().delete()
    # and as two
    with django_assert_max_num_queries(37) as two_batches:
        generate_cases(count=200, seed=SEED, end=END, batch_size=100, deadlines=deadlines)
    # then a batch costs a fixed handful of queries, not one per case
    assert len(two_batches) - len(one_batch) <= 10


def test_real_registrations_continue_the_numbering(generated, staff):
    # given the generated numbers of 2026
    last = max(
        int(number[-6:])
        for number in Case.objects.filter(number__startswith="DC2026-").values_list(
            "number", flat=True
        )
    )
    assert CaseSequence.objects.get(year=2026).last == last
    # when a street clerk registers a matter the next morning
    case, _code = services.case_register(
        actor=staff("street_clerk"),
        channel="walk_in",
        category=Category.objects.get(code="neighbourhood"),
        complexity="general",
        title="楼道堆物纠纷",
        narrative="邻居在楼道内长期堆放杂物，影响通行，协商未果，请求调解。",
        grid=Division.objects.get(code="110101001001001"),
        parties=[PartyInput("applicant", "王某某", "", "13812345678")],
        now=END + timedelta(hours=15),
    )
    # then it takes the next number
    assert case.number == f"DC2026-{last + 1:06d}"


def test_the_demo_command_generates_cases_once():
    out = io.StringIO()
    call_command(
        "pingan_demo", cases=40, end=END, app_data="none", stdout=out, stderr=io.StringIO()
    )
    assert "Cases: 40 generated" in out.getvalue()
    assert Case.objects.count() == 40
    # running it again (make demo does, every time) leaves the cases alone
    out = io.StringIO()
    call_command(
        "pingan_demo", cases=40, end=END, app_data="none", stdout=out, stderr=io.StringIO()
    )
    assert "none generated" in out.getvalue()
    assert Case.objects.count() == 40


def test_the_building_process_stops_when_its_parent_is_gone():
    # given a queue with room for one batch, and a parent that is no longer there
    channel = queue.Queue(maxsize=1)
    gone = -1
    # when the child has three batches to send
    demo_cases._produce(iter(["first", "second", "third"]), channel, gone)
    # then it sent the first and returned instead of waiting forever for room for the second
    assert channel.get_nowait() == ("batch", "first")
    assert channel.empty()
