"""A clerk at the intake page clicks 帮助 and reads the section about that page, in the guide
written for clerks; the phone view keeps the link."""

import pytest
from django.core.management import call_command

from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=0, app_data="none")


def test_help_on_the_intake_page_opens_the_intake_section(
    demo_world, live_server, page, screenshot
):
    # given a clerk on the intake page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "street_clerk")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/cases/new/")
    # when they click 帮助
    page.get_by_test_id("help-link").click()
    # then the clerks' guide opens at the section about registering, its picture loaded
    page.wait_for_url("**/help/receptionist/#receptionist-2")
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text() == "帮助"
    section = page.locator("#receptionist-2")
    assert section.inner_text() == "登记一件事项"
    # the page's target is that heading (what the browser scrolls to; where it ends up on
    # the screen depends on when the layout settles, so the target is what is checked)
    assert page.evaluate("document.querySelector(':target').id") == "receptionist-2"
    picture = page.locator('img[alt="登记事项"]')
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator("a[aria-current=page]").inner_text().startswith("窗口受理员操作手册")
    screenshot("help-guide")
    # and the link stays on a phone
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.get_by_test_id("help-link").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("help-guide-375")
