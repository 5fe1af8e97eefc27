"""Least privilege, written down from the code (X1, X6, issue 20): who reads what, and who may
take each declared action.

Each app declares, beside its ``visible_to`` rules, what each role reads of a kind of object
(``declare_read``); the actions come from their declarations (``core.actions.DECLARED``).
``manage.py security_matrix`` prints both into docs/security.md below the hand-written part,
and a test fails when the printed part is stale."""

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import override

DOC = Path(settings.BASE_DIR) / "docs" / "security.md"
MARKER = "<!-- printed by manage.py security_matrix below this line; do not edit by hand -->"


@dataclass(frozen=True)
class Read:
    """What the holders of ``roles`` read of ``subject`` (a model's label, "cases.Case"):
    ``reach`` in a few words, for the docs."""

    subject: str
    roles: frozenset[str]
    reach: str


READS: list[Read] = []


def declare_read(subject: str, rules: Iterable[tuple[Iterable[str], str]]) -> None:
    """Declare who reads the model ``subject`` ("app.Model") and how far:
    ``[(roles, reach), …]``."""
    for roles, reach in rules:
        READS.append(Read(subject, frozenset(roles), reach))


def _roles():
    from pingan.orgs.choices import RoleCode

    return list(RoleCode)


def _reads_table() -> list[str]:
    roles = _roles()
    subjects = sorted({read.subject for read in READS})
    lines = [
        "| object | " + " | ".join(f"`{role.value}` {role.label}" for role in roles) + " |",
        "|---" * (len(roles) + 1) + "|",
    ]
    for subject in subjects:
        cells = []
        for role in roles:
            reaches = [
                str(read.reach)
                for read in READS
                if read.subject == subject and role.value in read.roles
            ]
            cells.append("; ".join(reaches) if reaches else "—")
        name = apps.get_model(subject)._meta.verbose_name_plural
        lines.append(f"| `{subject}` {name} | " + " | ".join(cells) + " |")
    return lines


def _actions_table() -> list[str]:
    from .actions import DECLARED

    lines = ["| action | API operation | roles |", "|---|---|---|"]
    for action in sorted(DECLARED, key=lambda a: (a.operation, a.name)):
        roles = action.roles
        who = (
            ", ".join(f"`{code}`" for code in sorted(roles))
            if roles is not None
            else "by relation to the object (checked by the service)"
        )
        lines.append(f"| {action.label} (`{action.name}`) | `{action.operation}` | {who} |")
    return lines


def render_printed() -> str:
    """The printed part of docs/security.md."""
    autodiscover_modules("actions", "querysets", "access")
    import_module(settings.ROOT_URLCONF)  # and the actions declared beside their views
    with override("zh-hans"):
        return "\n".join(
            [
                MARKER,
                "",
                "## Who reads what (role × object)",
                "",
                "Each cell is how far the role reads; — means not at all. An object out of "
                'reach answers "not found" (404), on pages and in the API alike. '
                "Superusers are not limited.",
                "",
                *_reads_table(),
                "",
                "## Who may act (the declared actions)",
                "",
                "Each action is declared once for the page and the API; `perform` checks these "
                "roles first, then the service checks scope and state.",
                "",
                *_actions_table(),
                "",
            ]
        )


def render(current: str) -> str:
    """docs/security.md with its printed part brought up to date."""
    written = current.split(MARKER)[0] if MARKER in current else current
    return written.rstrip("\n") + "\n\n" + render_printed()
