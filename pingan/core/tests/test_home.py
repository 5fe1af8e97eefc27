"""The home page fits the job: each role's own work first, counts that link to their lists,
the area overview only for those who oversee one, and a menu ordered by role."""

import pytest
from django.urls import reverse

from pingan.core.context_processors import navigation

PERSONAS = [
    "admin",
    "district_leader",
    "district_dispatcher",
    "evaluator",
    "security_auditor",
    "street_leader",
    "street_dispatcher",
    "street_clerk",
    "street_mediator",
    "grid_worker",
    "officer",
]


def _panels(response) -> dict:
    return {panel.key: panel for panel in response.context["panels"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_lands_on_its_own_work(client_as, persona, django_assert_max_num_queries):
    # given a demo persona; when they open the home page
    client = client_as(persona)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("home"))
    # then it renders, and every tile of their panels links to a page that opens for them
    assert response.status_code == 200
    for panel in response.context["panels"]:
        for tile in panel.tiles:
            assert client.get(tile.url).status_code == 200, (persona, panel.key, tile.label)


def test_each_role_sees_the_panels_of_its_job(client_as):
    # the clerk's window, the mediator's own cases, the dispatcher's desk and the whistles,
    # the leader's results, the grid worker's patrol, the evaluator's and the auditor's work
    expected = {
        "street_clerk": {"intake"},
        "street_mediator": {"my-cases"},
        "street_dispatcher": {"dispatch", "whistles"},
        "street_leader": {"results", "whistles"},
        "grid_worker": {"patrol"},
        "evaluator": {"evaluation"},
        "security_auditor": {"security-audit"},
        "officer": {"my-cases", "whistles"},
    }
    for persona, keys in expected.items():
        assert set(_panels(client_as(persona).get(reverse("home")))) == keys, persona


def test_only_overseers_see_the_area_overview(client_as):
    # a grid worker is not shown the district-style counts (街道 0, 社区 0, 单位 0) ...
    worker = client_as("grid_worker").get(reverse("home"))
    assert not worker.context["overview"]
    assert 'data-testid="stat-streets"' not in worker.content.decode()
    # ... nor the mediator; the street dispatcher oversees the street and sees it
    assert not client_as("street_mediator").get(reverse("home")).context["overview"]
    dispatcher = client_as("street_dispatcher").get(reverse("home"))
    assert dispatcher.context["overview"]
    assert 'data-testid="stat-streets"' in dispatcher.content.decode()


def test_the_security_auditor_counts_todays_audit_rows(client_as):
    # given the auditor opened the audit log once today (that reading is itself audited)
    client = client_as("security_auditor")
    client.get(reverse("audit:log"))
    # then the home tile counts it and links to today's log
    tile = next(t for t in _panels(client.get(reverse("home")))["security-audit"].tiles)
    assert tile.count >= 1
    assert "after=" in tile.url and "before=" in tile.url


def _menu(staff, persona: str, rf) -> list[str]:
    request = rf.get("/")
    request.user = staff(persona)
    items = navigation(request)["nav_items"]
    return [str(item.get("label") or item.get("heading")) for item in items]


def test_the_menu_is_ordered_by_role(staff, rf):
    # the grid worker's menu opens with 首页, then their patrol and reports (常用)
    labels = _menu(staff, "grid_worker", rf)
    assert labels[:4] == ["首页", "常用", "网格巡查", "网格上报"]
    # and a pinned page is not listed twice
    assert labels.count("网格巡查") == 1
    # the clerk's opens with registering a matter
    assert _menu(staff, "street_clerk", rf)[:3] == ["首页", "常用", "登记事项"]


def test_the_browsers_favicon_request_finds_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")


def test_a_superuser_is_not_offered_an_assistants_own_record(staff, rf):
    # the administrator (a superuser) sees every page but the assistant's own record and peers,
    # which would only say "您还没有培养档案"
    labels = _menu(staff, "admin", rf)
    assert "我的培养" not in labels and "同批互评" not in labels
    assert "助理培养" in labels


def test_no_template_carries_an_inline_event_handler():
    # the CSP (script-src 'self') blocks onclick= / onchange=: behaviour lives in pingan.js
    import re
    from pathlib import Path

    from django.conf import settings

    handler = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)
    found = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if handler.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
