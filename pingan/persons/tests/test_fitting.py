"""risk_fit on data with a known answer, on noise, and on bad input (M8.2)."""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from sklearn.metrics import roc_auc_score

from pingan.core.errors import ApplicationError
from pingan.persons import fitting, history
from pingan.persons.models import Scorecard


def fit_bytes(data: bytes, **kwargs):
    table = fitting.read_table(data, name="t.csv")
    return fitting.fit(fitting.prepare(table, **kwargs))


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def known():
    data = history.to_bytes(4000, seed=11)
    return fit_bytes(data, outcome="escalated_12m", group="性别", exclude=("民族",))


def test_fit_recovers_the_strong_factors(known):
    # given an outcome driven by petitions, employment, housing, lost contact (history.py)
    points = {f["key"]: max(b["points"] for b in f["bands"]) for f in known.factors}
    for strong in ("petitions_90d", "employment", "housing", "lost_contact_180d"):
        assert points.get(strong, 0) >= 2, strong
    # the factors with no effect earn nothing, or at most a point
    for noise in ("age", "open_cases"):
        assert points.get(noise, 0) <= 1, noise
    # housing "unstable" (the largest true effect, 1.2) outscores "stable"
    housing = next(f for f in known.factors if f["key"] == "housing")
    by_label = {b["label"]: b["points"] for b in housing["bands"]}
    assert by_label["unstable"] > by_label["stable"] == 0
    assert 0.64 < known.auc < 0.80
    assert known.auc_low < known.auc < known.auc_high


def test_fit_reports_calibration_that_rises_with_the_level(known):
    observed = [row["observed"] for row in known.report["calibration"] if row["n"]]
    assert observed == sorted(observed)
    assert known.medium_from < known.high_from


def test_points_are_small_integers_on_one_stated_scale(known):
    all_points = [b["points"] for f in known.factors for b in f["bands"]]
    assert min(all_points) == 0 and max(all_points) == fitting.MAX_POINTS
    assert known.report["method"]["point_log_odds"] == pytest.approx(known.point_log_odds, 1e-3)


def test_shuffled_outcome_gives_an_auc_near_half():
    data = history.to_bytes(4000, seed=11, shuffle_outcome=True)
    result = fit_bytes(data, outcome="escalated_12m", exclude=("民族",))
    assert abs(result.auc - 0.5) < 0.06
    assert result.auc_low <= 0.5 <= result.auc_high


def test_the_group_column_is_never_a_factor(known):
    assert "性别" not in {f["key"] for f in known.factors}
    assert {row["value"] for row in known.report["groups"]["rows"]} == {"男", "女"}


def test_group_rates_on_a_hand_computed_example():
    # given two groups; flagged = predicted positive
    y = np.array([1, 1, 0, 0, 0, 1, 0, 0])
    flagged = np.array([1, 0, 1, 0, 0, 1, 1, 1])
    score = np.array([3, 1, 2, 0, 0, 3, 2, 2])
    groups = ["A", "A", "A", "A", "B", "B", "B", "B"]
    rates = fitting.group_rates(y, flagged, score, groups, min_rows=4)
    a, b = rates["rows"]
    # A: positives 2 (1 flagged, 1 missed) -> FNR 1/2; negatives 2 (1 flagged) -> FPR 1/2
    assert (a["value"], a["n"], a["events"], a["fpr"], a["fnr"]) == ("A", 4, 2, 0.5, 0.5)
    # A's AUC: pairs (3>2, 3>0, 1<2, 1>0) -> 3/4
    assert a["auc"] == 0.75
    # B: one positive, flagged -> FNR 0; negatives 3, 2 flagged -> FPR 2/3
    assert (b["fpr"], b["fnr"]) == (round(2 / 3, 4), 0.0)
    assert b["auc"] is None  # one positive: no interval, no AUC reported
    assert rates["gaps"]["fpr"] == round(2 / 3 - 0.5, 4)
    assert rates["gaps"]["fnr"] == 0.5
    # each rate with its exact interval: 1 of 2 -> 0.5 (0.0126–0.9874), 2 of 3 -> (0.0943–0.9916)
    assert (a["fpr_low"], a["fpr_high"]) == (0.0126, 0.9874)
    assert (b["fpr_low"], b["fpr_high"]) == (0.0943, 0.9916)
    assert rates["too_small"] == [] and a["compared"] and b["compared"]


def test_a_group_too_small_to_estimate_is_listed_not_folded_into_the_gaps():
    # given a large group, another large one, and one of six rows whose rates are extreme
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 206)
    score = y + rng.normal(size=206)
    flagged = score > 0.5
    y[200:], flagged[200:] = [1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]  # all wrong
    groups = ["A"] * 100 + ["B"] * 100 + ["C"] * 6

    # when the rates are computed with the default minimum of 50 rows
    rates = fitting.group_rates(y, flagged, score, groups)

    # then C is reported with its rates and intervals, marked too small, and the gaps are
    # those between A and B alone
    c = rates["rows"][2]
    assert (c["value"], c["n"], c["fpr"], c["fnr"], c["compared"]) == ("C", 6, 1.0, 1.0, False)
    assert c["fpr_low"] < 0.3  # three rows say little: the interval shows it
    assert rates["too_small"] == ["C"] and rates["min_rows"] == fitting.MIN_GROUP_ROWS
    a, b = rates["rows"][:2]
    assert rates["gaps"]["fpr"] == round(abs(a["fpr"] - b["fpr"]), 4)
    assert rates["gaps"]["fpr"] < 0.5

    # and with a minimum of 5 rows, C counts and widens the gap
    assert fitting.group_rates(y, flagged, score, groups, min_rows=5)["gaps"]["fpr"] > 0.5


