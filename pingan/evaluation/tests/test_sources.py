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
        case=c4, tier=1, due_at=c4.due_at, unit=c4.handling_unit, issued_at=c4.due_at + DAY
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


def test_percentile_is_nearest_rank():
    assert sources.percentile(list(range(1, 11)), 0.9) == 9
    assert sources.percentile(list(range(1, 21)), 0.9) == 18
    assert sources.percentile([7.0], 0.9) == 7.0


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
