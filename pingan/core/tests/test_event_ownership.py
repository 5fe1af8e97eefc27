"""A timeline belongs to its app: another app calls the owner's service (for cases,
``case_event_record``/``case_events_record``) and never builds the owner's event rows itself.

The scan reads every module outside the owner (tests and migrations aside) and fails on a
call that makes a row of another app's event model: ``CaseEvent(...)`` or
``CaseEvent.objects.create/bulk_create(...)``. The audit log (``core.AuditEvent``) is written
through ``core.services`` by design and is every app's to call.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create"}
# The demo generator of cases writes cases' own rows in bulk (it is the cases data's loader).
OWNERS_ELSEWHERE = {"demo/cases.py": "cases"}


def _event_models() -> dict[str, str]:
    return {
        model.__name__: model._meta.app_label
        for model in apps.get_models()
        if model.__name__.endswith("Event")
        and model.__module__.startswith("pingan.")
        and model._meta.app_label != "core"
    }


def _writes(tree: ast.AST, names: set[str]):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in names:
            yield func.id, node.lineno
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in WRITES
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id in names
        ):
            yield func.value.value.id, node.lineno


def _modules():
    for path in sorted((ROOT / "pingan").rglob("*.py")):
        parts = path.relative_to(ROOT / "pingan").parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, "/".join(parts)


def test_no_app_writes_another_apps_timeline():
    # given the event models and their owners
    owners = _event_models()
    assert {"CaseEvent", "PersonEvent", "ReleaseEvent"} <= owners.keys()
    # when every module is scanned for rows made of another app's event model
    foreign = []
    for path, relative in _modules():
        app = OWNERS_ELSEWHERE.get(relative, relative.split("/")[0])
        names = {name for name, owner in owners.items() if owner != app}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        foreign += [f"{relative}:{line} makes {name}" for name, line in _writes(tree, names)]
    # then there are none
    assert foreign == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("CaseEvent(case_id=1)", [("CaseEvent", 1)]),
        ("x = 1\nCaseEvent.objects.bulk_create([])", [("CaseEvent", 2)]),
        ("CaseEvent.objects.filter(kind='x')", []),
        ("case_events_record(rows=[])", []),
    ],
)
def test_the_scan_finds_row_writes_and_only_those(source, found):
    assert list(_writes(ast.parse(source), {"CaseEvent"})) == found
