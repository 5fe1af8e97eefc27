"""Reads of collaboration: rosters, response times and four-list completion.

The three ``*_by_*`` functions below are the figures the evaluation issue (M9) reads. Each
takes a period ``[start, end)`` of aware datetimes and returns one record per subject, from one
or a few set-based queries whatever the number of rows:

- ``whistle_response_by_unit``: per summoned department (the department is evaluated for
  response): summoned, acknowledged, on time, late, still pending, reported, average and
  90th-percentile minutes from whistle to acknowledgement;
- ``whistle_quality_by_street``: per summoning street (the street is evaluated for whistle
  quality): whistles blown, parties summoned, share on complex cases, share closed with a
  result recorded, share whose every party acknowledged on time;
- ``four_list_completion_by_street``: per street, for talks held in the period: talks,
  problems, problems turned into cases, tasks, done, done on time, overdue, completion rate.

Percentiles are computed in Python over the durations one query fetched, which is portable
across SQLite and PostgreSQL (no ``percentile_cont``).
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from pingan.core.calendar import local_date
from pingan.orgs.choices import Stationing, UnitKind
from pingan.orgs.models import Unit

from .choices import SummonsState
from .models import (
    DutyShift,
    Problem,
    SafetyTalk,
    Task,
    TaskProgress,
    TaskResult,
    WhistleCall,
    WhistleSummons,
)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) with linear interpolation between closest ranks (the
    definition numpy and PostgreSQL's ``percentile_cont`` use); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- rosters (M3.2) ------------------------------------------------------------------------


def on_duty_among(unit_ids: list[int], day: date) -> set[int]:
    """Which of these units are on duty at some center on ``day``: one query."""
    if not unit_ids:
        return set()
    return set(
        DutyShift.objects.filter(agency__in=unit_ids, date=day).values_list("agency_id", flat=True)
    )


@dataclass
class Roster:
    """Who is at a center on a day: permanent, rotating and on-call agencies."""

    center: Unit
    day: date
    permanent: list[Unit] = field(default_factory=list)
    rotating: list[Unit] = field(default_factory=list)
    on_call: list[Unit] = field(default_factory=list)
    others: list[Unit] = field(default_factory=list)  # put on duty by hand

    @property
    def on_duty_count(self) -> int:
        return sum(unit.on_duty for unit in self.permanent + self.rotating) + len(self.others)


def roster_for(center: Unit, day: date) -> Roster:
    """The center's agencies with ``on_duty`` for the day: two queries."""
    agencies = list(
        Unit.objects.filter(kind=UnitKind.AGENCY, is_active=True, division=center.division_id)
        .exclude(stationing="")
        .annotate(
            on_duty=Exists(DutyShift.objects.filter(agency=OuterRef("pk"), date=day, center=center))
        )
        .order_by("name")
    )
    roster = Roster(center=center, day=day)
    for unit in agencies:
        {
            Stationing.PERMANENT: roster.permanent,
            Stationing.ROTATING: roster.rotating,
            Stationing.ON_CALL: roster.on_call,
        }[unit.stationing].append(unit)
    listed = {unit.pk for unit in agencies}
    roster.others = [
        shift.agency
        for shift in DutyShift.objects.filter(center=center, date=day)
        .exclude(agency__in=listed)
        .select_related("agency")
    ]
    for unit in roster.others:
        unit.on_duty = True
    return roster


def roster_month(center: Unit, month: date) -> list[dict]:
    """The rotation calendar of a month: each day with the rotating (and extra) agencies on
    duty, and whether anyone is; one query."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    by_day: dict[date, list[str]] = defaultdict(list)
    permanent_days: set[date] = set()
    for day, name, stationing in (
        DutyShift.objects.filter(center=center, date__range=(first, last))
        .order_by("date", "agency__name")
        .values_list("date", "agency__short_name", "agency__stationing")
    ):
        if stationing == Stationing.PERMANENT:
            permanent_days.add(day)
        else:
            by_day[day].append(name)
    days = []
    day = first
    while day <= last:
        days.append(
            {
                "date": day,
                "agencies": by_day.get(day, []),
                "staffed": day in permanent_days or day in by_day,
            }
        )
        day += timedelta(days=1)
    return days


def calendar_weeks(days: list[dict]) -> list[list[dict | None]]:
    """A month's days as weeks from Monday, with ``None`` before the first and after the last."""
    if not days:
        return []
    cells: list[dict | None] = [None] * days[0]["date"].weekday() + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


# --- whistle response and quality (M4.2), for evaluation --------------------------------------


