"""Data sources of computed indicators (数据来源): one registry, one small function each.

A source is a function decorated with ``@source(code, label, unit=...)`` that takes the
evaluation ``Window`` and returns a *measure spec*: which records count (a queryset over the
whole district) and how they make a value (a count, a rate, a sum, a mean or 90th percentile of
durations). The framework then, for any kind of subject,

- computes every subject's value in one grouped query (``measures``), shared by the specs
  over the same records (``measure_together``, ``overall_together``), and
- gives the records behind one subject's value (``records`` / ``cases``), which is what a click
  on a score shows.

Adding a source is therefore one decorated function in this module. A source that reads
another app's tables imports them inside the function, so the registry loads with or without
that app's data.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models import Window as Over
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.cases.choices import EventKind, State
from pingan.cases.models import Case, CaseEvent, Supervision
from pingan.cases.rules import SATISFIED_FROM
from pingan.orgs.choices import Level

from .choices import PASSING_GRADES, EntryState, ListKind, ReviewState, SubjectKind

# How a case row names its subject: its street (grid → community → street), its handling
# unit, or its handler.
CASE_SUBJECT = {
    SubjectKind.STREET: "grid__parent__parent_id",
    SubjectKind.UNIT: "handling_unit_id",
    SubjectKind.PERSON: "handler_id",
}
# How an entry (list, manual) names its subject.
ENTRY_SUBJECT = {
    SubjectKind.STREET: "division_id",
    SubjectKind.UNIT: "unit_id",
    SubjectKind.PERSON: "staff_id",
}
DAY_SECONDS = 86400.0
CONCLUDED_STATES = (State.CONCLUDED, State.FOLLOWED_UP, State.ARCHIVED)


@dataclass(frozen=True)
class Window:
    """The time window of an evaluation: [start, end), with ``now`` for running periods."""

    start: datetime
    end: datetime
    now: datetime

    @property
    def until(self) -> datetime:
        return min(self.end, self.now)


@dataclass(frozen=True)
class Measure:
    """A subject's value, with the parts it was made of (for a rate: hits of the total)."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class Spec:
    """Which records count; ``via`` is the path from a record to its case ("" for cases).

    Records, their subject keys and ``hit`` follow forward relations only (one row per
    record), so the grouped counts need no DISTINCT. ``where`` narrows ``records`` to the ones
    that count; it is kept apart so that specs over the same records (most case sources: the
    cases concluded in the window) are measured together, in one grouped query with a
    filtered aggregate each (``measure_together``)."""

    records: QuerySet
    via: str | None = ""
    hit: Q | None = None
    missing_is_zero: bool = True
    # For records that name their subject some other way than through a case (a whistle call's
    # responding street, a patrol's grid worker): the field per subject kind (``None``: the
    # source says nothing about that kind of subject; a kind not listed is named the usual
    # way), and the field holding an org-tree path for area-wide figures.
    keys: dict[str, str | None] | None = None
    area_field: str | None = None
    where: Q | None = None

    def key(self, kind: str) -> str:
        if self.keys is not None and kind in self.keys:
            found = self.keys[kind]
            if found is None:
                raise ValueError(f"source does not apply to {kind} subjects")
            return found
        if self.via is None:
            return ENTRY_SUBJECT[kind]
        return f"{self.via}{CASE_SUBJECT[kind]}"

    def applies_to(self, kind: str) -> bool:
        return self.keys is None or self.keys.get(kind, "") is not None

    def rows(self) -> QuerySet:
        """The records that count."""
        return self.records if self.where is None else self.records.filter(self.where)

    def aggregates(self, where: Q | None) -> dict[str, Aggregate]:
        """The figures a value is made of, over the records that meet ``where``; ``n`` counts
        the records (none: the subject has no value)."""
        raise NotImplementedError

    def measure(self, figures: dict) -> Measure:
        """A value from the figures of ``aggregates``."""
        raise NotImplementedError

    def shared_key(self, records: QuerySet, subject: str | None) -> tuple | None:
        """What specs measured in one query have in common: the records (as SQL) and the
        subject key; ``None`` for a spec that needs a query of its own."""
        sql, params = records.order_by().query.sql_with_params()
        return (sql, params, subject)

    def measures(self, kind: str) -> dict[int, Measure]:
        return measure_together([self], kind)[0]

    def own_measures(self, subject: str) -> dict[int, Measure]:
        """The values of a spec that ``shared_key`` keeps out of shared queries."""
        raise NotImplementedError

    def own_overall(self, path: str) -> Measure:
        raise NotImplementedError

    def missing(self) -> Measure:
        return Measure(0.0, 0.0, None) if self.missing_is_zero else Measure(None)

    def records_of(self, kind: str, subject_id: int, part: str = "") -> QuerySet:
        """The records behind one subject's value; ``part`` "hit"/"miss" splits a rate."""
        rows = self.rows().filter(**{self.key(kind): subject_id})
        if self.hit is not None and part == "hit":
            rows = rows.filter(self.hit)
        elif self.hit is not None and part == "miss":
            rows = rows.exclude(self.hit)
        return rows

    def in_area(self, records: QuerySet, path: str) -> QuerySet:
        if self.area_field is not None:
            return records.filter(**{f"{self.area_field}__startswith": path})
        if self.via is None:
            return records.filter(subject_path__startswith=path)
        return records.filter(**{f"{self.via}area_path__startswith": path})

    def within(self, path: str) -> QuerySet:
        """The records inside an area (an org-tree path), for area-wide figures."""
        return self.in_area(self.rows(), path)

    def overall(self, path: str) -> Measure:
        return overall_together([self], path)[0]

    def cases_of(self, kind: str, subject_id: int, part: str = "") -> QuerySet | None:
        """The cases behind one subject's value, or ``None`` for sources not about cases."""
        if self.via is None:
            return None
        rows = self.records_of(kind, subject_id, part)
        if not self.via:
            return rows
        return Case.objects.filter(pk__in=rows.values(f"{self.via}id"))


