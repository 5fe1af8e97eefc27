"""Categories and deadline rules in the API (X4): everyone who works on cases reads them; the
administrator changes them with a reason (audited) and the version read (409 when stale), as
the admin site does on its pages."""

import pytest
from django.urls import reverse

from pingan.cases.actions import ACTIONS
from pingan.cases.models import Category, DeadlinePolicy
from pingan.core.actions import perform
from pingan.core.models import AuditEvent
from pingan.core.testing import PermissionMatrix

pytestmark = pytest.mark.django_db


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def test_anyone_working_on_cases_reads_the_categories_in_few_queries(
    client_as, django_assert_max_num_queries
):
    client = client_as("street_mediator")
    Category.objects.filter(code="neighbourhood").update(is_active=False)
    # when the whole list and the active ones are asked for
    # (the session and the user, then one for the list however long it is)
    with django_assert_max_num_queries(6):
        every = client.get(reverse("category-list")).json()
    active = client.get(reverse("category-list"), {"active": "true"}).json()
    # then the switched-off category is in the first only
    codes = [row["code"] for row in every]
    assert "neighbourhood" in codes and len(codes) == Category.objects.count()
    assert "neighbourhood" not in [row["code"] for row in active]
    assert {"name", "function_area", "keywords", "version"} <= every[0].keys()


