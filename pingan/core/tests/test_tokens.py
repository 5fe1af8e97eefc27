"""接口令牌 (X6): hashed at rest, expiring, named per device, listed with their last use and
revoked by their owner or an administrator, on the page and through the API alike."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from pingan.core.models import ApiToken, AuditEvent, Notice
from pingan.core.testing import PermissionMatrix

pytestmark = pytest.mark.django_db


class TestTokenPage(PermissionMatrix):
    url_name = "tokens"
    in_scope = "street_clerk"


class TestTokenListApi(PermissionMatrix):
    url_name = "api-token-list"
    api = True
    in_scope = "street_clerk"


def _clerks_token_key() -> str:
    from pingan.orgs.models import Staff

    token, _text = ApiToken.objects.create(
        user=Staff.objects.get(username="street_clerk"), name="t"
    )
    return token.token_key[:8]


class TestTokenRevokePage(PermissionMatrix):
    url_name = "token-revoke"
    method = "post"
    in_scope = "street_clerk"
    out_of_scope = "officer"
    ok_status = 302

    @property
    def url_args(self):
        return (_clerks_token_key(),)


class TestTokenRevokeApi(TestTokenRevokePage):
    url_name = "api-token-revoke"
    api = True
    ok_status = 200


def _api(text: str | None = None) -> APIClient:
    client = APIClient()
    if text:
        client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def _sign_in(demo_password, **extra):
    body = {"username": "street_clerk", "password": demo_password, "name": "手机", **extra}
    return _api().post("/api/auth/token/", body, format="json")


def test_signing_in_issues_a_token_kept_only_as_a_digest(demo_password, staff):
    # when the clerk signs in through the API for their phone
    response = _sign_in(demo_password)
    # then they get a token once, which the database holds only as a digest
    assert response.status_code == 200, response.content
    body = response.json()
    text = body["token"]
    assert len(text) == 64 and body["name"] == "手机" and body["expiry"]
    token = ApiToken.objects.get(user=staff("street_clerk"))
    assert text not in (token.digest, token.token_key) and token.digest != text
    assert token.token_key == text[:15]
    # and the token opens the API, and the issue is in the audit trail
    assert _api(text).get("/api/me/").json()["username"] == "street_clerk"
    assert AuditEvent.objects.filter(action="core.token_issued", data__name="手机").exists()


def test_a_wrong_password_gets_no_token_and_counts_towards_the_lockout(demo_password):
    from axes.models import AccessAttempt

    response = _sign_in("Wrong#2026x")
    assert response.status_code == 400 and response.json()["detail"] == "用户名或密码不正确。"
    assert not ApiToken.objects.exists()
    assert AccessAttempt.objects.filter(username="street_clerk").exists()


def test_a_token_without_a_device_name_is_refused(demo_password):
    response = _sign_in(demo_password, name="")
    assert response.status_code == 400 and "name" in response.json()
    assert not ApiToken.objects.exists()


def test_a_token_expires(staff, settings):
    # given a token issued now, valid 30 days
    token, text = ApiToken.objects.create(user=staff("street_clerk"), name="大屏")
    assert token.expiry - timezone.now() == pytest.approx(timedelta(days=30), abs=timedelta(1))
    # when 31 days pass
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        refused = _api(text).get("/api/me/")
    # then it is refused in words
    assert refused.status_code == 401 and refused.json()["detail"] == "令牌已过期，请重新获取。"


def test_the_last_use_is_noted_at_most_every_five_minutes(staff):
    token, text = ApiToken.objects.create(user=staff("street_clerk"), name="大屏")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _api(text).get("/api/me/")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        _api(text).get("/api/me/")
    token.refresh_from_db()
    assert token.last_used_at == start  # not written again so soon
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        _api(text).get("/api/me/")
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(minutes=6)


def test_the_owner_lists_and_revokes_their_tokens_through_the_api(staff):
    clerk = staff("street_clerk")
    _phone, phone_text = ApiToken.objects.create(user=clerk, name="手机")
    screen, _screen_text = ApiToken.objects.create(user=clerk, name="大屏")
    ApiToken.objects.create(user=staff("officer"), name="别人的")
    listed = _api(phone_text).get("/api/auth/tokens/").json()
    assert sorted(row["name"] for row in listed["results"]) == ["大屏", "手机"]
    key = screen.token_key[:8]
    response = _api(phone_text).post(f"/api/auth/tokens/{key}/revoke/", {}, format="json")
    assert response.status_code == 200
    assert not ApiToken.objects.filter(digest=screen.digest).exists()
    revoked = AuditEvent.objects.get(action="core.token_revoked")
    assert revoked.actor == clerk and revoked.data == {"name": "大屏", "key": key}
    assert revoked.target_id == str(clerk.pk)  # whose token it was


def test_someone_elses_token_is_not_found_and_stays(staff):
    _mine, text = ApiToken.objects.create(user=staff("street_clerk"), name="手机")
    other, _other_text = ApiToken.objects.create(user=staff("officer"), name="别人的")
    response = _api(text).post(f"/api/auth/tokens/{other.token_key[:8]}/revoke/", {}, format="json")
    assert response.status_code == 404
    assert ApiToken.objects.filter(digest=other.digest).exists()


@pytest.mark.parametrize("key", ["a", "abc", "x" * 300, "%E4%B8%AD"])
def test_a_key_too_short_or_unknown_is_not_found(staff, client_as, key):
    # given an administrator who may see many tokens
    admin = staff("admin")
    _mine, text = ApiToken.objects.create(user=admin, name="手机")
    ApiToken.objects.create(user=staff("street_clerk"), name="手机")
    response = _api(text).post(f"/api/auth/tokens/{key}/revoke/", {}, format="json")
    assert response.status_code == 404
    page = client_as("admin").post(f"/accounts/tokens/{key}/revoke/", {"reason": "x"})
    assert page.status_code == 404
    assert ApiToken.objects.count() == 2


def test_an_administrator_revokes_anyones_token_with_a_reason_the_owner_is_told(staff, client_as):
    owner = staff("street_clerk")
    token, _text = ApiToken.objects.create(user=owner, name="手机")
    url = f"/accounts/tokens/{token.token_key[:8]}/revoke/"
    client = client_as("admin")
    # without a reason: refused, and the token stays
    client.post(url, {"reason": ""})
    assert ApiToken.objects.filter(digest=token.digest).exists()
    # with one: revoked, and the owner is told why
    response = client.post(url, {"reason": "手机遗失"}, follow=True)
    assert "已撤销" in response.content.decode()
    assert not ApiToken.objects.filter(digest=token.digest).exists()
    notice = Notice.objects.get(recipient=owner, kind="token_revoked")
    assert "手机" in notice.title and notice.body == "手机遗失"


def test_the_page_issues_a_token_shown_once_and_lists_it(client_as, staff):
    client = client_as("street_clerk")
    page = client.post("/accounts/tokens/", {"name": "12345 热线对接"}).content.decode()
    token = ApiToken.objects.get(user=staff("street_clerk"))
    assert 'data-testid="token-text"' in page and token.token_key in page
    listed = client.get("/accounts/tokens/").content.decode()
    assert "12345 热线对接" in listed and token.token_key not in listed  # 8 characters only
    assert token.token_key[:8] in listed


def test_the_page_refuses_a_blank_or_overlong_name(client_as):
    client = client_as("street_clerk")
    for name in ["", "长" * 61]:
        page = client.post("/accounts/tokens/", {"name": name}).content.decode()
        assert "is-invalid" in page
    assert not ApiToken.objects.exists()


def test_a_person_holds_at_most_twenty_live_tokens(staff, client_as):
    clerk = staff("street_clerk")
    for number in range(20):
        ApiToken.objects.create(user=clerk, name=f"设备{number}")
    page = client_as("street_clerk").post("/accounts/tokens/", {"name": "再一个"})
    assert "请先撤销不再使用的令牌" in page.content.decode()
    assert ApiToken.objects.filter(user=clerk).count() == 20


def test_the_token_list_api_runs_in_constant_queries(staff, django_assert_max_num_queries):
    admin = staff("admin")
    _token, text = ApiToken.objects.create(user=admin, name="管理")
    client = _api(text)
    client.get("/api/auth/tokens/")  # the first use is noted
    for username in ["street_clerk", "officer", "street_mediator"]:
        ApiToken.objects.create(user=staff(username), name="手机")
    with django_assert_max_num_queries(4):
        rows = client.get("/api/auth/tokens/").json()["results"]
    assert len(rows) == 4
