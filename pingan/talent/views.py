"""Talent pages: the cohort overview (with Excel export), one assistant's profile with its
actions, and the peer-evaluation page."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.core.errors import ApplicationError

from . import forms as f
from . import selectors, services
from .access import COMMITTEE, HEAD, MENTOR, SELF, access_profile, oversees, relations
from .choices import PointStatus, RecordStatus
from .filtersets import ProfileFilter
from .models import Evaluation, MilestoneRecord, PointEntry, Profile, Rotation, StudyRecord
from .tables import ProfileTable

PAGE_SIZE = 50


@dataclass(frozen=True)
class Action:
    label: str
    allowed: frozenset[str]
    form: Callable
    run: Callable  # (profile, actor, data, target) -> None
    target: type | None = None  # a record of the profile the action applies to


def _target(model, profile: Profile, pk):
    try:
        return model.objects.select_related("profile__department").get(pk=pk, profile=profile)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


ACTIONS: dict[str, Action] = {
    "study": Action(
        gettext_lazy("录入学习记录"),
        frozenset({SELF, MENTOR}),
        lambda p, data=None: f.StudyForm(data, prefix="study"),
        lambda p, u, d, t: services.study_record(
            profile=p,
            actor=u,
            item_code=d["item"],
            completed_on=d["completed_on"],
            evidence=d["evidence"],
        ),
    ),
    "study_confirm": Action(
        gettext_lazy("确认学习记录"),
        frozenset({MENTOR}),
        lambda p, data=None: f.forms.Form(data),
        lambda p, u, d, t: services.study_confirm(record=t, actor=u),
        StudyRecord,
    ),
    "milestone": Action(
        gettext_lazy("录入转化节点"),
        frozenset({SELF, MENTOR}),
        lambda p, data=None: f.MilestoneForm(data, stage=p.stage, prefix="milestone"),
        lambda p, u, d, t: services.milestone_record(
            profile=p,
            actor=u,
            milestone=d["milestone"],
            completed_on=d["completed_on"],
            evidence=d["evidence"],
        ),
    ),
    "milestone_confirm": Action(
        gettext_lazy("确认转化节点"),
        frozenset({MENTOR}),
        lambda p, data=None: f.forms.Form(data),
        lambda p, u, d, t: services.milestone_confirm(record=t, actor=u),
        MilestoneRecord,
    ),
    "points": Action(
        gettext_lazy("申报积分"),
        frozenset({SELF, MENTOR, HEAD, COMMITTEE}),
        lambda p, data=None: f.PointsForm(data, prefix="points"),
        lambda p, u, d, t: services.points_submit(
            profile=p,
            actor=u,
            rule_code=d["rule"],
            evidence=d["evidence"],
            occurred_on=d["occurred_on"],
            quantity=d["quantity"],
        ),
    ),
    "points_decide": Action(
        gettext_lazy("审批积分"),
        frozenset({MENTOR, HEAD, COMMITTEE}),
        lambda p, data=None: f.DecideForm(data),
        lambda p, u, d, t: services.points_decide(
            entry=t, actor=u, approve=d["approve"], note=d["note"]
        ),
        PointEntry,
    ),
    "activity": Action(
        gettext_lazy("录入实践与竞赛"),
        frozenset({SELF, MENTOR, HEAD}),
        lambda p, data=None: f.ActivityForm(data, prefix="activity"),
        lambda p, u, d, t: services.activity_record(profile=p, actor=u, **d),
    ),
    "rotation": Action(
        gettext_lazy("安排轮岗"),
        frozenset({MENTOR, HEAD, COMMITTEE}),
        lambda p, data=None: f.RotationForm(data, unit=p.unit, prefix="rotation"),
        lambda p, u, d, t: services.rotation_add(profile=p, actor=u, **d),
    ),
    "rotation_case": Action(
        gettext_lazy("关联协助办理的事项"),
        frozenset({SELF, MENTOR, HEAD}),
        lambda p, data=None: f.LinkCaseForm(data),
        lambda p, u, d, t: services.rotation_link_case(
            rotation=t, actor=u, case_number=d["case_number"]
        ),
        Rotation,
    ),
    "rotation_entered": Action(
        gettext_lazy("录入系统外协助办案数"),
        frozenset({MENTOR, HEAD}),
        lambda p, data=None: f.EnteredCasesForm(data),
        lambda p, u, d, t: services.rotation_set_entered(
            rotation=t, actor=u, count=d["count"], reason=d["reason"]
        ),
        Rotation,
    ),
    "evaluation": Action(
        gettext_lazy("评价"),
        frozenset({SELF, MENTOR, HEAD}),
        lambda p, data=None: f.EvaluationForm(
            data, prefix="evaluation", initial={"period": _period()}
        ),
        lambda p, u, d, t: services.evaluation_submit(profile=p, actor=u, **d),
    ),
    "stage": Action(
        gettext_lazy("确认阶段晋升"),
        frozenset({COMMITTEE}),
        lambda p, data=None: f.StageForm(
            data,
            stage=p.stage,
            prefix="stage",
            initial={"version": p.version, "changed_on": timezone.localdate()},
        ),
        lambda p, u, d, t: services.stage_change(
            profile=p,
            actor=u,
            to_stage=d["to_stage"],
            reason=d["reason"],
            override_reason=d["override_reason"],
            changed_on=d["changed_on"],
            expected_version=d["version"],
        ),
    ),
    "mentor": Action(
        gettext_lazy("更换导师"),
        frozenset({HEAD, COMMITTEE}),
        lambda p, data=None: f.MentorForm(
            data, unit=p.unit, prefix="mentor", initial={"version": p.version}
        ),
        lambda p, u, d, t: services.mentor_assign(
            profile=p,
            actor=u,
            mentor=d["mentor"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
    ),
    "transfer": Action(
        gettext_lazy("记录转任"),
        frozenset({COMMITTEE}),
        lambda p, data=None: f.TransferForm(data, prefix="transfer"),
        lambda p, u, d, t: services.transfer_record(profile=p, actor=u, **d),
    ),
    "outcome": Action(
        gettext_lazy("记录成效"),
        frozenset({HEAD, COMMITTEE}),
        lambda p, data=None: f.OutcomeForm(data, prefix="outcome"),
        lambda p, u, d, t: services.outcome_record(profile=p, actor=u, **d),
    ),
}


def _period() -> str:
    return f"{timezone.localdate().year}年度"


# --- overview ------------------------------------------------------------------------------


def _visible_profiles(request):
    return Profile.objects.visible_to(request.user).select_related(
        "staff", "stage", "department", "cohort", "mentor"
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The cohort overview: stage distribution, study completion, points, outcomes, readiness."""
    if not oversees(request.user):
        if Profile.objects.filter(staff=request.user).exists():
            return redirect("talent:mine")
        raise PermissionDenied
    today = timezone.localdate()
    profiles = _visible_profiles(request)
    filterset = ProfileFilter(request.GET, queryset=selectors.with_progress(profiles))
    rows = filterset.qs
    table = ProfileTable(rows, ladder=selectors.StageLadder(), today=today)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    table.ranks = selectors.cohort_ranks({row.record.cohort_id for row in table.paginated_rows})
    return render(
        request,
        "talent/overview.html",
        {
            "filter": filterset,
            "table": table,
            "stats": selectors.overview(filterset.qs, today=today),
            "query": request.GET.urlencode(),
            "pending": selectors.pending_for(request.user),
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in assistant's own record."""
    profile = Profile.objects.filter(staff=request.user).values_list("pk", flat=True).first()
    if profile is None:
        raise Http404(_("您还没有培养档案。"))
    return redirect("talent:profile", pk=profile)


# --- one assistant -------------------------------------------------------------------------


def _context(request, profile: Profile, *, forms=None, error="", error_action="") -> dict:
    today = timezone.localdate()
    found = relations(request.user, profile)
    forms = forms or {}
    progress = selectors.profile_with_progress(profile)
    readiness = selectors.StageLadder().readiness(progress, today=today)
    entries = list(selectors.ledger(profile))
    rotations = list(
        profile.rotations.select_related("department")
        .prefetch_related("cases")
        .order_by("-starts_on")
    )
    allowed = {name for name, action in ACTIONS.items() if found & action.allowed}
    ranks = selectors.cohort_ranks([profile.cohort_id])
    return {
        "profile": profile,
        "relations": found,
        "readiness": readiness,
        "progress": progress,
        "rank": ranks.get(profile.pk),
        "cohort_size": len(ranks),
        "matrix": selectors.transformation_matrix(profile),
        "study": selectors.study_progress(profile),
        "entries": list(reversed(entries)),
        "rotations": rotations,
        "activities": profile.activities.select_related("transformation")[:50],
        "milestones": profile.milestone_records.select_related(
            "milestone__transformation"
        ).order_by("milestone__transformation__stage__order", "milestone__order"),
        "scores": selectors.weighted_scores(profile),
        "stage_changes": profile.stage_changes.select_related(
            "from_stage", "to_stage", "decided_by"
        ),
        "transfers": profile.transfers.all(),
        "outcomes": profile.outcomes.all(),
        "events": profile.events.select_related("actor")[:30],
        "allowed": allowed,
        "can_decide": bool(found & {MENTOR, HEAD, COMMITTEE}),
        "forms": {
            name: forms.get(name) or ACTIONS[name].form(profile)
            for name in allowed
            if ACTIONS[name].target is None
        },
        "error": error,
        "error_action": error_action,
        "oversees": oversees(request.user),
        "partial": bool(request.headers.get("HX-Request")),
        "user_id": request.user.pk,
        "SUBMITTED": RecordStatus.SUBMITTED,
        "PENDING": PointStatus.PENDING,
    }


@login_required
@require_GET
def profile_detail(request: HttpRequest, pk) -> HttpResponse:
    profile = access_profile(pk, request.user)
    return render(request, "talent/profile.html", _context(request, profile))


@login_required
@require_POST
def profile_act(request: HttpRequest, pk, action: str) -> HttpResponse:
    """Run one action on the profile page; answer with the re-rendered body (htmx) or a
    redirect. A refusal re-renders the form with the message and changes nothing."""
    profile = access_profile(pk, request.user)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    target = _target(spec.target, profile, request.POST.get("target")) if spec.target else None
    form = spec.form(profile, request.POST)
    status, error = 200, ""
    if form.is_valid():
        try:
            spec.run(profile, request.user, form.cleaned_data, target)
        except ApplicationError as exc:
            status, error = exc.status_code, exc.message
        else:
            messages.success(request, _("已保存：%(action)s") % {"action": spec.label})
            if not request.headers.get("HX-Request"):
                return redirect("talent:profile", pk=profile.pk)
            profile = access_profile(pk, request.user)
            return render(request, "talent/_body.html", _context(request, profile))
    else:
        status, error = 400, _("请按提示修改后再提交。")
    profile = access_profile(pk, request.user)
    forms = {action: form} if spec.target is None else {}
    context = _context(request, profile, forms=forms, error=error, error_action=action)
    template = "talent/_body.html" if request.headers.get("HX-Request") else "talent/profile.html"
    return render(request, template, context, status=status)


# --- peers ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def peers(request: HttpRequest) -> HttpResponse:
    """An assistant scores the peers of their cohort (同事互评): names only, no records."""
    people = services.peers_of(request.user).select_related("staff", "department")
    if not Profile.objects.filter(staff=request.user).exists():
        raise PermissionDenied
    error = ""
    form = f.EvaluationForm(request.POST or None, initial={"period": _period()})
    if request.method == "POST":
        target = people.filter(pk=request.POST.get("profile") or 0).first()
        if target is None:
            raise Http404
        if form.is_valid():
            try:
                services.evaluation_submit(profile=target, actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, _("已提交对%(name)s的互评。") % {"name": target})
                return redirect("talent:peers")
        else:
            error = _("请按提示修改后再提交。")
    scored = dict(
        Evaluation.objects.filter(evaluator=request.user, period=_period()).values_list(
            "profile", "score"
        )
    )
    return render(
        request,
        "talent/peers.html",
        {
            "people": [(p, scored.get(p.pk)) for p in people.order_by("staff__name")],
            "form": form,
            "error": error,
            "period": _period(),
        },
        status=400 if error else 200,
    )
