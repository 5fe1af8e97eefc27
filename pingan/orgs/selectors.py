"""Reads of the org tree, always through the user's scope."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from .access import in_scope, scope_paths
from .choices import Level
from .models import Division, Staff, Unit


def scope_roots(user) -> list[Division]:
    """The outermost divisions the user may see (the district for superusers)."""
    paths = scope_paths(user)
    if paths is None:
        return list(Division.objects.filter(level=Level.DISTRICT))
    return list(Division.objects.filter(path__in=paths).order_by("path"))


def scope_summary(user) -> dict:
    """Facts of the user's scope for the home page: counts per level, units and staff."""
    per_level = dict(
        Division.objects.visible_to(user).values_list("level").annotate(count=Count("id"))
    )
    return {
        "streets": per_level.get(Level.STREET, 0),
        "communities": per_level.get(Level.COMMUNITY, 0),
        "grids": per_level.get(Level.GRID, 0),
        "units": Unit.objects.located_in_scope_of(user).filter(is_active=True).count(),
        "staff": Staff.objects.visible_to(user).filter(is_active=True).count(),
        "grid_workers": Staff.objects.visible_to(user)
        .filter(is_active=True, roles__code="grid_worker")
        .count(),
    }


def children_with_counts(division: Division, user):
    """The visible children of a division with the number of divisions one and two levels down."""
    return (
        Division.objects.visible_to(user)
        .filter(parent=division)
        .annotate(
            child_count=Count("children", distinct=True),
            grandchild_count=Count("children__children", distinct=True),
            unit_count=Count("units", filter=Q(units__is_active=True), distinct=True),
        )
        .order_by("code")
    )


def breadcrumbs(division: Division, user) -> list[dict]:
    """Ancestors then the division; links only where the user may go."""
    codes = [*division.ancestor_codes, division.code]
    by_code = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [
        {
            "name": by_code[code].name,
            "url": reverse("orgs:division-detail", args=[code])
            if in_scope(user, by_code[code].path)
            else "",
        }
        for code in codes
        if code in by_code
    ]


def map_features(user, parent: Division | None) -> dict:
    """A GeoJSON FeatureCollection for the map: the parent's visible children, or, without a
    parent, the user's scope roots (their children when the scope is a single area)."""
    if parent is None:
        roots = scope_roots(user)
        divisions = (
            Division.objects.visible_to(user).filter(parent=roots[0])
            if len(roots) == 1 and roots[0].level != Level.GRID
            else Division.objects.filter(pk__in=[root.pk for root in roots])
        )
    else:
        divisions = Division.objects.visible_to(user).filter(parent=parent)
        if not divisions.exists():
            divisions = Division.objects.filter(pk=parent.pk)
    rows = divisions.annotate(child_count=Count("children")).values(
        "code", "name", "level", "geometry", "center_lng", "center_lat", "child_count"
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": row["geometry"],
                "properties": {
                    "code": row["code"],
                    "name": row["name"],
                    "level": Level(row["level"]).label,
                    "children": row["child_count"],
                    "center": [row["center_lng"], row["center_lat"]],
                    "url": reverse("orgs:division-detail", args=[row["code"]]),
                },
            }
            for row in rows
            if row["geometry"]
        ],
    }


def count_columns(division: Division) -> dict:
    """Headings of the count columns in a table of this division's children."""
    child = Level.child_of(division.level)
    grandchild = Level.child_of(child) if child else None
    great = Level.child_of(grandchild) if grandchild else None
    return {
        "level_child": _("%(level)s数") % {"level": Level(grandchild).label} if grandchild else "",
        "level_grandchild": _("%(level)s数") % {"level": Level(great).label} if great else "",
    }


def unit_staff(units, *roles: str) -> list[Staff]:
    """The active staff of ``units`` who hold any of ``roles``: whom a hand-off to a unit tells.

    A unit where nobody holds those roles is told through all of its active staff, so that work
    handed to it never goes unseen. One query for the staff and one for their roles.
    """
    unit_ids = {getattr(unit, "pk", unit) for unit in units if unit is not None}
    staff = list(
        Staff.objects.filter(unit__in=unit_ids, is_active=True)
        .prefetch_related("roles")
        .only("pk", "phone", "unit_id", "name", "username")
        .order_by("pk")
    )
    wanted = set(roles)
    chosen = [s for s in staff if {r.code for r in s.roles.all()} & wanted]
    covered = {s.unit_id for s in chosen}
    return chosen + [s for s in staff if s.unit_id not in covered]


# The demo loads the divisions under this source; an import of real boundaries
# (manage.py import_boundaries) records its file instead.
GENERATED_SOURCE = "demo: "


def boundaries_generated() -> bool:
    """Were the divisions' boundaries last written by the demo (inner boundaries generated
    inside the real district outline), not imported? Maps say so under the drawing."""
    from pingan.core.models import AuditEvent

    last = (
        AuditEvent.objects.filter(action="orgs.divisions_upsert")
        .order_by("-created_at", "-id")
        .values_list("reason", flat=True)
        .first()
    )
    return bool(last and last.startswith(GENERATED_SOURCE))
