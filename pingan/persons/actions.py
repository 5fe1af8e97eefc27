"""The actions on the register, declared once: the person page (``views.person_act``), the
scorecard pages and the API run them through ``core.actions.perform``. The moves are
``rules.MEASURE``, ``rules.PROPOSAL`` and ``rules.SCORECARD``; who may decide a rating or work a
measure depends on the actor's relation to the person, which the services check.

Hand-offs: a registration tells the responsible officer it names; a changed situation (or a
lost contact) that makes the scorecard propose another level tells the responsible officer, who
decides it; a decision taken by someone else (a leader) tells the responsible officer; a measure
tells its owner, and its completion or cancellation tells whoever set it (and the owner, when
someone else cancels it); a review decision tells the scorecard's author, and a fitted version
waiting for review tells its reviewers.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import Action, Handoff
from pingan.core.jobs import job_submit

from . import access, forms, rules, services
from .api import serializers as s
from .choices import MeasureCategory, ProposalState, RiskLevel
from .jobs import SCORECARD_FIT
from .models import KeyPerson, Measure, RatingProposal, Scorecard

KIND = "person"


def _person_url(person: KeyPerson) -> str:
    return services.person_url(person.pk)


def _actor(actor) -> str:
    return actor.name or actor.username


# --- whom a hand-off tells ---------------------------------------------------------------------


def _proposed_now(person: KeyPerson, actor, data: dict) -> list:
    """The responsible officer, when this write made the scorecard propose a new level (the
    proposal is stamped with the moment of the write)."""
    proposed = person.proposals.filter(state=ProposalState.PENDING, created_at=person.updated_at)
    return [person.responsible] if proposed.exists() else []


def _proposed_message(person: KeyPerson, actor, data: dict) -> tuple[str, str]:
    proposal = person.proposals.filter(state=ProposalState.PENDING).first()
    return (
        _("评级待确认：%(name)s") % {"name": person.name},
        _("%(actor)s更新了情况，评分卡提议等级为“%(level)s”，请确认或改定。")
        % {"actor": _actor(actor), "level": RiskLevel(proposal.level).label if proposal else ""},
    )


PROPOSED = Handoff(kind=KIND, recipients=_proposed_now, message=_proposed_message, url=_person_url)


def _decided_message(proposal: RatingProposal, actor, data: dict) -> tuple[str, str]:
    return (
        _("评级已决定：%(name)s") % {"name": proposal.person.name},
        _("%(actor)s将等级定为“%(level)s”（评分卡提议“%(proposed)s”）。%(reason)s")
        % {
            "actor": _actor(actor),
            "level": RiskLevel(proposal.decided_level).label,
            "proposed": RiskLevel(proposal.level).label,
            "reason": proposal.reason,
        },
    )


DECIDED = Handoff(
    kind=KIND,
    recipients=lambda proposal, actor, data: [proposal.person.responsible],
    message=_decided_message,
    url=lambda proposal: _person_url(proposal.person),
)


def _measure_message(title, body):
    def message(measure: Measure, actor, data: dict) -> tuple[str, str]:
        words = {
            "actor": _actor(actor),
            "name": measure.plan.person.name,
            "category": MeasureCategory(measure.category).label,
            "due": measure.due_on.isoformat(),
            "result": measure.result,
        }
        return str(title) % words, str(body) % words

    return message


def _measure_url(measure: Measure) -> str:
    return _person_url(measure.plan.person) + "#plan"


# --- the register -----------------------------------------------------------------------------

# Registering hangs off no object yet: the responsible officer's notice links to their persons.
REGISTER = Action(
    name="register",
    operation="persons_create",
    label=gettext_lazy("登记"),
    allowed=access.EDIT_ROLES,
    service=lambda _nothing, actor, data: services.person_register(
        actor=actor, data=services.PersonInput(**data)
    ),
    form=forms.PersonForm,
    serializer=s.PersonCreateSerializer,
    tell=Handoff(
        kind=KIND,
        recipients=lambda _nothing, actor, data: [data["responsible"]],
        message=lambda _nothing, actor, data: (
            _("新登记的重点人员：%(name)s") % {"name": data["name"]},
            _("%(actor)s登记了%(name)s（%(type)s），由您担任责任人，请确认评级并制定措施。")
            % {"actor": _actor(actor), "name": data["name"], "type": data["person_type"].name},
        ),
        url=lambda _nothing: reverse("persons:list") + "?mine=true",
    ),
)

# --- the person page ---------------------------------------------------------------------------


def _situation(person: KeyPerson, actor, data: dict) -> KeyPerson:
    """Blank contact details keep the old ones (the page says "留空表示不变")."""
    changes = {
        key: value
        for key, value in data.items()
        if key != "version" and not (key in ("phone", "address") and not value.strip())
    }
    return services.person_update(person=person, actor=actor, version=data["version"], **changes)


CONFIRM = Action(
    name="confirm",
    operation="persons_confirm_create",
    label=gettext_lazy("确认此等级"),
    machine=rules.PROPOSAL,
    service=lambda proposal, actor, data: services.rating_confirm(
        proposal=proposal, actor=actor, version=data.get("version")
    ),
    form=forms.ConfirmForm,
    serializer=s.ConfirmSerializer,
    tell=DECIDED,
    extra={
        "done": lambda proposal, data: (
            _("已确认评级：%(level)s") % {"level": RiskLevel(proposal.level).label}
        )
    },
)
OVERRIDE = Action(
    name="override",
    operation="persons_override_create",
    label=gettext_lazy("改定并说明理由"),
    machine=rules.PROPOSAL,
    service=lambda proposal, actor, data: services.rating_override(
        proposal=proposal,
        actor=actor,
        level=data["level"],
        reason=data["reason"],
        disputed_factors=data.get("disputed_factors"),
        version=data.get("version"),
    ),
    form=forms.OverrideForm,
    serializer=s.OverrideSerializer,
    tell=DECIDED,
    extra={
        "done": lambda proposal, data: (
            _("已改定评级：%(level)s") % {"level": RiskLevel(data["level"]).label}
        )
    },
)
REVIEW = Action(
    name="review",
    operation="persons_reviews_create",
    label=gettext_lazy("记录复核"),
    allowed=access.REVIEW_ROLES,
    service=lambda person, actor, data: services.review_record(
        person=person,
        actor=actor,
        contact=data["contact"],
        note=data["note"],
        version=data.get("version"),
    ),
    form=forms.ReviewForm,
    serializer=s.ReviewInputSerializer,
    tell=PROPOSED,
    extra={"done": lambda person, data: _("已记录复核，下次复核日期已排定。")},
)
SITUATION = Action(
    name="situation",
    operation="persons_situation_create",
    label=gettext_lazy("更新情况"),
    allowed=access.REVIEW_ROLES,
    service=_situation,
    form=forms.SituationForm,
    serializer=s.SituationSerializer,
    tell=PROPOSED,
    extra={"done": lambda person, data: _("已更新情况；评分如有变化，将生成新的评级提议。")},
)
MEASURE_ADD = Action(
    name="measure",
    operation="persons_measures_create",
    label=gettext_lazy("保存措施"),
    allowed=access.REVIEW_ROLES,
    service=lambda person, actor, data: services.measure_add(
        person=person,
        actor=actor,
        kind=data["kind"],
        category=data["category"],
        description=data["description"],
        owner=data.get("owner"),
        due_on=data.get("due_on"),
        partner=data.get("partner"),
    ),
    form=forms.MeasureForm,
    serializer=s.MeasureInputSerializer,
    tell=Handoff(
        kind=KIND,
        recipients=lambda person, actor, data: [data["owner"]],
        message=lambda person, actor, data: (
            _("新的帮教措施：%(name)s") % {"name": person.name},
            _("%(actor)s请您负责“%(category)s”措施，%(due)s 前完成并登记结果。")
            % {
                "actor": _actor(actor),
                "category": MeasureCategory(data["category"]).label,
                "due": data["due_on"].isoformat(),
            },
        ),
        url=lambda person: _person_url(person) + "#plan",
    ),
    extra={"done": lambda person, data: _("已新增措施。")},
)
MEASURE_COMPLETE = Action(
    name="complete",
    operation="person_measures_complete_create",
    label=gettext_lazy("登记完成"),
    machine=rules.MEASURE,
    service=lambda measure, actor, data: services.measure_complete(
        measure=measure, actor=actor, result=data["result"], version=data.get("version")
    ),
    form=forms.MeasureDoneForm,
    serializer=s.MeasureResultSerializer,
    tell=Handoff(
        kind=KIND,
        recipients=lambda measure, actor, data: [measure.created_by],
        message=_measure_message(
            gettext_lazy("措施已完成：%(name)s"),
            gettext_lazy("%(actor)s已完成“%(category)s”措施：%(result)s"),
        ),
        url=_measure_url,
    ),
    extra={"done": lambda measure, data: _("措施已完成。")},
)
MEASURE_CANCEL = Action(
    name="cancel",
    operation="person_measures_cancel_create",
    label=gettext_lazy("取消措施"),
    machine=rules.MEASURE,
    service=lambda measure, actor, data: services.measure_cancel(
        measure=measure, actor=actor, reason=data["result"], version=data.get("version")
    ),
    form=forms.MeasureDoneForm,
    serializer=s.MeasureResultSerializer,
    tell=Handoff(
        kind=KIND,
        recipients=lambda measure, actor, data: [measure.owner, measure.created_by],
        message=_measure_message(
            gettext_lazy("措施已取消：%(name)s"),
            gettext_lazy("%(actor)s取消了“%(category)s”措施（原定 %(due)s 前完成）：%(result)s"),
        ),
        url=_measure_url,
    ),
    extra={"done": lambda measure, data: _("措施已取消。")},
)

# --- scorecards --------------------------------------------------------------------------------


def _scorecard_url(scorecard: Scorecard) -> str:
    return reverse("persons:scorecard-detail", args=[scorecard.pk])


SCORECARD_REVIEW = Action(
    name="review_scorecard",
    operation="scorecards_review_create",
    label=gettext_lazy("提交审核"),
    allowed=access.APPROVE_ROLES,
    service=lambda scorecard, actor, data: services.scorecard_review(
        scorecard=scorecard, actor=actor, approve=data["approve"], note=data.get("note", "")
    ),
    form=forms.ScorecardReviewForm,
    serializer=s.ScorecardReviewSerializer,
    tell=Handoff(
        kind=KIND,
        recipients=lambda scorecard, actor, data: [scorecard.created_by],
        message=lambda scorecard, actor, data: (
            _("评分卡已审核：%(name)s") % {"name": scorecard.name},
            _("%(actor)s的审核结论：%(state)s。%(note)s")
            % {
                "actor": _actor(actor),
                "state": scorecard.get_state_display(),
                "note": scorecard.review_note,
            },
        ),
        url=_scorecard_url,
    ),
)

# A version the worker fitted waits for review: its reviewers are told (by ``jobs.py``, when
# the job has written it).
REVIEW_WANTED = Handoff(
    kind=KIND,
    recipients=lambda scorecard, actor, data: access.scorecard_reviewers(),
    message=lambda scorecard, actor, data: (
        _("评分卡待审核：%(name)s") % {"name": scorecard.name},
        _("%(actor)s拟合了新的评分卡版本，请审阅报告后审核（不能由制作人本人审核）。")
        % {"actor": _actor(actor)},
    ),
    url=_scorecard_url,
)

# Fitting uploads a CSV file, a multipart body the JSON schema test cannot compare: the fitting
# page's form (``forms.ScorecardFitForm``) and the API's serializer (``s.ScorecardFitSerializer``)
# both hand the same data to this declaration.
SCORECARD_FIT_ACTION = Action(
    name="fit",
    operation="scorecards_fit_create",
    label=gettext_lazy("拟合并生成报告"),
    allowed=access.FIT_ROLES,
    service=lambda _nothing, actor, data: job_submit(
        kind=SCORECARD_FIT,
        owner=actor,
        params={"outcome": data["outcome"], "group": data["group"], "exclude": data["exclude"]},
        upload=data["csv"],
    ),
    quiet="the fit is a background job its owner follows; the version it writes tells its "
    "reviewers then (REVIEW_WANTED)",
)

# The person page's actions by the name in its URL (``/persons/<pk>/act/<name>/``).
PERSON_PAGE = {
    "confirm": CONFIRM,
    "override": OVERRIDE,
    "review": REVIEW,
    "situation": SITUATION,
    "measure": MEASURE_ADD,
    "measure_done": MEASURE_COMPLETE,
    "measure_cancel": MEASURE_CANCEL,
}
