"""Collaboration's role sets, in one place, and the whistle summons' state machine (吹哨报到,
M4.1): one declared table."""

from django.utils.translation import gettext_lazy as _

from pingan.core.actions import Machine
from pingan.orgs.choices import RoleCode as R

from .choices import SummonsState as S
from .models import WhistleSummons

# Who organises: plans rosters, assigns officers, blows whistles, records talks and tasks.
ORGANISER_ROLES = frozenset({R.DISPATCHER, R.LEADER, R.ADMINISTRATOR})
# Who may answer a summons addressed to their unit (not to a named colleague), and record
# progress on a task their unit owns.
RESPONDER_ROLES = frozenset({R.OFFICER, R.LEADER, R.DISPATCHER})
# Who may read the four-lists board, and the whistle response figures.
BOARD_ROLES = frozenset({R.LEADER, R.DISPATCHER, R.EVALUATOR, R.ADMINISTRATOR})
FIGURE_ROLES = BOARD_ROLES | {R.OFFICER}

# action: (states it may start from, state it leads to, roles). No role gate: the named officer,
# or a responder of the summoned unit, answers; ``access.may_answer`` decides, in the services.
SUMMONS = Machine(
    "summons",
    model=WhistleSummons,
    field="state",
    states=S,
    moves={
        "acknowledge": ([S.SUMMONED], S.ACKNOWLEDGED, None),
        "report": ([S.ACKNOWLEDGED], S.REPORTED, None),
    },
    refusals={
        "acknowledge": {
            S.ACKNOWLEDGED: _("已经报到过了，请填写处置情况。"),
            S.REPORTED: _("已经报到并反馈过了。"),
        },
        "report": {
            S.SUMMONED: _("请先报到，再填写处置情况。"),
            S.REPORTED: _("处置情况已经反馈过了。"),
        },
    },
)
