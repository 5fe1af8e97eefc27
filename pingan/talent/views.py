"""Talent pages: the cohort overview (with Excel export), one assistant's profile with its
actions, and the peer-evaluation page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.core.actions import Action, perform
from pingan.core.errors import ApplicationError

from . import forms as f
from . import selectors, services
from .access import MAY, access_profile, oversees, relations
from .actions import ACTIONS, offered
from .choices import PointState, RecordState
from .filtersets import ProfileFilter
from .models import Evaluation, Profile
from .tables import ProfileTable

PAGE_SIZE = 50


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
    allowed = offered(found)
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
        "can_decide": bool(found & MAY["points_decide"]),
        "forms": {
            name: forms.get(name) or _form(ACTIONS[name], profile)
            for name in allowed
            if not ACTIONS[name].extra.get("row")
        },
        "error": error,
        "error_action": error_action,
        "oversees": oversees(request.user),
        "partial": bool(request.headers.get("HX-Request")),
        "user_id": request.user.pk,
        "SUBMITTED": RecordState.SUBMITTED,
        "PENDING": PointState.PENDING,
    }


def _form(declared: Action, profile: Profile, data=None):
    """The action's form on the profile page: prefixed by the action, except the small forms
    of a row (confirm, decide, link a case) which post their fields as they are."""
    prefix = None if declared.extra.get("row") else declared.name
    return declared.form(data, profile=profile, prefix=prefix)


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
    declared = ACTIONS.get(action)
    if declared is None:
        raise Http404
    form = _form(declared, profile, request.POST)
    status, error = 200, ""
    if form.is_valid():
        try:
            perform(declared, profile, request.user, form.cleaned_data)
        except ApplicationError as exc:
            status, error = exc.status_code, exc.message
        else:
            messages.success(request, _("已保存：%(action)s") % {"action": declared.label})
            if not request.headers.get("HX-Request"):
                return redirect("talent:profile", pk=profile.pk)
            profile = access_profile(pk, request.user)
            return render(request, "talent/_body.html", _context(request, profile))
    else:
        status, error = 400, _("请按提示修改后再提交。")
    profile = access_profile(pk, request.user)
    forms = {} if declared.extra.get("row") else {action: form}
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
    form = f.EvaluationForm(request.POST or None)
    if request.method == "POST":
        target = people.filter(pk=request.POST.get("profile") or 0).first()
        if target is None:
            raise Http404
        if form.is_valid():
            try:
                perform(ACTIONS["evaluation"], target, request.user, form.cleaned_data)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, _("已提交对%(name)s的互评。") % {"name": target})
                return redirect("talent:peers")
        else:
            error = _("请按提示修改后再提交。")
    scored = dict(
        Evaluation.objects.filter(
            evaluator=request.user, period=selectors.evaluation_period()
        ).values_list("profile", "score")
    )
    return render(
        request,
        "talent/peers.html",
        {
            "people": [(p, scored.get(p.pk)) for p in people.order_by("staff__name")],
            "form": form,
            "error": error,
            "period": selectors.evaluation_period(),
        },
        status=400 if error else 200,
    )
