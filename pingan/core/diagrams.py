"""The docs' state machines, printed from the declared tables (``core.actions.MACHINES``):
``manage.py state_diagrams`` writes docs/state-machines.md, and a test fails when it is stale."""

from pathlib import Path

from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import override

from .actions import MACHINES, Machine

DOC = Path(settings.BASE_DIR) / "docs" / "state-machines.md"
HEADER = """# State machines

Printed by `manage.py state_diagrams` from the declared tables (`pingan/<app>/rules.py`,
`pingan.core.actions.Machine`); do not edit by hand. `Machine.check` is the one function that
refuses a move, and the services call it before any write. A role of "—" means the move is open
to whoever stands in the right relation to the object (its unit, its issuer …), which the
service checks.
"""


def machines() -> list[Machine]:
    autodiscover_modules("rules")
    return [MACHINES[name] for name in sorted(MACHINES)]


def _section(machine: Machine) -> str:
    states = dict(machine.states.choices)

    def name(state: str) -> str:
        return f"`{state}` {states[state]}"

    rows = [
        f"| `{action}` | {', '.join(name(s) for s in sorted(move.sources))} | "
        f"{name(move.target) if move.target else '(unchanged)'} | "
        f"{', '.join(sorted(move.roles)) if move.roles is not None else '—'} |"
        for action, move in machine.moves.items()
    ]
    return "\n".join(
        [
            f"## {machine.name}: `{machine.model.__module__}.{machine.model.__name__}."
            f"{machine.field}`",
            "",
            "| action | from | to | roles |",
            "|---|---|---|---|",
            *rows,
            "",
            "```mermaid",
            machine.mermaid(),
            "```",
            "",
        ]
    )


def render() -> str:
    with override("zh-hans"):
        return HEADER + "\n" + "\n".join(_section(machine) for machine in machines())
