"""Every role walks every page of its menu in a real browser: each answers 200, logs no script
error or warning (the CSP forbids eval and inline handlers, so a filter or handler that needs
them shows up here), shows no English word or internal code outside an allow-list, and has no
serious or critical accessibility violation under axe-core (WCAG 2.1 AA, which GB/T 37668-2019
follows; axe is served from static/vendor like every other script)."""

import re

import pytest
from django.core.management import call_command

from pingan.demo.orgs import DEMO_PASSWORD
from pingan.orgs.models import Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAS = [
    "street_clerk",
    "street_mediator",
    "street_dispatcher",
    "street_leader",
    "grid_worker",
    "officer",
    "prison_officer",
    "auditor",
    "evaluator",
    "assistant",
    "mentor",
    "security_auditor",
    "admin",
]
# Latin words a Chinese page may carry: names of formats, standards and statistics that staff
# use as they are, and the platform's interfaces.
ALLOWED = {"Excel", "PDF", "Word", "API", "AUC", "CSV", "Open311", "SM3", "SHA", "HTTP"}
# Pages whose Latin text is the point: the audit log prints each action's audit code beside
# its label, for the security auditor to search by.
CODES_SHOWN = ("/audit/log/",)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,}")
# file names, and numbers that begin with letters (case DC2026-000123, file JS2026-0001)
NOT_WORDS = re.compile(r"[\w.-]+\.(?:csv|xlsx|pdf|json)\b|(?<![A-Za-z])[A-Z]{1,4}\d[\w-]*")


AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(" ")}`);
}"""


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=300)


def _sign_in(page, base: str, persona: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", persona)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_every_menu_page_is_chinese_quiet_and_accessible(demo_world, live_server, browser):
    # login names are Latin by design (pinyin), wherever a page shows them
    usernames = set(Staff.objects.values_list("username", flat=True))
    problems = []
    for persona in PERSONAS:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = context.new_page()
        console = []
        page.on(
            "console",
            lambda message, console=console: (
                console.append(message.text) if message.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda error, console=console: console.append(str(error)))
        _sign_in(page, live_server.url, persona)
        links = page.eval_on_selector_all(
            ".pa-sidebar a.nav-link",
            "links => [...new Set(links.map(link => link.getAttribute('href')))]",
        )
        assert links, persona
        for href in ["/", *links, "/help/"]:  # and the guide written for them
            if href.startswith(("/admin/", "/api/")):
                continue  # Django's admin and the API's schema page are not the product's pages
            console.clear()
            response = page.goto(f"{live_server.url}{href}")
            page.wait_for_load_state("networkidle")
            if response.status != 200:
                problems.append(f"{persona} {href}: HTTP {response.status}")
            if console:
                problems.append(f"{persona} {href}: console {console[:2]}")
            page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
            for violation in page.evaluate(AXE):
                problems.append(f"{persona} {href}: axe {violation}")
            if href.startswith(CODES_SHOWN):
                continue
            text = " ".join(
                token for token in page.inner_text("main").split() if token not in usernames
            )
            words = sorted(set(WORD.findall(NOT_WORDS.sub("", text))) - ALLOWED)
            if words:
                problems.append(f"{persona} {href}: Latin words {words[:8]}")
        context.close()
    assert problems == [], "\n".join(problems)
