"""The case state machines and who may do what: one declared table each (DESIGN rule 3)."""

from pingan.core.actions import Machine
from pingan.orgs.choices import Level, RoleCode

from .choices import ExtensionState, ReferralState, State, SupervisionState
from .models import Case, DeadlineExtension, Referral, Supervision

R = RoleCode
ACCEPTED_OR_LATER = (State.ACCEPTED, State.ASSIGNED, State.MEDIATING)
HANDLERS = (R.MEDIATOR, R.DISPATCHER, R.OFFICER, R.GRID_WORKER)
FRONT_DESK = (R.RECEPTIONIST, R.DISPATCHER, R.LEADER)
COORDINATORS = (R.DISPATCHER, R.LEADER)
FOLLOWERS = (R.RECEPTIONIST, R.DISPATCHER, R.MEDIATOR)
# A matter mediation did not settle is handed to a court, arbitration … (转出) and followed up
# by those who handled it, after conclusion and even after archiving.
CONCLUDED_OR_LATER = (State.CONCLUDED, State.FOLLOWED_UP, State.ARCHIVED)
REFERRERS = (R.MEDIATOR, R.DISPATCHER, R.OFFICER, R.LEADER)

# action: (states it may start from, state it leads to (None keeps the state), roles)
CASE = Machine(
    "case",
    model=Case,
    field="state",
    states=State,
    moves={
        "accept": ([State.REGISTERED], State.ACCEPTED, FRONT_DESK),
        "reject": ([State.REGISTERED], State.REJECTED, FRONT_DESK),
        "assign": ([State.ACCEPTED, State.ASSIGNED], State.ASSIGNED, COORDINATORS),
        "start_mediation": ([State.ASSIGNED], State.MEDIATING, HANDLERS),
        "conclude": ([State.MEDIATING], State.CONCLUDED, HANDLERS),
        "follow_up": ([State.CONCLUDED], State.FOLLOWED_UP, FOLLOWERS),
        "reopen": ([State.CONCLUDED], State.MEDIATING, FOLLOWERS),
        "archive": ([State.FOLLOWED_UP, State.REJECTED], State.ARCHIVED, COORDINATORS),
        "escalate": (ACCEPTED_OR_LATER, None, (R.DISPATCHER, R.LEADER, R.MEDIATOR, R.GRID_WORKER)),
        "assign_down": (ACCEPTED_OR_LATER, None, COORDINATORS),
        "joint": (ACCEPTED_OR_LATER, None, COORDINATORS),
        "extension_request": (ACCEPTED_OR_LATER, None, HANDLERS),
        "extension_decide": (ACCEPTED_OR_LATER, None, (R.LEADER,)),
        "supervise": (ACCEPTED_OR_LATER, None, (R.LEADER,)),
        "refer": (CONCLUDED_OR_LATER, None, REFERRERS),
        "referral_result": (CONCLUDED_OR_LATER, None, REFERRERS),
        "judicial_confirmation": (
            [State.CONCLUDED, State.FOLLOWED_UP],
            None,
            (R.OFFICER, R.DISPATCHER, R.MEDIATOR),
        ),
    },
)

# A deadline extension (延期申请): requested, then approved or rejected by a leader.
EXTENSION = Machine(
    "extension",
    model=DeadlineExtension,
    field="state",
    states=ExtensionState,
    moves={
        "decide_approve": ([ExtensionState.PENDING], ExtensionState.APPROVED, (R.LEADER,)),
        "decide_reject": ([ExtensionState.PENDING], ExtensionState.REJECTED, (R.LEADER,)),
    },
)
# A supervision order (督办单): the supervised unit answers (反馈), the supervisor closes it;
# who of them may is their relation to the order (``supervision.may_answer``/``may_close``).
SUPERVISION = Machine(
    "supervision",
    model=Supervision,
    field="state",
    states=SupervisionState,
    moves={
        "answer": ([SupervisionState.OPEN], SupervisionState.ANSWERED, (*COORDINATORS, *HANDLERS)),
        "close": (
            [SupervisionState.OPEN, SupervisionState.ANSWERED],
            SupervisionState.CLOSED,
            (R.LEADER, R.DISPATCHER),
        ),
    },
)
# A referral (转出记录): followed until the receiving body's result is recorded.
REFERRAL = Machine(
    "referral",
    model=Referral,
    field="state",
    states=ReferralState,
    moves={"record_result": ([ReferralState.REFERRED], ReferralState.RESOLVED, REFERRERS)},
)
REGISTER_ROLES = frozenset({R.RECEPTIONIST, R.DISPATCHER, R.GRID_WORKER, R.LEADER})
# Who configures categories and deadline rules (the admin site and the API).
CONFIGURE_ROLES = frozenset({R.ADMINISTRATOR})
# Who contacts parties and may see a party's full ID number or phone, with a reason that is
# logged (查看完整号码): the front desk, mediators, handlers and dispatchers (M1.2, X2).
CONTACT_ROLES = frozenset({R.RECEPTIONIST, R.MEDIATOR, R.DISPATCHER, R.OFFICER, R.GRID_WORKER})
PARTY_NUMBERS = ("id_number", "phone")

# The funnel, bottom up (M2.1).
FUNNEL = [Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT]
SATISFIED_FROM = 3  # a follow-up scoring 1–2 reopens the case


def level_above(level: str) -> str | None:
    index = FUNNEL.index(level)
    return FUNNEL[index + 1] if index + 1 < len(FUNNEL) else None


def levels_below(level: str) -> list[str]:
    return FUNNEL[: FUNNEL.index(level)]