@dataclass
class UnitResponse:
    """How a department answered the whistles of a period."""

    unit_id: int
    unit_name: str
    summoned: int = 0
    acknowledged: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    reported: int = 0
    avg_minutes: float | None = None
    p90_minutes: float | None = None
    durations: list[float] = field(default_factory=list, repr=False)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.summoned if self.summoned else None


def whistle_response_by_unit(
    *,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    summonses: QuerySet | None = None,
) -> dict[int, UnitResponse]:
    """Per summoned department, for whistles blown in ``[start, end)``: one query.

    A summons is on time when acknowledged by its report-by deadline, late when acknowledged
    after it or still unacknowledged past it (as of ``now``), pending otherwise. Minutes run
    from the whistle to the acknowledgement. ``summonses`` narrows the base (e.g. to a
    user's scope with ``WhistleSummons.objects.visible_to(user)``).
    """
    now = now or timezone.now()
    base = WhistleSummons.objects.all() if summonses is None else summonses
    rows = (
        base.filter(call__blown_at__gte=start, call__blown_at__lt=end)
        .values_list(
            "unit_id", "unit__name", "call__blown_at", "call__report_by", "acknowledged_at", "state"
        )
        .order_by()
    )
    result: dict[int, UnitResponse] = {}
    for unit_id, name, blown_at, report_by, acknowledged_at, state in rows:
        item = result.get(unit_id) or result.setdefault(unit_id, UnitResponse(unit_id, name))
        item.summoned += 1
        item.reported += state == SummonsState.REPORTED
        if acknowledged_at is not None:
            item.acknowledged += 1
            item.durations.append((acknowledged_at - blown_at).total_seconds() / 60)
            if acknowledged_at <= report_by:
                item.on_time += 1
            else:
                item.late += 1
        elif report_by < now:
            item.late += 1
        else:
            item.pending += 1
    for item in result.values():
        if item.durations:
            item.avg_minutes = sum(item.durations) / len(item.durations)
            item.p90_minutes = percentile(item.durations, 90)
    return result


@dataclass
class StreetWhistles:
    """How a street used the whistle in a period."""

    street_id: int
    street_name: str
    blown: int
    parties: int
    on_complex_cases: int
    with_result: int
    all_on_time: int

    @property
    def result_share(self) -> float | None:
        return self.with_result / self.blown if self.blown else None

    @property
    def complex_share(self) -> float | None:
        return self.on_complex_cases / self.blown if self.blown else None

    @property
    def all_on_time_share(self) -> float | None:
        return self.all_on_time / self.blown if self.blown else None


def whistle_quality_by_street(
    *, start: datetime, end: datetime, calls: QuerySet | None = None
) -> dict[int, StreetWhistles]:
    """Per summoning street, for whistles blown in ``[start, end)``: one query."""
    base = WhistleCall.objects.all() if calls is None else calls
    late_or_open = WhistleSummons.objects.filter(call=OuterRef("pk")).filter(
        Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=F("call__report_by"))
    )
    rows = (
        base.filter(blown_at__gte=start, blown_at__lt=end)
        .values("street_id", "street__name")
        .annotate(
            blown=Count("pk", distinct=True),
            parties=Count("summonses", distinct=True),
            on_complex_cases=Count("pk", distinct=True, filter=Q(case__complexity="complex")),
            with_result=Count(
                "pk", distinct=True, filter=Q(closed_at__isnull=False) & ~Q(result="")
            ),
            all_on_time=Count("pk", distinct=True, filter=~Q(Exists(late_or_open))),
        )
        .order_by("street_id")
    )
    return {
        row["street_id"]: StreetWhistles(
            street_id=row["street_id"],
            street_name=row["street__name"],
            blown=row["blown"],
            parties=row["parties"],
            on_complex_cases=row["on_complex_cases"],
            with_result=row["with_result"],
            all_on_time=row["all_on_time"],
        )
        for row in rows
    }


# --- the four lists (M5.2), for evaluation ---------------------------------------------------


@dataclass
class StreetLists:
    """Four-list completion of a street's talks in a period."""

    street_id: int
    street_name: str
    talks: int = 0
    problems: int = 0
    problems_to_cases: int = 0
    tasks: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue: int = 0

    @property
    def completion_rate(self) -> float | None:
        return self.done / self.tasks if self.tasks else None

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.tasks if self.tasks else None


