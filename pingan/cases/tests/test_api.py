"""The case API: intake, actions, errors as 4xx with Chinese messages, scope, query counts."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pingan.cases.actions import ACTIONS
from pingan.cases.models import Case
from pingan.core.testing import PermissionMatrix

from .conftest import VALID_ID

OTHER_STREET_DISPATCHER = "dispatcher@110101002"


@pytest.fixture
def api(staff):
    def as_(persona: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff(persona))
        return client

    return as_


def _payload(**overrides):
    data = {
        "channel": "phone",
        "category": "labour",
        "complexity": "general",
        "title": "拖欠工资",
        "narrative": "某餐馆拖欠三名服务员两个月工资共计两万元，请求协调支付。",
        "grid": "110101001001001",
        "parties": [
            {"role": "applicant", "name": "赵某", "id_number": VALID_ID, "phone": "13900001111"}
        ],
    }
    data.update(overrides)
    return data


class TestCaseListApi(PermissionMatrix):
    url_name = "case-list"
    api = True
    in_scope = "street_dispatcher"


class TestCaseDetailApi(PermissionMatrix):
    url_name = "case-detail"
    api = True
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _case(self, register):
        self.case = register()[0]

    def url(self) -> str:
        return reverse(self.url_name, args=[self.case.number])


# Every declared case action is an API route with its own matrix: who may not (the role the
# case table refuses), who cannot see the case, and who may (on a just-registered case, an
# action the table allows there answers 200; the others pass access and are refused by the
# state table with 400).
JUDICIAL = {
    "court": "北京市东城区人民法院",
    "confirmed_on": "2026-11-20",
    "ruling_number": "民特1号",
}
REFERRAL = {"route": "litigation", "body": "北京市东城区人民法院", "referred_on": "2026-11-20",
            "follow_up_on": "2026-12-20"}  # fmt: skip
ACTION_MATRIX = {
    # action: (wrong role, data, in-scope status on a registered case)
    "accept": ("street_mediator", {"version": 1}, 200),
    "reject": ("street_mediator", {"reason": "不属于受理范围"}, 200),
    "assign": ("street_mediator", {}, 400),
    "start_mediation": ("street_clerk", {}, 400),
    "conclude": ("street_clerk", {"outcome": "agreement"}, 400),
    "follow_up": ("street_leader", {"satisfaction": 5}, 400),
    "archive": ("street_mediator", {}, 400),
    "escalate": ("street_clerk", {"reason": "需区级协调"}, 400),
    "assign_down": ("street_mediator", {"level": "community", "reason": "就地化解"}, 400),
    "joint": ("street_mediator", {"units": []}, 400),
    "extension_request": ("street_clerk", {"days": 5, "reason": "等待鉴定"}, 400),
    "extension_decide": ("street_dispatcher", {"approve": True}, 400),  # the leader decides
    "judicial_confirmation": ("street_clerk", JUDICIAL, 400),
    "refer": ("street_clerk", REFERRAL, 400),  # only once concluded
    "referral_result": ("street_clerk", {"result": "法院已立案", "result_on": "2026-11-20"}, 400),
    "supervise": ("street_dispatcher", {"reason": "请尽快办结"}, 400),  # leaders supervise
}


def _action_matrix(declared):
    wrong_role, data, ok_status = ACTION_MATRIX[declared.name]

    def url(self) -> str:
        return reverse(self.url_name, args=[self.case.number])

    name = "".join(part.title() for part in declared.name.split("_"))
    return type(
        f"Test{name}Api",
        (TestCaseDetailApi,),
        {
            "url_name": f"case-{declared.url_path}",
            "method": "post",
            "data": data,
            "wrong_role": wrong_role,
            "ok_status": ok_status,
            "in_scope": "street_leader"
            if declared.name in ("extension_decide", "supervise")
            else "street_dispatcher",
            "url": url,
        },
    )


for _declared in ACTIONS.values():
    _matrix = _action_matrix(_declared)
    globals()[_matrix.__name__] = _matrix


def test_every_declared_action_has_a_matrix():
    assert set(ACTION_MATRIX) == set(ACTIONS)


@pytest.mark.django_db
def test_register_through_the_api(api):
    response = api("street_clerk").post("/api/cases/", _payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "registered" and len(body["query_code"]) == 6
    assert body["parties"][0]["id_number"] == "110105********002X"
    assert body["events"][0]["kind"] == "register"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"parties": [{"role": "applicant", "name": "赵某", "id_number": "110105194912310021"}]},
            "parties",
            "校验位不正确",
        ),
        ({"grid": "110101002001001"}, "grid", ""),
        ({"category": "nonexistent"}, "category", ""),
        ({"narrative": "短"}, "narrative", ""),
    ],
)
def test_bad_input_is_a_400_and_saves_nothing(api, overrides, field, message):
    before = Case.objects.count()
    response = api("street_clerk").post("/api/cases/", _payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert message in str(response.json())
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_actions_through_the_api(api, register):
    case, _ = register()
    client = api("street_dispatcher")
    response = client.post(f"/api/cases/{case.number}/accept/", {"version": 1}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    assert response.json()["colour"] == "green"
    # a transition the table does not allow: 400 with the Chinese message, nothing changes
    response = client.post(f"/api/cases/{case.number}/archive/", {}, format="json")
    assert response.status_code == 400
    assert "不能执行此操作" in response.json()["detail"]
    # a stale version: 409
    response = client.post(
        f"/api/cases/{case.number}/escalate/", {"version": 1, "reason": "需区级协调"}, format="json"
    )
    assert response.status_code == 409
    response = client.post(
        f"/api/cases/{case.number}/escalate/", {"version": 2, "reason": "需区级协调"}, format="json"
    )
    assert response.status_code == 200 and response.json()["level"] == "district"


@pytest.mark.django_db
def test_follow_up_on_an_unconcluded_case_is_refused(api, register):
    case, _ = register()
    response = api("street_clerk").post(
        f"/api/cases/{case.number}/follow-up/", {"satisfaction": 5}, format="json"
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).satisfaction is None


@pytest.mark.django_db
def test_extension_without_approval_does_not_move_the_deadline(api, register):
    case, _ = register()
    client = api("street_dispatcher")
    client.post(f"/api/cases/{case.number}/accept/", {}, format="json")
    due = Case.objects.get(pk=case.pk).due_at
    response = client.post(
        f"/api/cases/{case.number}/extension-request/",
        {"days": 3, "reason": "鉴定未出"},
        format="json",
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).due_at == due
    response = client.post(
        f"/api/cases/{case.number}/extension-decide/", {"approve": True}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_case_list_pins_queries(api, register, staff, django_assert_num_queries):
    from pingan.cases.services import case_accept

    for _ in range(4):
        case_accept(case=register()[0], actor=staff("street_dispatcher"))
    number = Case.objects.first().number
    first, second = api("street_dispatcher"), api("street_dispatcher")
    # roles, scope (2), count, page, policies, calendar years and days: not one per row
    with django_assert_num_queries(8):
        data = first.get("/api/cases/").json()
    assert data["count"] == 4
    with django_assert_num_queries(8):
        one = second.get("/api/cases/", {"q": number}).json()
    assert one["count"] == 1


@pytest.mark.django_db
def test_api_intake_includes_the_routing_suggestion(api):
    from pingan.cases import routing
    from pingan.orgs.models import Division

    payload = _payload()
    response = api("street_clerk").post("/api/cases/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    # the suggestions the intake page would show, best first, with their reasons
    expected = routing.suggest(
        narrative=payload["narrative"],
        category=Case.objects.get(number=body["number"]).category,
        grid=Division.objects.get(code=payload["grid"]),
    )
    assert [s["unit"] for s in body["suggestions"]] == [s.unit.pk for s in expected]
    assert body["suggestions"][0]["reason"] == expected[0].reason
    assert "拖欠" in body["suggestions"][0]["reason"] or "工资" in body["suggestions"][0]["reason"]
    # the first is recorded, and whether the case went there
    case = Case.objects.get(number=body["number"])
    assert case.suggested_unit_id == expected[0].unit.pk
    assert case.suggestion_followed == (case.handling_unit_id == expected[0].unit.pk)
    assert case.events.get().data["suggested_unit"] == expected[0].unit.pk


@pytest.mark.django_db
def test_api_intake_pins_its_queries(api, django_assert_num_queries):
    client = api("street_clerk")
    client.post("/api/cases/", _payload(), format="json")  # the model and jieba are loaded
    # category and grid (validation); units and categories (suggestion); the declared action's
    # savepoint and the service's, handling unit, the repeat check's two reads, number, case,
    # its repeat-check keys, parties, event, the two releases; the answer is built from the
    # rows written, not read back
    with django_assert_num_queries(16):
        response = client.post(
            "/api/cases/",
            _payload(narrative="某餐馆拖欠厨师三个月工资，请求协调支付。"),
            format="json",
        )
    assert response.status_code == 201
    # ... and says what reading the case back says
    created = response.json()
    detail = client.get(f"/api/cases/{created['number']}/").json()
    assert created["parties"] == detail["parties"] and created["parties"][0]["name"] == "赵某"
    assert created["events"] == detail["events"] and created["events"][0]["kind"] == "register"
    assert {k: v for k, v in created.items() if k in detail} == detail


@pytest.mark.django_db
def test_api_intake_records_the_suggested_area_and_takes_a_chosen_one(api):
    client = api("street_clerk")
    narrative = "居民联名信访，反映小区拆除违建后的补偿标准不一致，请求解答。"
    # when the API registers without an area, the suggested one is taken and explained
    suggested = client.post("/api/cases/", _payload(narrative=narrative), format="json").json()
    assert suggested["suggested_area"] == suggested["function_area"] == "petition"
    assert "信访" in suggested["area_reason"]
    # when it names one, that one is served and the suggestion still recorded
    chosen = client.post(
        "/api/cases/",
        _payload(narrative=narrative, function_area="legal_service"),
        format="json",
    ).json()
    assert (chosen["suggested_area"], chosen["function_area"]) == ("petition", "legal_service")
    # and the list filters by area
    listed = client.get("/api/cases/", {"function_area": "legal_service"}).json()
    assert [row["number"] for row in listed["results"]] == [chosen["number"]]


@pytest.mark.django_db
def test_api_intake_refuses_an_unknown_area_and_writes_nothing(api):
    before = Case.objects.count()
    response = api("street_clerk").post("/api/cases/", _payload(function_area="spa"), format="json")
    assert response.status_code == 400 and "function_area" in response.json()
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_a_sender_keeps_its_reference_and_finds_its_case_by_it(api):
    # given: the hotline registers a matter with its own number
    client = api("street_clerk")
    sent = _payload(external_source="12345", external_ref="GD2026120700123")
    created = client.post("/api/cases/", sent, format="json")
    assert created.status_code == 201
    number = created.json()["number"]
    assert created.json()["external_ref"] == "GD2026120700123"
    # when: it looks its case up by that number
    found = client.get(
        "/api/cases/", {"external_source": "12345", "external_ref": "GD2026120700123"}
    ).json()["results"]
    # then: exactly that case; the same reference from another source is another matter
    assert [case["number"] for case in found] == [number]
    other = client.get(
        "/api/cases/", {"external_source": "信访", "external_ref": "GD2026120700123"}
    )
    assert other.json()["results"] == []
    # and another street cannot find it by the reference either
    outside = api(OTHER_STREET_DISPATCHER).get(
        "/api/cases/", {"external_source": "12345", "external_ref": "GD2026120700123"}
    )
    assert outside.json()["results"] == []


@pytest.mark.django_db
def test_a_reference_sent_twice_is_refused_with_the_case_it_became(api):
    client = api("street_clerk")
    sent = _payload(external_source="12345", external_ref="GD-1")
    first = client.post("/api/cases/", sent, format="json").json()["number"]
    again = client.post("/api/cases/", sent, format="json")
    assert again.status_code == 409
    assert first in again.json()["detail"] and "请勿重复提交" in again.json()["detail"]
    assert Case.objects.filter(external_ref="GD-1").count() == 1


@pytest.mark.django_db
def test_half_a_reference_is_refused_and_nothing_is_written(api):
    client = api("street_clerk")
    before = Case.objects.count()
    response = client.post("/api/cases/", _payload(external_ref="GD-2"), format="json")
    assert response.status_code == 400
    assert "请同时填写来源系统和来源系统编号" in response.json()["detail"]
    assert response.json()["field"] == "external_source"
    assert Case.objects.count() == before
