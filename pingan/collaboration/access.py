"""One collaboration object by id, if the user may see it; 404 otherwise (X1). And what the
user may do there: the pages offer a form only where the services would accept it."""

from django.db.models import Q
from django.http import Http404

from pingan.cases.choices import OPEN_STATES
from pingan.orgs.access import has_role, in_scope, scope_paths, scope_q
from pingan.orgs.choices import Level, UnitKind
from pingan.orgs.choices import RoleCode as R
from pingan.orgs.models import Division, Staff, Unit

from .models import Problem, SafetyTalk, Task, WhistleCall, WhistleSummons
from .rules import BOARD_ROLES, FIGURE_ROLES, ORGANISER_ROLES, RESPONDER_ROLES


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


def streets_for(user):
    """The streets in the user's area."""
    return Division.objects.visible_to(user).filter(level=Level.STREET).order_by("code")


def access_street(code: str, user) -> Division:
    """A street by its code, inside the user's area."""
    street = Division.objects.filter(code=code, level=Level.STREET).first()
    if street is None or not in_scope(user, street.path):
        raise Http404
    return street


def agencies_for(user):
    """Active departments (agencies) in the user's area: whom a whistle or a shift may name."""
    return (
        Unit.objects.visible_to(user)
        .filter(kind=UnitKind.AGENCY, is_active=True)
        .order_by("-division__level", "name")
    )


def task_owners(user):
    """Units a task may be handed to: the active units in the user's area."""
    return Unit.objects.visible_to(user).filter(is_active=True).order_by("-kind", "name")


def officer_candidates(user):
    """Staff an organiser may assign as named officers: active officers of the departments in
    their area."""
    return (
        Staff.objects.filter(is_active=True, roles__code=R.OFFICER, unit__kind=UnitKind.AGENCY)
        .filter(unit__in=Unit.objects.visible_to(user).values("pk"))
        .select_related("unit")
        .order_by("unit__name", "name")
        .distinct()
    )


def is_organiser(user) -> bool:
    return has_role(user, *ORGANISER_ROLES)


def organises(user, path: str) -> bool:
    """An organiser whose area holds ``path`` (a center's, a case's, a whistle's, a talk's)."""
    return is_organiser(user) and in_scope(user, path)


def may_whistle(user, case) -> bool:
    """The handling unit's organisers whistle on an open case of their area (街道吹哨: the
    street that holds the case calls the departments); ``services.whistle_blow`` asks this."""
    return (
        case.state in OPEN_STATES
        and user.unit_id is not None
        and user.unit_id == case.handling_unit_id
        and organises(user, case.area_path)
    )


def may_close(user, call: WhistleCall) -> bool:
    return call.closed_at is None and organises(user, call.area_path)


def may_answer(user, summons: WhistleSummons) -> bool:
    """Is this summons the user's to answer? The named officer, or for a unit summons a
    responder of that unit."""
    if summons.officer_id is not None:
        return summons.officer.staff_id == user.pk
    return user.unit_id == summons.unit_id and has_role(user, *RESPONDER_ROLES)


def may_report_progress(user, task: Task) -> bool:
    """The task's owner unit (its responders), or the organisers of the talk's street."""
    return (user.unit_id == task.owner_id and has_role(user, *RESPONDER_ROLES)) or organises(
        user, task.problem.talk.area_path
    )


def may_read_figures(user) -> bool:
    return has_role(user, *FIGURE_ROLES)


def may_read_board(user) -> bool:
    return has_role(user, *BOARD_ROLES)
