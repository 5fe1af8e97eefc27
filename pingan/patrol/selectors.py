"""Reads of the patrol app: coverage per grid and day, set-based (M6.1)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count

from pingan.orgs.models import Division

from .models import Patrol


def patrol_coverage(*, start: date, end: date, within: Division | None = None) -> dict[int, int]:
    """Patrolled days per grid: ``{grid id: number of distinct days in [start, end] on which
    the grid had at least one patrol}``, for every grid in ``within`` (a district, street,
    community or grid; ``None`` for all grids), zero included.

    Two queries whatever the number of grids or days: the grids, and one ``COUNT(DISTINCT day)``
    grouped by grid over the (grid, day) index. ``start`` and ``end`` are local (Beijing) dates,
    both inclusive; a patrol counts on the day it started.
    """
    grids = Division.objects.grids()
    patrols = Patrol.objects.filter(day__gte=start, day__lte=end)
    if within is not None:
        grids = grids.within(within)
        patrols = patrols.filter(grid__path__startswith=within.path)
    coverage = dict.fromkeys(grids.values_list("pk", flat=True), 0)
    counted = patrols.order_by().values("grid_id").annotate(days=Count("day", distinct=True))
    for row in counted.values_list("grid_id", "days"):
        coverage[row[0]] = row[1]
    return coverage


@dataclass
class CoverageRow:
    grid: Division
    days: list[bool]
    patrolled: int = 0


@dataclass
class CoverageMatrix:
    """Per grid per day patrolled or not, for a community or street over a run of days."""

    days: list[date]
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def never(self) -> list[Division]:
        """Grids not patrolled on any of the days."""
        return [row.grid for row in self.rows if row.patrolled == 0]

    @property
    def rate(self) -> float:
        cells = len(self.rows) * len(self.days)
        return sum(row.patrolled for row in self.rows) / cells if cells else 0.0


def coverage_matrix(*, within: Division, last_day: date, days: int = 7) -> CoverageMatrix:
    """The ``days`` days ending on ``last_day`` for every grid in ``within``: two queries."""
    run = [last_day - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    grids = list(Division.objects.grids().within(within).select_related("parent").order_by("path"))
    seen = set(
        Patrol.objects.filter(grid__path__startswith=within.path, day__gte=run[0], day__lte=run[-1])
        .order_by()
        .values_list("grid_id", "day")
        .distinct()
    )
    matrix = CoverageMatrix(days=run)
    for grid in grids:
        cells = [(grid.pk, day) in seen for day in run]
        matrix.rows.append(CoverageRow(grid=grid, days=cells, patrolled=sum(cells)))
    return matrix
