"""Each data source against a small hand-built data set (counted by hand in the comments)."""

from datetime import timedelta

import pytest

from pingan.cases.models import CaseEvent, Supervision
from pingan.evaluation import sources
from pingan.evaluation.models import CorrectionItem, period_bounds
from pingan.orgs.models import Division

from .conftest import NOW, Q3_START

DAY = timedelta(days=1)


@pytest.fixture
def data(make_case, staff):
    """东华门: c1 on time (street, 5★), c2 late (community, 2★, reopened), c3 on time (grid,
    no follow-up, has a data error), c4 open and overdue (supervised), c5 concluded in Q2 (not
    counted), c6 open, repeats c1. 景山: j1 on time (district, 4★). The street mediator
    handled c1 and c2."""
    mediator = staff("street_mediator")
    c1 = make_case(handler=mediator)
    c2 = make_case(
        handler=mediator,
        concluded_at=Q3_START + 12 * DAY,
        concluded_level="community",
        satisfaction=2,
    )
    c3 = make_case(concluded_level="grid", satisfaction=None)
    c4 = make_case(
        state="mediating",
        concluded_at=None,
        concluded_level="",
        outcome="",
        satisfaction=None,
        due_at=Q3_START + 20 * DAY,
    )
    c5 = make_case(
        registered_at=Q3_START - 30 * DAY,
        accepted_at=Q3_START - 30 * DAY,
        due_at=Q3_START - 20 * DAY,
        concluded_at=Q3_START - 25 * DAY,
    )
    c6 = make_case(
        state="accepted",
        concluded_at=None,
        concluded_level="",
        outcome="",
        satisfaction=None,
        due_at=Q3_START + 200 * DAY,
        repeat_of=c1,
    )
    j1 = make_case("jingshan", concluded_level="district", satisfaction=4)
    CaseEvent.objects.create(case=c2, kind="reopen", created_at=Q3_START + 11 * DAY)
    Supervision.objects.create(
        case=c4,
        tier=1,
        due_at=c4.due_at,
        unit=c4.handling_unit,
        supervised_unit=c4.handling_unit,
        issued_at=c4.due_at + DAY,
    )
    CorrectionItem.objects.create(
        case=c3, rule="follow_up_without_satisfaction", unit=c3.handling_unit,
        area_path=c3.area_path, opened_at=Q3_START + 9 * DAY,
    )  # fmt: skip
    return {
        "c": [c1, c2, c3, c4, c5, c6],
        "j1": j1,
        "mediator": mediator,
        "donghuamen": Division.objects.get(code="110101001"),
        "jingshan": Division.objects.get(code="110101002"),
    }


def window():
    start, end = period_bounds(2026, 3)
    return sources.Window(start=start, end=end, now=NOW)


def street_values(code, data):
    measures = sources.SOURCES[code].build(window()).measures("street")
    return measures.get(data["donghuamen"].pk), measures.get(data["jingshan"].pk)


HANDLING = (4 * 24 + 23) / 24  # accepted day 3 01:00, concluded day 8 00:00 → 4.958 days
LATE = (8 * 24 + 23) / 24  # concluded day 12 → 8.958 days


@pytest.mark.parametrize(
    ("code", "donghuamen", "jingshan"),
    [
        ("cases_handled", (3, 3, None), (1, 1, None)),
        ("on_time_rate", (2 / 3, 2, 3), (1.0, 1, 1)),
        ("community_share", (2 / 3, 2, 3), (0.0, 0, 1)),
        ("street_share", (1.0, 3, 3), (0.0, 0, 1)),
        ("avg_handling_days", ((2 * HANDLING + LATE) / 3, None, 3), (HANDLING, None, 1)),
        ("p90_handling_days", (LATE, None, 3), (HANDLING, None, 1)),
        ("satisfaction_rate", (0.5, 1, 2), (1.0, 1, 1)),
        ("reopen_rate", (1 / 3, 1, 3), (0.0, 0, 1)),
        ("repeat_rate", (1 / 5, 1, 5), (0.0, 0, 1)),
        ("overdue_count", (2, 2, None), None),
        ("supervision_count", (1, 1, None), None),
        ("data_error_rate", (1 / 5, 1, 5), (0.0, 0, 1)),
    ],
)
def test_source_per_street(data, code, donghuamen, jingshan):
    got_d, got_j = street_values(code, data)
    assert (got_d.value, got_d.numerator, got_d.denominator) == pytest.approx(donghuamen)
    if jingshan is None:
        assert got_j is None
    else:
        assert (got_j.value, got_j.numerator, got_j.denominator) == pytest.approx(jingshan)


