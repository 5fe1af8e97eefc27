"""The evaluator's home page: entries waiting on a second person, reviews, corrections."""

from django.urls import reverse


def test_the_evaluators_tiles_open_their_lists(client_as):
    client = client_as("evaluator")
    panel = next(p for p in client.get(reverse("home")).context["panels"] if p.key == "evaluation")
    labels = [tile.label for tile in panel.tiles]
    assert labels == ["录入待我审核", "分配给我的评查", "数据质量待整改"]
    for tile in panel.tiles:
        assert client.get(tile.url).status_code == 200