def period_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The local dates of ``[start, end)``: first day and the day after the last."""
    last = local_date(end - timedelta(microseconds=1))
    return local_date(start), last + timedelta(days=1)


def four_list_completion_by_street(
    *, start: datetime, end: datetime, now: datetime | None = None, talks: QuerySet | None = None
) -> dict[int, StreetLists]:
    """Per street, for safety talks held in ``[start, end)``: three queries.

    A task is done when its result is recorded, on time when that happened by the end of its
    deadline day, overdue when not done and its deadline has passed (as of ``now``).
    """
    today = local_date(now or timezone.now())
    first, after = period_days(start, end)
    base = SafetyTalk.objects.all() if talks is None else talks
    held = base.filter(held_on__gte=first, held_on__lt=after)
    result: dict[int, StreetLists] = {}
    for row in held.values("street_id", "street__name").annotate(n=Count("pk")).order_by():
        result[row["street_id"]] = StreetLists(
            row["street_id"], row["street__name"], talks=row["n"]
        )
    ids = held.values("pk")
    for row in (
        Problem.objects.filter(talk__in=ids)
        .values("talk__street_id")
        .annotate(n=Count("pk"), cases=Count("case"))
        .order_by()
    ):
        item = result[row["talk__street_id"]]
        item.problems, item.problems_to_cases = row["n"], row["cases"]
    for row in (
        Task.objects.filter(problem__talk__in=ids)
        .values("problem__talk__street_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(done_at__isnull=False)),
            done_on_time=Count("pk", filter=Q(done_at__date__lte=F("deadline"))),
            overdue=Count("pk", filter=Q(done_at__isnull=True, deadline__lt=today)),
        )
        .order_by()
    ):
        item = result[row["problem__talk__street_id"]]
        item.tasks, item.done = row["n"], row["done"]
        item.done_on_time, item.overdue = row["done_on_time"], row["overdue"]
    return result


# --- the board ------------------------------------------------------------------------------


@dataclass
class FourLists:
    """The four lists of a street's talks in a period, side by side (M5.2): their rows (all
    of them, or the latest ``shown`` of each on the page) and how many there are."""

    problems: list
    tasks: list
    progress: list
    results: list
    overdue: int
    counts: dict = field(default_factory=dict)  # list name -> rows in the period
    shown: int | None = None

    @property
    def truncated(self) -> bool:
        return self.shown is not None and any(n > self.shown for n in self.counts.values())


def four_lists(
    *, talks: QuerySet, first: date, after: date, today: date, shown: int | None = None
) -> FourLists:
    """Problems, tasks (with ``overdue``), implementation entries and results of the talks
    held in ``[first, after)``: four queries, and with ``shown`` (the page) only the latest so
    many of each, with five counts. A district's half year is thousands of rows,
    which the page drew in 400 ms (issue 27); the workbook export takes them all."""
    held = talks.filter(held_on__gte=first, held_on__lt=after).values("pk")
    queries = {
        "problems": Problem.objects.filter(talk__in=held)
        .select_related("talk", "case")
        .annotate(task_count=Count("tasks")),
        "tasks": Task.objects.filter(problem__talk__in=held).select_related(
            "owner", "problem__talk"
        ),
        "progress": TaskProgress.objects.filter(task__problem__talk__in=held).select_related(
            "task__problem__talk", "recorded_by"
        ),
        "results": TaskResult.objects.filter(task__problem__talk__in=held).select_related(
            "task__problem__talk", "reviewed_by"
        ),
    }
    if shown is None:
        order = {
            "problems": ("talk__held_on", "pk"),
            "tasks": ("deadline", "pk"),
            "progress": ("recorded_at", "pk"),
            "results": ("reviewed_at", "pk"),
        }
        rows = {name: list(query.order_by(*order[name])) for name, query in queries.items()}
    else:  # the latest first; tasks by deadline, the overdue ones first
        order = {
            "problems": ("-talk__held_on", "-pk"),
            "tasks": ("deadline", "pk"),
            "progress": ("-recorded_at", "-pk"),
            "results": ("-reviewed_at", "-pk"),
        }
        rows = {name: list(query.order_by(*order[name])[:shown]) for name, query in queries.items()}
    for task in rows["tasks"]:
        task.is_overdue = task.done_at is None and task.deadline < today
        task.late_done = task.done_at is not None and local_date(task.done_at) > task.deadline
    if shown is None:
        counts = {name: len(items) for name, items in rows.items()}
        overdue = sum(task.is_overdue for task in rows["tasks"])
    else:
        counts = {name: query.order_by().count() for name, query in queries.items()}
        overdue = queries["tasks"].filter(done_at__isnull=True, deadline__lt=today).count()
    return FourLists(**rows, overdue=overdue, counts=counts, shown=shown)
