"""The whistle summons' state machine (吹哨报到, M4.1): one declared table."""

from django.utils.translation import gettext_lazy as _

from pingan.core.actions import Machine

from .choices import SummonsState as S
from .models import WhistleSummons

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
