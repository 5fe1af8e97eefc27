"""Schemes, their validation and versioning, manual entries and lists, scores and traces."""

from datetime import date
from decimal import Decimal

import pytest

from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.models import AuditEvent
from pingan.evaluation import selectors, services
from pingan.evaluation.choices import Rule, SchemeState, SubjectKind
from pingan.evaluation.models import Indicator, ListEntry, ManualEntry, Scheme
from pingan.orgs.models import Division

from .conftest import NOW, Q3_START, indicator


@pytest.fixture
def draft(staff):
    return services.scheme_create(
        actor=staff("evaluator"),
        name="草稿方案",
        year=2026,
        quarter=4,
        subject_kind=SubjectKind.STREET,
    )


def test_weights_that_do_not_add_up_are_refused_saying_by_how_much(staff, draft):
    # given 职能发挥 (40) holds 35 points of indicators, 履职效能 (30) holds 32
    actor = staff("evaluator")
    services.indicator_save(
        actor=actor,
        scheme=draft,
        data=indicator("function", "a", 35, Rule.LINEAR, "on_time_rate", target=Decimal(1)),
    )
    services.indicator_save(
        actor=actor,
        scheme=draft,
        data=indicator("efficacy", "b", 32, Rule.LINEAR, "on_time_rate", target=Decimal(1)),
    )
    # when it is published / then refused, naming each dimension and the difference
    with pytest.raises(ApplicationError) as error:
        services.scheme_publish(actor=actor, scheme=draft, now=NOW)
    assert "“职能发挥”各指标分值合计 35，应为 40，相差 -5" in error.value.message
    assert "“履职效能”各指标分值合计 32，应为 30，相差 +2" in error.value.message
    draft.refresh_from_db()
    assert draft.state == SchemeState.DRAFT


def test_dimension_weights_must_total_100(staff, draft):
    services.scheme_set_weights(
        actor=staff("evaluator"),
        scheme=draft,
        dimension_weights={"function": 50, "efficacy": 30, "building": 20, "overall": 10},
    )
    problems = services.weight_problems(Scheme.objects.get(pk=draft.pk))
    assert problems[0] == "四个维度的权重合计 110，应为 100，相差 +10。"


def test_a_rule_without_a_target_is_refused_and_nothing_is_saved(staff, draft):
    with pytest.raises(ApplicationError) as error:
        services.indicator_save(
            actor=staff("evaluator"),
            scheme=draft,
            data=indicator("function", "a", 40, Rule.LINEAR, "on_time_rate"),
        )
    assert "需要填写目标值" in error.value.message
    assert not Indicator.objects.filter(scheme=draft).exists()


def test_unknown_source_is_refused(staff, draft):
    with pytest.raises(ApplicationError):
        services.indicator_save(
            actor=staff("evaluator"),
            scheme=draft,
            data=indicator("function", "a", 40, Rule.LINEAR, "nope", target=Decimal(1)),
        )


def test_only_evaluators_define_schemes(staff):
    with pytest.raises(ForbiddenError):
        services.scheme_create(
            actor=staff("street_leader"),
            name="x",
            year=2026,
            quarter=4,
            subject_kind=SubjectKind.STREET,
        )


def test_a_published_scheme_cannot_change_silently(staff, street_scheme):
    actor = staff("evaluator")
    count = street_scheme.indicators.count()
    # a direct change is refused
    with pytest.raises(ApplicationError) as error:
        services.indicator_save(
            actor=actor,
            scheme=street_scheme,
            data=indicator("function", "z", 1, Rule.LINEAR, "on_time_rate", target=Decimal(1)),
        )
    assert "方案已发布，不能直接修改" in error.value.message
    assert street_scheme.indicators.count() == count
    # a revision in the running period needs a reason
    with pytest.raises(ApplicationError) as error:
        services.scheme_revise(actor=actor, scheme=street_scheme, reason=" ", now=NOW)
    assert "必须写明理由" in error.value.message
    # with a reason: a draft copy, v2; publishing it supersedes v1, and says why
    draft = services.scheme_revise(
        actor=actor, scheme=street_scheme, reason="按区委要求增加评查指标", now=NOW
    )
    assert (draft.version, draft.indicators.count()) == (2, count)
    services.scheme_publish(actor=actor, scheme=draft, now=NOW)
    street_scheme.refresh_from_db()
    assert street_scheme.state == SchemeState.SUPERSEDED
    event = AuditEvent.objects.get(action="evaluation.scheme.publish", target_id=str(draft.pk))
    assert event.reason == "按区委要求增加评查指标"


