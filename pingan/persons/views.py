"""Register pages: the list, a person's page with rating, plan and reviews, the work queue,
and the scorecard versions with their reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from pingan.core.actions import perform
from pingan.core.errors import ApplicationError
from pingan.core.masking import mask_id_number, mask_phone
from pingan.core.models import Job
from pingan.orgs.access import has_role

from . import access, actions, selectors, services
from .choices import MeasureState, ProposalState, RiskLevel, ScorecardState
from .facts import compute_facts
from .filtersets import PersonFilter
from .forms import (
    ConfirmForm,
    MeasureDoneForm,
    MeasureForm,
    OverrideForm,
    PersonForm,
    ReviewForm,
    ScorecardFitForm,
    ScorecardReviewForm,
    SituationForm,
)
from .jobs import SCORECARD_FIT
from .models import KeyPerson, Measure, Scorecard
from .report import render_pdf, report_context
from .scoring import LoadedScorecard
from .tables import PersonTable

PAGE_SIZE = 50


def _require_register(user) -> None:
    if not access.may_see_register(user):
        raise PermissionDenied


def mask_address(value: str) -> str:
    """Keep the first six characters (the community or street), hide the rest."""
    if not value:
        return ""
    return value[:6] + "*" * min(8, max(0, len(value) - 6))


# --- the register ----------------------------------------------------------------------------


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    _require_register(request.user)
    persons = KeyPerson.objects.visible_to(request.user)
    filterset = PersonFilter(
        request.GET,
        queryset=persons.select_related("person_type", "grid", "responsible"),
        request=request,
    )
    table = PersonTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    counts = selectors.level_counts(persons)
    return render(
        request,
        "persons/list.html",
        {
            "filter": filterset,
            "table": table,
            "counts": [
                (level, label, counts.get(level, 0), RiskLevel(level).colour)
                for level, label in RiskLevel.choices
            ],
            "unrated": counts.get("", 0),
            "can_register": has_role(request.user, *access.EDIT_ROLES),
            "can_see_scorecards": access.may_see_scorecards(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    _require_register(request.user)
    if not has_role(request.user, *access.EDIT_ROLES):
        raise PermissionDenied
    form = PersonForm(request.POST or None, user=request.user)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                person = perform(actions.REGISTER, None, request.user, form.cleaned_data)
            except ApplicationError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, _("已登记：%(name)s") % {"name": person.name})
                return redirect("persons:person-detail", pk=person.pk)
        else:
            error, status = _("请按提示修改后再提交。"), 400
    return render(request, "persons/new.html", {"form": form, "error": error}, status=status)


def _person_context(
    request: HttpRequest, person: KeyPerson, *, forms=None, error="", error_action=""
) -> dict:
    forms = forms or {}
    user = request.user
    now = timezone.now()
    scorecard = services.active_scorecard()
    rating = None
    if scorecard is not None:
        loaded = LoadedScorecard.load(scorecard)
        facts = compute_facts([person.pk], now=now)[person.pk]
        rating = loaded.rate(facts)
    proposal = (
        person.proposals.filter(state=ProposalState.PENDING).select_related("scorecard").first()
    )
    may_decide = proposal is not None and access.may_decide_rating(user, person)
    factor_choices = [
        (line["key"], line["factor"]) for line in (proposal.breakdown if proposal else [])
    ]
    decision = {"version": person.version, "proposal": proposal.pk if proposal else None}
    plan = getattr(person, "plan", None)
    measures = (
        list(plan.measures.select_related("owner", "partner").order_by("state", "due_on", "id"))
        if plan
        else []
    )
    today = timezone.localdate(now)
    for measure in measures:
        measure.overdue = measure.state == MeasureState.OPEN and measure.due_on < today
        measure.form_open = error_action == f"measure_done-{measure.pk}"
        measure.done_form = forms.get(f"measure_done-{measure.pk}") or MeasureDoneForm(
            initial={"version": measure.version}, prefix=f"m{measure.pk}"
        )
    active = person.state == "active"
    return {
        "person": person,
        "masked": {
            "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone),
            "address": mask_address(person.address),
        },
        "scorecard": scorecard,
        "rating": rating,
        "proposal": proposal,
        "may_decide": may_decide and active,
        "confirm_form": forms.get("confirm") or ConfirmForm(initial=decision),
        "override_form": forms.get("override")
        or OverrideForm(initial=decision, factors=factor_choices),
        "cases": person.case_links.select_related("case__category").order_by(
            "-case__registered_at"
        )[:50],
        "plan": plan,
        "measures": measures,
        "measure_form": forms.get("measure") or MeasureForm(person=person),
        "reviews": person.reviews.select_related("reviewer").all()[:20],
        "review_form": forms.get("review") or ReviewForm(initial={"version": person.version}),
        "situation_form": forms.get("situation")
        or SituationForm(
            initial={
                "version": person.version,
                "employment": person.employment,
                "housing": person.housing,
                "violations": person.violations,
            }
        ),
        "events": _labelled(
            person.events.select_related("actor").order_by("-created_at", "-id")[:100]
        ),
        "show_live": rating is not None
        and (proposal is None or proposal.score != rating.total or proposal.level != rating.level),
        "can_work": active and has_role(user, *access.REVIEW_ROLES),
        "review_due": active and person.next_review_on and person.next_review_on <= today,
        "error": error,
        "error_action": error_action,
    }


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_register(request.user)
    person = access.access_person(pk, request.user)
    services.record_person_view(person=person, actor=request.user, via="page")
    return render(request, "persons/detail.html", _person_context(request, person))


LEVEL_LABELS = dict(RiskLevel.choices)


def _labelled(events) -> list:
    """Level codes in rating events read as their words (低/中/高)."""
    events = list(events)
    for event in events:
        event.from_label = LEVEL_LABELS.get(event.from_value, event.from_value)
        event.to_label = LEVEL_LABELS.get(event.to_value, event.to_value)
    return events


def _target(person: KeyPerson, name: str, post):
    """What a page action works on: one of the person's proposals or measures, or the person."""
    try:
        if name in ("confirm", "override"):
            return person.proposals.get(pk=post.get("proposal"))
        if name in ("measure_done", "measure_cancel"):
            return Measure.objects.select_related("plan__person", "owner", "created_by").get(
                pk=post.get("measure"), plan__person=person
            )
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return person


