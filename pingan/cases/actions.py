"""Every action on a case, declared once (DESIGN rule 7): label, page form, API serializer,
the service it runs and whom it hands work to. The case page (``views.case_act``) and the API
(``api/views.py``) both run them through ``core.actions.perform``; the moves and roles are
``rules.CASE``.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import Action, Handoff
from pingan.core.errors import ApplicationError
from pingan.orgs.choices import RoleCode
from pingan.orgs.selectors import unit_staff

from . import forms, rules, services, supervision
from .api import serializers as s
from .choices import ExtensionState, ReferralState, State, Urgency
from .models import Case, DeadlineExtension

R = RoleCode


def _common(case: Case, actor, data: dict) -> dict:
    return {"case": case, "actor": actor, "expected_version": data.get("version")}


def _pending_extension(case: Case) -> DeadlineExtension:
    extension = case.extensions.filter(state=ExtensionState.PENDING).first()
    if extension is None:
        raise ApplicationError(_("该事项没有待审批的延期申请。"))
    return extension


def _has_pending_extension(case: Case) -> bool:
    """Read once per case object: both extension actions' offers ask it on the same page."""
    if not hasattr(case, "_has_pending_extension"):
        case._has_pending_extension = case.extensions.filter(state=ExtensionState.PENDING).exists()
    return case._has_pending_extension


def _open_referral(case: Case) -> bool:
    """Read once per case object: both referral actions' offers ask it."""
    if not hasattr(case, "_open_referral"):
        case._open_referral = case.referrals.filter(state=ReferralState.REFERRED).exists()
    return case._open_referral


def _decided_extension(case: Case) -> DeadlineExtension:
    return case.extensions.exclude(state=ExtensionState.PENDING).order_by("-decided_at").first()


# --- whom a hand-off tells ---------------------------------------------------------------------


def _case_url(case: Case) -> str:
    return reverse("cases:case-detail", args=[case.number])


def _urgent(case: Case) -> bool:
    return case.urgency == Urgency.URGENT


def _receiving_unit(case: Case, actor, data: dict):
    """The unit's dispatchers; its leaders too when the matter is urgent."""
    roles = (R.DISPATCHER, R.LEADER) if _urgent(case) else (R.DISPATCHER,)
    return unit_staff([case.handling_unit_id], *roles)


def _handler_or_dispatchers(case: Case) -> list:
    """Whoever handles the case in person; else its unit's dispatchers, who assign it."""
    if case.handler_id:
        return [case.handler]
    return list(unit_staff([case.handling_unit_id], R.DISPATCHER))


def _handoff(kind_title: str, body: str, recipients, *, sms=_urgent) -> Handoff:
    """A notice titled "<what>：<number> <title>" whose body names the actor and the reason."""

    def message(case: Case, actor, data: dict) -> tuple[str, str]:
        words = {
            "actor": actor.name or actor.username,
            "unit": case.handling_unit.name if case.handling_unit_id else "",
            "reason": data.get("reason", ""),
            "days": data.get("days", ""),
        }
        return f"{kind_title}：{case.number} {case.title}", str(body) % words

    return Handoff(kind="case", recipients=recipients, message=message, url=_case_url, sms=sms)


