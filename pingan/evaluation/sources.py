"""Data sources of computed indicators (数据来源): one registry, one small function each.

A source is a function decorated with ``@source(code, label, unit=...)`` that takes the
evaluation ``Window`` and returns a *measure spec*: which records count (a queryset over the
whole district) and how they make a value (a count, a rate, a sum, a mean or 90th percentile of
durations). The framework then, for any kind of subject,

- computes every subject's value in one grouped query (``measures``), and
- gives the records behind one subject's value (``records`` / ``cases``), which is what a click
  on a score shows.

Adding a source is therefore one decorated function in this module. A source that reads
another app's tables imports them inside the function, so the registry loads with or without
that app's data.
"""

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum
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
    record), so the grouped counts need no DISTINCT."""

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

    def measures(self, kind: str) -> dict[int, Measure]:
        raise NotImplementedError

    def missing(self) -> Measure:
        return Measure(0.0, 0.0, None) if self.missing_is_zero else Measure(None)

    def records_of(self, kind: str, subject_id: int, part: str = "") -> QuerySet:
        """The records behind one subject's value; ``part`` "hit"/"miss" splits a rate."""
        rows = self.records.filter(**{self.key(kind): subject_id})
        if self.hit is not None and part == "hit":
            rows = rows.filter(self.hit)
        elif self.hit is not None and part == "miss":
            rows = rows.exclude(self.hit)
        return rows

    def within(self, path: str) -> QuerySet:
        """The records inside an area (an org-tree path), for area-wide figures."""
        if self.area_field is not None:
            return self.records.filter(**{f"{self.area_field}__startswith": path})
        if self.via is None:
            return self.records.filter(subject_path__startswith=path)
        return self.records.filter(**{f"{self.via}area_path__startswith": path})

    def overall(self, path: str) -> Measure:
        raise NotImplementedError

    def cases_of(self, kind: str, subject_id: int, part: str = "") -> QuerySet | None:
        """The cases behind one subject's value, or ``None`` for sources not about cases."""
        if self.via is None:
            return None
        rows = self.records_of(kind, subject_id, part)
        if not self.via:
            return rows
        return Case.objects.filter(pk__in=rows.values(f"{self.via}id"))


@dataclass
class CountOf(Spec):
    """How many records each subject has."""

    def measures(self, kind):
        rows = self.records.order_by().values(self.key(kind)).annotate(n=Count("pk"))
        return {
            row[self.key(kind)]: Measure(float(row["n"]), float(row["n"]))
            for row in rows
            if row[self.key(kind)] is not None
        }

    def overall(self, path):
        n = self.within(path).count()
        return Measure(float(n), float(n))


@dataclass
class RateOf(Spec):
    """The share of a subject's records that meet ``hit``."""

    missing_is_zero: bool = False

    def measures(self, kind):
        rows = (
            self.records.order_by()
            .values(self.key(kind))
            .annotate(n=Count("pk"), h=Count("pk", filter=self.hit))
        )
        return {
            row[self.key(kind)]: Measure(row["h"] / row["n"], float(row["h"]), float(row["n"]))
            for row in rows
            if row[self.key(kind)] is not None and row["n"]
        }

    def overall(self, path):
        totals = self.within(path).aggregate(n=Count("pk"), h=Count("pk", filter=self.hit))
        if not totals["n"]:
            return Measure(None, 0.0, 0.0)
        return Measure(totals["h"] / totals["n"], float(totals["h"]), float(totals["n"]))


@dataclass
class SumOf(Spec):
    """The sum of a field over a subject's records."""

    field_name: str = "points"

    def measures(self, kind):
        rows = self.records.order_by().values(self.key(kind)).annotate(s=Sum(self.field_name))
        return {
            row[self.key(kind)]: Measure(float(row["s"] or 0), float(row["s"] or 0))
            for row in rows
            if row[self.key(kind)] is not None
        }

    def overall(self, path):
        total = float(self.within(path).aggregate(s=Sum(self.field_name))["s"] or 0)
        return Measure(total, total)


@dataclass
class DurationOf(Spec):
    """A statistic of the days between two moments of each record: mean or 90th percentile.

    Percentiles are not portable SQL, so the durations come in one query (two columns per
    record) and are sorted here, per subject."""

    start_field: str = "accepted_at"
    end_field: str = "concluded_at"
    statistic: str = "mean"
    missing_is_zero: bool = False

    def measures(self, kind):
        durations: dict[int, list[float]] = defaultdict(list)
        rows = self.records.order_by().values_list(self.key(kind), self.start_field, self.end_field)
        for subject_id, start, end in rows.iterator(chunk_size=5000):
            if subject_id is not None and start is not None and end is not None:
                durations[subject_id].append((end - start).total_seconds() / DAY_SECONDS)
        return {
            subject_id: Measure(self.reduce(values), None, float(len(values)))
            for subject_id, values in durations.items()
        }

    def overall(self, path):
        values = [
            (end - start).total_seconds() / DAY_SECONDS
            for start, end in self.within(path)
            .order_by()
            .values_list(self.start_field, self.end_field)
            .iterator(chunk_size=5000)
            if start is not None and end is not None
        ]
        return Measure(self.reduce(values) if values else None, None, float(len(values)))

    def reduce(self, values: list[float]) -> float:
        if self.statistic == "p90":
            return percentile(values, 0.9)
        return sum(values) / len(values)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the
    values at or below it (the 90th of 1..10 is 9, of 1..20 is 18)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


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
        concluded_in(window).filter(due_at__isnull=False),
        hit=Q(concluded_at__lte=F("due_at")),
    )


@source("community_share", _("小事不出社区率"), unit="%")
def community_share(window: Window) -> Spec:
    """Of the matters concluded in the period, the share resolved at grid or community level."""
    return RateOf(
        concluded_in(window).exclude(concluded_level=""),
        hit=Q(concluded_level__in=[Level.GRID, Level.COMMUNITY]),
    )


@source("street_share", _("难事不出街道率"), unit="%")
def street_share(window: Window) -> Spec:
    """Of the matters concluded in the period, the share resolved at street level or below."""
    return RateOf(
        concluded_in(window).exclude(concluded_level=""),
        hit=Q(concluded_level__in=[Level.GRID, Level.COMMUNITY, Level.STREET]),
    )


@source("avg_handling_days", _("平均办理用时"), unit=_("天"))
def avg_handling_days(window: Window) -> Spec:
    """Mean days from acceptance to conclusion of the matters concluded in the period."""
    return DurationOf(concluded_in(window).filter(accepted_at__isnull=False), statistic="mean")


@source("p90_handling_days", _("办理用时（90%分位）"), unit=_("天"))
def p90_handling_days(window: Window) -> Spec:
    """Days within which 90% of the matters concluded in the period were handled."""
    return DurationOf(concluded_in(window).filter(accepted_at__isnull=False), statistic="p90")


@source("satisfaction_rate", _("回访满意率"), unit="%")
def satisfaction_rate(window: Window) -> Spec:
    """Of the matters concluded in the period and followed up, the share rated satisfied
    (3 or more of 5)."""
    return RateOf(
        concluded_in(window).filter(satisfaction__isnull=False),
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