def test_scores_per_indicator_dimension_total_and_rank(staff, make_case, street_scheme):
    # given 东华门: 2 cases concluded, 1 on time and 1 late (so also 1 overdue); 景山: 1 on time
    make_case()
    make_case(concluded_at=Q3_START.replace(day=13))
    make_case("jingshan")
    # when
    run = services.scores_compute(scheme=street_scheme, actor=staff("evaluator"), now=NOW)
    # then 东华门: on time 40 × 1/2 = 20, handled 30 × 2/2 = 30, overdue 20 − 5 = 15, manual 0
    donghuamen = run.subjects.get(division__code="110101001")
    assert (donghuamen.efficacy_points, donghuamen.function_points) == (Decimal(35), Decimal(30))
    assert donghuamen.total == Decimal(65)
    # 景山: 40 + 30 × 1/2 + 20 = 75, first; streets without cases: 20 (no overdue), last
    jingshan = run.subjects.get(division__code="110101002")
    assert (jingshan.total, jingshan.rank) == (Decimal(75), 1)
    assert donghuamen.rank == 2
    assert run.subjects.count() == Division.objects.streets().count()
    assert run.subjects.filter(total=Decimal(20), rank=3).count() == run.subject_count - 2


def test_each_figure_traces_to_its_cases(staff, make_case, street_scheme):
    late = make_case(concluded_at=Q3_START.replace(day=13))
    on_time = make_case()
    run = services.scores_compute(scheme=street_scheme, actor=None, now=NOW)
    item = run.subjects.get(division__code="110101001").items.get(indicator__code="on_time")
    cases, entries = selectors.trace(item, user=staff("evaluator"))
    assert entries is None and set(cases) == {late, on_time}
    cases, _ = selectors.trace(item, part="miss", user=staff("evaluator"))
    assert list(cases) == [late]


def test_manual_entry_needs_evidence_and_a_second_person(staff, street_scheme, second_evaluator):
    actor = staff("evaluator")
    street = Division.objects.get(code="110101001")
    with pytest.raises(ApplicationError) as error:
        services.manual_entry_create(
            actor=actor, year=2026, quarter=3, indicator_code="cooperation",
            value=90, evidence="", division=street,
        )  # fmt: skip
    assert "没有佐证不能录入" in error.value.message
    assert not ManualEntry.objects.exists()
    entry = services.manual_entry_create(
        actor=actor, year=2026, quarter=3, indicator_code="cooperation",
        value=90, evidence="成员单位评分汇总表", division=street,
    )  # fmt: skip
    with pytest.raises(ForbiddenError) as error:
        services.manual_entry_decide(actor=actor, entry=entry, approve=True, now=NOW)
    assert "第二人" in error.value.message
    services.manual_entry_decide(actor=second_evaluator, entry=entry, approve=True, now=NOW)
    run = services.scores_compute(scheme=street_scheme, actor=None, now=NOW)
    item = run.subjects.get(division=street).items.get(indicator__code="cooperation")
    assert (item.value, item.points) == (90.0, Decimal("9.00"))


def test_the_person_evaluated_cannot_approve_their_own_entry(staff, second_evaluator):
    # given an entry about the second evaluator, entered by the first
    entry = services.list_entry_create(
        actor=staff("evaluator"), kind="positive", title="表彰", points=2,
        occurred_on=date(2026, 8, 1), evidence="区委表彰文件", staff=second_evaluator,
    )  # fmt: skip
    # when the person concerned approves / then refused, nothing changed
    with pytest.raises(ForbiddenError) as error:
        services.list_entry_decide(actor=second_evaluator, entry=entry, approve=True, now=NOW)
    assert "被考评人不能审核" in error.value.message
    assert ListEntry.objects.get(pk=entry.pk).state == "pending"
    # a leader may approve
    services.list_entry_decide(actor=staff("district_leader"), entry=entry, approve=True, now=NOW)
    assert ListEntry.objects.get(pk=entry.pk).state == "approved"


def test_a_manual_entry_for_an_unknown_indicator_is_refused(staff):
    with pytest.raises(ApplicationError):
        services.manual_entry_create(
            actor=staff("evaluator"), year=2026, quarter=3, indicator_code="nope",
            value=1, evidence="材料齐全", division=Division.objects.get(code="110101001"),
        )  # fmt: skip


def test_compute_refuses_a_draft(staff, draft):
    with pytest.raises(ApplicationError):
        services.scores_compute(scheme=draft, actor=staff("evaluator"), now=NOW)


def test_a_refused_entry_decision_changes_nothing(staff, street_scheme, second_evaluator):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from pingan.core.testing import check_refusals_change_nothing
    from pingan.evaluation.rules import MANUAL_ENTRY

    street = Division.objects.get(code="110101001")

    def make(state: str) -> ManualEntry:
        entry = services.manual_entry_create(
            actor=staff("evaluator"), year=2026, quarter=3, indicator_code="cooperation",
            value=90, evidence="成员单位评分汇总表", division=street,
        )  # fmt: skip
        ManualEntry.objects.filter(pk=entry.pk).update(state=state)
        entry.refresh_from_db()
        return entry

    def act(action: str, entry: ManualEntry) -> None:
        services.manual_entry_decide(
            actor=second_evaluator, entry=entry, approve=action == "approve", note="退回", now=NOW
        )

    def audit_rows(entry: ManualEntry) -> int:
        return AuditEvent.objects.filter(target_id=str(entry.pk)).count()

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(data=st.data())
    def run(data):
        check_refusals_change_nothing(
            MANUAL_ENTRY, make=make, act=act, events=audit_rows, data=data
        )

    run()
