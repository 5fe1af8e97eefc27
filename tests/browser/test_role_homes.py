"""Every role lands on a home page that fits its job, on a desktop and on a 375 px phone,
with no script error or warning in the console; the screenshots are kept for review."""

import pytest
from django.core.management import call_command

from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# persona -> the panel their home page opens with
HOMES = {
    "street_clerk": "intake",
    "street_mediator": "my-cases",
    "street_dispatcher": "dispatch",
    "street_leader": "results",
    "grid_worker": "patrol",
    "prison_officer": "prison",
    "auditor": "oversight",
    "evaluator": "evaluation",
    "assistant": "my-record",
    "mentor": "talent-pending",
    "security_auditor": "security-audit",
}


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=300, app_data="corrections,talent")


def test_each_role_opens_on_its_own_work(demo_world, live_server, browser):
    for persona, first_panel in HOMES.items():
        for width, suffix in ((1440, ""), (375, "-375")):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            console = []
            page.on(
                "console",
                lambda message, console=console: (
                    console.append(message) if message.type in ("error", "warning") else None
                ),
            )
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", persona)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            # the first panel is the role's own work, and nothing is wider than the screen
            panel = page.locator("section[data-testid^=panel-]").first
            assert panel.get_attribute("data-testid") == f"panel-{first_panel}", persona
            assert page.evaluate("document.documentElement.scrollWidth") <= width, persona
            page.screenshot(path=str(_artifact(f"home-{persona}{suffix}")), full_page=True)
            assert not [m.text for m in console], (persona, [m.text for m in console])
            context.close()


def _artifact(name: str):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
