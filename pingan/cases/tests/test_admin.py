"""Categories and deadline rules are configured in the admin, each change with a reason in the
audit log (M1.2, M2.3)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import localdate

from pingan.cases.actions import ACTIONS
from pingan.cases.models import Category, DeadlinePolicy
from pingan.core.actions import perform
from pingan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _policy_form(policy: DeadlinePolicy, **changes) -> dict:
    form = {
        "days": policy.days,
        "day_type": policy.day_type,
        "warn_ratio": policy.warn_ratio,
        "tier2_after_hours": policy.tier2_after_hours,
        "tier3_after_hours": policy.tier3_after_hours,
        "tier4_after_hours": policy.tier4_after_hours,
        "audit_reason": "区综治委通知调整时限",
    }
    form.update(changes)
    return form


def _accepted(register, staff):
    """A case registered and accepted now: its clock starts at acceptance."""
    case, _ = register()
    perform(ACTIONS["accept"], case, staff("street_dispatcher"), {"version": case.version})
    case.refresh_from_db()
    return case


def test_a_changed_deadline_rule_applies_to_the_next_case_and_is_audited(
    client_as, register, staff
):
    # given the general rule (7 days) and a case accepted under it
    policy = DeadlinePolicy.objects.get(complexity="general")
    before = _accepted(register, staff)
    # when the administrator changes it to 5 days, with a reason
    response = client_as("admin").post(
        reverse("admin:cases_deadlinepolicy_change", args=[policy.pk]),
        _policy_form(policy, days=5, day_type="natural"),
    )
    assert response.status_code == 302
    # then the next case gets 5 natural days, the earlier one keeps its deadline, and the audit
    # log says who changed what and why
    after = _accepted(register, staff)
    assert after.due_at - after.accepted_at < before.due_at - before.accepted_at
    assert localdate(after.due_at) == localdate(after.accepted_at) + timedelta(days=5)
    event = AuditEvent.objects.get(action="admin.cases.deadlinepolicy.change")
    assert event.reason == "区综治委通知调整时限"
    assert "days" in event.data["changed"]


def test_a_deadline_rule_without_a_reason_or_with_bad_values_is_refused(client_as):
    policy = DeadlinePolicy.objects.get(complexity="general")
    admin = client_as("admin")
    url = reverse("admin:cases_deadlinepolicy_change", args=[policy.pk])
    for changes, message in [
        ({"audit_reason": ""}, "请填写修改原因"),
        ({"days": 0}, "1"),
        ({"warn_ratio": 1.5}, "0.99"),
    ]:
        response = admin.post(url, _policy_form(policy, **changes))
        assert response.status_code == 200  # the form again, with the error
        assert message in response.content.decode()
    policy.refresh_from_db()
    assert policy.days == 7
    assert not AuditEvent.objects.filter(action__startswith="admin.cases").exists()


def test_deadline_rules_cannot_be_added_or_deleted(client_as):
    admin = client_as("admin")
    policy = DeadlinePolicy.objects.get(complexity="complex")
    assert admin.get(reverse("admin:cases_deadlinepolicy_add")).status_code == 403
    assert (
        admin.post(
            reverse("admin:cases_deadlinepolicy_delete", args=[policy.pk]),
            {"post": "yes", "audit_reason": "x"},
        ).status_code
        == 403
    )
    assert DeadlinePolicy.objects.filter(pk=policy.pk).exists()


def test_a_new_category_is_offered_at_intake_and_a_retired_one_is_not(client_as):
    response = client_as("admin").post(
        reverse("admin:cases_category_add"),
        {
            "code": "pets",
            "name": "宠物饲养纠纷",
            "function_area": "mediation",
            "keywords": "狗 犬 宠物 遛狗",
            "sort_order": 90,
            "is_active": "on",
            "audit_reason": "新增类别",
        },
    )
    assert response.status_code == 302
    intake = client_as("street_clerk").get(reverse("cases:case-new")).content.decode()
    assert ">宠物饲养纠纷</option>" in intake
    category = Category.objects.get(code="pets")
    response = client_as("admin").post(
        reverse("admin:cases_category_change", args=[category.pk]),
        {
            "code": "pets",
            "name": "宠物饲养纠纷",
            "function_area": "mediation",
            "keywords": "狗 犬 宠物 遛狗",
            "sort_order": 90,
            "audit_reason": "并入邻里纠纷",
        },
    )
    assert response.status_code == 302
    intake = client_as("street_clerk").get(reverse("cases:case-new")).content.decode()
    assert ">宠物饲养纠纷</option>" not in intake
    assert list(
        AuditEvent.objects.filter(target_repr="宠物饲养纠纷").values_list("reason", flat=True)
    ) == ["并入邻里纠纷", "新增类别"]


def test_only_the_administrator_reaches_the_configuration(client_as):
    response = client_as("street_leader").get(reverse("admin:cases_category_changelist"))
    assert response.status_code == 302  # to the admin's login: staff only
