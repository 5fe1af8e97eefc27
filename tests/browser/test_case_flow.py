"""A clerk registers a case through the form; a dispatcher takes it through the closed loop."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=0, app_data="none")


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _act(page, label: str, fields: dict | None = None) -> None:
    """Open an action on the case page, fill it, confirm, and wait for the htmx swap."""
    section = page.locator("details", has=page.locator("summary", has_text=label)).first
    section.locator("summary").click()
    for selector, value in (fields or {}).items():
        element = section.locator(selector)
        if element.evaluate("el => el.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)
    with page.expect_response(lambda r: "/act/" in r.url):
        section.locator("button[type=submit]").click()


def _register(page, base: str, *, title: str, narrative: str, screenshot=None) -> tuple[str, str]:
    """As the street clerk, register a 邻里纠纷 at 多福巷社区第1网格 through the intake page;
    the receipt's case number and query code."""
    _login(page, base, "street_clerk")
    page.goto(f"{base}/cases/new/")
    # The live server shares one in-memory SQLite connection: let each htmx request finish.
    page.wait_for_load_state("networkidle")
    page.select_option("#id_category", label="邻里纠纷")
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", title)
    page.fill("#id_narrative", narrative)
    with page.expect_response(lambda r: "/cases/places/" in r.url):
        page.select_option("#id_community", "110101001001")
    page.wait_for_selector("#id_grid option[value='110101001001001']", state="attached")
    page.select_option("#id_grid", "110101001001001")
    page.wait_for_load_state("networkidle")
    page.fill("#id_party-0-name", "王某某")
    page.fill("#id_party-0-id_number", "11010519491231002X")
    page.fill("#id_party-0-phone", "13812345678")
    # the routing panel suggests units with reasons as the clerk types
    page.wait_for_selector("[data-testid=suggestions]")
    page.wait_for_load_state("networkidle")
    if screenshot:
        screenshot("intake-form")
    page.click("text=登记并打印回执")
    return (
        page.get_by_test_id("receipt-number").inner_text(),
        page.get_by_test_id("receipt-code").inner_text(),
    )


def test_register_accept_assign_conclude_follow_up(demo_world, live_server, page, screenshot):
    base = live_server.url
    # given a reception clerk of 东华门 who registers a matter on the intake page
    number, code = _register(
        page,
        base,
        title="楼上漏水纠纷",
        narrative="楼上住户卫生间漏水，渗到楼下厨房，多次协商未果，请求调解赔偿。",
        screenshot=screenshot,
    )
    # then the receipt shows the number and a six-digit query code
    assert number.startswith("DC") and code.isdigit() and len(code) == 6
    screenshot("receipt")

    # when the street dispatcher takes it through the loop
    _login(page, base, "street_dispatcher")
    page.goto(f"{base}/cases/{number}/")
    _act(page, "受理")
    # (expect retries until htmx has swapped the case body in; the response comes first)
    expect(page.get_by_test_id("case-state")).to_have_text("已受理")
    expect(page.get_by_test_id("case-colour")).to_have_text("正常")
    _act(page, "交办承办")
    _act(page, "开始调处")
    _act(
        page,
        "办结",
        {
            "select[name='conclude-outcome']": "agreement",
            "textarea[name='conclude-reason']": "双方达成赔偿协议",
        },
    )
    _act(page, "回访", {"select[name='follow_up-satisfaction']": "5"})
    # then the case is followed up and the timeline shows every step in order
    expect(page.get_by_test_id("case-state")).to_have_text("已回访")
    timeline = page.get_by_test_id("timeline").inner_text()
    steps = ["登记", "受理", "交办", "开始调处", "办结", "回访"]
    positions = [timeline.index(step) for step in steps]
    assert positions == sorted(positions)
    screenshot("case-followed-up")

    # and the citizen sees the progress on the public page without logging in
    page.context.clear_cookies()
    page.goto(f"{base}/q/?number={number}")
    page.fill("#code", code)
    page.click("button[type=submit]")
    assert "已回访" in page.get_by_test_id("query-result").inner_text()
    assert "王某某" not in page.content()