def _narrowed(condition: Q | None, where: Q | None) -> Q | None:
    if where is None:
        return condition
    return where if condition is None else where & condition


def _grouped(specs: list[Spec], records: QuerySet, subject: str | None, single: bool):
    """One query for ``specs`` over ``records``, grouped by ``subject`` (or over all of them:
    one row): per row, the subject and each spec's figures."""
    aggregates = {}
    columns = []
    for index, spec in enumerate(specs):
        own = spec.aggregates(None if single else spec.where)
        columns.append([(f"m{index}_{name}", name) for name in own])
        aggregates.update({f"m{index}_{name}": aggregate for name, aggregate in own.items()})
    records = records.order_by()
    if subject is None:
        rows = [records.aggregate(**aggregates)]
    else:
        rows = records.values(subject).annotate(**aggregates)
    return [
        (
            row[subject] if subject else None,
            [{name: row[column] for column, name in names} for names in columns],
        )
        for row in rows
        if subject is None or row[subject] is not None
    ]


def measure_together(specs: list[Spec], kind: str) -> list[dict[int, Measure]]:
    """Every subject's values of each spec: one grouped query per set of specs over the same
    records, however many sources read them (``where`` becomes each one's aggregate filter)."""
    found: list[dict[int, Measure]] = [{} for _ in specs]
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, spec in enumerate(specs):
        key = spec.shared_key(spec.records, spec.key(kind))
        if key is None:
            found[index] = spec.own_measures(spec.key(kind))
        else:
            groups[key].append(index)
    for members in groups.values():
        first = specs[members[0]]
        subject = first.key(kind)
        single = len(members) == 1
        chosen = [specs[index] for index in members]
        records = first.rows() if single else first.records
        for subject_id, figures in _grouped(chosen, records, subject, single):
            for index, own in zip(members, figures, strict=True):
                if own["n"]:
                    found[index][subject_id] = specs[index].measure(own)
    return found


