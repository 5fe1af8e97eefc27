"""The scheme page states each rule in words: percentages, not 0.9000; bands as thresholds, not
a JSON list; a deduction as "the fewer the better", never "越高越好"."""

from decimal import Decimal

from django.urls import reverse

from pingan.evaluation import selectors
from pingan.evaluation.choices import Direction, Rule
from pingan.evaluation.models import Indicator


def test_rates_targets_and_bands_read_as_percentages():
    indicator = Indicator(
        source="on_time_rate",
        rule=Rule.BANDED,
        direction=Direction.HIGHER,
        target=Decimal("0.9"),
        bands=[[0.6, 0.8], [0.7, 1]],
    )
    selectors.describe(indicator)
    assert indicator.target_text == "90%"
    assert indicator.bands_text == "≥70% 得 满分；≥60% 得 80%"
    assert indicator.direction_text == "越高越好"


def test_a_deduction_is_the_fewer_the_better_whatever_its_stored_direction():
    indicator = Indicator(
        source="overdue_count", rule=Rule.DEDUCTION, direction=Direction.HIGHER, target=None
    )
    selectors.describe(indicator)
    assert indicator.direction_text == "越少越好（每次扣分）"
    assert indicator.target_text == "—"


def test_the_scheme_page_shows_words_not_codes(client_as, street_scheme):
    page = (
        client_as("evaluator")
        .get(reverse("evaluation:scheme-detail", args=[street_scheme.pk]))
        .content.decode()
    )
    assert "越少越好（每次扣分）" in page
    assert "1.0000" not in page and ">100%<" in page