def test_sources_per_person(data):
    spec = sources.SOURCES["on_time_rate"].build(window())
    measure = spec.measures("person")[data["mediator"].pk]
    assert (measure.value, measure.numerator, measure.denominator) == (0.5, 1, 2)
    handled = sources.SOURCES["cases_handled"].build(window()).measures("person")
    assert handled[data["mediator"].pk].value == 2


def test_records_behind_a_value_are_the_cases_counted(data):
    c1, c2, c3, c4, _c5, _c6 = data["c"]
    street = data["donghuamen"].pk
    on_time = sources.SOURCES["on_time_rate"].build(window())
    assert set(on_time.cases_of("street", street)) == {c1, c2, c3}
    assert set(on_time.cases_of("street", street, "hit")) == {c1, c3}
    assert list(on_time.cases_of("street", street, "miss")) == [c2]
    overdue = sources.SOURCES["overdue_count"].build(window())
    assert set(overdue.cases_of("street", street)) == {c2, c4}
    supervised = sources.SOURCES["supervision_count"].build(window())
    assert list(supervised.cases_of("street", street)) == [c4]


def test_area_figures_add_up_the_streets(data):
    on_time = sources.SOURCES["on_time_rate"].build(window()).overall("/110101/")
    assert (on_time.numerator, on_time.denominator) == (3, 4)
    p90 = sources.SOURCES["p90_handling_days"].build(window()).overall("/110101/")
    assert p90.value == pytest.approx(LATE)


def test_percentile_is_nearest_rank(make_case, staff):
    # given: handled in 1..10 days in 东华门 and 1..20 in 景山 (registered longest first), and
    # one case of 7 days handled by the mediator
    mediator = staff("street_mediator")
    accepted = Q3_START + timedelta(hours=1)
    for street, longest in (("donghuamen", 10), ("jingshan", 20)):
        for days in range(longest, 0, -1):
            make_case(street, accepted_at=accepted, concluded_at=accepted + days * DAY)
    make_case("jingshan", handler=mediator, accepted_at=accepted, concluded_at=accepted + 7 * DAY)
    spec = sources.SOURCES["p90_handling_days"].build(window())

    # when
    streets = spec.measures("street")
    people = spec.measures("person")
    area = spec.overall("/110101/")

    # then: the smallest value with at least 90% at or below it
    assert streets[Division.objects.get(code="110101001").pk] == sources.Measure(9.0, None, 10.0)
    assert streets[Division.objects.get(code="110101002").pk] == sources.Measure(18.0, None, 21.0)
    assert people == {mediator.pk: sources.Measure(7.0, None, 1.0)}
    # of the 31 values 1,1,2,2,…,7,7,7,…,10,10,11…20, the 28th
    assert area == sources.Measure(17.0, None, 31.0)


def test_handling_days_are_exact_to_the_microsecond(make_case):
    # given: moments with and without fractions of a second, one borrowing a second
    moments = [
        (Q3_START + timedelta(hours=1, microseconds=250_001), 2 * DAY + timedelta(seconds=7)),
        (Q3_START + timedelta(hours=2), 4 * DAY + timedelta(microseconds=1)),
        (Q3_START + timedelta(hours=3, microseconds=999_999), DAY + timedelta(microseconds=2)),
    ]
    for accepted, took in moments:
        make_case(accepted_at=accepted, concluded_at=accepted + took)
    days = [took.total_seconds() / 86400 for _accepted, took in moments]
    street = Division.objects.get(code="110101001").pk

    # when
    mean = sources.SOURCES["avg_handling_days"].build(window()).measures("street")[street]
    p90 = sources.SOURCES["p90_handling_days"].build(window()).measures("street")[street]

    # then: a microsecond is 1.2e-11 days
    assert mean.value == pytest.approx(sum(days) / 3, rel=1e-14)
    assert p90.value == max(days)


CONCLUDED = [
    "cases_handled",
    "on_time_rate",
    "community_share",
    "street_share",
    "satisfaction_rate",
    "avg_handling_days",
    "reopen_rate",
]


@pytest.mark.parametrize("kind", ["street", "unit", "person"])
def test_sources_over_the_same_records_are_measured_in_one_query(
    data, kind, django_assert_num_queries
):
    # given: the sources over the cases concluded in the period
    specs = [sources.SOURCES[code].build(window()) for code in CONCLUDED]
    alone = [spec.measures(kind) for spec in specs]

    # when / then: one grouped query gives each source what it gives alone
    with django_assert_num_queries(1):
        together = sources.measure_together(specs, kind)
    assert together == alone
    with django_assert_num_queries(1):
        area = sources.overall_together(specs, "/110101/")
    assert area == [spec.overall("/110101/") for spec in specs]


def test_a_source_is_registered_once():
    with pytest.raises(ValueError):
        sources.source("on_time_rate", "x")(lambda window: None)


