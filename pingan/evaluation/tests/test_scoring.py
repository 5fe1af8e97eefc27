"""Each scoring rule on hand-computed examples, and what a rule needs."""

from decimal import Decimal

import pytest

from pingan.evaluation.scoring import RuleSpec, rule_problems, score

D = Decimal


@pytest.mark.parametrize(
    ("spec", "value", "points"),
    [
        # linear, higher is better: 10 × 0.76 / 0.95 = 8.00; over target capped at the weight
        (RuleSpec("linear", D(10), target=D("0.95")), 0.76, D("8.00")),
        (RuleSpec("linear", D(10), target=D("0.95")), 0.99, D("10.00")),
        # linear, lower is better: at or under target full; 20 days against 15 → 4 × 15/20 = 3
        (RuleSpec("linear", D(4), "lower", target=D(15)), 12, D("4.00")),
        (RuleSpec("linear", D(4), "lower", target=D(15)), 20, D("3.00")),
        # banded, higher: 0.93 reaches the 0.9 band → 6 × 0.8 = 4.80; below all bands → 0
        (RuleSpec("banded", D(6), bands=((0.95, 1), (0.9, 0.8), (0.8, 0.5))), 0.93, D("4.80")),
        (RuleSpec("banded", D(6), bands=((0.8, 0.5), (0.95, 1), (0.9, 0.8))), 0.96, D("6.00")),
        (RuleSpec("banded", D(6), bands=((0.95, 1), (0.9, 0.8))), 0.5, D("0.00")),
        # banded, lower: 0.03 is within the 0.05 band (0.6) but not the 0.02 band
        (RuleSpec("banded", D(5), "lower", bands=((0.02, 1), (0.05, 0.6))), 0.03, D("3.00")),
        # pass/fail
        (RuleSpec("pass_fail", D(10), target=D("0.9")), 0.9, D("10.00")),
        (RuleSpec("pass_fail", D(10), target=D("0.9")), 0.89, D("0.00")),
        (RuleSpec("pass_fail", D(10), "lower", target=D(3)), 4, D("0.00")),
        # deduction per event: 4 − 0.5 × 3 = 2.50; never below 0
        (RuleSpec("deduction", D(4), points_per_event=D("0.5")), 3, D("2.50")),
        (RuleSpec("deduction", D(4), points_per_event=D("0.5")), 20, D("0.00")),
        # capped: 2 per typical case, 3 cases → 6; 5 cases → capped at 8
        (RuleSpec("capped", D(8), points_per_event=D(2)), 3, D("6.00")),
        (RuleSpec("capped", D(8), points_per_event=D(2)), 5, D("8.00")),
        # no data scores nothing
        (RuleSpec("linear", D(10), target=D(1)), None, D("0.00")),
    ],
)
def test_rule_scores_hand_computed_examples(spec, value, points):
    assert score(spec, value) == points


def test_linear_and_pass_fail_need_a_target():
    assert rule_problems(RuleSpec("linear", D(10))) == ["“按目标线性计分”需要填写目标值。"]
    assert rule_problems(RuleSpec("pass_fail", D(10))) == ["“达标得分”需要填写目标值。"]


def test_banded_needs_well_formed_bands():
    assert rule_problems(RuleSpec("banded", D(5)))
    assert rule_problems(RuleSpec("banded", D(5), bands=((0.9, 2),)))
    assert rule_problems(RuleSpec("banded", D(5), bands=(("a", 1),)))
    assert rule_problems(RuleSpec("banded", D(5), bands=((0.9, 1),))) == []


def test_per_event_rules_need_points_per_event():
    assert rule_problems(RuleSpec("deduction", D(5)))
    assert rule_problems(RuleSpec("capped", D(5), points_per_event=D(1))) == []
