"""The key-person register's state machines (重点人员, M7.3): one declared table each.

No role gate on these moves: who may decide depends on the actor's relation to the person (the
responsible officer, a leader of the area, the measure's owner) or on scorecard review rights,
which the services check with ``persons.access``.
"""

from django.utils.translation import gettext_lazy as _

from pingan.core.actions import Machine

from .choices import MeasureState as M
from .choices import ProposalState as P
from .choices import ScorecardState as C
from .models import Measure, RatingProposal, Scorecard

# A help or control measure of a person's plan: done or cancelled once.
MEASURE = Machine(
    "measure",
    model=Measure,
    field="state",
    states=M,
    moves={
        "complete": ([M.OPEN], M.DONE, None),
        "cancel": ([M.OPEN], M.CANCELLED, None),
    },
    refusals={
        action: {M.DONE: _("该措施已完成或已取消。"), M.CANCELLED: _("该措施已完成或已取消。")}
        for action in ("complete", "cancel")
    },
)

# A model's proposed rating waits for a person to confirm or change it (human in the loop).
PROPOSAL = Machine(
    "rating_proposal",
    model=RatingProposal,
    field="state",
    states=P,
    moves={
        "confirm": ([P.PENDING], P.CONFIRMED, None),
        "override": ([P.PENDING], P.OVERRIDDEN, None),
        "supersede": ([P.PENDING], P.SUPERSEDED, None),
    },
    refusals={
        action: {state: _("该评级提议已处理或已被新的提议取代，请刷新页面。") for state in P.values}
        for action in ("confirm", "override")
    },
)

# A scorecard version, reviewed by someone other than its author: activated when all its
# factors are facts of the register, approved as a report only otherwise, or rejected.
SCORECARD = Machine(
    "scorecard",
    model=Scorecard,
    field="state",
    states=C,
    moves={
        "activate": ([C.PENDING], C.ACTIVE, None),
        "approve_report": ([C.PENDING], C.APPROVED, None),
        "reject": ([C.PENDING], C.REJECTED, None),
        "retire": ([C.ACTIVE], C.RETIRED, None),
    },
    refusals={
        action: {state: _("该评分卡已审核过。") for state in C.values}
        for action in ("activate", "approve_report", "reject")
    },
)
