"""Every declared action is served by the API with the same input (X4), and says whom it
tells (X5): a new action cannot be page-only or hand work on silently."""

import importlib
import importlib.util

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

from pingan.core.actions import DECLARED


def _declared():
    for config in apps.get_app_configs():
        if config.name.startswith("pingan.") and importlib.util.find_spec(f"{config.name}.actions"):
            importlib.import_module(f"{config.name}.actions")
    return list(DECLARED)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def operations(schema):
    return {
        operation["operationId"]: (method, operation)
        for path in schema["paths"].values()
        for method, operation in path.items()
    }


def _body_fields(schema, operation) -> set[str]:
    """The fields the operation's JSON body takes, as the schema documents them."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        return set()
    name = body["schema"]["$ref"].rsplit("/", 1)[-1]
    return set(schema["components"]["schemas"][name].get("properties", {}))


def test_every_app_with_state_declares_actions():
    # The apps whose pages change state all declare their actions (the list grows, never shrinks).
    declaring = {action.service.__module__.split(".")[1] for action in _declared()}
    assert {"cases", "corrections", "patrol", "risk"} <= declaring


@pytest.mark.parametrize("action", _declared(), ids=lambda action: action.operation)
def test_action_is_an_api_operation_with_the_same_input(action, schema, operations):
    assert action.operation in operations, f"{action.name}: no API operation {action.operation}"
    method, operation = operations[action.operation]
    assert method in {"post", "put", "patch"}
    if action.form is not None:
        # What the page's form asks for, the API takes through the declared serializer.
        assert action.serializer is not None, f"{action.name} has a form but no serializer"
    if action.serializer is not None:
        takes = {name for name, f in action.serializer().fields.items() if not f.read_only}
        assert _body_fields(schema, operation) == takes


def test_operations_are_declared_once():
    names = [action.operation for action in _declared()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("action", _declared(), ids=lambda action: action.operation)
def test_action_tells_someone_or_says_why_not(action):
    # A hand-off to another person or unit sends a notice; an action that keeps the work where
    # it is says so in its declaration.
    assert (action.tell is None) != (not action.quiet)


@pytest.mark.django_db
def test_no_action_takes_a_text_longer_than_the_limit(client_as):
    # given an action whose serializer bounds none of its text (a category's keywords)
    from django.urls import reverse

    from pingan.cases.models import Category
    from pingan.core.models import AuditEvent
    from pingan.core.services import TEXT_LIMIT

    # when it is sent with a text one character over the limit
    response = client_as("admin").post(
        reverse("category-list"),
        {
            "code": "pet_dispute",
            "name": "宠物纠纷",
            "keywords": "宠" * (TEXT_LIMIT + 1),
            "reason": "新增常见类别",
        },
        content_type="application/json",
    )
    # then it is refused with the field's name and the limit, and nothing is written
    assert response.status_code == 400
    assert f"不能超过 {TEXT_LIMIT} 个字" in response.json()["detail"]
    assert not Category.objects.filter(code="pet_dispute").exists()
    assert not AuditEvent.objects.filter(action="cases.category.add").exists()
