"""Scoped access (X1): the two primitives every page and API uses.

- ``Model.objects.visible_to(user)`` for lists (built on ``scope_q`` below);
- ``access_<thing>(key, user)`` for one object, raising ``Http404`` both when the object does
  not exist and when it is outside the user's scope, so that outsiders cannot probe for it.

A user's scope is a set of org-tree paths: their unit's division (or, for an agency serving
particular streets, those streets); a user who is only a grid worker has their own grids, and
one who is only an officer named to streets (下沉干警) those streets.
``None`` means the whole tree (superusers).
"""

from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .choices import AgencyType, Level, RoleCode
from .models import Division, Role, Staff, Unit

_SCOPE_CACHE = "_pingan_scope_paths"
_ROLE_CACHE = "_pingan_role_codes"
# Roles whose holder's scope is their own grids, not their unit's area.
GRID_SCOPED_ROLES = frozenset({RoleCode.GRID_WORKER})
# Roles whose holder, when named to streets (实名制下沉: a judge, prosecutor or lawyer of a
# district agency named to one street), works in those streets, not the agency's whole area.
NAMED_SCOPED_ROLES = frozenset({RoleCode.OFFICER})
# Agencies whose stationed officers (驻点干警) work with key persons and released persons: the
# police and the justice offices (社区矫正, 安置帮教). A judge, prosecutor or lawyer stationed
# at a center does not read those registers.
SUPERVISING_AGENCIES = frozenset(
    {
        AgencyType.PUBLIC_SECURITY,
        AgencyType.POLICE_STATION,
        AgencyType.JUSTICE_BUREAU,
        AgencyType.JUSTICE_OFFICE,
    }
)
# Slashes in the path of a division at the tree's lowest level (a grid: "/区/街道/社区/网格/"),
# whose subtree is itself.
_LEAF_SLASHES = len(Level.values) + 1


def role_codes(user) -> frozenset[str]:
    """The codes of the user's roles, read once per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _ROLE_CACHE, None)
    if cached is None:
        cached = frozenset(user.roles.values_list("code", flat=True))
        setattr(user, _ROLE_CACHE, cached)
    return cached


def has_role(user, *codes: str) -> bool:
    """Does the user hold any of these roles? Superusers hold every role."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(role_codes(user) & set(codes))


def supervising_officer(user) -> bool:
    """An officer (驻点干警) of the police or of justice (``SUPERVISING_AGENCIES``)."""
    if not has_role(user, RoleCode.OFFICER) or user.unit_id is None:
        return False
    return user.is_superuser or user.unit.agency_type in SUPERVISING_AGENCIES


def scope_paths(user) -> list[str] | None:
    """Org-tree paths the user may see; ``None`` for everything, ``[]`` for nothing."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, _SCOPE_CACHE, None)
    if cached is not None:
        return cached
    roles = role_codes(user)
    if roles and roles <= GRID_SCOPED_ROLES:
        paths = list(user.grids.values_list("path", flat=True))
    elif roles and roles <= NAMED_SCOPED_ROLES and (named := _named_streets(user)):
        paths = named
    elif user.unit_id is None:
        paths = []
    else:
        served = list(
            Division.objects.filter(serving_units=user.unit_id).values_list("path", flat=True)
        )
        paths = served or list(
            Division.objects.filter(units=user.unit_id).values_list("path", flat=True)
        )
    paths = _outermost(paths)
    setattr(user, _SCOPE_CACHE, paths)
    return paths


def _named_now(prefix: str) -> Q:
    """Assignments (collaboration.NamedOfficer, reached through ``prefix``) current today."""
    today = timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


def _named_streets(user) -> list[str]:
    """Paths of the streets the user is named to today."""
    current = Q(named_officers__staff=user.pk) & _named_now("named_officers__")
    return list(Division.objects.filter(current).values_list("path", flat=True).distinct())


def named_elsewhere(path: str):
    """Officers (holding no other role) named today to streets none of which contains
    ``path``: their scope is those streets, so they are not to be offered work at ``path``."""
    named = Staff.objects.filter(_named_now("assignments__")).exclude(
        roles__in=Role.objects.exclude(code__in=NAMED_SCOPED_ROLES)
    )
    here = Staff.objects.filter(
        _named_now("assignments__") & Q(assignments__street__path__in=ancestor_paths(path))
    )
    return named.exclude(pk__in=here.values("pk")).values("pk")


def ancestor_paths(path: str) -> list[str]:
    """The paths from the tree's top down to ``path`` itself."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]


def subtree_q(path_field: str, path: str) -> Q:
    """Rows whose ``path_field`` (a Division path, possibly across relations) lies in the
    subtree at ``path``.

    On SQLite a prefix match is a case-insensitive LIKE, which cannot use the column's index:
    a grid worker's two grids were found by reading all 200,000 grid reports. Below the tree's
    top the subtree is sought as the range of paths that begin with ``path`` instead (paths
    end in "/", and nothing sorts between "/" and "0"), which the index serves. A top-level
    path covers nearly every row; there the planner does better walking the list's own order
    (newest first) than the index range, so it keeps the prefix match. PostgreSQL's planner
    judges the prefix match itself, with the ``_like`` index Django adds to indexed text
    columns. A grid's subtree is the grid: an equality, whose selectivity both planners read
    from their statistics (PostgreSQL misjudged a grid worker's prefix match at 840 of
    5,000,000 reports and walked them all newest first: 85 ms, against 24 ms)."""
    if path.count("/") == _LEAF_SLASHES:
        return Q(**{path_field: path})
    if connection.vendor == "sqlite" and path.count("/") > 2:
        ceiling = path[:-1] + chr(ord(path[-1]) + 1)
        return Q(**{f"{path_field}__gte": path, f"{path_field}__lt": ceiling})
    return Q(**{f"{path_field}__startswith": path})


def scope_q(user, path_field: str) -> Q:
    """A filter on ``path_field`` (a Division path, possibly across relations) for the scope."""
    paths = scope_paths(user)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    # a grid worker's grids: one list of values rather than an OR of equalities
    leaves = [path for path in paths if path.count("/") == _LEAF_SLASHES]
    if len(leaves) < 2:
        leaves = []
    condition = Q(**{f"{path_field}__in": leaves}) if leaves else Q()
    for path in paths:
        if path not in leaves:
            condition |= subtree_q(path_field, path)
    return condition


def in_scope(user, path: str) -> bool:
    """Is this org-tree path inside the user's scope?"""
    paths = scope_paths(user)
    return paths is None or any(path.startswith(root) for root in paths)


def access_division(code: str, user) -> Division:
    """One division by code, if the user may see it; 404 otherwise."""
    try:
        division = Division.objects.select_related("parent").get(code=code)
    except Division.DoesNotExist:
        raise Http404 from None
    if not in_scope(user, division.path):
        raise Http404
    return division


def access_unit(unit_id, user) -> Unit:
    """One unit by id, if the user may see it; 404 otherwise (also for a malformed id)."""
    try:
        return Unit.objects.visible_to(user).select_related("division", "parent").get(pk=unit_id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_staff(staff_id, user) -> Staff:
    """One member of staff by id, if the user may see them; 404 otherwise."""
    try:
        return Staff.objects.visible_to(user).select_related("unit").get(pk=staff_id)
    except (Staff.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already covered by another path in the list."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result
