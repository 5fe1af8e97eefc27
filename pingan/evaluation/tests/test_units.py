"""Units (部门单位) as subjects: their data, scores, traces, report section and who sees them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.testing import PermissionMatrix
from pingan.evaluation import report, selectors, services, sources
from pingan.evaluation.choices import Rule, SubjectKind
from pingan.evaluation.models import period_bounds
from pingan.orgs.choices import AgencyType, RoleCode, UnitKind
from pingan.orgs.models import Division, Role, Staff, Unit

from .conftest import NOW, Q3_START, indicator

DAY = timedelta(days=1)


@pytest.fixture
def units(db):
    street = Division.objects.get(code="110101001")
    return {
        "health": Unit.objects.get(agency_type=AgencyType.HEALTH),
        "police": Unit.objects.get(division=street, agency_type=AgencyType.POLICE_STATION),
        "center": Unit.objects.get(division=street, kind=UnitKind.STREET_CENTER),
    }


@pytest.fixture
def unit_cases(make_case, units):
    """区卫健委: h1 on time, h2 concluded late (day 12, due day 10), h3 open and overdue (due
    day 20). 东华门派出所: p1 on time. The street center: s1 on time (not a unit subject)."""
    health, police = units["health"], units["police"]
    h1 = make_case(unit=health)
    h2 = make_case(unit=health, concluded_at=Q3_START + 12 * DAY)
    h3 = make_case(
        unit=health,
        state="mediating",
        concluded_at=None,
        concluded_level="",
        outcome="",
        satisfaction=None,
        due_at=Q3_START + 20 * DAY,
    )
    p1 = make_case("jingshan", unit=police)
    s1 = make_case()
    return {"h": [h1, h2, h3], "p1": p1, "s1": s1}


def window():
    start, end = period_bounds(2026, 3)
    return sources.Window(start=start, end=end, now=NOW)


@pytest.mark.parametrize(
    ("code", "health", "police"),
    [
        ("cases_handled", (2, 2, None), (1, 1, None)),
        ("on_time_rate", (0.5, 1, 2), (1.0, 1, 1)),
        ("overdue_count", (2, 2, None), None),  # h2 concluded late, h3 still open
        ("satisfaction_rate", (1.0, 2, 2), (1.0, 1, 1)),
    ],
)
def test_case_sources_per_unit(unit_cases, units, code, health, police):
    measures = sources.SOURCES[code].build(window()).measures(SubjectKind.UNIT)
    got = measures[units["health"].pk]
    assert (got.value, got.numerator, got.denominator) == pytest.approx(health)
    if police is None:
        assert units["police"].pk not in measures
    else:
        got = measures[units["police"].pk]
        assert (got.value, got.numerator, got.denominator) == pytest.approx(police)


def test_a_unit_answers_for_its_own_whistle_summonses(units, make_case, staff):
    from pingan.collaboration.models import WhistleCall, WhistleSummons

    # given a whistle of 东华门 summoning the police station twice (once in time, once never)
    # and the justice office (late)
    street, dispatcher = units["police"].division, staff("street_dispatcher")
    justice = Unit.objects.get(division=street, agency_type=AgencyType.JUSTICE_OFFICE)
    blown = Q3_START + 5 * DAY
    fields = {"street": street, "area_path": street.path, "blown_by": dispatcher}
    calls = [
        WhistleCall.objects.create(
            case=make_case(), blown_at=blown, report_by=blown + DAY, reason="到场", **fields
        )
        for _ in range(2)
    ]
    WhistleSummons.objects.create(call=calls[0], unit=units["police"], acknowledged_at=blown)
    WhistleSummons.objects.create(call=calls[0], unit=justice, acknowledged_at=blown + 2 * DAY)
    WhistleSummons.objects.create(call=calls[1], unit=units["police"])
    # then
    rate = sources.SOURCES["whistle_on_time_rate"].build(window()).measures(SubjectKind.UNIT)
    assert (rate[units["police"].pk].numerator, rate[units["police"].pk].denominator) == (1, 2)
    assert rate[justice.pk].value == 0.0
    late = sources.SOURCES["whistle_late_count"].build(window()).measures(SubjectKind.UNIT)
    assert late[units["police"].pk].value == 1 and late[justice.pk].value == 1


def test_unit_subjects_are_the_active_agencies(staff, units):
    scheme = services.scheme_create(
        actor=staff("evaluator"),
        name="部门方案",
        year=2026,
        quarter=3,
        subject_kind=SubjectKind.UNIT,
        role=RoleCode.MEDIATOR,  # ignored: only person schemes have a role
    )
    assert scheme.role == ""
    subjects = {s.pk: s for s in services.scheme_subjects(scheme)}
    assert set(subjects) == set(
        Unit.objects.filter(kind=UnitKind.AGENCY, is_active=True).values_list("pk", flat=True)
    )
    assert units["center"].pk not in subjects
    assert subjects[units["police"].pk].path == units["police"].division.path


@pytest.fixture
def unit_scheme(staff):
    """Q3 units: on-time rate 60 (linear to 1), cases handled 40 (linear to 2)."""
    actor = staff("evaluator")
    scheme = services.scheme_create(
        actor=actor,
        name="部门单位考评",
        year=2026,
        quarter=3,
        subject_kind=SubjectKind.UNIT,
        dimension_weights={"function": 40, "efficacy": 60, "building": 0, "overall": 0},
    )
    for data in [
        indicator("efficacy", "on_time", 60, Rule.LINEAR, "on_time_rate", target=Decimal(1)),
        indicator("function", "handled", 40, Rule.LINEAR, "cases_handled", target=Decimal(2)),
    ]:
        services.indicator_save(actor=actor, scheme=scheme, data=data)
    return services.scheme_publish(actor=actor, scheme=scheme, now=Q3_START)


@pytest.fixture
def unit_run(unit_cases, unit_scheme):
    return services.scores_compute(scheme=unit_scheme, actor=None, now=NOW)


def test_unit_scores_and_ranks(unit_run, units):
    # 东华门派出所: on time 1/1 → 60, handled 1 of 2 → 20: 80. 区卫健委: 1/2 → 30, 2 → 40: 70.
    police = unit_run.subjects.get(unit=units["police"])
    health = unit_run.subjects.get(unit=units["health"])
    assert (police.total, police.rank) == (Decimal("80.00"), 1)
    assert (health.total, health.rank) == (Decimal("70.00"), 2)
    assert health.subject_path == "/110101/" and health.subject_name == units["health"].name
    others = unit_run.subjects.exclude(unit__in=[units["police"], units["health"]])
    assert set(others.values_list("total", "rank")) == {(Decimal("0.00"), 3)}
    assert not unit_run.subjects.filter(unit=units["center"]).exists()


def test_a_unit_figure_traces_to_its_cases(unit_run, unit_cases, units, staff):
    health = unit_run.subjects.get(unit=units["health"])
    item = health.items.get(indicator__code="on_time")
    h1, h2, _h3 = unit_cases["h"]
    cases, entries = selectors.trace(item, user=staff("evaluator"))
    assert entries is None and set(cases) == {h1, h2}
    missed, _ = selectors.trace(item, part="miss", user=staff("evaluator"))
    assert list(missed) == [h2]


def test_a_source_that_says_nothing_about_units_is_refused(staff, unit_scheme):
    draft = services.scheme_revise(
        actor=staff("evaluator"), scheme=unit_scheme, reason="加巡查", now=NOW
    )
    for code in ("patrol_count", "whistle_closed_rate"):
        with pytest.raises(ApplicationError, match="不适用于按“部门单位”考评"):
            services.indicator_save(
                actor=staff("evaluator"),
                scheme=draft,
                data=indicator("function", code, 5, Rule.LINEAR, code, target=Decimal(1)),
            )
    assert draft.indicators.count() == 2


def test_the_unit_section_of_the_quarterly_report(unit_run, units, staff):
    district = Division.objects.get(parent__isnull=True)
    data = report.report_data(year=2026, quarter=3, division=district, now=NOW)
    assert data["units"]["count"] == unit_run.subject_count
    assert data["units"]["ranking"][0]["name"] == units["police"].name
    street = report.report_data(year=2026, quarter=3, division=units["police"].division, now=NOW)
    # only the units sitting in 东华门: its police station and justice office
    assert street["units"]["count"] == 2


# --- who sees unit scores ---------------------------------------------------------------------


@pytest.fixture
def head(units):
    """The head (a leader) of 区卫健委."""
    person = Staff.objects.filter(unit=units["health"]).order_by("username").first()
    person.roles.add(Role.objects.get(code=RoleCode.LEADER))
    return person


@pytest.fixture
def unit_scores(unit_run, units, head):
    health = unit_run.subjects.get(unit=units["health"])
    return {
        "scheme": unit_run.scheme,
        "health": health,
        "police": unit_run.subjects.get(unit=units["police"]),
        "health_item": health.items.get(indicator__code="on_time"),
    }


class UnitMatrix(PermissionMatrix):
    target = ""
    item = ""

    @pytest.fixture(autouse=True)
    def _scored(self, unit_scores):
        self.data_ = unit_scores

    def url(self) -> str:
        obj = self.data_[self.target]
        args = [obj.pk] if not self.item else [obj.pk, self.data_[self.item].pk]
        return reverse(self.url_name, args=args)


class TestUnitScore(UnitMatrix):
    url_name = "evaluation:subject-score"
    target = "health"
    in_scope = "evaluator"
    out_of_scope = "street_leader"  # 东华门's leader: 区卫健委 sits at the district


class TestUnitScoreOfAnotherUnit(UnitMatrix):
    url_name = "evaluation:subject-score"
    target = "police"
    in_scope = "street_leader"  # the police station sits in 东华门
    out_of_scope = "officer"  # an officer of the station is not its head


class TestUnitTrace(UnitMatrix):
    url_name = "evaluation:trace"
    target = "health"
    item = "health_item"
    in_scope = "evaluator"
    out_of_scope = "street_mediator"


class TestUnitRanking(UnitMatrix):
    url_name = "evaluation:scheme-scores"
    target = "scheme"
    in_scope = "evaluator"
    wrong_role = "officer"


def _login(client, person):
    client.force_login(person)
    return client


def test_a_unit_head_sees_their_unit_and_no_other(client, head, unit_scores):
    client = _login(client, head)
    own = client.get(reverse("evaluation:subject-score", args=[unit_scores["health"].pk]))
    assert own.status_code == 200
    other = client.get(reverse("evaluation:subject-score", args=[unit_scores["police"].pk]))
    assert other.status_code == 404
    # not an overseer: no ranking, their own page lists the unit's score
    ranking = client.get(reverse("evaluation:scheme-scores", args=[unit_scores["scheme"].pk]))
    assert ranking.status_code == 403
    mine = client.get(reverse("evaluation:mine"))
    assert [s.pk for s in mine.context["scores"]] == [unit_scores["health"].pk]
    api = client.get(reverse("evaluation-score-list")).json()
    assert [row["id"] for row in api["results"]] == [unit_scores["health"].pk]


def test_the_district_evaluator_ranks_every_unit(client_as, unit_scores, unit_run):
    response = client_as("evaluator").get(
        reverse("evaluation:scheme-scores", args=[unit_scores["scheme"].pk]),
        {"per_page": 100},
    )
    assert len(response.context["table"].rows) == unit_run.subject_count


def test_a_street_leader_ranks_only_the_units_in_the_street(client_as, unit_scores, units):
    response = client_as("street_leader").get(
        reverse("evaluation:scheme-scores", args=[unit_scores["scheme"].pk])
    )
    names = {row.record.subject_name for row in response.context["table"].rows}
    assert names == {units["police"].name, "东华门司法所"}


def test_nobody_of_the_unit_approves_an_entry_about_it(staff, head, units, unit_scheme):
    # given a manual indicator in a revision of the unit scheme
    evaluator = staff("evaluator")
    draft = services.scheme_revise(actor=evaluator, scheme=unit_scheme, reason="加", now=NOW)
    services.indicator_save(
        actor=staff("evaluator"),
        scheme=draft,
        data=indicator("overall", "cooperation", 0, Rule.LINEAR, "manual", target=Decimal(100)),
    )
    entry = services.manual_entry_create(
        actor=staff("evaluator"),
        year=2026,
        quarter=3,
        indicator_code="cooperation",
        value=90,
        evidence="联席会议评分汇总表",
        unit=units["health"],
    )
    assert entry.subject_path == "/110101/" and entry.subject_name == units["health"].name
    with pytest.raises(ForbiddenError, match="被考评单位"):
        services.manual_entry_decide(actor=head, entry=entry, approve=True, now=NOW)
    with pytest.raises(ApplicationError, match="只能是部门单位"):
        services.manual_entry_create(
            actor=staff("evaluator"),
            year=2026,
            quarter=3,
            indicator_code="cooperation",
            value=90,
            evidence="联席会议评分汇总表",
            unit=units["center"],
        )


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target", "limit"),
    [("evaluation:scheme-scores", "scheme", 15), ("evaluation:subject-score", "health", 13)],
)
def test_unit_score_pages_query_counts(
    client_as, unit_scores, django_assert_max_num_queries, name, target, limit
):
    client = client_as("evaluator")
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name, args=[unit_scores[target].pk])).status_code == 200


def test_unit_trace_and_head_pages_query_counts(
    client, head, unit_scores, django_assert_max_num_queries
):
    health = unit_scores["health"]
    url = reverse("evaluation:trace", args=[health.pk, unit_scores["health_item"].pk])
    client = _login(client, head)
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(reverse("evaluation:mine")).status_code == 200