ASSIGNED = _handoff(
    gettext_lazy("交办承办"),
    gettext_lazy("%(actor)s将该事项交由您（%(unit)s）承办。%(reason)s"),
    lambda case, actor, data: _handler_or_dispatchers(case),
)
ESCALATED = _handoff(
    gettext_lazy("上提"),
    gettext_lazy("%(actor)s将该事项上提至%(unit)s，请受理并安排承办。理由：%(reason)s"),
    _receiving_unit,
)
HANDED_DOWN = _handoff(
    gettext_lazy("交办"),
    gettext_lazy("%(actor)s将该事项交办至%(unit)s，请安排承办。理由：%(reason)s"),
    _receiving_unit,
)
JOINT = _handoff(
    gettext_lazy("联动调处"),
    gettext_lazy("%(actor)s邀请您的单位联动调处该事项（%(unit)s承办）。事由：%(reason)s"),
    lambda case, actor, data: unit_staff(data.get("units") or [], R.DISPATCHER, R.LEADER),
)
EXTENSION_ASKED = _handoff(
    gettext_lazy("延期待审批"),
    gettext_lazy("%(actor)s申请延期 %(days)s 天，请审批。理由：%(reason)s"),
    lambda case, actor, data: unit_staff([case.handling_unit_id], R.LEADER),
)
EXTENSION_DECIDED = _handoff(
    gettext_lazy("延期审批结果"),
    gettext_lazy("%(actor)s已审批您的延期申请。%(reason)s"),
    lambda case, actor, data: [_decided_extension(case).requested_by],
)
DECLINED = _handoff(
    gettext_lazy("不予受理"),
    gettext_lazy("%(actor)s对您登记的事项不予受理。理由：%(reason)s"),
    lambda case, actor, data: [case.registered_by],
)
REOPENED = _handoff(
    gettext_lazy("回访不满意，重新调处"),
    gettext_lazy("群众对办理结果不满意，事项已重新进入调处，请继续办理。回访记录：%(reason)s"),
    lambda case, actor, data: [case.handler] if case.state == State.MEDIATING else [],
    sms=lambda case: True,
)


def _supervised_unit(case: Case, actor, data: dict):
    """Who must answer a supervision: the handling unit's leaders and dispatchers, and the
    case's handler."""
    people = list(unit_staff([case.handling_unit_id], R.LEADER, R.DISPATCHER))
    return [*people, case.handler] if case.handler_id else people


SUPERVISED = _handoff(
    gettext_lazy("督办"),
    gettext_lazy(
        "%(actor)s对该事项（%(unit)s承办）督办，请在督办单上反馈原因与措施。事由：%(reason)s"
    ),
    _supervised_unit,
    sms=lambda case: True,
)


# --- the declarations ------------------------------------------------------------------------


