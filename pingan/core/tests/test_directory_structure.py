"""docs/directory-structure.md stays true: every module under pingan/ is named in its app's
section, unless it is one of the standard files DESIGN's layout gives every app."""

import re
from pathlib import Path

from django.conf import settings

STANDARD = {
    "apps", "models", "choices", "querysets", "access", "rules", "services", "selectors",
    "forms", "tables", "filtersets", "views", "urls", "admin", "tasks", "serializers", "home",
}  # fmt: skip


def _sections(doc: str) -> dict[str, str]:
    sections, current = {}, None
    for line in doc.splitlines():
        found = re.match(r"^  ([a-z_]+)/\s", line + " ")
        if found:
            current = found.group(1)
            sections[current] = ""
        elif current:
            sections[current] += line + "\n"
    return sections


def test_every_module_is_named_in_the_directory_structure():
    root = Path(settings.BASE_DIR)
    sections = _sections((root / "docs" / "directory-structure.md").read_text(encoding="utf-8"))
    unnamed = [
        str(path.relative_to(root))
        for path in sorted((root / "pingan").rglob("*.py"))
        if path.name != "__init__.py"
        and not {"tests", "migrations"} & set(path.parts)
        and path.stem not in STANDARD
        and path.stem not in sections.get(path.relative_to(root / "pingan").parts[0], "")
    ]
    assert unnamed == [], "name these in docs/directory-structure.md: " + ", ".join(unnamed)


def test_templates_live_in_one_place():
    # the project's templates/<app>/, never inside an app
    root = Path(settings.BASE_DIR)
    assert sorted(str(p.relative_to(root)) for p in (root / "pingan").glob("*/templates")) == []
