"""Declared state machines and actions (DESIGN rules 3 and 7).

A ``Machine`` is one table per stateful model: for each action, the states it may start from,
the state it leads to (None keeps the state) and the roles that may take it. ``Machine.check``
is the one function that refuses a move; the docs' state diagrams are printed from the same
table (``manage.py state_diagrams``).

An ``Action`` declares one thing a user can do to an object, once: its label, its input (the
page's form and the API's serializer), the service it runs and whom it hands work to.
``perform`` is the one way to run it, for the page and the API alike: inside one transaction
the service writes the change and its timeline row, then every person the action hands work to
is told through ``core.notify``.

Why a table of our own rather than django-fsm-2: our services write with one versioned UPDATE
(``core.services.versioned_update``), never ``Model.save()`` after changing a field in memory,
which is what a transition decorator on a model method expects; and a table is what both the
docs' diagrams and the property-based tests read.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from .errors import ApplicationError, ForbiddenError
from .models import Notice
from .storage import files_undone_on_error


@dataclass(frozen=True)
class Move:
    """One row of a machine's table. ``roles`` None: the move is open to whoever stands in the
    right relation to the object (its unit, its issuer …), which the service checks."""

    sources: frozenset[str]
    target: str | None
    roles: frozenset[str] | None


MACHINES: dict[str, "Machine"] = {}


class Machine:
    """One state machine: ``moves`` maps an action to (source states, target, roles).
    Every machine is registered by name for the docs' diagrams and the tests."""

    def __init__(
        self,
        name: str,
        *,
        model: type[models.Model],
        field: str,
        states: type[models.TextChoices],
        moves: dict[str, tuple[Iterable[str], str | None, Iterable[str] | None]],
        refusals: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.name, self.model, self.field, self.states = name, model, field, states
        # A clearer word than the generic refusal, by action and state ("请先报到").
        self.refusals = refusals or {}
        self.moves = {
            action: Move(frozenset(sources), target, None if roles is None else frozenset(roles))
            for action, (sources, target, roles) in moves.items()
        }
        unknown = {
            state
            for move in self.moves.values()
            for state in (*move.sources, move.target)
            if state is not None and state not in states.values
        }
        if unknown:
            raise ValueError(f"{name}: states not in {states.__name__}: {sorted(unknown)}")
        MACHINES[name] = self

    def __repr__(self) -> str:
        return f"<Machine {self.name}>"

    def state_of(self, obj: models.Model) -> str:
        return getattr(obj, self.field)

    def allows(self, action: str, state: str) -> bool:
        return state in self.moves[action].sources

    def roles(self, action: str) -> frozenset[str] | None:
        return self.moves[action].roles

    def check(self, action: str, state: str) -> str | None:
        """The state ``action`` leads to from ``state``; a clerk-readable refusal otherwise."""
        move = self.moves[action]
        if state not in move.sources:
            hint = self.refusals.get(action, {}).get(state)
            raise ApplicationError(
                str(hint)
                if hint
                else _("当前状态“%(state)s”下不能执行此操作，请刷新页面查看最新状态。")
                % {"state": self.states(state).label}
            )
        return move.target

    def actions_from(self, state: str) -> list[str]:
        return [action for action, move in self.moves.items() if state in move.sources]

    def mermaid(self) -> str:
        """The table as a Mermaid state diagram (for docs/state-machines.md)."""
        lines = ["stateDiagram-v2"]
        for action, move in self.moves.items():
            for source in sorted(move.sources):
                target = move.target or source
                lines.append(f"    {source} --> {target}: {action}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Handoff:
    """Whom an action hands work to, and what they are told. ``recipients`` and ``message``
    take (object, actor, data) after the service ran; for a creation, the object made."""

    kind: str
    recipients: Callable[[Any, Any, dict], Iterable]
    message: Callable[[Any, Any, dict], tuple[str, str]]
    url: Callable[[Any], str]
    # A text message too (urgent matters); otherwise the inbox alone.
    sms: Callable[[Any], bool] = lambda obj: False


# Every declared action, in import order (the schema test walks them).
DECLARED: list["Action"] = []

# Sent by ``perform`` inside its transaction once an action has run, with ``action``,
# ``subject`` (the object acted on, or the one a creation made) and ``actor``: how other
# systems hear of it (``pingan.webhooks`` writes its deliveries here, so a rolled-back action
# is never announced).
performed = Signal()


@dataclass(frozen=True)
class Action:
    """One thing a user can do to an object, declared once for page and API. An action on a
    stateful object takes its moves and roles from its ``machine``; one that changes no state
    (starting a patrol, turning a report into a case) names its ``allowed`` roles itself."""

    name: str
    label: str
    service: Callable[[Any, Any, dict], Any]
    machine: Machine | None = None
    allowed: Iterable[str] | None = None
    form: type | None = None
    serializer: type | None = None
    style: str = "primary"
    tell: Handoff | None = None
    extra: dict = field(default_factory=dict)
    # The OpenAPI operation that serves the action (its operationId): an action a page offers
    # is in the API too, and core's schema test holds every declaration to it.
    operation: str = ""
    # Why the action tells no one, where it hands no work on (the actor's own unit keeps it):
    # every declaration says either whom it tells or why it tells nobody.
    quiet: str = ""
    # What a creation made, from what its service returns, where that is more than the object
    # (a registration answers the case and its query code): the hand-off and the published
    # event are about it.
    made: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if not self.operation:
            raise ValueError(f"action {self.name!r} names no API operation")
        if (self.tell is None) == (not self.quiet):
            raise ValueError(f"action {self.name!r} must either tell someone or say why not")
        DECLARED.append(self)

    @property
    def roles(self) -> frozenset[str] | None:
        if self.machine is not None:
            return self.machine.roles(self.name)
        return None if self.allowed is None else frozenset(self.allowed)

    @property
    def url_path(self) -> str:
        return self.name.replace("_", "-")


def require_roles(actor, roles: Iterable[str] | None) -> None:
    """Refuse an actor who holds none of ``roles`` (superusers hold every role); None admits
    everyone, for moves decided by the actor's relation to the object."""
    from pingan.orgs.access import has_role

    if roles is not None and not has_role(actor, *roles):
        raise ForbiddenError(_("您的角色不能执行此操作。"))


@transaction.atomic
def perform(action: Action, obj, actor, data: dict):
    """Run a declared action: role check, the service (its own checks, the versioned write and
    the timeline row), then the notices of the hand-off, all in one transaction. A creation
    acts on no object: its hand-off is told about the object the service made."""
    require_roles(actor, action.roles)
    _check_lengths(action, data)
    with files_undone_on_error():  # an upload saved before a refusal goes with the rollback
        result = action.service(obj, actor, data)
        made = action.made(result) if action.made else result
        subject = made if obj is None else obj
        if action.tell is not None:
            tell(action.tell, subject, actor, data)
        performed.send(sender=Action, action=action, subject=subject, actor=actor)
    return result


def _check_lengths(action: Action, data: dict) -> None:
    """No text an action takes is longer than ``TEXT_LIMIT``, whatever its form or serializer
    declares (a 300,000-character text was stored before, issue 20)."""
    from .services import TEXT_LIMIT

    for name, value in data.items():
        if isinstance(value, str) and len(value) > TEXT_LIMIT:
            fields = (action.form.base_fields if action.form else {}) or (
                action.serializer().fields if action.serializer else {}
            )
            field = fields.get(name)
            label = getattr(field, "label", None) or name
            raise ApplicationError(
                _("%(what)s不能超过 %(limit)s 个字。") % {"what": label, "limit": TEXT_LIMIT}
            )


def tell(handoff: Handoff, obj, actor, data: dict) -> list[Notice]:
    """Notify everyone the hand-off names, except the actor; inbox always, SMS by core.notify."""
    from . import notify

    seen, people = set(), []
    for person in handoff.recipients(obj, actor, data):
        if person is None or person.pk == actor.pk or person.pk in seen:
            continue
        seen.add(person.pk)
        people.append(person)
    if not people:  # nobody to tell: the message is not worked out
        return []
    title, body = handoff.message(obj, actor, data)
    url = handoff.url(obj)
    notices = [
        Notice(recipient=person, kind=handoff.kind, title=title[:120], body=body, url=url)
        for person in people
    ]
    return notify.send(notices, sms=handoff.sms(obj))
