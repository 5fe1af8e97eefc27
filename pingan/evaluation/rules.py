"""The evaluation state machines (考评, M9): one declared table each.

Schemes are the evaluators' to write and publish; entries are approved by a second person who
is neither the subject nor the author (checked in the services); a review is submitted by the
reviewer it was assigned to.
"""

from django.utils.translation import gettext_lazy as _

from pingan.core.actions import Machine
from pingan.orgs.choices import RoleCode as R

from .choices import EntryState as E
from .choices import ReviewState as V
from .choices import SchemeState as S
from .models import ListEntry, ManualEntry, Review, Scheme

# The app's role sets: evaluators write schemes, entries and review plans and run the scan;
# a second person among the approvers decides on an entry; reviewers are drawn from the same.
EVALUATORS = (R.EVALUATOR,)
APPROVERS = (R.EVALUATOR, R.LEADER)
REVIEWERS = APPROVERS
_PUBLISHED_IS_FROZEN = _(
    "方案已发布，不能直接修改。期间内调整指标须先“建立修订版本”并写明理由，"
    "修订版本发布后替代原方案。"
)

# A scheme is edited as a draft, published, and superseded by a published revision.
SCHEME = Machine(
    "scheme",
    model=Scheme,
    field="state",
    states=S,
    moves={
        "edit": ([S.DRAFT], None, EVALUATORS),
        "publish": ([S.DRAFT], S.PUBLISHED, EVALUATORS),
        "supersede": ([S.PUBLISHED], S.SUPERSEDED, EVALUATORS),
        "revise": ([S.PUBLISHED], None, EVALUATORS),
        "compute": ([S.PUBLISHED], None, EVALUATORS),
    },
    refusals={
        "edit": {S.PUBLISHED: _PUBLISHED_IS_FROZEN, S.SUPERSEDED: _PUBLISHED_IS_FROZEN},
        "publish": {S.PUBLISHED: _PUBLISHED_IS_FROZEN, S.SUPERSEDED: _PUBLISHED_IS_FROZEN},
        "revise": {
            S.DRAFT: _("只有已发布的方案可以建立修订版本；草稿可直接修改。"),
            S.SUPERSEDED: _("只有已发布的方案可以建立修订版本；草稿可直接修改。"),
        },
        "compute": {
            S.DRAFT: _("只能按已发布的方案计算得分。"),
            S.SUPERSEDED: _("只能按已发布的方案计算得分。"),
        },
    },
)


def _entry_machine(name: str, model) -> Machine:
    """A manual or list entry: approved or returned once, by a second person."""
    decided = {
        E.APPROVED: _("该条目已审核，不能重复审核。"),
        E.REJECTED: _("该条目已审核，不能重复审核。"),
    }
    return Machine(
        name,
        model=model,
        field="state",
        states=E,
        moves={
            "approve": ([E.PENDING], E.APPROVED, APPROVERS),
            "reject": ([E.PENDING], E.REJECTED, APPROVERS),
        },
        refusals={"approve": decided, "reject": decided},
    )


MANUAL_ENTRY = _entry_machine("manual_entry", ManualEntry)
LIST_ENTRY = _entry_machine("list_entry", ListEntry)

# A case-quality review (案件评查), submitted once by the reviewer it was assigned to.
REVIEW = Machine(
    "review",
    model=Review,
    field="state",
    states=V,
    moves={"submit": ([V.PENDING], V.DONE, None)},
    refusals={"submit": {V.DONE: _("该评查已提交，不能修改。")}},
)
