"""The evaluation actions, declared once: the pages and the API run them through
``core.actions.perform``. An entry waits for a second person's approval, so entering one tells
the approvers whose scope holds its subject, and their decision tells whoever entered it; a
review plan tells each reviewer it assigns cases to. Writing a scheme, submitting a review,
running the scan and generating a report keep the work with the evaluators who do it."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import Action, Handoff
from pingan.orgs.choices import RoleCode, UnitKind
from pingan.orgs.models import Staff

from . import forms, report, rules, scan, services
from .api import serializers as s
from .choices import CHECKLIST, Dimension

# --- schemes ---------------------------------------------------------------------------------

_SCHEME_QUIET = "the evaluators write and publish their own schemes"

SCHEME_CREATE = Action(
    name="create_scheme",
    operation="evaluation_schemes_create",
    label=gettext_lazy("新建方案"),
    allowed=rules.EVALUATORS,
    service=lambda _none, actor, data: services.scheme_create(actor=actor, **data),
    form=forms.SchemeForm,
    serializer=s.SchemeCreateSerializer,
    quiet=_SCHEME_QUIET,
)
INDICATOR_ADD = Action(
    name="add_indicator",
    operation="evaluation_schemes_indicators_create",
    label=gettext_lazy("添加指标"),
    allowed=rules.EVALUATORS,
    service=lambda scheme, actor, data: services.indicator_save(
        actor=actor,
        scheme=scheme,
        data=services.IndicatorInput.of(data),
        expected_version=data["version"],
    ),
    form=forms.IndicatorForm,
    serializer=s.IndicatorInputSerializer,
    quiet=_SCHEME_QUIET,
)
INDICATOR_DELETE = Action(
    name="delete_indicator",
    operation="evaluation_schemes_indicators_delete_create",
    label=gettext_lazy("删除指标"),
    allowed=rules.EVALUATORS,
    service=lambda indicator, actor, data: services.indicator_delete(
        actor=actor, indicator=indicator
    ),
    style="outline-danger",
    quiet=_SCHEME_QUIET,
)
WEIGHTS = Action(
    name="set_weights",
    operation="evaluation_schemes_weights_create",
    label=gettext_lazy("保存维度权重"),
    allowed=rules.EVALUATORS,
    service=lambda scheme, actor, data: services.scheme_set_weights(
        actor=actor,
        scheme=scheme,
        dimension_weights={code: data[code] for code in Dimension.values},
        expected_version=data["version"],
    ),
    form=forms.WeightsForm,
    serializer=s.WeightsSerializer,
    quiet=_SCHEME_QUIET,
)
PUBLISH = Action(
    name="publish",
    operation="evaluation_schemes_publish_create",
    label=gettext_lazy("发布"),
    machine=rules.SCHEME,
    service=lambda scheme, actor, data: services.scheme_publish(
        actor=actor, scheme=scheme, now=timezone.now()
    ),
    quiet="a published scheme is read by everyone it evaluates; no one has work to do",
)
REVISE = Action(
    name="revise",
    operation="evaluation_schemes_revise_create",
    label=gettext_lazy("建立修订版本"),
    machine=rules.SCHEME,
    service=lambda scheme, actor, data: services.scheme_revise(
        actor=actor, scheme=scheme, reason=data.get("reason", ""), now=timezone.now()
    ),
    form=forms.ReasonForm,
    serializer=s.ReviseSerializer,
    quiet=_SCHEME_QUIET,
)
COMPUTE = Action(
    name="compute",
    operation="evaluation_schemes_compute_create",
    label=gettext_lazy("重新计算"),
    machine=rules.SCHEME,
    service=lambda scheme, actor, data: services.scores_compute(
        scheme=scheme, actor=actor, now=timezone.now()
    ),
    quiet="scores are read on the pages; computing them hands no work on",
)


# --- manual entries and the lists ------------------------------------------------------------


def _entry_input(data: dict) -> dict:
    """The service's arguments from the form's or serializer's fields: the subject is a
    street, an agency or a member of staff (found by username)."""
    fields = {key: value for key, value in data.items() if key not in ("street", "username")}
    return {**fields, "division": data.get("street")}


def _approvers(entry, actor, data: dict):
    """Who may approve the new entry: the evaluators, and the leaders of centers, of the units
    whose area holds the subject (not the person evaluated, nor anyone of the unit evaluated:
    the service refuses them)."""
    codes = entry.subject_path.strip("/").split("/") if entry.subject_path else []
    paths = ["/" + "/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]
    overseers = Q(roles__code=RoleCode.EVALUATOR) | (
        Q(roles__code=RoleCode.LEADER) & ~Q(unit__kind=UnitKind.AGENCY)
    )
    people = Staff.objects.filter(
        overseers, is_active=True, unit__division__path__in=paths
    ).exclude(pk=entry.staff_id)
    if entry.unit_id is not None:
        people = people.exclude(unit=entry.unit_id)
    return people.distinct().order_by("pk")


def _entered_message(entry, actor, data: dict) -> tuple[str, str]:
    return (
        _("考评条目待审核：%(subject)s") % {"subject": entry.subject_name},
        _("%(actor)s录入了一条考评条目，请审核（录入人不能审核自己录入的条目）。")
        % {"actor": actor},
    )


def _entries_url(_entry) -> str:
    return reverse("evaluation:entries")


def _decided_message(entry, actor, data: dict) -> tuple[str, str]:
    title = (
        _("考评条目已通过：%(subject)s") if data["approve"] else _("考评条目被退回：%(subject)s")
    )
    body = _("%(actor)s已审核。") % {"actor": actor}
    if data.get("note"):
        body += _("审核意见：%(note)s") % {"note": data["note"]}
    return title % {"subject": entry.subject_name}, body


def _entry_actions(kind: str, create, decide, form, serializer, label):
    return (
        Action(
            name=f"enter_{kind}",
            operation=f"evaluation_{kind}_entries_create",
            label=label,
            allowed=rules.EVALUATORS,
            service=lambda _none, actor, data: create(actor=actor, **_entry_input(data)),
            form=form,
            serializer=serializer,
            tell=Handoff(
                kind="evaluation",
                recipients=_approvers,
                message=_entered_message,
                url=_entries_url,
            ),
        ),
        Action(
            name=f"decide_{kind}",
            operation=f"evaluation_{kind}_entries_decide_create",
            label=gettext_lazy("审核"),
            allowed=rules.APPROVERS,
            service=lambda entry, actor, data: decide(
                actor=actor,
                entry=entry,
                approve=data["approve"],
                note=data.get("note", ""),
                now=timezone.now(),
            ),
            form=forms.DecideForm,
            serializer=s.DecideSerializer,
            tell=Handoff(
                kind="evaluation",
                recipients=lambda entry, actor, data: [entry.entered_by],
                message=_decided_message,
                url=_entries_url,
            ),
        ),
    )


MANUAL_ENTER, MANUAL_DECIDE = _entry_actions(
    "manual",
    services.manual_entry_create,
    services.manual_entry_decide,
    forms.ManualEntryForm,
    s.ManualEntryInputSerializer,
    gettext_lazy("录入人工评价"),
)
LIST_ENTER, LIST_DECIDE = _entry_actions(
    "list",
    services.list_entry_create,
    services.list_entry_decide,
    forms.ListEntryForm,
    s.ListEntryInputSerializer,
    gettext_lazy("录入正负面清单"),
)
ENTER = {"manual": MANUAL_ENTER, "list": LIST_ENTER}
DECIDE = {"manual": MANUAL_DECIDE, "list": LIST_DECIDE}


# --- case-quality review ---------------------------------------------------------------------


def _plan_message(plan, actor, data: dict) -> tuple[str, str]:
    return (
        _("案件评查任务：%(name)s") % {"name": plan.name},
        _("%(actor)s建立了评查计划，分配给您的事项请在评查页面填写。") % {"actor": actor},
    )


PLAN = Action(
    name="plan_reviews",
    operation="evaluation_review_plans_create",
    label=gettext_lazy("建立评查计划"),
    allowed=rules.EVALUATORS,
    service=lambda _none, actor, data: services.review_plan_create(
        actor=actor, **{**data, "seed": data.get("seed") or 0}
    ),
    form=forms.ReviewPlanForm,
    serializer=s.ReviewPlanInputSerializer,
    tell=Handoff(
        kind="evaluation",
        recipients=lambda plan, actor, data: (
            Staff.objects.filter(case_reviews__plan=plan).distinct().order_by("pk")
        ),
        message=_plan_message,
        url=lambda _plan: reverse("evaluation:reviews"),
    ),
)
SUBMIT = Action(
    name="submit",
    operation="evaluation_reviews_submit_create",
    label=gettext_lazy("提交评查"),
    machine=rules.REVIEW,
    service=lambda review, actor, data: services.review_submit(
        actor=actor,
        review=review,
        checklist={code: data.get(f"check_{code}", False) for code, _label in CHECKLIST},
        grade=data["grade"],
        note=data.get("note", ""),
        now=timezone.now(),
        expected_version=data["version"],
    ),
    form=forms.ReviewForm,
    serializer=s.ReviewSubmitSerializer,
    quiet="the reviewer's finding; a failing grade enters the negative list already approved",
)


# --- the data-quality scan and the reports ---------------------------------------------------

SCAN = Action(
    name="scan",
    operation="evaluation_quality_scan_create",
    label=gettext_lazy("立即巡检"),
    allowed=rules.EVALUATORS,
    service=lambda _none, actor, data: scan.data_quality_scan(now=timezone.now()),
    quiet="the units find their correction items on the quality page, as after the daily scan",
)
REPORT = Action(
    name="report",
    operation="evaluation_reports_create",
    label=gettext_lazy("生成报告"),
    allowed=rules.APPROVERS,
    service=lambda _none, actor, data: report.report_generate(
        actor=actor,
        year=data["year"],
        quarter=data["quarter"],
        division=data["area"],
        now=timezone.now(),
    ),
    form=forms.ReportForm,
    serializer=s.ReportRequestSerializer,
    quiet="the overseer who asks for the report reads it",
)