def _declare(
    name, label, service, form, serializer, *, style="primary", tell=None, quiet="", offer=None
):
    return Action(
        name=name,
        label=label,
        machine=rules.CASE,
        service=service,
        form=form,
        serializer=serializer,
        style=style,
        tell=tell,
        quiet=quiet,
        extra={"offer": offer} if offer else {},
        operation=f"cases_{name}",
    )


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        _declare(
            "accept",
            gettext_lazy("受理"),
            lambda c, a, d: services.case_accept(**_common(c, a, d), reason=d.get("reason", "")),
            forms.ActionForm,
            s.ActionSerializer,
            quiet="the accepting unit takes the work itself",
        ),
        _declare(
            "reject",
            gettext_lazy("不予受理"),
            lambda c, a, d: services.case_reject(**_common(c, a, d), reason=d.get("reason", "")),
            forms.RejectForm,
            s.ActionSerializer,
            style="outline-danger",
            tell=DECLINED,
        ),
        _declare(
            "assign",
            gettext_lazy("交办承办"),
            lambda c, a, d: services.case_assign(
                **_common(c, a, d),
                unit=d.get("unit"),
                handler=d.get("handler"),
                reason=d.get("reason", ""),
            ),
            forms.AssignForm,
            s.AssignSerializer,
            tell=ASSIGNED,
        ),
        _declare(
            "start_mediation",
            gettext_lazy("开始调处"),
            lambda c, a, d: services.case_start_mediation(
                **_common(c, a, d), reason=d.get("reason", "")
            ),
            forms.ActionForm,
            s.ActionSerializer,
            quiet="the handling unit keeps the work",
        ),
        _declare(
            "conclude",
            gettext_lazy("办结"),
            lambda c, a, d: services.case_conclude(
                **_common(c, a, d),
                outcome=d["outcome"],
                summary=d.get("reason", ""),
                legal_route=d.get("legal_route", ""),
            ),
            forms.ConcludeForm,
            s.ConcludeSerializer,
            quiet="the handling unit follows the case up itself",
        ),
        _declare(
            "follow_up",
            gettext_lazy("回访"),
            lambda c, a, d: services.case_follow_up(
                **_common(c, a, d), satisfaction=d["satisfaction"], note=d.get("reason", "")
            ),
            forms.FollowUpForm,
            s.FollowUpSerializer,
            tell=REOPENED,
        ),
        _declare(
            "archive",
            gettext_lazy("归档"),
            lambda c, a, d: services.case_archive(**_common(c, a, d), reason=d.get("reason", "")),
            forms.ActionForm,
            s.ActionSerializer,
            style="outline-secondary",
            quiet="the case is finished; nobody must act",
        ),
        _declare(
            "escalate",
            gettext_lazy("上提"),
            lambda c, a, d: services.case_escalate(**_common(c, a, d), reason=d.get("reason", "")),
            forms.ReasonRequiredForm,
            s.ActionSerializer,
            style="outline-warning",
            tell=ESCALATED,
            offer=lambda case: rules.level_above(case.level) is not None,
        ),
        _declare(
            "assign_down",
            gettext_lazy("下交"),
            lambda c, a, d: services.case_assign_down(
                **_common(c, a, d), level=d["level"], reason=d.get("reason", "")
            ),
            forms.AssignDownForm,
            s.AssignDownSerializer,
            style="outline-secondary",
            tell=HANDED_DOWN,
            offer=lambda case: bool(rules.levels_below(case.level)),
        ),
        _declare(
            "joint",
            gettext_lazy("联动调处"),
            lambda c, a, d: services.case_add_joint_units(
                **_common(c, a, d), units=list(d["units"]), reason=d.get("reason", "")
            ),
            forms.JointForm,
            s.JointSerializer,
            style="outline-secondary",
            tell=JOINT,
        ),
        _declare(
            "extension_request",
            gettext_lazy("申请延期"),
            lambda c, a, d: services.extension_request(
                case=c, actor=a, days=d["days"], reason=d.get("reason", "")
            ),
            forms.ExtensionRequestForm,
            s.ExtensionRequestSerializer,
            style="outline-secondary",
            tell=EXTENSION_ASKED,
            offer=lambda case: not _has_pending_extension(case),
        ),
        _declare(
            "extension_decide",
            gettext_lazy("审批延期"),
            lambda c, a, d: services.extension_decide(
                extension=_pending_extension(c),
                actor=a,
                approve=d["approve"],
                note=d.get("reason", ""),
                expected_version=d.get("version"),
            ),
            forms.ExtensionDecideForm,
            s.ExtensionDecideSerializer,
            style="outline-primary",
            tell=EXTENSION_DECIDED,
            offer=_has_pending_extension,
        ),
        _declare(
            "supervise",
            gettext_lazy("督办"),
            lambda c, a, d: supervision.supervision_issue(
                case=c, actor=a, reason=d.get("reason", ""), now=timezone.now()
            ),
            forms.SuperviseForm,
            s.SuperviseSerializer,
            style="outline-danger",
            tell=SUPERVISED,
        ),
        _declare(
            "judicial_confirmation",
            gettext_lazy("司法确认"),
            lambda c, a, d: services.case_confirm_judicially(
                **_common(c, a, d),
                court=d["court"],
                confirmed_on=d["confirmed_on"],
                ruling_number=d["ruling_number"],
                note=d.get("reason", ""),
            ),
            forms.JudicialConfirmationForm,
            s.JudicialConfirmationSerializer,
            style="outline-secondary",
            offer=lambda case: case.outcome == "agreement" and not case.judicially_confirmed,
            quiet="the handling unit records the court's confirmation for itself",
        ),
        _declare(
            "refer",
            gettext_lazy("转出"),
            lambda c, a, d: services.case_refer(
                case=c,
                actor=a,
                route=d["route"],
                body=d["body"],
                referred_on=d["referred_on"],
                follow_up_on=d["follow_up_on"],
                reference_number=d.get("reference_number", ""),
            ),
            forms.ReferForm,
            s.ReferSerializer,
            style="outline-secondary",
            offer=lambda case: case.outcome == "no_agreement" and not _open_referral(case),
            quiet="the receiving body is outside the platform; the handler follows it up",
        ),
        _declare(
            "referral_result",
            gettext_lazy("登记转出结果"),
            lambda c, a, d: services.referral_record_result(
                case=c,
                actor=a,
                result=d["result"],
                result_on=d["result_on"],
                reference_number=d.get("reference_number", ""),
            ),
            forms.ReferralResultForm,
            s.ReferralResultSerializer,
            style="outline-secondary",
            offer=_open_referral,
            quiet="the handler records what the receiving body decided",
        ),
    ]
}


