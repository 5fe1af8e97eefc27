"""One collaboration object by id, if the user may see it; 404 otherwise (X1)."""

from django.db.models import Q
from django.http import Http404

from pingan.orgs.access import has_role, scope_paths, scope_q
from pingan.orgs.choices import RoleCode as R
from pingan.orgs.choices import UnitKind
from pingan.orgs.models import Unit

from .models import Problem, SafetyTalk, Task, WhistleCall, WhistleSummons


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_whistle(pk, user) -> WhistleCall:
    return _get(
        WhistleCall.objects.visible_to(user).select_related(
            "case", "street", "blown_by", "closed_by"
        ),
        pk,
    )


def access_summons(call: WhistleCall, pk) -> WhistleSummons:
    """A summons of a whistle the user already may see."""
    return _get(
        WhistleSummons.objects.filter(call=call).select_related("call", "unit", "officer__staff"),
        pk,
    )


def access_talk(pk, user) -> SafetyTalk:
    return _get(SafetyTalk.objects.visible_to(user).select_related("street", "recorded_by"), pk)


def access_problem(pk, user) -> Problem:
    return _get(Problem.objects.visible_to(user).select_related("talk__street", "case"), pk)


def access_task(pk, user) -> Task:
    return _get(Task.objects.visible_to(user).select_related("problem__talk", "owner"), pk)


def centers_for(user):
    """Centers whose roster the user may read: those in their area and the centers above it
    (a street must know who is on duty at the district center to summon them)."""
    paths = scope_paths(user)
    centers = Unit.objects.filter(
        kind__in=[UnitKind.DISTRICT_CENTER, UnitKind.STREET_CENTER], is_active=True
    )
    if paths is None:
        return centers.order_by("division__path")
    above = set()
    for path in paths:
        codes = path.strip("/").split("/")
        above |= {"/" + "/".join(codes[:depth]) + "/" for depth in range(1, len(codes))}
    return centers.filter(scope_q(user, "division__path") | Q(division__path__in=above)).order_by(
        "division__path"
    )


def access_center(pk, user) -> Unit:
    return _get(centers_for(user).select_related("division"), pk)


def access_department(pk, user) -> Unit:
    """A department (agency) the user may see, for its response page."""
    return _get(
        Unit.objects.visible_to(user).filter(kind=UnitKind.AGENCY).select_related("division"), pk
    )


# Who may read response figures and the four-lists board.
BOARD_ROLES = (R.LEADER, R.DISPATCHER, R.EVALUATOR, R.ADMINISTRATOR)
FIGURE_ROLES = (*BOARD_ROLES, R.OFFICER)


def may_read_figures(user) -> bool:
    return has_role(user, *FIGURE_ROLES)


def may_read_board(user) -> bool:
    return has_role(user, *BOARD_ROLES)