def test_a_source_may_name_its_subject_its_own_way(data):
    # the supervised unit's street instead of the case's: the same single supervision
    spec = sources.CountOf(
        Supervision.objects.all(),
        via="case__",
        keys={"street": "unit__division_id", "person": "case__handler_id"},
        area_field="unit__division__path",
    )
    assert spec.measures("street") == {data["donghuamen"].pk: sources.Measure(1.0, 1.0)}
    assert spec.overall("/110101/110101001/").value == 1
    assert list(spec.cases_of("street", data["donghuamen"].pk)) == [data["c"][3]]


# --- collaboration sources ----------------------------------------------------------------------


@pytest.fixture
def whistles(data, staff):
    """Two whistles blown by 东华门 in Q3 on c1: w1 summons the police station (acknowledged in
    time by the officer) and the justice office (late); w2 summons the police station (never
    acknowledged) and is closed with a result. Four-list tasks of a 东华门 talk: t1 done on time,
    t2 done late, t3 open; t4 is due in Q4 (not counted)."""
    from pingan.collaboration.models import Problem, SafetyTalk, Task, WhistleCall, WhistleSummons
    from pingan.orgs.models import Unit

    street, dispatcher, officer = data["donghuamen"], staff("street_dispatcher"), staff("officer")
    police = Unit.objects.get(division=street, agency_type="police_station")
    justice = Unit.objects.get(division=street, agency_type="justice_office")
    blown = Q3_START + 5 * DAY

    def call(**fields):
        return WhistleCall.objects.create(
            case=data["c"][0], street=street, area_path=street.path, blown_by=dispatcher,
            blown_at=blown, report_by=blown + DAY, reason="需要派出所和司法所到场", **fields,
        )  # fmt: skip

    w1, w2 = call(), call(result="已现场化解", closed_at=blown + 3 * DAY)
    WhistleSummons.objects.create(
        call=w1, unit=police, acknowledged_at=blown + DAY / 2, acknowledged_by=officer
    )
    WhistleSummons.objects.create(
        call=w1, unit=justice, acknowledged_at=blown + 2 * DAY, acknowledged_by=dispatcher
    )
    WhistleSummons.objects.create(call=w2, unit=police)
    talk = SafetyTalk.objects.create(
        mode="collective", held_on=(Q3_START + 2 * DAY).date(), place="社区会议室",
        street=street, area_path=street.path, topic="停车难", recorded_by=dispatcher,
    )  # fmt: skip
    problem = Problem.objects.create(talk=talk, description="夜间乱停车", recorded_by=dispatcher)

    def task(due_days, done_days=None):
        return Task.objects.create(
            problem=problem, description="施划车位", owner=police, created_by=dispatcher,
            deadline=(Q3_START + due_days * DAY).date(),
            done_at=Q3_START + done_days * DAY if done_days is not None else None,
        )  # fmt: skip

    task(10, 9), task(10, 15), task(20), task(120, 100)
    return {"street": street.pk, "dispatcher": dispatcher.pk, "officer": officer.pk}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("whistle_on_time_rate", (1 / 3, 1, 3)),  # only w1's police summons in time
        ("whistle_late_count", (2, 2, None)),  # w1's justice office, w2's police station
        ("whistle_closed_rate", (0.5, 1, 2)),  # w2 closed with a result
        ("four_list_on_time_rate", (1 / 3, 1, 3)),  # t1 of t1–t3
    ],
)
def test_collaboration_sources_per_street(whistles, code, expected):
    measure = sources.SOURCES[code].build(window()).measures("street")[whistles["street"]]
    assert (measure.value, measure.numerator, measure.denominator) == pytest.approx(expected)


def test_collaboration_sources_per_person(whistles):
    on_time = sources.SOURCES["whistle_on_time_rate"].build(window()).measures("person")
    assert on_time[whistles["officer"]].value == 1.0  # the officer acknowledged in time
    assert on_time[whistles["dispatcher"]].value == 0.0  # acknowledged the late one
    closed = sources.SOURCES["whistle_closed_rate"].build(window()).measures("person")
    assert closed[whistles["dispatcher"]].value == 0.5


def test_patrol_count_per_street_and_person(data, staff):
    from pingan.patrol.models import Patrol

    worker, grid = staff("grid_worker"), staff("grid_worker").grids.order_by("code").first()
    # two patrols in Q3, one in Q2 (not counted)
    for days in (4, 30, -3):
        start = Q3_START + days * DAY
        Patrol.objects.create(
            grid=grid, staff=worker, day=start.date(), started_at=start, ended_at=start + DAY / 8
        )
    spec = sources.SOURCES["patrol_count"].build(window())
    assert spec.measures("street")[data["donghuamen"].pk].value == 2
    assert spec.measures("person")[worker.pk].value == 2
