"""An officer opens a key person, reads each point's reason, confirms the proposed level and
adds a support measure."""

import re

import pytest
from django.core.management import call_command

from pingan.demo.orgs import DEMO_PASSWORD
from pingan.persons import demo_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(transactional_db, monkeypatch, tmp_path):
    monkeypatch.setattr(demo_data, "PERSONS", 200)
    monkeypatch.setattr(demo_data, "DEMO_STREET_PERSONS", 60)
    monkeypatch.setattr(demo_data, "HISTORY_ROWS", 1500)
    monkeypatch.setattr(demo_data, "HISTORY_PATH", tmp_path / "risk_history.csv")
    call_command("pingan_demo", cases=0)


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_officer_confirms_a_proposed_level_change(demo_world, live_server, page, screenshot):
    from pingan.persons.models import KeyPerson

    base = live_server.url
    # given the 东华门 officer with proposals waiting in their queue
    _login(page, base, "officer")
    page.goto(f"{base}/persons/queue/")
    proposals = page.get_by_test_id("queue-proposals")
    proposals.locator("a").first.click()
    page.wait_for_selector("[data-testid=proposal]")
    page.wait_for_load_state("networkidle")
    person = KeyPerson.objects.get(pk=int(re.search(r"/persons/(\d+)/", page.url).group(1)))
    proposed = person.proposals.get(state="pending")
    # each point on the page states the fact it came from
    lines = page.get_by_test_id("proposal-lines").inner_text()
    for line in proposed.breakdown:
        assert line["fact_text"] in lines
    screenshot("person-proposal")
    # when they confirm the proposed level
    with page.expect_response(lambda r: "/act/confirm/" in r.url):
        page.get_by_test_id("confirm").click()
    page.wait_for_selector("[data-testid=proposal]", state="detached")
    # then the level is the confirmed one and the history records who confirmed it
    label = {"low": "低", "medium": "中", "high": "高"}[proposed.level]
    assert page.get_by_test_id("person-level").inner_text().strip() == label
    assert "确认评级" in page.get_by_test_id("history").inner_text()
    person.refresh_from_db()
    assert person.level == proposed.level

    # and they add a support measure with an owner and a due date
    page.get_by_test_id("add-measure").click()
    page.select_option("select[name=kind]", "support")
    page.select_option("select[name=category]", "jobs")
    page.fill("textarea[name=description]", "推荐到愿意接收的企业面试")
    page.select_option("select[name=owner]", index=1)
    page.fill("input[name=due_on]", "2030-01-15")
    with page.expect_response(lambda r: "/act/measure/" in r.url):
        page.click("text=保存措施")
    page.wait_for_load_state("networkidle")
    assert "推荐到愿意接收的企业面试" in page.get_by_test_id("measures").inner_text()
    screenshot("person-confirmed")


def test_admin_fits_a_scorecard_in_the_background(demo_world, live_server, page, screenshot):
    from huey.contrib.djhuey import HUEY

    from pingan.persons.models import Scorecard

    base = live_server.url
    HUEY.flush()
    _login(page, base, "admin")
    # the administrator uploads the history table on the fitting page
    page.goto(f"{base}/persons/scorecards/fit/")
    page.set_input_files("input[name=csv]", str(demo_data.HISTORY_PATH))
    page.fill("input[name=outcome]", "escalated_12m")
    page.fill("input[name=group]", "性别")
    page.fill("input[name=exclude]", "民族")
    page.click("text=拟合并生成报告")
    # and lands on the job's page, which waits for the worker
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    assert page.get_by_test_id("job-status").get_attribute("data-status") == "queued"
    fitted_before = Scorecard.objects.filter(source="fitted").count()
    while (task := HUEY.dequeue()) is not None:  # the Huey worker's turn
        HUEY.execute(task)
    # the page follows the job by itself and links to the new version, waiting for review
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]")
    assert "评分卡已生成，等待审核。" in page.get_by_test_id("job-message").inner_text()
    screenshot("scorecard-fit-job")
    page.get_by_test_id("fit-scorecard").click()
    page.wait_for_url(re.compile(r"/persons/scorecards/\d+/$"))
    assert "须由另一位审核人审核" in page.content()
    assert Scorecard.objects.filter(source="fitted").count() == fitted_before + 1
    # its fairness audit gives each group's error rates with their intervals, and says which
    # groups the gaps compare
    groups = page.get_by_test_id("groups")
    groups.scroll_into_view_if_needed()
    assert "仅比较留出集不少于 50 行的分组" in groups.inner_text()
    assert groups.locator("tbody tr").first.inner_text().count("（") == 3  # AUC, FPR, FNR
    screenshot("scorecard-report")