def offered_actions(user, case: Case) -> list[Action]:
    """The declared actions this user may take on the case now, as the case page offers them
    ("reopen" is not offered alone: a low follow-up score reopens)."""
    return [
        ACTIONS[name]
        for name in services.available_actions(user, case)
        if name in ACTIONS and ACTIONS[name].extra.get("offer", lambda case: True)(case)
    ]


# --- configuration (the administrator's; the admin site is its page) -------------------------

_CONFIGURED = "configuration applies to cases registered from now on; no one's work is handed on"


def _configure(change, subject: str):
    """The service of a configuration change: the fields given, the version read, why."""

    def run(obj, actor, data: dict):
        fields = dict(data)
        return change(
            **{subject: obj},
            actor=actor,
            reason=fields.pop("reason", ""),
            expected_version=fields.pop("version", None),
            now=timezone.now(),
            **fields,
        )

    return run


_REGISTERED_ELSEWHERE = _handoff(
    gettext_lazy("新登记事项"),
    gettext_lazy("%(actor)s登记该事项并交由%(unit)s承办，请受理。"),
    lambda case, actor, data: (
        _receiving_unit(case, actor, data) if case.handling_unit_id != actor.unit_id else []
    ),
)


# 登记 (one-window intake): a creation, answering the case and its query code. A case the
# clerk sends to another unit (the routing suggestion's agency) tells that unit at once.
REGISTER = Action(
    name="register",
    operation="cases_create",
    label=gettext_lazy("登记事项"),
    allowed=rules.REGISTER_ROLES,
    service=lambda _none, actor, data: services.case_register(actor=actor, **data),
    serializer=s.CaseCreateSerializer,
    tell=_REGISTERED_ELSEWHERE,
    made=lambda result: result[0],
)
# 合并重复来访: a citizen comes again about an open case; the visit is recorded on it instead of
# a new case, and whoever handles it hears that the citizen is waiting.
MERGE_VISIT = Action(
    name="merge_visit",
    operation="cases_merge_visit",
    label=gettext_lazy("合并到此事项"),
    allowed=rules.REGISTER_ROLES,
    service=lambda case, actor, data: services.case_merge_visit(case=case, actor=actor, **data),
    serializer=s.MergeVisitSerializer,
    tell=_handoff(
        gettext_lazy("群众再次来访"),
        gettext_lazy("%(actor)s记录了群众就该事项的再次来访，请加快办理并及时答复。"),
        lambda case, actor, data: _handler_or_dispatchers(case),
    ),
)
RECEIPT_REISSUE = Action(
    name="receipt_reissue",
    operation="cases_receipt_reissue_create",
    label=gettext_lazy("补打回执"),
    allowed=rules.REGISTER_ROLES,
    service=lambda case, actor, data: services.case_reissue_query_code(case=case, actor=actor),
    quiet="the front desk hands the reprinted receipt to the citizen in person",
)
CATEGORY_ADD = Action(
    name="category_add",
    operation="cases_categories_create",
    label=gettext_lazy("新增事项类别"),
    allowed=rules.CONFIGURE_ROLES,
    service=lambda _none, actor, data: services.category_add(actor=actor, **data),
    serializer=s.CategoryAddSerializer,
    quiet=_CONFIGURED,
)
CATEGORY_CHANGE = Action(
    name="category_change",
    operation="cases_categories_partial_update",
    label=gettext_lazy("修改事项类别"),
    allowed=rules.CONFIGURE_ROLES,
    service=_configure(services.category_change, "category"),
    serializer=s.CategoryChangeSerializer,
    quiet=_CONFIGURED,
)
DEADLINE_RULE_CHANGE = Action(
    name="deadline_rule_change",
    operation="cases_deadline_rules_partial_update",
    label=gettext_lazy("修改时限规则"),
    allowed=rules.CONFIGURE_ROLES,
    service=_configure(services.deadline_rule_change, "policy"),
    serializer=s.DeadlineRuleChangeSerializer,
    quiet=_CONFIGURED,
)


