"""Warnings in plain words (a leader's reading), the statistics kept for the details."""

from pingan.risk.wording import warning_words


def test_a_rise_is_said_as_a_multiple_of_the_usual():
    words = warning_words(
        "rising", {"p": 4.8e-05, "last_week": 12, "previous_week": 3, "baseline_per_week": 4.0}
    )
    assert words.plain == "近1周新增12件，约为往常的3倍（往常每周约4件）"
    assert "p = 4.8e-05" in words.statistics and "Getis" not in words.plain


def test_a_grid_without_history_gets_no_multiple():
    words = warning_words("rising", {"p": 0.001, "last_week": 5, "baseline_per_week": 0})
    assert words.plain == "近1周新增5件"


def test_a_hotspot_is_graded_in_words_not_z_scores():
    strong = warning_words("hotspot", {"z": 3.4, "q": 0.0})
    mild = warning_words("hotspot", {"z": 2.1, "q": 0.03})
    assert "高度集中" in strong.plain and "明显集中" in mild.plain
    assert "z" not in strong.plain and "q = 0.000" in strong.statistics
