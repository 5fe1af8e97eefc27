"""The actions on an assistant's development record, declared once: the profile page
(``views.profile_act``) and the API (``api/views.py``) both run them through
``core.actions.perform`` on the profile. An action on one of the profile's records (a study
item, a milestone, a points entry, a rotation) names that record in its input.

Who may take an action follows from how the actor stands to the assistant (themself, mentor,
department head, committee; ``access.relations``), not from a role: ``access.MAY`` names those
relations for each action, the services refuse everyone else and the page offers the action to
them alone. A row's small form (confirm, decide, a rotation's case) is marked ``extra["row"]``.
The record machines (``rules.STUDY_RECORD``, ``MILESTONE_RECORD``, ``POINTS``) are checked by
the confirming and deciding services.

Entries that wait for someone else tell them: study and milestone entries the mentor, points
claims the mentor and the department head; confirmations and decisions tell whoever entered
or claimed; a rotation, a new mentor, a stage or a transfer step tells the people it moves.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import Action, Handoff
from pingan.core.errors import ApplicationError

from . import forms, services
from .access import MAY
from .api import serializers as s
from .choices import RecordState, TransferState, TransferTrack
from .models import (
    Milestone,
    MilestoneRecord,
    PointEntry,
    PointRule,
    Profile,
    Rotation,
    StudyRecord,
)

KIND = "talent"


def _url(profile: Profile) -> str:
    return reverse("talent:profile", args=[profile.pk])


def _name(person) -> str:
    return person.name or person.username


# --- the profile's records an action names -------------------------------------------------


def _of_profile(model, profile: Profile, **lookup):
    """One record of the profile, with the profile already read; 404 for any other."""
    record = model.objects.filter(profile=profile, **lookup).first()
    if record is None:
        raise Http404
    record.profile = profile
    return record


def _study_record(profile: Profile, code: str) -> StudyRecord:
    record = (
        StudyRecord.objects.select_related("item")
        .filter(profile=profile, item__code=(code or "").strip())
        .first()
    )
    if record is None:
        raise ApplicationError(_("该助理没有这一项学习记录。"))
    record.profile = profile
    return record


def _reached(profile: Profile, milestone: Milestone) -> Milestone:
    """A milestone of the assistant's stage or an earlier one (what the page offers)."""
    if milestone.transformation.stage.order > profile.stage.order:
        raise ApplicationError(
            _("“%(name)s”属于尚未进入的培养阶段，不能录入。") % {"name": milestone.name}
        )
    return milestone


# --- whom a hand-off tells -----------------------------------------------------------------


def _mentor_if_waiting(model, lookup):
    """The mentor, when the entry just made waits for their confirmation."""

    def recipients(profile: Profile, actor, data: dict):
        waiting = model.objects.filter(
            profile=profile, state=RecordState.SUBMITTED, **lookup(data)
        ).exists()
        return [profile.mentor] if waiting else []

    return recipients


def _awaiting(what: str):
    def message(profile: Profile, actor, data: dict) -> tuple[str, str]:
        return (
            _("%(what)s待确认：%(name)s") % {"what": what, "name": profile.staff},
            _("%(actor)s录入了%(what)s，请核实后确认。") % {"actor": _name(actor), "what": what},
        )

    return message


def _confirmed(what: str):
    def message(profile: Profile, actor, data: dict) -> tuple[str, str]:
        return (
            _("%(what)s已确认：%(name)s") % {"what": what, "name": profile.staff},
            _("%(actor)s确认了您录入的%(what)s。") % {"actor": _name(actor), "what": what},
        )

    return message


def _points_claimed(profile: Profile, actor, data: dict) -> tuple[str, str]:
    rule = PointRule.objects.get(code=data["rule"].strip(), is_active=True)
    return (
        _("积分待审批：%(name)s") % {"name": profile.staff},
        _("%(actor)s申报了积分（%(rule)s），请审批。") % {"actor": _name(actor), "rule": rule.name},
    )


def _points_decided(profile: Profile, actor, data: dict) -> tuple[str, str]:
    verdict = _("通过") if data["approve"] else _("不予通过")
    return (
        _("积分审批%(verdict)s：%(name)s") % {"verdict": verdict, "name": profile.staff},
        _("%(actor)s审批：%(verdict)s。%(note)s")
        % {"actor": _name(actor), "verdict": verdict, "note": data.get("note", "")},
    )


def _points_claimant(profile: Profile, actor, data: dict):
    entry = PointEntry.objects.select_related("submitted_by").get(pk=data["entry"])
    return [entry.submitted_by, profile.staff]


def _rotation_placed(profile: Profile, actor, data: dict) -> tuple[str, str]:
    return (
        _("轮岗安排：%(name)s") % {"name": profile.staff},
        _("%(actor)s安排%(name)s于 %(start)s 至 %(end)s 在%(dept)s轮岗。")
        % {
            "actor": _name(actor),
            "name": profile.staff,
            "start": data["starts_on"],
            "end": data["ends_on"],
            "dept": data["department"],
        },
    )


