"""The public progress page: number + code, no personal data, rate-limited guessing (M1.4)."""

import pytest
from django.urls import reverse
from django.utils.timezone import localdate

from pingan.cases import services


@pytest.mark.django_db
def test_citizen_sees_progress_without_personal_data(client, register, staff):
    # given a registered and accepted case
    case, code = register()
    services.case_accept(case=case, actor=staff("street_dispatcher"))
    # when the citizen enters the number and code from the receipt
    response = client.post(reverse("public-query"), {"number": case.number.lower(), "code": code})
    # then they see the states and dates, but no names, ID numbers, phones or staff
    content = response.content.decode()
    assert response.status_code == 200
    assert "已登记" in content and "已受理" in content
    # with the deadline and what happens next, in plain words
    case.refresh_from_db()
    assert f"办理期限：{localdate(case.due_at):%Y-%m-%d}（剩余" in content
    assert "下一步：综治中心正在安排承办单位。" in content
    for secret in ("王某某", "李某某", "11010519491231002X", "13812345678", "张静", "李明"):
        assert secret not in content


@pytest.mark.django_db
def test_wrong_code_is_refused_and_then_rate_limited(client, register):
    case, code = register()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("public-query"), {"number": case.number, "code": wrong})
        assert response.status_code == 400
        assert "查询码不正确" in response.content.decode()
    # the sixth try is locked, even with the right code
    response = client.post(reverse("public-query"), {"number": case.number, "code": code})
    assert response.status_code == 429
    assert "15 分钟后再试" in response.content.decode()


@pytest.mark.django_db
def test_unknown_number_looks_like_a_wrong_code(client):
    response = client.post(reverse("public-query"), {"number": "DC2026-999999", "code": "123456"})
    assert response.status_code == 400
    assert "事项编号或查询码不正确" in response.content.decode()


@pytest.mark.django_db
def test_reissued_code_replaces_the_old_one(client, client_as, register):
    case, old_code = register()
    staff_client = client_as("street_clerk")
    response = staff_client.post(reverse("cases:case-receipt-reissue", args=[case.number]))
    assert response.status_code == 302
    receipt = staff_client.get(response["Location"]).content.decode()
    new_code = receipt.split('data-testid="receipt-code">')[1][:6]
    assert new_code.isdigit()
    assert (
        client.post(reverse("public-query"), {"number": case.number, "code": new_code}).status_code
        == 200
    )
    if new_code != old_code:
        assert (
            client.post(
                reverse("public-query"), {"number": case.number, "code": old_code}
            ).status_code
            == 400
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"), [("street_mediator", 403), ("dispatcher@110101002", 404)]
)
def test_only_the_front_desk_of_the_handling_unit_reissues_a_code(
    client, client_as, register, persona, status
):
    # given a case and its citizen's code
    case, code = register()
    # when a mediator (not front desk) or another street's dispatcher tries to reissue it
    response = client_as(persona).post(reverse("cases:case-receipt-reissue", args=[case.number]))
    # then they are refused (or do not find it), and the citizen's code still works
    assert response.status_code == status
    query = {"number": case.number, "code": code}
    assert client.post(reverse("public-query"), query).status_code == 200


@pytest.mark.django_db
def test_a_registered_case_says_when_its_clock_starts(client, register):
    case, code = register()
    content = client.post(reverse("public-query"), {"number": case.number, "code": code})
    content = content.content.decode()
    assert 'data-testid="query-deadline"' not in content
    assert "受理后开始计算办理期限" in content


@pytest.mark.django_db
def test_public_page_needs_no_login(client):
    response = client.get(reverse("public-query"))
    assert response.status_code == 200 and "办理进度查询" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://zzzx.example.gov.cn/", "https://zzzx.example.gov.cn/q/?number="),
        ("", "http://testserver/q/?number="),
    ],
)
def test_the_receipt_prints_the_public_address(client_as, register, settings, public_url, expected):
    # given the public address configured for citizens (or none)
    settings.PINGAN_PUBLIC_URL = public_url.rstrip("/")
    case, _ = register()
    # when the receipt is printed
    receipt = client_as("street_clerk").get(reverse("cases:case-receipt", args=[case.number]))
    # then it shows the address citizens can open
    assert expected + case.number in receipt.content.decode()


@pytest.mark.django_db
def test_the_api_reissues_a_code_through_the_same_declared_action(client, register, staff):
    from rest_framework.test import APIClient

    from pingan.core.models import ApiToken

    def api_as(username: str) -> APIClient:
        api = APIClient()
        text = ApiToken.objects.create(user=staff(username), name="t")[1]
        api.credentials(HTTP_AUTHORIZATION=f"Token {text}")
        return api

    def opens(code: str) -> bool:
        query = {"number": case.number, "code": code}
        return client.post(reverse("public-query"), query).status_code == 200

    # given a case and its citizen's code
    case, old_code = register()
    url = f"/api/cases/{case.number}/receipt-reissue/"
    # the mediator (not front desk) is refused and the citizen's code still works
    refused = api_as("street_mediator").post(url)
    assert refused.status_code == 403 and refused.json()["detail"] == "您的角色不能执行此操作。"
    assert opens(old_code)
    # the clerk gets a new code, which opens the public query
    issued = api_as("street_clerk").post(url)
    assert issued.status_code == 200 and opens(issued.json()["query_code"])
