"""The assistant's and the mentor's home pages: their record, and what waits on a decision."""

from django.test import Client
from django.urls import reverse


def _panels(user) -> dict:
    client = Client()
    client.force_login(user)
    return {panel.key: panel for panel in client.get(reverse("home")).context["panels"]}


def test_the_assistant_sees_their_stage_and_the_mentor_their_queue(enroll, org):
    # given an enrolled assistant
    profile = enroll("a1")
    # then their home page shows their stage, linking to their record
    stage = next(t for t in _panels(profile.staff)["my-record"].tiles if t.key == "stage")
    assert stage.count == profile.stage.name
    assert stage.url == reverse("talent:profile", args=[profile.pk])
    # and their mentor's shows the approvals waiting on them (none yet)
    pending = _panels(org.mentor)["talent-pending"]
    assert [tile.count for tile in pending.tiles] == [0, 0]