def test_a_mediator_finds_a_party_by_phone_and_reveals_the_number(
    demo_world, live_server, page, screenshot
):
    from pingan.cases.models import Category
    from pingan.cases.services import PartyInput, case_register
    from pingan.orgs.models import Division, Staff

    case, _ = case_register(
        actor=Staff.objects.get(username="street_clerk"),
        channel="walk_in",
        category=Category.objects.get(code="neighbourhood"),
        complexity="general",
        title="楼上漏水纠纷",
        narrative="楼上住户卫生间漏水，渗到楼下厨房，多次协商未果，请求调解赔偿。",
        grid=Division.objects.get(code="110101001001001"),
        parties=[PartyInput("applicant", "王某某", "11010519491231002X", "13812345678")],
    )
    base = live_server.url
    # given a mediator who has only the citizen's phone number
    _login(page, base, "street_mediator")
    page.goto(f"{base}/cases/?tab=area&party=138+1234+5678")
    # then the queue finds the case by it
    screenshot("queue-party-search")
    page.get_by_role("link", name=case.number).click()
    # when they ask for the full number with a reason
    row = page.locator("tr", has_text="王某某")
    assert "138****5678" in row.inner_text()
    phone = row.locator("td").nth(3)
    phone.locator("summary").click()
    phone.locator("input[name=reason]").fill("电话联系当事人约调解时间")
    with page.expect_response(lambda r: "/reveal/" in r.url):
        phone.locator("button", has_text="查看").click()
    # then it is shown, marked as recorded
    expect(page.get_by_test_id("party-number")).to_have_text("13812345678")
    screenshot("party-number-revealed")
    # and the street's leader finds the read, with its reason, in 个人信息查看记录
    _login(page, base, "street_leader")
    page.get_by_role("link", name="个人信息查看记录").click()
    expect(page.locator("tbody tr").first).to_contain_text("电话联系当事人约调解时间")
    expect(page.locator("tbody tr").first).to_contain_text(case.number)
    screenshot("personal-data-reads")


def test_the_category_follows_the_top_suggestion_until_the_clerk_picks_one(
    demo_world, live_server, page, screenshot
):
    base = live_server.url
    # given a clerk who describes the matter and its place but picks no category
    _login(page, base, "street_clerk")
    page.goto(f"{base}/cases/new/")
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", "拖欠工资")
    with page.expect_response(lambda r: "/cases/places/" in r.url):
        page.select_option("#id_community", "110101001001")
    page.wait_for_selector("#id_grid option[value='110101001001001']", state="attached")
    page.select_option("#id_grid", "110101001001001")
    page.wait_for_load_state("networkidle")
    page.fill("#id_narrative", "某餐馆拖欠三名服务员两个月工资共计两万元，老板拒不支付，请求协调。")
    with page.expect_response(lambda r: "/cases/suggest/" in r.url):
        page.press("#id_narrative", "End")  # the panel asks again when a key is released
    page.wait_for_selector("[data-testid=suggested-category]")
    page.wait_for_load_state("networkidle")
    # then the category is taken from the top suggestion
    suggested = page.locator("#suggest-panel").get_attribute("data-suggested-category")
    assert suggested
    # (the page sets it once htmx has settled the panel, a moment after the swap: expect waits)
    expect(page.locator("#id_category")).to_have_value(suggested)
    screenshot("intake-category-suggested")
    # when the clerk picks another category, a later suggestion does not override it
    page.select_option("#id_category", label="邻里纠纷")
    page.wait_for_load_state("networkidle")
    page.fill("#id_narrative", "某餐馆拖欠三名服务员两个月工资，老板拒不支付，请求协调解决。")
    with page.expect_response(lambda r: "/cases/suggest/" in r.url):
        page.press("#id_narrative", "End")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_category option:checked")).to_have_text("邻里纠纷")


def _tab_to(page, element_id: str, *, presses: int = 60) -> None:
    """Move the focus with the Tab key alone until it reaches ``element_id``."""
    for _ in range(presses):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def _choose(page, element_id: str, value: str) -> None:
    """Pick a select's option with the arrow keys (no mouse, no script setting the value)."""
    _tab_to(page, element_id)
    page.keyboard.press("Home")
    for _ in range(60):
        if page.evaluate(f"document.getElementById('{element_id}').value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"#{element_id} has no option {value}")


def test_a_clerk_registers_a_matter_with_the_keyboard_alone(demo_world, live_server, page):
    base = live_server.url
    _login(page, base, "street_clerk")
    page.goto(f"{base}/cases/new/")
    page.wait_for_load_state("networkidle")
    # every field is reached with Tab and filled by typing or with the arrow keys
    _choose(
        page,
        "id_category",
        page.evaluate(
            "[...document.getElementById('id_category').options]"
            ".find(o => o.text === '邻里纠纷').value"
        ),
    )
    page.wait_for_load_state("networkidle")
    _tab_to(page, "id_title")
    page.keyboard.type("楼道堆物纠纷")
    _tab_to(page, "id_narrative")
    page.keyboard.type("邻居长期在楼道堆放杂物，影响通行和消防安全，多次沟通未果。")
    with page.expect_response(lambda r: "/cases/places/" in r.url):
        _choose(page, "id_community", "110101001001")
    page.wait_for_selector("#id_grid option[value='110101001001001']", state="attached")
    _choose(page, "id_grid", "110101001001001")
    page.wait_for_load_state("networkidle")
    _tab_to(page, "id_party-0-name")
    page.keyboard.type("王某某")
    _tab_to(page, "id_party-0-id_number")
    page.keyboard.type("11010519491231002X")
    page.wait_for_load_state("networkidle")
    # and the form is sent with Enter on its button
    for _ in range(60):
        if page.evaluate("document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    assert "登记并打印回执" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("receipt-number")).to_be_visible()