def _form(name: str, declared, person: KeyPerson, target, post):
    if name == "override":
        factors = [(line["key"], line["factor"]) for line in target.breakdown]
        return declared.form(post, factors=factors)
    if name == "measure":
        return declared.form(post, person=person)
    if isinstance(target, Measure):
        return declared.form(post, prefix=f"m{target.pk}")
    return declared.form(post)


@login_required
@require_POST
def person_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one declared action from the person's page; answer with the re-rendered body (htmx)
    or a redirect. A refusal re-renders the form with the message and changes nothing."""
    _require_register(request.user)
    declared = actions.PERSON_PAGE.get(action)
    if declared is None:
        raise Http404
    person = access.access_person(pk, request.user)
    target = _target(person, action, request.POST)
    form = _form(action, declared, person, target, request.POST)
    key = f"measure_done-{target.pk}" if isinstance(target, Measure) else action
    if form.is_valid():
        try:
            perform(declared, target, request.user, form.cleaned_data)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, declared.extra["done"](target, form.cleaned_data))
            if not request.headers.get("HX-Request"):
                return redirect("persons:person-detail", pk=person.pk)
            person = access.access_person(pk, request.user)
            return render(request, "persons/_body.html", _person_context(request, person))
    else:
        error, status = _("请按提示修改后再提交。"), 400
    person = access.access_person(pk, request.user)
    context = _person_context(request, person, forms={key: form}, error=error, error_action=key)
    template = "persons/_body.html" if request.headers.get("HX-Request") else "persons/detail.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    """What waits for me: proposals to confirm, reviews due, my overdue measures."""
    _require_register(request.user)
    user = request.user
    today = timezone.localdate()
    persons = KeyPerson.objects.visible_to(user)
    return render(
        request,
        "persons/queue.html",
        {
            "proposals": selectors.pending_proposals_for(user, persons).order_by(
                "-level", "-score"
            )[:100],
            "reviews": selectors.reviews_due_for(user, persons, on=today)
            .select_related("person_type", "grid")
            .order_by("next_review_on")[:100],
            "measures": selectors.overdue_measures_for(user, today=today).order_by("due_on")[:100],
            "today": today,
        },
    )


# --- scorecards ---------------------------------------------------------------------------------


def _require_scorecards(user) -> None:
    if not access.may_see_scorecards(user):
        raise PermissionDenied


@login_required
@require_GET
def scorecard_list(request: HttpRequest) -> HttpResponse:
    _require_scorecards(request.user)
    scorecards = Scorecard.objects.select_related("created_by", "reviewed_by").order_by(
        "-created_at", "-id"
    )[:100]
    return render(
        request,
        "persons/scorecards.html",
        {
            "scorecards": scorecards,
            "can_fit": has_role(request.user, *access.FIT_ROLES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_fit(request: HttpRequest) -> HttpResponse:
    _require_scorecards(request.user)
    if not has_role(request.user, *access.FIT_ROLES):
        raise PermissionDenied
    form = ScorecardFitForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            # A worker fits it (scikit-learn stays out of the web process); the person follows
            # the job's page, which links to the new version when it is ready.
            data = form.cleaned_data
            job = perform(
                actions.SCORECARD_FIT_ACTION,
                None,
                request.user,
                {
                    "csv": data["csv"],
                    "outcome": data["outcome"].strip(),
                    "group": data["group"].strip(),
                    "exclude": list(form.exclude_list()),
                },
            )
            return redirect("jobs:detail", job.pk)
        status = 400
    return render(
        request,
        "persons/fit.html",
        {
            "form": form,
            "error": _("请按提示修改后再提交。") if form.errors else "",
            "recent": Job.objects.filter(owner=request.user, kind=SCORECARD_FIT)[:5],
        },
        status=status,
    )


@login_required
@require_GET
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_scorecards(request.user)
    scorecard = access.access_scorecard(pk, request.user)
    context = report_context(scorecard)
    context["review_form"] = ScorecardReviewForm()
    context["may_review"] = (
        scorecard.state == ScorecardState.PENDING
        and access.may_approve_scorecards(request.user)
        and scorecard.created_by_id != request.user.pk
    )
    context["own"] = scorecard.created_by_id == request.user.pk
    return render(request, "persons/scorecard.html", context)


@login_required
@require_POST
def scorecard_review(request: HttpRequest, pk: int) -> HttpResponse:
    _require_scorecards(request.user)
    scorecard = access.access_scorecard(pk, request.user)
    form = ScorecardReviewForm(request.POST)
    if form.is_valid():
        try:
            perform(actions.SCORECARD_REVIEW, scorecard, request.user, form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            context = report_context(scorecard)
            context.update({"review_form": form, "may_review": True})
            return render(request, "persons/scorecard.html", context, status=exc.status_code)
        messages.success(
            request, _("审核完成：%(state)s") % {"state": scorecard.get_state_display()}
        )
        return redirect("persons:scorecard-detail", pk=scorecard.pk)
    messages.error(request, _("请选择审核结论。"))
    return redirect("persons:scorecard-detail", pk=scorecard.pk)


@login_required
@require_GET
def scorecard_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require_scorecards(request.user)
    scorecard = access.access_scorecard(pk, request.user)
    pdf = render_pdf(scorecard, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="scorecard-{scorecard.pk}.pdf"'
    return response


@login_required
@require_GET
def scorecard_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as one standalone HTML file (what the PDF is printed from)."""
    _require_scorecards(request.user)
    scorecard = access.access_scorecard(pk, request.user)
    html = render_to_string("persons/report_print.html", report_context(scorecard))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scorecard-{scorecard.pk}.html"'
    return response
