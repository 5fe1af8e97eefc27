"""A street dispatcher confirms that a released person has reported, in a real browser."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from pingan.core.validators import id_number_check_digit
from pingan.corrections import services
from pingan.corrections.demo_data import ensure_prisons
from pingan.corrections.models import Prison, Release
from pingan.demo.orgs import DEMO_PASSWORD
from pingan.orgs.models import Staff
from pingan.persons.reference import ensure_reference_data as ensure_person_types

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def release(transactional_db):
    call_command("pingan_demo", cases=0, app_data="none")
    ensure_prisons()
    ensure_person_types()  # reference data from a migration, gone after a flush
    first17 = "11010119850315123"
    return services.release_register(
        prison=Prison.objects.get(code="P01"),
        actor=Staff.objects.get(username="prison_officer"),
        data=services.ReleaseInput(
            name="赵建军",
            id_number=first17 + id_number_check_digit(first17),
            offence="property",
            sentence_months=24,
            release_date=timezone.localdate() - timedelta(days=1),
            address="多福巷 12 号院",
            grid_code="110101001001001",
            skills="电工",
        ),
    )


def test_the_street_confirms_an_arrival(release, live_server, page, screenshot):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "street_dispatcher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    # the board shows one person released and not yet confirmed
    page.goto(f"{base}/corrections/releases/")
    assert page.locator("[data-testid=board] tbody tr").first.inner_text().split()[2] == "1"
    page.click("text=赵**")
    page.wait_for_load_state("networkidle")
    assert "尚未确认报到" in page.inner_text("main")
    # when the dispatcher names the grid worker and confirms
    page.locator("#id_responsible").select_option(label="陈晨")
    page.fill("#id_note", "本人持释放证明报到")
    page.click("[data-testid=confirm-arrival]")
    page.wait_for_load_state("networkidle")
    # then the person has reported, the timeline says so, and suggestions appear
    assert page.inner_text("[data-testid=release-state]") == "已报到"
    assert "本人持释放证明报到" in page.inner_text("[data-testid=timeline]")
    assert page.locator("[data-testid=arrival]").count() == 0
    screenshot("corrections-release-arrived")
    assert Release.objects.get(pk=release.pk).responsible.username == "grid_worker"
