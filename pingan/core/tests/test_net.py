"""The client's address behind the reverse proxy, and limits that never lock out everyone."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from pingan.core.net import client_ip

PROXY = "10.0.0.5"


def request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.7", None, "203.0.113.7"),  # no proxy in front
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # an untrusted peer's header is ignored
        (PROXY, "198.51.100.1", "198.51.100.1"),  # behind the trusted proxy
        (PROXY, "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # a forged first hop is not believed
        (PROXY, "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # a second trusted hop is skipped
        (PROXY, "not-an-address", PROXY),  # a malformed header: the proxy is all we know
        (PROXY, "", PROXY),
    ],
)
def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(
    settings, remote, forwarded, expected
):
    settings.PINGAN_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request(remote, forwarded)) == expected


@pytest.mark.django_db
def test_wrong_codes_from_one_citizen_do_not_lock_out_another_behind_the_proxy(client, settings):
    settings.PINGAN_TRUSTED_PROXIES = [PROXY]
    url = reverse("public-query")
    wrong = {"number": "DC2026-000001", "code": "000000"}
    for _attempt in range(6):
        client.post(url, wrong, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    locked = client.post(url, wrong, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert locked.status_code == 429
    # another citizen, through the same proxy, asking about another case, is not locked out
    other = {"number": "DC2026-000002", "code": "000000"}
    answer = client.post(url, other, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert answer.status_code == 400


@pytest.mark.django_db
def test_login_lockouts_record_the_client_not_the_proxy(client, settings):
    from axes.models import AccessAttempt

    settings.PINGAN_TRUSTED_PROXIES = [PROXY]
    client.post(
        reverse("login"),
        {"username": "street_clerk", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.1"]


def test_a_request_without_an_address_has_none(settings):
    settings.PINGAN_TRUSTED_PROXIES = [PROXY]
    bare = RequestFactory().get("/")
    del bare.META["REMOTE_ADDR"]
    assert client_ip(bare) is None  # axes then records no address instead of failing
