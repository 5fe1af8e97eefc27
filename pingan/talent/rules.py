"""The talent development state machines (检察官助理培养, M10): one declared table each.

No role gate on these moves: who may confirm or decide depends on the actor's relation to the
assistant (their mentor, department head, the committee; never themselves), which the services
check with ``talent.access.relations``.
"""

from django.utils.translation import gettext_lazy as _

from pingan.core.actions import Machine

from .choices import PointState as P
from .choices import RecordState as R
from .models import MilestoneRecord, PointEntry, StudyRecord


def _record_machine(name: str, model) -> Machine:
    """A study or milestone record: entered by the assistant, confirmed by the mentor."""
    return Machine(
        name,
        model=model,
        field="state",
        states=R,
        moves={"confirm": ([R.SUBMITTED], R.CONFIRMED, None)},
        refusals={"confirm": {R.CONFIRMED: _("该记录已确认。")}},
    )


STUDY_RECORD = _record_machine("study_record", StudyRecord)
MILESTONE_RECORD = _record_machine("milestone_record", MilestoneRecord)

# Points claimed for the ledger, approved or rejected once by someone other than the claimant.
POINTS = Machine(
    "point_entry",
    model=PointEntry,
    field="state",
    states=P,
    moves={
        "approve": ([P.PENDING], P.APPROVED, None),
        "reject": ([P.PENDING], P.REJECTED, None),
    },
    refusals={
        action: {
            P.APPROVED: _("该积分已被审批，请刷新页面。"),
            P.REJECTED: _("该积分已被审批，请刷新页面。"),
        }
        for action in ("approve", "reject")
    },
)
