"""The prison officer's and the auditor's home pages: their releases and files first."""

from datetime import timedelta

from django.urls import reverse

from pingan.corrections.choices import ReleaseState


def _panel(response, key: str):
    return next(panel for panel in response.context["panels"] if panel.key == key)


def test_the_prison_officer_sees_coming_releases_and_where_they_work(
    client_as, register, today, staff
):
    # given one release in ten days and one in sixty
    register(release_date=today + timedelta(days=10))
    register(release_date=today + timedelta(days=60))
    # when the prison officer opens the home page
    client = client_as("prison_officer")
    response = client.get(reverse("home"))
    # then it names their prison (not "尚未分配") and shows no district overview
    page = response.content.decode()
    prison = staff("prison_officer").prisons.get()
    assert "所在单位：" in page and str(prison) in page and "尚未分配" not in page
    assert not response.context["overview"]
    # and the 30-day tile counts the one, linking to the list that shows exactly it
    coming = next(t for t in _panel(response, "prison").tiles if t.key == "coming")
    assert coming.count == 1
    listed = client.get(coming.url)
    assert listed.status_code == 200
    assert len(listed.context["table"].rows) == 1


def test_receiving_grid_workers_see_people_still_to_report(client_as, register, now):
    # given a release notified to the grid worker's community
    release = register(release_date=now.date() + timedelta(days=3))
    release.state = ReleaseState.NOTIFIED
    release.save(update_fields=["state"])
    # then the grid worker's home page counts it
    response = client_as("grid_worker").get(reverse("home"))
    tiles = _panel(response, "receiving").tiles
    assert tiles[0].count == 1


def test_nobody_expected_means_no_receiving_panel(client_as):
    response = client_as("grid_worker").get(reverse("home"))
    assert "receiving" not in {panel.key for panel in response.context["panels"]}


def test_the_auditor_sees_the_open_files(client_as):
    response = client_as("auditor").get(reverse("home"))
    assert {panel.key for panel in response.context["panels"]} == {"oversight"}
    assert client_as("auditor").get(_panel(response, "oversight").tiles[0].url).status_code == 200
