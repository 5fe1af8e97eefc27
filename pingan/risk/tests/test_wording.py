"""Warnings in plain words (a leader's reading), the statistics kept for the details, and
the days of a surge as bars."""

from datetime import date, datetime

from pingan.risk.wording import surge_chart, warning_words

from .conftest import SHANGHAI


def test_a_rise_is_said_as_a_multiple_of_the_grids_usual():
    words = warning_words(
        "rising", {"p": 4.8e-05, "recent": 9, "usual_per_week": 3.0, "inverse_k": 0.46}
    )
    assert words.plain == "近7天新增9件，约为该网格往常的3倍（往常每周约3件）"
    assert "负二项检验（离散度 1/k = 0.46" in words.statistics
    assert "p = 4.8e-05" in words.statistics and "Getis" not in words.plain


def test_a_grid_without_history_gets_no_multiple_and_poisson_is_named():
    words = warning_words("rising", {"p": 0.001, "recent": 5, "usual_per_week": 0})
    assert words.plain == "近7天新增5件"
    assert words.statistics.startswith("泊松检验：")


def test_a_hotspot_is_graded_in_words_not_z_scores():
    strong = warning_words("hotspot", {"z": 3.4, "q": 0.0})
    mild = warning_words("hotspot", {"z": 2.1, "q": 0.03})
    assert "高度集中" in strong.plain and "明显集中" in mild.plain
    assert "z" not in strong.plain and "q = 0.000" in strong.statistics


def test_the_surge_days_are_bars_ending_the_day_before_the_flag():
    days = [0] * 21 + [1, 2, 2, 3, 1, 2, 4]
    chart = surge_chart(
        {"days": days, "usual_per_week": 0.7}, datetime(2026, 6, 1, tzinfo=SHANGHAI)
    )
    assert [bar.day for bar in chart.bars][-1] == date(2026, 5, 31)
    assert chart.bars[0].day == date(2026, 5, 4)
    # the tallest day fills the chart; the last 7 days are set apart; the usual line at 0.1
    tallest = chart.bars[-1]
    assert (tallest.height, tallest.y) == (chart.height, 0)
    assert [bar.recent for bar in chart.bars].count(True) == 7 and not chart.bars[20].recent
    assert chart.usual_y == round(chart.height * (1 - 0.1 / 4), 2)
    assert "近28天每日新增" in chart.label and "往常每天约0.1件" in chart.label


def test_a_warning_without_days_has_no_chart():
    assert surge_chart({"recent": 5}, datetime(2026, 6, 1, tzinfo=SHANGHAI)) is None
