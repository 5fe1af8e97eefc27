"""The data-quality scan: each rule, correction items, idempotence, time to correction."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from pingan.cases.models import Case, Supervision
from pingan.evaluation import selectors
from pingan.evaluation.models import CorrectionItem, ScanRun
from pingan.evaluation.scan import RULES, data_quality_scan
from pingan.orgs.models import Unit

from .conftest import NOW, Q3_START

DAY = timedelta(days=1)


@pytest.fixture
def faulty(make_case):
    """One case per rule that breaks it, and one clean case."""
    community = Unit.objects.get(kind="community", division__code="110101001001")
    return {
        "missing_acceptance": make_case(accepted_at=None, due_at=Q3_START + 9 * DAY),
        "missing_deadline": make_case(due_at=None),
        "dates_out_of_order": make_case(concluded_at=Q3_START + 2 * DAY),
        "conclusion_without_result": make_case(outcome=""),
        "conclusion_without_level": make_case(concluded_level=""),
        "level_unit_mismatch": make_case(level="community", unit=Unit.objects.get(
            kind="street_center", division__code="110101001")),
        "follow_up_without_satisfaction": make_case(state="followed_up", satisfaction=None),
        "overdue_without_supervision": make_case(
            state="mediating", concluded_at=None, concluded_level="", outcome="",
            satisfaction=None, due_at=NOW - 3 * DAY,
        ),
        "clean": make_case(level="community", unit=community),
    }  # fmt: skip


def test_each_rule_finds_its_case_and_only_it(faulty):
    run = data_quality_scan(now=NOW)
    found = {(item.rule, item.case_id) for item in CorrectionItem.objects.all()}
    for rule in RULES:
        assert (rule.code, faulty[rule.code].pk) in found, rule.code
    assert not CorrectionItem.objects.filter(case=faulty["clean"]).exists()
    # a case breaking one rule gets one item
    assert {r for r, c in found if c == faulty["conclusion_without_level"].pk} == {
        "conclusion_without_level"
    }
    assert run.counts["overdue_without_supervision"] == 1
    item = CorrectionItem.objects.get(rule="conclusion_without_result")
    assert item.unit_id == faulty["conclusion_without_result"].handling_unit_id


def test_scan_is_idempotent_and_closes_corrected_items(faulty):
    data_quality_scan(now=NOW)
    opened = CorrectionItem.objects.count()
    again = data_quality_scan(now=NOW)
    assert (again.opened, again.resolved, CorrectionItem.objects.count()) == (0, 0, opened)
    # the unit puts the result in and supervision catches up; the next scan closes both items
    Case.objects.filter(pk=faulty["conclusion_without_result"].pk).update(outcome="agreement")
    case = faulty["overdue_without_supervision"]
    Supervision.objects.create(
        case=case,
        tier=1,
        due_at=case.due_at,
        unit=case.handling_unit,
        supervised_unit=case.handling_unit,
        issued_at=NOW,
    )
    later = data_quality_scan(now=NOW + 2 * DAY)
    assert later.resolved == 2
    item = CorrectionItem.objects.get(rule="conclusion_without_result")
    assert item.resolved_at - item.opened_at == 2 * DAY


def test_command_and_periodic_task_run_the_scan(faulty):
    call_command("data_quality_scan", "--at", NOW.isoformat())
    assert ScanRun.objects.count() == 1
    from pingan.evaluation.tasks import data_quality_scan_task

    data_quality_scan_task.call_local()
    assert ScanRun.objects.count() == 2


def test_the_rules_summary_counts_and_averages_in_one_query(
    faulty, staff, django_assert_num_queries
):
    # given two items of one rule corrected after 2 and after 3 days, one still open, and
    # another rule's item corrected after 1 day
    data_quality_scan(now=NOW)
    items = list(CorrectionItem.objects.filter(rule="conclusion_without_result"))
    level = CorrectionItem.objects.get(rule="conclusion_without_level")
    CorrectionItem.objects.filter(pk=level.pk).update(resolved_at=level.opened_at + DAY)
    copies = [
        CorrectionItem(case=faulty[code], rule="conclusion_without_result",
                       unit=items[0].unit, area_path=items[0].area_path, opened_at=NOW,
                       resolved_at=resolved)
        for code, resolved in (("clean", NOW + 2 * DAY), ("missing_deadline", NOW + 3 * DAY))
    ]  # fmt: skip
    CorrectionItem.objects.bulk_create(copies)

    # when the administrator reads the summary
    admin = staff("admin")
    with django_assert_num_queries(1):
        summary = {row["code"]: row for row in selectors.scan_rules_summary(admin)}

    # then the open and corrected counts and the mean days are the database's
    row = summary["conclusion_without_result"]
    assert (row["open"], row["resolved"]) == (1, 2)
    assert row["days_to_correct"] == pytest.approx(2.5)
    assert summary["conclusion_without_level"]["days_to_correct"] == pytest.approx(1.0)
    assert summary["missing_deadline"]["days_to_correct"] is None
