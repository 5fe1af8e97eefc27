"""双因素认证 and 接口令牌 in a real browser: an administrator whose role needs two factors sets
up the authenticator at first sign-in, keeps the recovery codes, and issues a token."""

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(transactional_db):
    call_command("pingan_demo", cases=0, app_data="none")


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_an_administrator_sets_up_two_factors_and_issues_a_token(
    demo_world, live_server, page, screenshot, settings
):
    settings.PINGAN_TWO_FACTOR_ROLES = ["administrator"]
    # given the administrator signs in with the password
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_test_id("two-factor-off").count() == 0
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    # then the site asks for the authenticator first, with a QR code to scan
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/?next=%2F")
    assert page.get_by_test_id("qr").locator("svg").count() == 1
    screenshot("two-factor-setup")
    # a wrong code is refused beside the field
    page.fill("#id_code", "000000")
    page.get_by_test_id("code-submit").click()
    assert "验证码不正确" in page.get_by_test_id("code-error").inner_text()
    # the app's code sets it up and shows ten recovery codes once
    device = TOTPDevice.objects.get(user__username="admin")
    page.wait_for_timeout(1100)  # django-otp makes the next try after a wrong one wait a second
    page.fill("#id_code", _code(device))
    page.get_by_test_id("code-submit").click()
    assert page.get_by_test_id("recovery-code").count() == 10
    screenshot("two-factor-recovery-codes")
    # and the user menu leads on to 接口令牌, where a token is issued once
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.fill("#id_name", "调度大屏")
    page.get_by_test_id("token-form").locator("button[type=submit]").click()
    assert len(page.get_by_test_id("token-text").inner_text()) == 64
    assert page.get_by_test_id("token-row").count() == 1
    screenshot("api-tokens")


def test_the_demo_login_page_says_two_factors_are_off(demo_world, live_server, page, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    assert "双因素登录已关闭" in page.get_by_test_id("two-factor-off").inner_text()
    screenshot("login-demo")


def test_the_security_auditor_reads_the_audit_log(demo_world, live_server, page, screenshot):
    # given a week in which the clerk changed their password and took a token
    from pingan.core.services import audit_record
    from pingan.orgs.models import Staff

    clerk = Staff.objects.get(username="street_clerk")
    audit_record(actor=clerk, action="core.password_changed", target=clerk)
    audit_record(actor=clerk, action="core.token_issue", data={"name": "手机"})
    # when the security auditor opens 审计日志 from the menu
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "security_auditor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="审计日志").first.click()
    # then the week's rows are there, the declared action named in Chinese
    assert "新建令牌" in page.locator("table").inner_text()
    page.fill("#id_q", "street_clerk")
    page.get_by_role("button", name="查询").click()
    assert page.locator("tbody tr").count() == 2
    screenshot("audit-log")
