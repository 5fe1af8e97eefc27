"""The grid worker's home page opens on today's patrol and the report button."""

from django.urls import reverse

from pingan.orgs.choices import Level
from pingan.patrol.services import patrol_start


def _panel(client):
    response = client.get(reverse("home"))
    return next(panel for panel in response.context["panels"] if panel.key == "patrol")


def test_todays_patrol_counts_the_grids_not_yet_walked(client_as, staff, now):
    worker = staff("grid_worker")
    client = client_as("grid_worker")
    grids = list(worker.grids.filter(level=Level.GRID))
    unpatrolled = next(t for t in _panel(client).tiles if t.key == "unpatrolled")
    assert unpatrolled.count == len(grids) > 0
    # when they start patrolling one grid, it no longer waits
    patrol_start(actor=worker, grid=grids[0], now=now)
    unpatrolled = next(t for t in _panel(client).tiles if t.key == "unpatrolled")
    assert unpatrolled.count == len(grids) - 1


def test_the_report_button_comes_first_and_every_tile_opens(client_as):
    client = client_as("grid_worker")
    panel = _panel(client)
    assert panel.buttons[0][1] == reverse("patrol:report-new")
    for tile in panel.tiles:
        assert client.get(tile.url).status_code == 200
