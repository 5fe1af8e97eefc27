"""Who may see and do what on the register (X1).

The register is restricted to the roles whose work needs it; each sees its own area
(``scope_q`` on the person's grid path) plus the persons they are responsible for:

==================  =========================================================================
role                on the register
==================  =========================================================================
网格员 grid worker   sees people in their grids; records reviews, works measures they own
驻点干警 officer      of the police or justice: sees their street (their police station's);
                    registers, rates, reviews. Of a court, procuratorate or law firm: no access
指挥调度员 dispatcher  sees their area; registers, reviews, plans
领导 leader          sees their area (district leaders: all); confirms any rating in their area,
                    and district leaders review scorecard versions
系统管理员 admin      configures and fits scorecards (superusers see everything)
受理员 / 调解员 / 考评员  no access: 403 on every page and API of the register
==================  =========================================================================

Confirming or overriding a proposed rating is for the person's responsible officer, or a
leader whose area contains the person.
"""

from django.db.models import Q
from django.http import Http404

from pingan.core.security import declare_read
from pingan.orgs.access import (
    ancestor_paths,
    has_role,
    in_scope,
    named_elsewhere,
    scope_paths,
    supervising_officer,
)
from pingan.orgs.choices import Level, RoleCode
from pingan.orgs.models import Division, Staff

from .models import KeyPerson, Scorecard

# Who sees the register (the roles that work with key persons).
READ_ROLES = (
    RoleCode.GRID_WORKER,
    RoleCode.OFFICER,
    RoleCode.DISPATCHER,
    RoleCode.LEADER,
    RoleCode.ADMINISTRATOR,
)
EDIT_ROLES = (RoleCode.OFFICER, RoleCode.DISPATCHER, RoleCode.LEADER)
REVIEW_ROLES = (RoleCode.GRID_WORKER, RoleCode.OFFICER, RoleCode.DISPATCHER, RoleCode.LEADER)
FIT_ROLES = (RoleCode.ADMINISTRATOR,)
APPROVE_ROLES = (RoleCode.LEADER, RoleCode.ADMINISTRATOR)

# Officers read the register only when the police or justice station them (a judge or lawyer
# stationed at a center does not).
_AREA_READERS = tuple(role for role in READ_ROLES if role != RoleCode.OFFICER)
declare_read(
    "persons.KeyPerson",
    [
        (_AREA_READERS, "their area's"),
        ([RoleCode.OFFICER], "their area's, if of the police or justice"),
    ],
)


def may_see_register(user) -> bool:
    return has_role(user, *_AREA_READERS) or supervising_officer(user)


def may_decide_rating(user, person: KeyPerson) -> bool:
    """The responsible officer, or a leader whose area contains the person."""
    if user.is_superuser or person.responsible_id == user.pk:
        return True
    return has_role(user, RoleCode.LEADER) and in_scope(user, person.area_path)


def may_approve_scorecards(user) -> bool:
    """Administrators and district-level leaders (their area is the whole district)."""
    if user.is_superuser or has_role(user, RoleCode.ADMINISTRATOR):
        return True
    if not has_role(user, RoleCode.LEADER):
        return False
    unit = getattr(user, "unit", None)
    return scope_paths(user) is None or bool(unit and unit.division.level == Level.DISTRICT)


def may_see_scorecards(user) -> bool:
    return has_role(user, *FIT_ROLES) or may_approve_scorecards(user)


def register_grids(user):
    """The grids the user may register a person in: those of their scope."""
    return Division.objects.visible_to(user).grids().order_by("path")


def responsible_candidates(user):
    """Who the user may make responsible for a person: holders of a register role in the
    user's scope (and the user)."""
    return (
        Staff.objects.visible_to(user)
        .filter(is_active=True, roles__code__in=REVIEW_ROLES)
        .select_related("unit")
        .distinct()
        .order_by("unit__division__path", "name")
    )


def staff_in_area(path: str):
    """Staff who may be responsible for, or own measures of, a person in this grid: holders of
    a register role whose unit sits on the grid's branch of the tree, except officers named to
    other streets (whose scope is those streets)."""
    return (
        Staff.objects.filter(is_active=True, roles__code__in=REVIEW_ROLES)
        .filter(unit__division__path__in=ancestor_paths(path))
        .exclude(pk__in=named_elsewhere(path))
        .distinct()
        .order_by("unit__division__path", "name")
    )


def scorecard_reviewers():
    """Everyone who may review a scorecard version (see ``may_approve_scorecards``)."""
    return (
        Staff.objects.filter(is_active=True)
        .filter(
            Q(roles__code=RoleCode.ADMINISTRATOR)
            | Q(roles__code=RoleCode.LEADER, unit__division__level=Level.DISTRICT)
        )
        .distinct()
    )


def access_person(pk, user) -> KeyPerson:
    """One person, if the user may see them; 404 otherwise (also for a malformed id)."""
    try:
        return (
            KeyPerson.objects.visible_to(user)
            .select_related("person_type", "grid__parent__parent", "responsible", "registered_by")
            .get(pk=pk)
        )
    except (KeyPerson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_scorecard(pk, user) -> Scorecard:
    if not may_see_scorecards(user):
        raise Http404
    try:
        return Scorecard.objects.select_related("created_by", "reviewed_by").get(pk=pk)
    except (Scorecard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