def test_the_administrator_adds_a_category_that_intake_then_offers(client_as):
    client = client_as("admin")
    # when a category is added with a reason
    response = client.post(
        reverse("category-list"),
        {
            "code": "pet_dispute",
            "name": "宠物纠纷",
            "keywords": "狗 猫 宠物",
            "sort_order": 90,
            "reason": "新增常见类别",
        },
        content_type="application/json",
    )
    # then it is there, active, and the audit log says who and why
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 1
    category = Category.objects.get(code="pet_dispute")
    assert category.is_active and category.name == "宠物纠纷"
    audit = AuditEvent.objects.get(action="cases.category.add", target_id=str(category.pk))
    assert audit.reason == "新增常见类别" and audit.actor.username == "admin"
    intake = client_as("street_clerk").get(reverse("cases:case-new")).content.decode()
    assert ">宠物纠纷</option>" in intake


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"code": "neighbourhood", "name": "新名字", "reason": "r"},
            "类别代码“neighbourhood”已被使用",
        ),
        ({"code": "new_one", "name": "邻里纠纷", "reason": "r"}, "类别名称“邻里纠纷”已被使用"),
        ({"code": "新类别", "name": "新类别", "reason": "r"}, "类别代码只能用小写英文字母"),
        ({"code": "new_one", "name": "新类别", "reason": " "}, '"reason":["该字段不能为空。"]'),
    ],
)
def test_a_bad_category_is_refused_with_a_clear_message_and_nothing_written(
    client_as, data, message
):
    before = Category.objects.count()
    response = client_as("admin").post(
        reverse("category-list"), data, content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Category.objects.count() == before
    assert not AuditEvent.objects.filter(action="cases.category.add").exists()


def test_a_category_is_switched_off_and_a_stale_change_is_refused(client_as, register):
    client = client_as("admin")
    case, _ = register()
    url = reverse("category-detail", args=["neighbourhood"])
    # when it is switched off with the version read
    response = _patch(client, url, {"is_active": False, "version": 1, "reason": "并入其他类别"})
    # then the version moves on, the case keeps it, and the change is audited
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["is_active"] is False
    case.refresh_from_db()
    assert case.category.code == "neighbourhood"
    audit = AuditEvent.objects.get(action="cases.category.change")
    assert audit.data == {"changed": ["is_active"]}
    # and a second change from the old version is refused, changing nothing
    stale = _patch(client, url, {"name": "邻里矛盾", "version": 1, "reason": "改名"})
    assert stale.status_code == 409
    assert Category.objects.get(code="neighbourhood").name == "邻里纠纷"


def _accepted(register, staff):
    case, _ = register()
    perform(ACTIONS["accept"], case, staff("street_dispatcher"), {"version": case.version})
    case.refresh_from_db()
    return case


def test_a_deadline_rule_change_applies_to_the_next_case_only(client_as, register, staff):
    before = _accepted(register, staff)
    client = client_as("admin")
    # when general matters get 5 days
    response = _patch(
        client,
        reverse("deadline-rule-detail", args=["general"]),
        {"days": 5, "version": 1, "reason": "区里要求提速"},
    )
    # then the rule says so and the next case gets it, the earlier one keeps its own
    assert response.status_code == 200, response.json()
    assert response.json()["days"] == 5 and response.json()["version"] == 2
    after = _accepted(register, staff)
    before.refresh_from_db()
    assert after.due_at - after.accepted_at < before.due_at - before.accepted_at
    assert AuditEvent.objects.get(action="cases.deadline_rule.change").reason == "区里要求提速"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"warn_ratio": 1.5, "reason": "r"}, "请确保该值小于或者等于 0.99"),
        ({"days": 0, "reason": "r"}, "days"),
        ({"days": 10}, "请填写修改原因"),
    ],
)
def test_a_bad_deadline_rule_is_refused_and_nothing_changes(client_as, data, message):
    response = _patch(client_as("admin"), reverse("deadline-rule-detail", args=["general"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert DeadlinePolicy.objects.get(complexity="general").version == 1


def test_the_rules_are_listed_for_everyone_who_works_on_cases(client_as):
    rows = client_as("grid_worker@110101001001").get(reverse("deadline-rule-list")).json()
    assert {(row["complexity"], row["days"]) for row in rows} >= {("general", 7), ("complex", 30)}


class TestCategoryListApi(PermissionMatrix):
    url_name = "category-list"
    api = True
    in_scope = "street_mediator"


class TestCategoryAddApi(PermissionMatrix):
    url_name = "category-list"
    api = True
    method = "post"
    data = {"code": "pet_dispute", "name": "宠物纠纷", "reason": "新增"}
    in_scope = "admin"
    wrong_role = "district_leader"
    ok_status = 201


class TestCategoryChangeApi(PermissionMatrix):
    url_name = "category-detail"
    url_args = ("neighbourhood",)
    api = True
    method = "patch"
    data = {"keywords": "邻居 噪音", "reason": "补充关键词"}
    in_scope = "admin"
    wrong_role = "street_dispatcher"


class TestDeadlineRuleListApi(PermissionMatrix):
    url_name = "deadline-rule-list"
    api = True
    in_scope = "street_clerk"


class TestDeadlineRuleChangeApi(PermissionMatrix):
    url_name = "deadline-rule-detail"
    url_args = ("complex",)
    api = True
    method = "patch"
    data = {"days": 25, "reason": "调整"}
    in_scope = "admin"
    wrong_role = "district_leader"


def test_a_change_made_in_the_admin_site_makes_an_api_client_s_version_stale(client_as):
    # given the administrator renamed the category on the admin site
    client = client_as("admin")
    category = Category.objects.get(code="neighbourhood")
    response = client.post(
        reverse("admin:cases_category_change", args=[category.pk]),
        {
            "code": "neighbourhood",
            "name": "邻里矛盾",
            "function_area": category.function_area,
            "keywords": category.keywords,
            "sort_order": category.sort_order,
            "is_active": "on",
            "audit_reason": "改名",
        },
    )
    assert response.status_code == 302
    # when an API client changes it from the version it read before
    stale = _patch(
        client,
        reverse("category-detail", args=["neighbourhood"]),
        {"name": "邻里纠纷", "version": 1, "reason": "改回"},
    )
    # then it is refused and the admin's change stands
    assert stale.status_code == 409
    assert Category.objects.get(code="neighbourhood").name == "邻里矛盾"
