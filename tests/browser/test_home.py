"""A street dispatcher logs in through a real browser and sees their street's home page."""

import pytest
from django.core.management import call_command

from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(transactional_db):
    # Transactional tests start from an empty database: load the demo world again.
    call_command("pingan_demo", cases=0, app_data="none")


def test_street_dispatcher_sees_the_chinese_home_of_their_street(
    demo_world, live_server, page, screenshot
):
    # given the login page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.title() == "登录 · 平安综治"
    # when the street dispatcher of 东华门 logs in
    page.fill("#id_username", "street_dispatcher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    # then the Chinese home page shows their street and its real counts
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "您好，李明"
    assert "东华门街道综治中心" in page.locator(".pa-topbar").inner_text()
    assert page.get_by_test_id("scope-line").inner_text().startswith("工作范围：东华门街道")
    assert page.get_by_test_id("stat-streets").inner_text() == "1"
    assert page.get_by_test_id("stat-communities").inner_text() == "10"
    assert page.get_by_test_id("stat-grids").inner_text() == "115"
    # and the map draws the street's communities from local assets (a canvas, no tiles)
    page.wait_for_selector("[data-division-map] canvas")
    screenshot("home-street-dispatcher")
    # and another street is out of reach
    response = page.goto(f"{live_server.url}/orgs/divisions/110101002/")
    assert response.status == 404
    assert "页面不存在" in page.content()


def test_wrong_password_shows_a_chinese_error(demo_world, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "street_dispatcher")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator("#login-error").inner_text()


def test_a_clerk_changes_their_password_from_the_user_menu(
    demo_world, live_server, page, screenshot
):
    # given the clerk signed in
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "street_clerk")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    # when they open 修改密码 from the user menu and try a password without a symbol
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("password-change").click()
    page.fill("#id_old_password", DEMO_PASSWORD)
    page.fill("#id_new_password1", "Dongcheng2027")
    page.fill("#id_new_password2", "Dongcheng2027")
    page.get_by_test_id("password-submit").click()
    # then the page says what is missing, next to the rules
    assert "特殊符号" in page.locator(".invalid-feedback").first.inner_text()
    screenshot("password-change-refused")
    # and with one it is changed, and the home page says so
    page.fill("#id_old_password", DEMO_PASSWORD)
    page.fill("#id_new_password1", "Dongcheng#2027")
    page.fill("#id_new_password2", "Dongcheng#2027")
    page.get_by_test_id("password-submit").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "密码已修改" in page.locator("body").inner_text()