def _mentor_changed(profile: Profile, actor, data: dict) -> tuple[str, str]:
    return (
        _("带教导师：%(name)s") % {"name": profile.staff},
        _("%(actor)s指定%(mentor)s为%(name)s的带教导师。%(reason)s")
        % {
            "actor": _name(actor),
            "mentor": data["mentor"],
            "name": profile.staff,
            "reason": data["reason"],
        },
    )


def _stage_changed(profile: Profile, actor, data: dict) -> tuple[str, str]:
    return (
        _("阶段晋升：%(name)s") % {"name": profile.staff},
        _("人才评审委员会确认%(name)s晋升到%(stage)s。")
        % {"name": profile.staff, "stage": data["to_stage"].name},
    )


def _transfer_step(profile: Profile, actor, data: dict) -> tuple[str, str]:
    return (
        _("转任：%(name)s") % {"name": profile.staff},
        _("%(track)s：%(state)s。%(note)s")
        % {
            "track": TransferTrack(data["track"]).label,
            "state": TransferState(data["state"]).label,
            "note": data["note"],
        },
    )


def _assistant_and(*others):
    """The assistant and the named people around them (mentor, department head)."""

    def recipients(profile: Profile, actor, data: dict):
        people = {"mentor": profile.mentor, "head": profile.department.head}
        return [profile.staff, *(people[other] for other in others)]

    return recipients


