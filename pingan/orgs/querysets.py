"""Querysets of the org tree that speak the domain and apply scope (X1)."""

from django.db import models

from .choices import Level, UnitKind


class DivisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DivisionQuerySet":
        """Divisions inside the user's scope: their unit's subtree, or their own grids."""
        from .access import scope_q

        return self.filter(scope_q(user, "path"))

    def streets(self) -> "DivisionQuerySet":
        return self.filter(level=Level.STREET)

    def communities(self) -> "DivisionQuerySet":
        return self.filter(level=Level.COMMUNITY)

    def grids(self) -> "DivisionQuerySet":
        return self.filter(level=Level.GRID)

    def within(self, division) -> "DivisionQuerySet":
        """The division and everything under it."""
        return self.filter(path__startswith=division.path)


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UnitQuerySet":
        """Units located in the user's scope, and the agencies that serve it."""
        from .access import scope_paths, scope_q

        paths = scope_paths(user)
        if paths is None:
            return self.all()
        served_here = models.Q(kind=UnitKind.AGENCY) & (
            # agencies sitting above the scope and serving all of it (district agencies) …
            models.Q(serves__isnull=True, division__path__in=_ancestor_paths(paths))
            # … and those serving a street inside or above the scope
            | models.Q(serves__path__in=_ancestor_paths(paths))
            | scope_q(user, "serves__path")
        )
        ids = self.filter(scope_q(user, "division__path") | served_here).values("pk")
        return self.filter(pk__in=ids)

    def located_in_scope_of(self, user) -> "UnitQuerySet":
        """Units that sit inside the user's scope (not the agencies merely serving it)."""
        from .access import scope_q

        return self.filter(scope_q(user, "division__path"))


class StaffQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StaffQuerySet":
        """Staff of the units located in the user's scope; a grid worker sees only themself."""
        from .access import scope_paths, scope_q

        if scope_paths(user) is None:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(scope_q(user, "unit__division__path") | models.Q(pk=user.pk))


def _ancestor_paths(paths: list[str]) -> list[str]:
    """Every proper ancestor path of the given paths ("/a/b/c/" -> "/a/", "/a/b/")."""
    from .access import ancestor_paths

    return sorted({above for path in paths for above in ancestor_paths(path)[:-1]})
