"""Login, logout, lockout, password hashing and sessions."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pingan.orgs.models import Staff


@pytest.mark.django_db
def test_login_page_is_in_chinese(client):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "登录" in content and "用户名" in content and 'lang="zh-hans"' in content


@pytest.mark.django_db
def test_login_and_logout(client, demo_password):
    response = client.post(
        reverse("login"), {"username": "street_dispatcher", "password": demo_password}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "东华门街道" in client.get("/").content.decode()
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_says_so_in_chinese(client):
    response = client.post(reverse("login"), {"username": "street_dispatcher", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_lockout_after_repeated_failures(client, demo_password):
    # given five wrong passwords in a row
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "street_clerk", "password": "wrong-password"})
    # when the right password follows
    response = client.post(
        reverse("login"), {"username": "street_clerk", "password": demo_password}
    )
    # then the account is locked: refused with the Chinese lockout page, not logged in
    assert response.status_code == 429
    assert "账号已临时锁定" in response.content.decode()
    assert client.get("/").status_code == 302
    # and another account from the same machine is not affected
    response = client.post(
        reverse("login"), {"username": "street_leader", "password": demo_password}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(staff):
    assert staff("street_dispatcher").password.startswith("argon2")


@pytest.mark.django_db
def test_generated_staff_cannot_log_in(client, staff):
    person = Staff.objects.filter(username__startswith="gw").first()
    assert not person.has_usable_password()


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.django_db
def test_the_session_slides_as_the_user_works_without_a_write_per_page(client, staff):
    # given a signed-in clerk
    client.force_login(staff("street_dispatcher"))
    client.get("/")
    first = _expiry(client)
    # when they open another page a minute later, the session row is not written again
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=1)),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get("/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert _expiry(client) == first
    # when they work on after more than five minutes, the expiry moves forward
    later = timezone.now() + timedelta(minutes=6)
    with time_machine.travel(later):
        assert client.get("/").status_code == 200
    assert _expiry(client) >= first + timedelta(minutes=5)
    # and after two idle hours from there the session is over
    with time_machine.travel(later + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_expired_session_is_sent_to_login(client, staff, settings):
    settings.SESSION_COOKIE_AGE = -1
    client.force_login(staff("street_dispatcher"))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_english_translation_switches(client_as):
    client = client_as("street_dispatcher")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    content = client.get("/").content.decode()
    assert 'lang="en"' in content
    assert "Home" in content and "首页" not in content


@pytest.mark.django_db
def test_admin_is_in_chinese_and_for_administrators_only(client_as):
    assert client_as("street_dispatcher").get("/admin/").status_code == 302
    response = client_as("admin").get("/admin/orgs/division/?level=street")
    assert response.status_code == 200
    content = response.content.decode()
    assert "区划网格" in content and "东华门街道" in content


@pytest.mark.django_db
def test_the_admins_third_party_sections_speak_chinese_and_otp_devices_are_not_there(client_as):
    # the login lockouts (django-axes) are named in Chinese, down to their columns
    index = client_as("admin").get("/admin/").content.decode()
    assert "登录失败锁定" in index and "登录失败记录" in index
    assert "Axes" not in index and "Access attempts" not in index
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="street_clerk",
        ip_address="10.0.0.8",
        failures_since_start=2,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        user_agent="",
    )
    attempts = client_as("admin").get("/admin/axes/accessattempt/").content.decode()
    assert "IP 地址" in attempts and "失败次数" in attempts
    # and second factors are reset on the site's audited page, not deleted in the admin
    assert (
        "TOTP" not in index
        and client_as("admin").get("/admin/otp_totp/totpdevice/").status_code == 404
    )


@pytest.mark.django_db
def test_pages_answer_with_a_content_security_policy(client_as):
    response = client_as("street_dispatcher").get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_asks(client_as):
    client = client_as("street_dispatcher")
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in content and "首页" in content


@pytest.mark.django_db
def test_nul_bytes_are_refused_not_a_server_error(client_as):
    client = client_as("street_dispatcher")
    response = client.get("/cases/", {"category": "a\x00b"})
    assert response.status_code == 400
    response = client.get("/api/cases/", {"q": "\x00"})
    assert response.status_code == 400 and "非法字符" in response.json()["detail"]


@pytest.mark.django_db
def test_nul_in_a_json_body_is_refused(client_as):
    response = client_as("street_clerk").post(
        "/api/cases/", '{"grid": "\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 400


def test_the_error_page_needs_no_database_and_speaks_the_users_language(rf):
    from django.utils import translation

    from pingan.core.views import server_error

    request = rf.get("/")  # no user, no session: the page must not need them
    response = server_error(request)
    assert response.status_code == 500
    assert "已填写的内容未被保存" in response.content.decode()
    with translation.override("en"):
        english = server_error(request).content.decode()
    assert "has not been saved" in english and 'lang="en"' in english
