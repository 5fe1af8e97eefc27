"""User-facing text is translatable (rule 7): a Chinese string literal in application code
stands inside a gettext call, or in a module that holds data rather than messages."""

import ast
import re
from pathlib import Path

from django.conf import settings

CJK = re.compile(r"[\u4e00-\u9fff]")
GETTEXT = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
    "pgettext_lazy",
}  # fmt: skip

# Generated demo data (names, addresses, narratives) is Chinese in any language.
DEMO = ("pingan/demo/", "/demo_data.py")
# Modules holding Chinese words that are data, not messages: they read and write the same words
# whatever the language of the interface. Each names how many such literals it holds, so that
# a new message added beside them is still caught.
DATA = {
    "pingan/cases/reference.py": (21, "the categories' names and keywords"),
    "pingan/cases/routing.py": (29, "stop words, generic duty words, list numbering, area cues"),
    "pingan/cases/imports.py": (25, "the ledger file's column names and date formats"),
    "pingan/corrections/forms.py": (3, "the 必审/选审 words typed in the items field"),
    "pingan/core/management/commands/seed_work_calendar.py": (9, "official holiday names"),
    "pingan/persons/reference.py": (41, "person types and the default scorecard, seeded rows"),
    "pingan/persons/history.py": (10, "the synthetic history table's columns and values"),
    "pingan/talent/reference.py": (138, "stages, transformations and study items, seeded rows"),
    "pingan/talent/selectors.py": (1, "the evaluation period's name, stored and matched"),
}


def _module_files(root: Path):
    for path in sorted((root / "pingan").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if {"tests", "migrations"} & set(path.parts) or any(d in relative for d in DEMO):
            continue
        yield relative, path


def _untranslated(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    return [
        (node.lineno, node.value[:30])
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CJK.search(node.value)
        and not isinstance(parents.get(node), ast.Expr)  # a docstring
        and not _in_gettext(node, parents)
    ]


def _in_gettext(node, parents) -> bool:
    while node in parents and not isinstance(node, ast.FunctionDef | ast.ClassDef):
        node = parents[node]
        if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
            return True
    return False


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def test_chinese_text_in_application_code_is_translatable():
    root = Path(settings.BASE_DIR)
    found, miscounted = [], []
    for relative, path in _module_files(root):
        literals = _untranslated(path.read_text(encoding="utf-8"))
        if relative in DATA:
            if len(literals) != DATA[relative][0]:
                miscounted.append(f"{relative}: {len(literals)}, DATA says {DATA[relative][0]}")
            continue
        found += [f"{relative}:{line} {text!r}" for line, text in literals]
    assert found == [], "wrap in gettext, or name the data module in DATA:\n" + "\n".join(found)
    assert miscounted == [], "a message among the data, or DATA is out of date:\n" + "\n".join(
        miscounted
    )


def test_the_data_modules_exist():
    root = Path(settings.BASE_DIR)
    assert [name for name in DATA if not (root / name).exists()] == []


def test_the_scanner_finds_a_bare_message_and_passes_a_wrapped_one():
    source = (
        'def f():\n    """文档。"""\n    raise E(_("请填写"))\n\ndef g():\n    return "未翻译"\n'
    )
    assert _untranslated(source) == [(6, "未翻译")]