def test_delong_matches_sklearn_and_its_interval_covers_the_truth():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 600)
    score = y * 0.8 + rng.normal(size=600)
    auc, low, high = fitting.delong_auc(y, score)
    assert auc == pytest.approx(roc_auc_score(y, score))
    # bootstrap standard error agrees with DeLong's within a fifth
    boots = []
    for _ in range(300):
        idx = rng.integers(0, 600, 600)
        boots.append(roc_auc_score(y[idx], score[idx]))
    assert (high - low) / 3.92 == pytest.approx(np.std(boots), rel=0.2)


# --- refusals: a clear message, nothing fitted ----------------------------------------------------


def rows_of(n: int, outcome=lambda i: i % 2, extra=lambda i: i % 5):
    return [[outcome(i), extra(i), ["x", "y"][i % 2]] for i in range(n)]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([[1 if i else "", i % 5, "x"] for i in range(300)], "为空"),
        ([[2 if i == 7 else i % 2, i % 5, "x"] for i in range(300)], "只能是 0 或 1"),
        (rows_of(120), "至少需要 200 行"),
        ([[1 if i < 20 else 0, i % 5, "x"] for i in range(400)], "各至少 50 行"),
    ],
)
def test_bad_outcomes_and_too_little_data_are_refused(rows, message):
    data = csv_bytes(["y", "n", "c"], rows)
    with pytest.raises(ApplicationError, match=message):
        fit_bytes(data, outcome="y")


def test_constant_columns_are_refused_with_the_exclude_to_use():
    data = csv_bytes(["y", "n", "k"], [[i % 2, i % 5, "same"] for i in range(300)])
    with pytest.raises(ApplicationError) as error:
        fit_bytes(data, outcome="y")
    assert "所有行取值相同" in error.value.message
    assert "--exclude k" in error.value.message


def test_protected_columns_are_refused_as_factors_but_may_be_the_audit_group():
    rows = [[i % 2, i % 5, ["汉族", "回族"][i % 2]] for i in range(300)]
    data = csv_bytes(["y", "n", "民族"], rows)
    with pytest.raises(ApplicationError, match="受保护的列不能作为因子：民族"):
        fit_bytes(data, outcome="y")
    assert fit_bytes(data, outcome="y", group="民族").report["groups"] is not None


def test_unparseable_numbers_are_refused_with_their_rows():
    rows = [[i % 2, "abc" if i == 10 else i % 7, "x" if i % 3 else "y"] for i in range(300)]
    data = csv_bytes(["y", "n", "c"], rows)
    with pytest.raises(ApplicationError) as error:
        fit_bytes(data, outcome="y")
    assert "数值列“n”第 12 行不是数字" in error.value.message


def test_unknown_columns_are_named():
    data = csv_bytes(["y", "n"], [[i % 2, i % 5] for i in range(300)])
    with pytest.raises(ApplicationError, match="文件中没有这些列：z"):
        fit_bytes(data, outcome="y", group="z")


@pytest.mark.django_db
def test_command_refusal_writes_no_version(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(["y", "n"], [[7, i] for i in range(300)]))
    before = Scorecard.objects.count()
    with pytest.raises(CommandError, match="只能是 0 或 1"):
        call_command("risk_fit", csv=str(path), outcome="y")
    assert Scorecard.objects.count() == before


@pytest.mark.django_db
def test_command_writes_a_pending_version_and_prints_its_summary(tmp_path):
    path = tmp_path / "history.csv"
    history.write_csv(path, 2000, seed=5)
    out = io.StringIO()
    call_command(
        "risk_fit",
        "--csv",
        str(path),
        "--outcome",
        "escalated_12m",
        "--group",
        "性别",
        "--exclude",
        "民族",
        stdout=out,
    )
    text = out.getvalue()
    scorecard = Scorecard.objects.get(source="fitted")
    assert scorecard.state == "pending"
    assert "Held-out AUC" in text and "95% CI" in text and "By 性别" in text
    assert "gaps between groups of 50+ rows" in text
    assert scorecard.factors.exists()


@pytest.mark.django_db
def test_command_takes_the_groups_minimum_and_refuses_a_senseless_one(tmp_path):
    # given a history whose audit groups each hold about 250 held-out rows
    path = tmp_path / "history.csv"
    history.write_csv(path, 2000, seed=5)
    args = ["risk_fit", "--csv", str(path), "--outcome", "escalated_12m", "--group", "性别"]
    args += ["--exclude", "民族"]

    # when the minimum is above every group, no gap is computed and both are too small
    call_command(*args, "--min-group-rows", "100000", stdout=io.StringIO())
    groups = Scorecard.objects.latest("pk").report["groups"]
    assert groups["min_rows"] == 100000 and groups["too_small"] == ["女", "男"]
    assert groups["gaps"] == {"auc": None, "fpr": None, "fnr": None}

    # and a minimum below one is refused
    with pytest.raises(CommandError, match="--min-group-rows must be at least 1"):
        call_command(*args, "--min-group-rows", "0")
