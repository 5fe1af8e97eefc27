"""The case state machine and who may do what: one table each (DESIGN rule 3)."""

from pingan.orgs.choices import Level, RoleCode

from .choices import State

R = RoleCode
# action -> (states it may start from, state it leads to); None keeps the state.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({State.REGISTERED}), State.ACCEPTED),
    "reject": (frozenset({State.REGISTERED}), State.REJECTED),
    "assign": (frozenset({State.ACCEPTED, State.ASSIGNED}), State.ASSIGNED),
    "start_mediation": (frozenset({State.ASSIGNED}), State.MEDIATING),
    "conclude": (frozenset({State.MEDIATING}), State.CONCLUDED),
    "follow_up": (frozenset({State.CONCLUDED}), State.FOLLOWED_UP),
    "reopen": (frozenset({State.CONCLUDED}), State.MEDIATING),
    "archive": (frozenset({State.FOLLOWED_UP, State.REJECTED}), State.ARCHIVED),
    "escalate": (frozenset({State.ACCEPTED, State.ASSIGNED, State.MEDIATING}), None),
    "assign_down": (frozenset({State.ACCEPTED, State.ASSIGNED, State.MEDIATING}), None),
    "joint": (frozenset({State.ACCEPTED, State.ASSIGNED, State.MEDIATING}), None),
    "extension_request": (frozenset({State.ACCEPTED, State.ASSIGNED, State.MEDIATING}), None),
    "extension_decide": (frozenset({State.ACCEPTED, State.ASSIGNED, State.MEDIATING}), None),
    "judicial_confirmation": (frozenset({State.CONCLUDED, State.FOLLOWED_UP}), None),
}

ACTION_ROLES: dict[str, frozenset[str]] = {
    "accept": frozenset({R.RECEPTIONIST, R.DISPATCHER, R.LEADER}),
    "reject": frozenset({R.RECEPTIONIST, R.DISPATCHER, R.LEADER}),
    "assign": frozenset({R.DISPATCHER, R.LEADER}),
    "start_mediation": frozenset({R.MEDIATOR, R.DISPATCHER, R.OFFICER, R.GRID_WORKER}),
    "conclude": frozenset({R.MEDIATOR, R.DISPATCHER, R.OFFICER, R.GRID_WORKER}),
    "follow_up": frozenset({R.RECEPTIONIST, R.DISPATCHER, R.MEDIATOR}),
    "reopen": frozenset({R.RECEPTIONIST, R.DISPATCHER, R.MEDIATOR}),
    "archive": frozenset({R.DISPATCHER, R.LEADER}),
    "escalate": frozenset({R.DISPATCHER, R.LEADER, R.MEDIATOR, R.GRID_WORKER}),
    "assign_down": frozenset({R.DISPATCHER, R.LEADER}),
    "joint": frozenset({R.DISPATCHER, R.LEADER}),
    "extension_request": frozenset({R.MEDIATOR, R.DISPATCHER, R.OFFICER, R.GRID_WORKER}),
    "extension_decide": frozenset({R.LEADER}),
    "judicial_confirmation": frozenset({R.OFFICER, R.DISPATCHER, R.MEDIATOR}),
}
REGISTER_ROLES = frozenset({R.RECEPTIONIST, R.DISPATCHER, R.GRID_WORKER, R.LEADER})

# The funnel, bottom up (M2.1).
FUNNEL = [Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT]
SATISFIED_FROM = 3  # a follow-up scoring 1–2 reopens the case


def level_above(level: str) -> str | None:
    index = FUNNEL.index(level)
    return FUNNEL[index + 1] if index + 1 < len(FUNNEL) else None


def levels_below(level: str) -> list[str]:
    return FUNNEL[: FUNNEL.index(level)]


def check_transition(action: str, state: str) -> str | None:
    """The state an action leads to from ``state``; raise if the table does not allow it."""
    from pingan.core.errors import ApplicationError

    allowed, target = TRANSITIONS[action]
    if state not in allowed:
        raise ApplicationError(
            f"当前状态“{State(state).label}”下不能执行此操作，请刷新页面查看事项的最新状态。"
        )
    return target