def overall_together(specs: list[Spec], path: str) -> list[Measure]:
    """Each spec's figure for a whole area, with one query per set of specs over the same
    records, like ``measure_together``."""
    found: list[Measure | None] = [None] * len(specs)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, spec in enumerate(specs):
        key = spec.shared_key(spec.in_area(spec.records, path), None)
        if key is None:
            found[index] = spec.own_overall(path)
        else:
            groups[key].append(index)
    for members in groups.values():
        first = specs[members[0]]
        single = len(members) == 1
        chosen = [specs[index] for index in members]
        records = first.within(path) if single else first.in_area(first.records, path)
        ((_all, figures),) = _grouped(chosen, records, None, single)
        for index, own in zip(members, figures, strict=True):
            found[index] = specs[index].measure(own)
    return found


@dataclass
class CountOf(Spec):
    """How many records each subject has."""

    def aggregates(self, where):
        return {"n": Count("pk", filter=where)}

    def measure(self, figures):
        return Measure(float(figures["n"]), float(figures["n"]))


@dataclass
class RateOf(Spec):
    """The share of a subject's records that meet ``hit``."""

    missing_is_zero: bool = False

    def aggregates(self, where):
        return {"n": Count("pk", filter=where), "h": Count("pk", filter=_narrowed(self.hit, where))}

    def measure(self, figures):
        if not figures["n"]:
            return Measure(None, 0.0, 0.0)
        n, h = figures["n"], figures["h"]
        return Measure(h / n, float(h), float(n))


@dataclass
class SumOf(Spec):
    """The sum of a field over a subject's records."""

    field_name: str = "points"

    def aggregates(self, where):
        return {"n": Count("pk", filter=where), "s": Sum(self.field_name, filter=where)}

    def measure(self, figures):
        total = float(figures["s"] or 0)
        return Measure(total, total)


@dataclass
class DurationOf(Spec):
    """A statistic of the days between two moments of each record: mean or 90th percentile.

    Both are computed by the database: the mean from the records' count and total duration,
    the percentile by ranking each subject's durations (window functions) and returning the
    record at the nearest rank, whose two moments give the value here."""

    start_field: str = "accepted_at"
    end_field: str = "concluded_at"
    statistic: str = "mean"
    missing_is_zero: bool = False

    def duration(self) -> "Elapsed":
        return Elapsed(self.end_field, self.start_field)

    def timed(self) -> Q:
        return Q(**{f"{self.start_field}__isnull": False, f"{self.end_field}__isnull": False})

    def shared_key(self, records, subject):
        if self.statistic == "p90":
            return None
        return super().shared_key(records, subject)

    def aggregates(self, where):
        timed = _narrowed(self.timed(), where)
        return {"n": Count("pk", filter=timed), "s": Sum(self.duration(), filter=timed)}

    def measure(self, figures):
        n = figures["n"]
        if not n:
            return Measure(None, None, 0.0)
        return Measure(figures["s"].total_seconds() / DAY_SECONDS / n, None, float(n))

    def _at_rank(self, records: QuerySet, partition: list) -> QuerySet:
        """Per partition, the record at the nearest rank of 90% of its durations, with the
        partition's size: the smallest duration with at least 90% of them at or below it (of
        1..10 days, 9; of 1..20, 18), whose rank is the smallest at or above 0.9 × size."""
        fraction = Value(P90, output_field=FloatField())
        threshold = ExpressionWrapper(F("duration_count") * fraction, output_field=FloatField())
        return (
            records.filter(self.timed())
            .order_by()
            .annotate(
                duration_rank=Over(
                    RowNumber(), partition_by=partition, order_by=self.duration().asc()
                ),
                duration_count=Over(Count("pk"), partition_by=partition),
            )
            .filter(duration_rank__gte=threshold, duration_rank__lt=threshold + 1)
        )

    def own_measures(self, subject):
        rows = self._at_rank(self.rows(), [F(subject)]).values_list(
            subject, self.start_field, self.end_field, "duration_count"
        )
        return {
            subject_id: Measure(_days(start, end), None, float(n))
            for subject_id, start, end, n in rows
            if subject_id is not None
        }

    def own_overall(self, path):
        rows = self._at_rank(self.within(path), []).values_list(
            self.start_field, self.end_field, "duration_count"
        )
        found = list(rows)
        if not found:
            return Measure(None, None, 0.0)
        ((start, end, n),) = found
        return Measure(_days(start, end), None, float(n))


