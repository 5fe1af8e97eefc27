"""The corrections state machines (刑罚执行, M8): one declared table each.

The roles are those the services check: the receiving street's leaders, dispatchers and officers
act on a release; an evidence file is worked by its own prison's officers (a relation to the
prison, so no role gate here).
"""

from django.utils.translation import gettext_lazy as _

from pingan.core.actions import Machine
from pingan.orgs.choices import RoleCode as R

from .choices import FileState as F
from .choices import ReleaseState as S
from .models import EvidenceFile, Release

RECEIVING = (R.LEADER, R.DISPATCHER, R.OFFICER)

# A release hand-over: the sweeps notify the community and flag no-shows (the system); the
# receiving street confirms the arrival, then records follow-ups and placements.
RELEASE = Machine(
    "release",
    model=Release,
    field="state",
    states=S,
    moves={
        "notify": ([S.REGISTERED], S.NOTIFIED, None),
        "flag_no_show": ([S.REGISTERED, S.NOTIFIED], S.NO_SHOW, None),
        "confirm_arrival": ([S.REGISTERED, S.NOTIFIED, S.NO_SHOW], S.ARRIVED, RECEIVING),
        "record_followup": ([S.ARRIVED], None, RECEIVING),
        "record_placement": ([S.ARRIVED], None, RECEIVING),
    },
    refusals={
        "confirm_arrival": {S.ARRIVED: _("已确认报到，无需重复确认。")},
        "record_followup": {
            state: _("报到后才能登记参保和回访情况。") for state in S.values if state != S.ARRIVED
        },
        "record_placement": {
            state: _("报到后才能登记就业安置。") for state in S.values if state != S.ARRIVED
        },
    },
)

# A commutation / parole / medical-parole evidence file (减假暂案卷): reviewed while open.
EVIDENCE_FILE = Machine(
    "evidence_file",
    model=EvidenceFile,
    field="state",
    states=F,
    moves={
        "review_item": ([F.OPEN], None, None),
        "conclude": ([F.OPEN], F.CONCLUDED, None),
    },
    refusals={
        "review_item": {F.CONCLUDED: _("案卷已审结，不能再修改审核意见。")},
        "conclude": {F.CONCLUDED: _("案卷已审结。")},
    },
)
