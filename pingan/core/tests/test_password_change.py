"""修改密码: a user changes their own password under the site's rules, and it is audited."""

import pytest
from django.test import Client
from django.urls import reverse

from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix
from pingan.demo.orgs import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/accounts/password/"
STRONG = "Dongcheng#2027"


class TestPasswordChangePage(PermissionMatrix):
    url_name = "password-change"
    in_scope = "street_clerk"


def _change(client, old: str, new: str, again: str | None = None):
    return client.post(
        URL, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def test_the_page_lists_the_rules_and_the_menu_links_it(client_as):
    page = client_as("street_clerk").get(URL).content.decode()
    assert 'data-testid="password-rules"' in page
    assert "特殊" in page  # letters, digits and a symbol
    assert reverse("password-change") in client_as("street_clerk").get("/").content.decode()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Dongchengpingan#", "数字"),  # no digit
        ("Dongcheng20272027", "特殊"),  # no symbol
        ("dongcheng#2027", "大写"),  # no capital
        ("Dc#1", "太短"),  # shorter than ten
    ],
)
def test_a_password_outside_the_rules_is_refused_and_nothing_changes(
    client_as, staff, new, message
):
    # given the clerk signed in
    client = client_as("street_clerk")
    # when they choose a password the rules refuse
    response = _change(client, DEMO_PASSWORD, new)
    # then the page says why, in Chinese, and the old password still works
    assert response.status_code == 200
    assert message in response.content.decode()
    assert staff("street_clerk").check_password(DEMO_PASSWORD)
    assert not AuditEvent.objects.filter(action="core.password_changed").exists()


def test_a_wrong_current_password_is_refused(client_as, staff):
    response = _change(client_as("street_clerk"), "Wrong#2026x", STRONG)
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    assert staff("street_clerk").check_password(DEMO_PASSWORD)


def test_a_change_is_audited_ends_other_sessions_and_cannot_go_back(client_as, staff):
    # given the clerk signed in on two devices
    clerk = staff("street_clerk")
    other_device = Client()
    other_device.force_login(clerk)
    client = client_as("street_clerk")
    # when they change their password on one
    response = _change(client, DEMO_PASSWORD, STRONG)
    # then it is changed, recorded with who and when, and only that device stays signed in
    assert response.status_code == 302 and response["Location"] == reverse("home")
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)
    event = AuditEvent.objects.get(action="core.password_changed")
    assert event.actor == clerk
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    # and a password used before is refused when they try it again
    _change(client, STRONG, "Dongcheng#2028")
    again = _change(client, "Dongcheng#2028", STRONG)
    assert again.status_code == 200 and "重复使用" in again.content.decode()


def test_with_a_maximum_age_an_old_or_initial_password_must_be_changed_first(
    client_as, staff, settings
):
    from datetime import timedelta

    from django.utils import timezone

    # given passwords that expire after 90 days, and a clerk who never set their own
    settings.PINGAN_PASSWORD_MAX_AGE_DAYS = 90
    client = client_as("street_clerk")
    # when they open any page, then they are sent to change it first; the API still answers
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == URL
    assert client.get("/api/me/").status_code == 200
    assert "90 天未修改" in client.get(URL).content.decode()
    # and once they have changed it, the site opens
    assert _change(client, DEMO_PASSWORD, STRONG).status_code == 302
    assert client.get("/").status_code == 200
    # and 91 days on, it must be changed again, while 89 days is still fine
    clerk = staff("street_clerk")
    for days, status in ((89, 200), (91, 302)):
        clerk.password_changed_at = timezone.now() - timedelta(days=days)
        clerk.save(update_fields=["password_changed_at"])
        assert client.get("/").status_code == status, days


def test_a_password_an_administrator_sets_is_an_initial_one(staff):
    # given a clerk who changed their own password recently
    from django.utils import timezone

    clerk = staff("street_clerk")
    clerk.password_changed_at = timezone.now()
    clerk.save(update_fields=["password_changed_at"])
    # when an administrator sets a new one for them
    clerk.set_password("Reset#20261207")
    clerk.save()
    # then it counts as set by someone else: they will be asked to change it
    clerk.refresh_from_db()
    assert clerk.password_changed_at is None