P90 = 0.9


class Elapsed(Func):
    """The time from ``start`` to ``end`` (two datetime columns): ``Elapsed(end, start)``.

    On SQLite, where datetimes are text and Django subtracts them in a Python function called
    for every row, the exact microseconds are computed in SQL instead: the whole seconds from
    the Julian days of ``YYYY-MM-DD HH:MM:SS`` (exact once rounded), plus the six digits of the
    fraction, as Django writes them."""

    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = DurationField()

    def as_sqlite(self, compiler, connection, **extra_context):
        (end, end_params), (start, start_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        fraction = (
            "CASE WHEN substr({0}, 20, 1) = '.' THEN CAST(substr({0}, 21, 6) AS INTEGER) ELSE 0 END"
        )
        sql = (
            f"(CAST(round((julianday(substr({end}, 1, 19)) - julianday(substr({start}, 1, 19)))"
            f" * 86400) AS INTEGER) * 1000000 + {fraction.format(end)} - {fraction.format(start)})"
        )
        params = (
            *end_params,
            *start_params,
            *end_params,
            *end_params,
            *start_params,
            *start_params,
        )
        return sql, params


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / DAY_SECONDS


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    unit: str
    description: str
    build: Callable[[Window], Spec] = field(repr=False)


SOURCES: dict[str, Source] = {}
MANUAL = "manual"


def source(code: str, label, *, unit: str = "", description=""):
    """Register a data source: ``@source("on_time_rate", _("按期办结率"), unit="%")``."""

    def register(build: Callable[[Window], Spec]) -> Callable[[Window], Spec]:
        if code in SOURCES or code == MANUAL:
            raise ValueError(f"data source {code!r} registered twice")
        SOURCES[code] = Source(code, label, unit, description or build.__doc__ or "", build)
        return build

    return register


def source_choices() -> list[tuple[str, str]]:
    return [(MANUAL, _("人工评价（录入并审核）")), *((s.code, s.label) for s in SOURCES.values())]


# --- cases ---------------------------------------------------------------------------------


def concluded_in(window: Window) -> QuerySet:
    """Cases concluded in the window (办结时间落在期内)."""
    return Case.objects.filter(
        concluded_at__gte=window.start, concluded_at__lt=window.until, state__in=CONCLUDED_STATES
    )


def registered_in(window: Window) -> QuerySet:
    return Case.objects.filter(registered_at__gte=window.start, registered_at__lt=window.until)


@source("cases_handled", _("办结事项数"), unit=_("件"))
def cases_handled(window: Window) -> Spec:
    """Matters concluded in the period by the subject (streets: in their area; people: as
    handler): what was done against the responsibility list."""
    return CountOf(concluded_in(window))


@source("on_time_rate", _("按期办结率"), unit="%")
def on_time_rate(window: Window) -> Spec:
    """Of the matters concluded in the period, the share concluded by their deadline."""
    return RateOf(
        concluded_in(window), where=Q(due_at__isnull=False), hit=Q(concluded_at__lte=F("due_at"))
    )


@source("community_share", _("小事不出社区率"), unit="%")
def community_share(window: Window) -> Spec:
    """Of the matters concluded in the period, the share resolved at grid or community level."""
    return RateOf(
        concluded_in(window),
        where=~Q(concluded_level=""),
        hit=Q(concluded_level__in=[Level.GRID, Level.COMMUNITY]),
    )


@source("street_share", _("难事不出街道率"), unit="%")
def street_share(window: Window) -> Spec:
    """Of the matters concluded in the period, the share resolved at street level or below."""
    return RateOf(
        concluded_in(window),
        where=~Q(concluded_level=""),
        hit=Q(concluded_level__in=[Level.GRID, Level.COMMUNITY, Level.STREET]),
    )


@source("avg_handling_days", _("平均办理用时"), unit=_("天"))
def avg_handling_days(window: Window) -> Spec:
    """Mean days from acceptance to conclusion of the matters concluded in the period."""
    return DurationOf(concluded_in(window), where=Q(accepted_at__isnull=False), statistic="mean")


@source("p90_handling_days", _("办理用时（90%分位）"), unit=_("天"))
def p90_handling_days(window: Window) -> Spec:
    """Days within which 90% of the matters concluded in the period were handled."""
    return DurationOf(concluded_in(window), where=Q(accepted_at__isnull=False), statistic="p90")


@source("satisfaction_rate", _("回访满意率"), unit="%")
def satisfaction_rate(window: Window) -> Spec:
    """Of the matters concluded in the period and followed up, the share rated satisfied
    (3 or more of 5)."""
    return RateOf(
        concluded_in(window),
        where=Q(satisfaction__isnull=False),
        hit=Q(satisfaction__gte=SATISFIED_FROM),
    )


@source("reopen_rate", _("重新办理率"), unit="%")
def reopen_rate(window: Window) -> Spec:
    """Of the matters concluded in the period, the share reopened after a poor follow-up."""
    reopened = CaseEvent.objects.filter(kind=EventKind.REOPEN).values("case_id")
    return RateOf(concluded_in(window), hit=Q(pk__in=reopened))


@source("repeat_rate", _("重复事项率"), unit="%")
def repeat_rate(window: Window) -> Spec:
    """Of the matters registered in the period, the share that repeat an earlier matter."""
    return RateOf(registered_in(window), hit=Q(repeat_of__isnull=False))


@source("overdue_count", _("超期事项数"), unit=_("件"))
def overdue_count(window: Window) -> Spec:
    """Matters whose deadline fell in the period and which were not concluded by it."""
    return CountOf(
        Case.objects.filter(due_at__gte=window.start, due_at__lt=window.until).filter(
            Q(
                concluded_at__isnull=True,
                state__in=[State.ACCEPTED, State.ASSIGNED, State.MEDIATING],
            )
            | Q(concluded_at__gt=F("due_at"))
        )
    )


@source("supervision_count", _("被督办次数"), unit=_("次"))
def supervision_count(window: Window) -> Spec:
    """Supervision notices (督办) issued in the period on the subject's matters."""
    return CountOf(
        Supervision.objects.filter(issued_at__gte=window.start, issued_at__lt=window.until),
        via="case__",
    )


@source("data_error_rate", _("案卡填报差错率"), unit="%")
def data_error_rate(window: Window) -> Spec:
    """Of the matters registered in the period, the share the data-quality scan found an
    error in (corrected or not)."""
    from .models import CorrectionItem

    return RateOf(registered_in(window), hit=Q(pk__in=CorrectionItem.objects.values("case_id")))


@source("review_pass_rate", _("案件评查合格率"), unit="%")
def review_pass_rate(window: Window) -> Spec:
    """Of the case-quality reviews completed in the period, the share graded pass or better."""
    from .models import Review

    return RateOf(
        Review.objects.filter(
            state=ReviewState.DONE, reviewed_at__gte=window.start, reviewed_at__lt=window.until
        ),
        via="case__",
        hit=Q(grade__in=PASSING_GRADES),
    )


@source("positive_points", _("正面清单加分"), unit=_("分"))
def positive_points(window: Window) -> Spec:
    """Points of approved positive-list entries (awards, commendations) in the period."""
    return SumOf(_list_entries(window, ListKind.POSITIVE), via=None)


@source("negative_points", _("负面清单扣分"), unit=_("分"))
def negative_points(window: Window) -> Spec:
    """Points of approved negative-list entries (quality findings, responsibility findings)."""
    return SumOf(_list_entries(window, ListKind.NEGATIVE), via=None)


def _list_entries(window: Window, kind: str) -> QuerySet:
    from .models import ListEntry

    return ListEntry.objects.filter(
        kind=kind,
        state=EntryState.APPROVED,
        occurred_on__gte=window.start.date(),
        occurred_on__lt=window.end.date(),
    )


def manual_spec(window: Window, *, year: int, quarter: int, code: str) -> Spec:
    """Approved manual entries of one indicator and period (typical cases, adopted practices,
    innovations, cooperation ratings): their values add up."""
    from .models import ManualEntry

    entries = ManualEntry.objects.filter(
        year=year, quarter=quarter, indicator_code=code, state=EntryState.APPROVED
    )
    return SumOf(entries, via=None, field_name="value", missing_is_zero=False)


# --- collaboration (M4.2, M5.2): both sides of a whistle, and the four lists ----------------


def _summonses(window: Window) -> QuerySet:
    from pingan.collaboration.models import WhistleSummons

    return WhistleSummons.objects.filter(
        call__blown_at__gte=window.start, call__blown_at__lt=window.until
    )


# A summoned party answers for itself: a street through its own units (police station,
# justice office, street center), a unit for its own summonses, a person through the summons
# they acknowledged.
SUMMONED = {"street": "unit__division_id", "unit": "unit_id", "person": "acknowledged_by_id"}


@source("whistle_on_time_rate", _("吹哨报到按时率"), unit="%")
def whistle_on_time_rate(window: Window) -> Spec:
    """Of the summonses of whistles blown in the period, the share acknowledged (报到) by the
    report-by time; an unanswered one counts as late."""
    return RateOf(
        _summonses(window),
        via=None,
        hit=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("call__report_by")),
        keys=SUMMONED,
        area_field="unit__division__path",
    )