# --- supervision orders (督办单) ----------------------------------------------------------------


def _supervision_url(order) -> str:
    return reverse("cases:supervision-detail", args=[order.pk])


def _order_message(what):
    def message(order, actor, data: dict) -> tuple[str, str]:
        words = {
            "actor": actor.name or actor.username,
            "number": order.case.number,
            "title": order.case.title,
            "text": data.get("answer") or data.get("note", ""),
        }
        return str(what[0]) % words, str(what[1]) % words

    return message


def _supervisors(order, actor, data: dict):
    """The issuer of a by-hand order; the supervising unit's people it went to otherwise."""
    if order.issued_by_id:
        return [order.issued_by]
    return unit_staff([order.unit_id], supervision.AUDIENCE_ROLES[order.audience])


def _answerers(order, actor, data: dict):
    people = list(unit_staff([order.supervised_unit_id], R.LEADER))
    return [*people, *(p for p in (order.answered_by, order.case.handler) if p is not None)]


SUPERVISION_ANSWER = Action(
    name="answer",
    operation="cases_supervisions_answer_create",
    label=gettext_lazy("反馈"),
    machine=rules.SUPERVISION,
    service=lambda order, actor, data: supervision.supervision_answer(
        supervision=order,
        actor=actor,
        answer=data.get("answer", ""),
        expected_version=data.get("version"),
        now=timezone.now(),
    ),
    form=forms.SupervisionAnswerForm,
    serializer=s.SupervisionAnswerSerializer,
    tell=Handoff(
        kind="supervision",
        recipients=_supervisors,
        message=_order_message(
            (
                gettext_lazy("督办反馈：%(number)s"),
                gettext_lazy("%(actor)s反馈了督办单（%(title)s），请审阅后办结。反馈：%(text)s"),
            )
        ),
        url=_supervision_url,
    ),
)
SUPERVISION_CLOSE = Action(
    name="close",
    operation="cases_supervisions_close_create",
    label=gettext_lazy("办结督办"),
    machine=rules.SUPERVISION,
    service=lambda order, actor, data: supervision.supervision_close(
        supervision=order,
        actor=actor,
        note=data.get("note", ""),
        expected_version=data.get("version"),
        now=timezone.now(),
    ),
    form=forms.SupervisionCloseForm,
    serializer=s.SupervisionCloseSerializer,
    style="outline-secondary",
    tell=Handoff(
        kind="supervision",
        recipients=_answerers,
        message=_order_message(
            (
                gettext_lazy("督办已办结：%(number)s"),
                gettext_lazy("%(actor)s办结了督办单（%(title)s）。意见：%(text)s"),
            )
        ),
        url=_supervision_url,
    ),
)
SUPERVISION_ACTIONS = {action.name: action for action in (SUPERVISION_ANSWER, SUPERVISION_CLOSE)}