# --- the declarations ------------------------------------------------------------------------

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            name="study",
            operation="talent_profiles_study_create",
            label=gettext_lazy("录入学习记录"),
            service=lambda profile, actor, data: services.study_record(
                profile=profile,
                actor=actor,
                item_code=data["item"],
                completed_on=data["completed_on"],
                evidence=data["evidence"],
            ),
            form=forms.StudyForm,
            serializer=s.StudyInputSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=_mentor_if_waiting(
                    StudyRecord, lookup=lambda data: {"item__code": data["item"]}
                ),
                message=_awaiting(gettext_lazy("学习记录")),
                url=_url,
            ),
        ),
        Action(
            name="study_confirm",
            operation="talent_profiles_study_confirm_create",
            label=gettext_lazy("确认学习记录"),
            service=lambda profile, actor, data: services.study_confirm(
                record=_study_record(profile, data["item"]), actor=actor
            ),
            form=forms.StudyConfirmForm,
            serializer=s.StudyConfirmSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=lambda profile, actor, data: [
                    _study_record(profile, data["item"]).recorded_by
                ],
                message=_confirmed(gettext_lazy("学习记录")),
                url=_url,
            ),
            extra={"row": True},
        ),
        Action(
            name="milestone",
            operation="talent_profiles_milestone_create",
            label=gettext_lazy("录入转化节点"),
            service=lambda profile, actor, data: services.milestone_record(
                profile=profile,
                actor=actor,
                milestone=_reached(profile, data["milestone"]),
                completed_on=data["completed_on"],
                evidence=data["evidence"],
            ),
            form=forms.MilestoneForm,
            serializer=s.MilestoneInputSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=_mentor_if_waiting(
                    MilestoneRecord, lookup=lambda data: {"milestone": data["milestone"]}
                ),
                message=_awaiting(gettext_lazy("转化节点")),
                url=_url,
            ),
        ),
        Action(
            name="milestone_confirm",
            operation="talent_profiles_milestone_confirm_create",
            label=gettext_lazy("确认转化节点"),
            service=lambda profile, actor, data: services.milestone_confirm(
                record=_of_profile(MilestoneRecord, profile, milestone=data["milestone"]),
                actor=actor,
            ),
            form=forms.MilestoneConfirmForm,
            serializer=s.MilestoneConfirmSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=lambda profile, actor, data: [
                    _of_profile(MilestoneRecord, profile, milestone=data["milestone"]).recorded_by
                ],
                message=_confirmed(gettext_lazy("转化节点")),
                url=_url,
            ),
            extra={"row": True},
        ),
        Action(
            name="points",
            operation="talent_profiles_points_create",
            label=gettext_lazy("申报积分"),
            service=lambda profile, actor, data: services.points_submit(
                profile=profile,
                actor=actor,
                rule_code=data["rule"],
                evidence=data["evidence"],
                occurred_on=data["occurred_on"],
                quantity=data["quantity"],
            ),
            form=forms.PointsForm,
            serializer=s.PointsInputSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=lambda profile, actor, data: [profile.mentor, profile.department.head],
                message=_points_claimed,
                url=_url,
            ),
        ),
        Action(
            name="points_decide",
            operation="talent_profiles_points_decide_create",
            label=gettext_lazy("审批积分"),
            service=lambda profile, actor, data: services.points_decide(
                entry=_of_profile(PointEntry, profile, pk=data["entry"]),
                actor=actor,
                approve=data["approve"],
                note=data["note"],
            ),
            form=forms.DecideForm,
            serializer=s.PointsDecideSerializer,
            tell=Handoff(kind=KIND, recipients=_points_claimant, message=_points_decided, url=_url),
            extra={"row": True},
        ),
        Action(
            name="activity",
            operation="talent_profiles_activity_create",
            label=gettext_lazy("录入实践与竞赛"),
            service=lambda profile, actor, data: services.activity_record(
                profile=profile, actor=actor, **data
            ),
            form=forms.ActivityForm,
            serializer=s.ActivityInputSerializer,
            quiet="evidence on the assistant's own record; no one needs to act on it",
        ),
        Action(
            name="rotation",
            operation="talent_profiles_rotation_create",
            label=gettext_lazy("安排轮岗"),
            service=lambda profile, actor, data: services.rotation_add(
                profile=profile, actor=actor, **data
            ),
            form=forms.RotationForm,
            serializer=s.RotationInputSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=lambda profile, actor, data: [
                    profile.staff,
                    data["department"].head,
                ],
                message=_rotation_placed,
                url=_url,
            ),
        ),
        Action(
            name="rotation_case",
            operation="talent_profiles_rotation_case_create",
            label=gettext_lazy("关联协助办理的事项"),
            service=lambda profile, actor, data: services.rotation_link_case(
                rotation=_of_profile(Rotation, profile, pk=data["rotation"]),
                actor=actor,
                case_number=data["case_number"],
            ),
            form=forms.LinkCaseForm,
            serializer=s.RotationCaseSerializer,
            quiet="counts a case on the assistant's own rotation; no one needs to act on it",
            extra={"row": True},
        ),
        Action(
            name="rotation_entered",
            operation="talent_profiles_rotation_entered_create",
            label=gettext_lazy("录入系统外协助办案数"),
            service=lambda profile, actor, data: services.rotation_set_entered(
                rotation=_of_profile(Rotation, profile, pk=data["rotation"]),
                actor=actor,
                count=data["count"],
                reason=data["reason"],
            ),
            form=forms.EnteredCasesForm,
            serializer=s.RotationEnteredSerializer,
            quiet="the mentor or head records a count they vouch for; no one needs to act on it",
            extra={"row": True},
        ),
        Action(
            name="evaluation",
            operation="talent_profiles_evaluation_create",
            label=gettext_lazy("评价"),
            service=lambda profile, actor, data: services.evaluation_submit(
                profile=profile, actor=actor, **data
            ),
            form=forms.EvaluationForm,
            serializer=s.EvaluationInputSerializer,
            quiet="a score kept for the weighted evaluation; no one needs to act on it",
        ),
        Action(
            name="stage",
            operation="talent_profiles_stage_create",
            label=gettext_lazy("确认阶段晋升"),
            service=lambda profile, actor, data: services.stage_change(
                profile=profile,
                actor=actor,
                to_stage=data["to_stage"],
                reason=data["reason"],
                override_reason=data["override_reason"],
                changed_on=data["changed_on"],
                expected_version=data["version"],
            ),
            form=forms.StageForm,
            serializer=s.StageInputSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=_assistant_and("mentor", "head"),
                message=_stage_changed,
                url=_url,
            ),
        ),
        Action(
            name="mentor",
            operation="talent_profiles_mentor_create",
            label=gettext_lazy("更换导师"),
            service=lambda profile, actor, data: services.mentor_assign(
                profile=profile,
                actor=actor,
                mentor=data["mentor"],
                reason=data["reason"],
                expected_version=data["version"],
            ),
            form=forms.MentorForm,
            serializer=s.MentorInputSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=lambda profile, actor, data: [profile.staff, data["mentor"]],
                message=_mentor_changed,
                url=_url,
            ),
        ),
        Action(
            name="transfer",
            operation="talent_profiles_transfer_create",
            label=gettext_lazy("记录转任"),
            service=lambda profile, actor, data: services.transfer_record(
                profile=profile, actor=actor, **data
            ),
            form=forms.TransferForm,
            serializer=s.TransferInputSerializer,
            tell=Handoff(
                kind=KIND,
                recipients=_assistant_and("head"),
                message=_transfer_step,
                url=_url,
            ),
        ),
        Action(
            name="outcome",
            operation="talent_profiles_outcome_create",
            label=gettext_lazy("记录成效"),
            service=lambda profile, actor, data: services.outcome_record(
                profile=profile, actor=actor, **data
            ),
            form=forms.OutcomeForm,
            serializer=s.OutcomeInputSerializer,
            quiet="a recognised honour on the record; no one needs to act on it",
        ),
    ]
}


def offered(found: frozenset[str]) -> set[str]:
    """The actions the page offers to someone standing in ``found`` relations to the assistant."""
    return {name for name in ACTIONS if found & MAY[name]}
