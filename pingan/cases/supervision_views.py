"""Supervision orders (督办单) as pages: the two lists, 督办我的 and 我督办的, and one order
with its answer (反馈) and close (办结), run through the declared actions as the API runs them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pingan.core.actions import perform
from pingan.core.errors import ApplicationError

from . import rules, selectors
from .access import access_supervision
from .actions import SUPERVISION_ACTIONS
from .choices import SupervisionState
from .supervision import may_answer, may_close

PAGE_SIZE = 30
BOX_TITLES = {"mine": gettext_lazy("督办我的"), "issued": gettext_lazy("我督办的")}


@login_required
@require_GET
def supervision_list(request: HttpRequest) -> HttpResponse:
    """督办我的 / 我督办的, open orders first; ``?state=`` narrows to one state."""
    box = request.GET.get("box", "mine")
    if box not in selectors.SUPERVISION_BOXES:
        raise Http404
    state = request.GET.get("state", "")
    if state and state not in SupervisionState.values:
        state = ""
    orders = selectors.supervisions(request.user, box=box, state=state)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "box": box,
        "state": state,
        "boxes": [(key, str(BOX_TITLES[key])) for key in selectors.SUPERVISION_BOXES],
        "states": SupervisionState.choices,
        "counts": selectors.supervision_counts(request.user),
        "pager_query": f"{urlencode({'box': box, 'state': state})}&",
    }
    return render(request, "cases/supervisions.html", context)


def _detail_context(request, order, *, forms=None, error="") -> dict:
    forms = forms or {}
    # what the table allows from this state, and what this person's relation to the order allows
    may = {"answer": may_answer, "close": may_close}
    offered = [
        name
        for name in rules.SUPERVISION.actions_from(order.state)
        if may[name](request.user, order)
    ]
    return {
        "order": order,
        "actions": [
            (
                SUPERVISION_ACTIONS[name],
                forms.get(name)
                or SUPERVISION_ACTIONS[name].form(initial={"version": order.version}, prefix=name),
            )
            for name in offered
        ],
        "error": error,
    }


@login_required
@require_GET
def supervision_detail(request: HttpRequest, pk: str) -> HttpResponse:
    order = access_supervision(pk, request.user)
    return render(request, "cases/supervision.html", _detail_context(request, order))


@login_required
@require_POST
def supervision_act(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    """Answer or close an order; a refusal re-renders the page with the message."""
    order = access_supervision(pk, request.user)
    declared = SUPERVISION_ACTIONS.get(action)
    if declared is None:
        raise Http404
    form = declared.form(request.POST, prefix=action)
    status, error = 400, _("请按提示修改后再提交。")
    if form.is_valid():
        try:
            perform(declared, order, request.user, form.cleaned_data)
        except ApplicationError as exc:
            status, error = exc.status_code, exc.message
        else:
            messages.success(request, _("已%(action)s。") % {"action": declared.label})
            return redirect("cases:supervision-detail", pk=order.pk)
    order = access_supervision(pk, request.user)
    context = _detail_context(request, order, forms={action: form}, error=error)
    return render(request, "cases/supervision.html", context, status=status)
