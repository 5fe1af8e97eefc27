"""The evaluator's home page: entries waiting on a second person, reviews, corrections."""

from django.test import Client
from django.urls import reverse


def _panel(user):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p.key == "evaluation")
    return client, panel


def test_entries_wait_on_the_second_evaluator_not_on_the_one_who_entered_them(
    pending, staff, second_evaluator
):
    # given a manual and a list entry the evaluator entered
    _client, own = _panel(staff("evaluator"))
    entries = next(tile for tile in own.tiles if tile.key == "entries")
    # then they do not wait on the evaluator who entered them ...
    assert entries.count == 0
    # ... but on a second evaluator, whose tile opens the list where they are decided
    client, other = _panel(second_evaluator)
    entries = next(tile for tile in other.tiles if tile.key == "entries")
    assert entries.count == 2
    assert [tile.label for tile in other.tiles] == [
        "录入待我审核",
        "分配给我的评查",
        "数据质量待整改",
    ]
    for tile in other.tiles:
        assert client.get(tile.url).status_code == 200
