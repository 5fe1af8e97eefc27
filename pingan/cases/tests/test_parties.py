"""Finding and reaching parties (M1.2, X2): cases found by a party's exact ID number or phone
through the blind index; a full number shown only to those who contact parties, with a reason
that is logged."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix

from .conftest import VALID_ID

pytestmark = pytest.mark.django_db

OTHER_STREET_DISPATCHER = "dispatcher@110101002"
PHONE = "13812345678"


@pytest.fixture
def case(register):
    return register()[0]


@pytest.fixture
def api(staff):
    def as_(persona: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff(persona))
        return client

    return as_


def _applicant(case):
    return case.parties.get(role="applicant")


# --- search ---------------------------------------------------------------------------------


def test_the_queue_finds_a_case_by_a_partys_id_number_or_phone(client_as, case, register):
    other, _ = register(title="另一起纠纷")
    other.parties.update(id_number_index="", phone_index="")
    client = client_as("street_dispatcher")
    queue = reverse("cases:queue")
    for typed in [VALID_ID.lower(), "138 1234 5678", "+8613812345678"]:
        html = client.get(queue, {"tab": "area", "party": typed}).content.decode()
        assert case.number in html and other.number not in html
    html = client.get(queue, {"tab": "area", "party": "13900000000"}).content.decode()
    assert case.number not in html


def test_the_api_finds_by_party_in_a_constant_number_of_queries(
    api, register, django_assert_max_num_queries
):
    for _ in range(3):
        register()
    client = api("street_dispatcher")
    with django_assert_max_num_queries(12):
        response = client.get("/api/cases/", {"party": PHONE})
    assert response.status_code == 200
    assert response.json()["count"] == 3
    # another street's dispatcher finds none of them: the search stays inside the scope
    assert api(OTHER_STREET_DISPATCHER).get("/api/cases/", {"party": PHONE}).json()["count"] == 0


# --- reveal ---------------------------------------------------------------------------------


def test_a_mediator_sees_the_full_phone_with_a_reason_and_the_read_is_logged(client_as, case):
    party = _applicant(case)
    url = reverse("cases:party-reveal", args=[case.number, party.pk])
    response = client_as("street_mediator").post(
        url, {"field": "phone", "reason": "电话联系当事人约调解时间"}
    )
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    event = AuditEvent.objects.get(action="pii.read")
    assert (event.actor.username, event.reason, event.data) == (
        "street_mediator",
        "电话联系当事人约调解时间",
        {"field": "phone"},
    )
    assert event.target_id == str(party.pk)


@pytest.mark.parametrize(
    ("persona", "data", "status", "message"),
    [
        ("street_mediator", {"field": "phone", "reason": ""}, 400, "请填写查看原因"),
        (
            "street_mediator",
            {"field": "narrative", "reason": "看看"},
            400,
            "只能查看身份证号或联系电话",
        ),
        ("street_leader", {"field": "phone", "reason": "了解情况"}, 403, "您的角色不能执行此操作"),
        (OTHER_STREET_DISPATCHER, {"field": "phone", "reason": "联系"}, 404, ""),
    ],
)
def test_a_refused_reveal_shows_nothing_and_logs_nothing(
    client_as, case, persona, data, status, message
):
    url = reverse("cases:party-reveal", args=[case.number, _applicant(case).pk])
    response = client_as(persona).post(url, data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert PHONE not in response.content.decode()
    assert not AuditEvent.objects.filter(action="pii.read").exists()


def test_the_case_page_offers_the_reveal_to_those_who_contact_parties_only(client_as, case):
    page = reverse("cases:case-detail", args=[case.number])
    mediator = client_as("street_mediator").get(page).content.decode()
    assert "查看完整号码" in mediator and PHONE not in mediator
    leader = client_as("street_leader").get(page).content.decode()
    assert "查看完整号码" not in leader


def test_the_api_reveals_with_the_same_rules(api, case):
    party = _applicant(case)
    url = f"/api/cases/{case.number}/parties/{party.pk}/reveal/"
    response = api("street_clerk").post(
        url, {"field": "id_number", "reason": "核对身份"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": VALID_ID}
    assert api("street_leader").post(url, {"field": "phone", "reason": "x"}).status_code == 403
    assert api("street_clerk").post(url, {"field": "phone"}).status_code == 400
    missing = f"/api/cases/{case.number}/parties/999999/reveal/"
    assert api("street_clerk").post(missing, {"field": "phone", "reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="pii.read").count() == 1


class TestRevealPage(PermissionMatrix):
    url_name = "cases:party-reveal"
    method = "post"
    data = {"field": "phone", "reason": "电话联系当事人"}
    in_scope = "street_mediator"
    wrong_role = "street_leader"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _case(self, case):
        self.case = case

    def url(self) -> str:
        return reverse(self.url_name, args=[self.case.number, _applicant(self.case).pk])


class TestRevealApi(TestRevealPage):
    url_name = "case-party-reveal"
    api = True


# --- the record of reads (个人信息查看记录) ---------------------------------------------------


def _reveal(client_as, case, persona, field="phone", reason="电话联系当事人约调解时间"):
    url = reverse("cases:party-reveal", args=[case.number, _applicant(case).pk])
    assert client_as(persona).post(url, {"field": field, "reason": reason}).status_code == 200


def test_every_full_read_is_listed_for_the_leaders_and_the_administrator(
    client_as, case, django_assert_max_num_queries
):
    # given a mediator and a clerk of the street read a party's numbers, and a leader
    # exports the queue unmasked
    _reveal(client_as, case, "street_mediator")
    _reveal(client_as, case, "street_clerk", field="id_number", reason="核对身份")
    client_as("street_leader").get(reverse("cases:export"), {"tab": "area"})
    page = reverse("audit:personal-data")
    # when the street's leader opens the record (50 rows a page in a fixed number of queries)
    leader = client_as("street_leader")
    leader.get(page)
    with django_assert_max_num_queries(13):
        response = leader.get(page)
    html = response.content.decode()
    # then every read is there with who, what, which case and why, and nothing in full
    assert response.context["table"].page.paginator.count == 3
    assert "电话联系当事人约调解时间" in html and "核对身份" in html and "导出 1 行" in html
    assert case.number in html and PHONE not in html and VALID_ID not in html
    assert 'type="date" name="after"' in html  # the shared filter form draws date pickers
    dated = leader.get(page, {"after": "2000-01-01", "before": "2000-01-31"})
    assert dated.context["table"].page.paginator.count == 0
    # and it filters by content and by person
    only_ids = leader.get(page, {"field": "id_number"})
    assert only_ids.context["table"].page.paginator.count == 1
    by_person = leader.get(page, {"q": "street_mediator"})
    assert by_person.context["table"].page.paginator.count == 1
    # another street's leader sees none of these reads; the administrator sees them all
    other = client_as("leader@110101002").get(page)
    assert other.context["table"].page.paginator.count == 0 and "没有查看完整个人信息" in (
        other.content.decode()
    )
    assert client_as("admin").get(page).context["table"].page.paginator.count == 3


class TestPersonalDataReadsPage(PermissionMatrix):
    url_name = "audit:personal-data"
    in_scope = "street_leader"
    wrong_role = "street_mediator"