@source("whistle_late_count", _("吹哨报到超时次数"), unit=_("次"))
def whistle_late_count(window: Window) -> Spec:
    """Summonses of the period acknowledged after the report-by time, or not at all."""
    late = Q(acknowledged_at__gt=F("call__report_by")) | Q(
        acknowledged_at__isnull=True, call__report_by__lt=window.until
    )
    return CountOf(
        _summonses(window).filter(late),
        via=None,
        keys={"street": "unit__division_id", "unit": "unit_id", "person": "officer_id"},
        area_field="unit__division__path",
    )


@source("whistle_closed_rate", _("吹哨闭环率"), unit="%")
def whistle_closed_rate(window: Window) -> Spec:
    """The summoning side: of the whistles a street blew in the period, the share closed with
    a recorded result (吹哨质量)."""
    from pingan.collaboration.models import WhistleCall

    return RateOf(
        WhistleCall.objects.filter(blown_at__gte=window.start, blown_at__lt=window.until),
        via=None,
        hit=Q(closed_at__isnull=False) & ~Q(result=""),
        keys={"street": "street_id", "unit": None, "person": "blown_by_id"},
        area_field="area_path",
    )


@source("four_list_on_time_rate", _("四个清单任务按期完成率"), unit="%")
def four_list_on_time_rate(window: Window) -> Spec:
    """Of the four-list tasks due in the period, the share done by their deadline; a person
    answers for the tasks they analysed out of a problem."""
    from pingan.collaboration.models import Task

    return RateOf(
        Task.objects.filter(
            deadline__gte=timezone.localdate(window.start),
            deadline__lt=timezone.localdate(window.until),
        ),
        via=None,
        hit=Q(done_at__isnull=False, done_at__date__lte=F("deadline")),
        keys={
            "street": "problem__talk__street_id",
            "unit": "owner_id",
            "person": "created_by_id",
        },
        area_field="problem__talk__area_path",
    )


@source("patrol_count", _("网格巡查次数"), unit=_("次"))
def patrol_count(window: Window) -> Spec:
    """Patrols of the period (M6.1): a street's grids, or a grid worker's own patrols."""
    from pingan.patrol.models import Patrol

    return CountOf(
        Patrol.objects.filter(
            day__gte=timezone.localdate(window.start), day__lt=timezone.localdate(window.until)
        ),
        via=None,
        keys={"street": "grid__parent__parent_id", "unit": None, "person": "staff_id"},
        area_field="grid__path",
    )
