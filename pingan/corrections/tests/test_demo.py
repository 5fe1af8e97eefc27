"""The corrections demo data: loaded through pingan_demo, once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pingan.corrections import chain
from pingan.corrections.models import EvidenceFile, Release

pytestmark = pytest.mark.django_db


def test_the_demo_loads_every_stage_once_and_its_chains_verify():
    out = StringIO()
    call_command("pingan_demo", cases=0, app_data="corrections", stdout=out)
    assert "刑释衔接与执法证据: 320 releases" in out.getvalue()
    states = set(Release.objects.values_list("state", flat=True))
    assert states == {"registered", "notified", "arrived", "no_show"}
    assert EvidenceFile.objects.filter(state="concluded").exists()
    assert EvidenceFile.objects.filter(items__excluded=True).exists()
    assert all(chain.verify_chain(file).ok for file in EvidenceFile.objects.all())
    # the timeline of an arrival runs in order: registered, notified, arrived
    arrived = Release.objects.filter(state="arrived", notified_at__isnull=False).first()
    kinds = list(arrived.events.values_list("kind", flat=True))
    assert kinds[:3] == ["registered", "notified", "arrived"]
    again = StringIO()
    call_command("pingan_demo", cases=0, app_data="corrections", stdout=again)
    assert "already loaded" in again.getvalue() and Release.objects.count() == 320


def test_an_unknown_app_label_is_refused():
    with pytest.raises(CommandError, match="unknown app label"):
        call_command("pingan_demo", cases=0, app_data="nope", stdout=StringIO())
