"""Reads of cases: work queues, deadline words, the funnel; always through the user's scope."""

import hashlib
import time
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Case as CaseWhen
from django.db.models import Count, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from pingan.core.calendar import local_date, missing_calendar_years, workdays_in
from pingan.orgs.access import has_role, scope_paths
from pingan.orgs.choices import FunctionAreaKind, Level

from . import rules
from .choices import (
    CLOCK_STATES,
    Colour,
    DayType,
    EventKind,
    ExtensionState,
    ReferralState,
    State,
    SupervisionState,
)
from .models import Case, CaseEvent, DeadlineExtension, DeadlinePolicy, Supervision
from .querysets import sees_area_cases, visible_q


def working_policies() -> dict[str, bool]:
    """complexity -> whether its deadline counts working days."""
    return {
        row["complexity"]: row["day_type"] == DayType.WORKING
        for row in DeadlinePolicy.objects.values("complexity", "day_type")
    }


def colour_of(case: Case, now: datetime) -> str:
    if case.state not in CLOCK_STATES or case.due_at is None:
        return Colour.GREY
    if case.due_at < now:
        return Colour.RED
    if case.warn_at and case.warn_at <= now:
        return Colour.YELLOW
    return Colour.GREEN


class DeadlineWords:
    """Colour and words for deadlines (剩余 2 个工作日 / 已超期 3 天) for any number of cases,
    with one query for the policies and one for the working days around today."""

    WINDOW_BEFORE = timedelta(days=400)
    WINDOW_AFTER = timedelta(days=120)

    def __init__(self, *, now: datetime):
        self.now = now
        self.today = local_date(now)
        self._policies: dict[str, bool] | None = None
        self._workdays: set[date] = set()

    def _load(self) -> None:
        if self._policies is None:
            self._policies = working_policies()
            self._workdays = workdays_in(
                first=self.today - self.WINDOW_BEFORE, last=self.today + self.WINDOW_AFTER
            )

    def _count(self, start: date, end: date, working: bool) -> int:
        """Days after ``start`` up to and including ``end`` (working days if asked)."""
        span = (end - start).days
        if not working or span > self.WINDOW_BEFORE.days:
            return span
        return sum(
            1 for offset in range(1, span + 1) if start + timedelta(days=offset) in self._workdays
        )

    def text(self, case: Case) -> str:
        if case.state not in CLOCK_STATES or case.due_at is None:
            return ""
        self._load()
        working = self._policies.get(case.complexity, False)
        due_day = local_date(case.due_at)
        if case.due_at >= self.now:
            left = self._count(self.today, due_day, working)
            if not left:
                return _("今日到期")
            return (_("剩余 %(n)s 个工作日") if working else _("剩余 %(n)s 天")) % {"n": left}
        late = max(1, self._count(due_day, self.today, working))
        return (_("已超期 %(n)s 个工作日") if working else _("已超期 %(n)s 天")) % {"n": late}

    def label(self, case: Case) -> Case:
        case.colour = colour_of(case, self.now)
        case.deadline_text = self.text(case)
        return case


def concluded(
    *, user, start: datetime, end: datetime, area_path: str | None = None, function_area=""
):
    """The cases the user may see concluded in [start, end), inside ``area_path`` and served
    in ``function_area`` when given: what the funnel counts."""
    cases = Case.objects.visible_to(user).filter(concluded_at__gte=start, concluded_at__lt=end)
    if area_path:
        cases = cases.filter(area_path__startswith=area_path)
    if function_area:
        cases = cases.filter(function_area=function_area)
    return cases


# The funnel reads a year of concluded cases (382 ms for the district at 60,000 cases, issue
# 27); its figures move only as cases conclude, so they are kept this long per scope and
# filter, and the page says as of when.
FUNNEL_CACHE_SECONDS = 300


# Figures past their time are kept this many times longer, to be shown while one request
# recomputes them; a request that finds none waits this long for another's computation.
STALE_FACTOR = 12
COLD_WAIT_SECONDS = 15


def kept_for_scope(user, name: str, question: list, compute, *, seconds: int, now) -> dict:
    """``compute()``'s figures (a dict), computed at most once per ``seconds`` for everyone
    of the user's scope asking the same ``question``, with ``as_of``: when they were.

    One request at a time computes them (a lock in the cache): when they are past their time,
    the others are shown the previous figures (with their ``as_of``) meanwhile; when there
    are none yet, the others wait for them. Five district leaders opening the funnel at once
    at city scale computed it five times over on two cores (3 s each alone, 7 s together)."""
    paths = scope_paths(user)
    # whose cases: the scope's areas, and (inside a scope) the unit's own and joint cases
    scope = "*" if paths is None else f"{user.unit_id}|{'|'.join(sorted(paths))}"
    if paths is not None and not sees_area_cases(user):
        scope = f"linked|{user.pk}"  # the cases linked to this user alone
    key = f"{name}:" + hashlib.sha256(repr([scope, *question]).encode()).hexdigest()
    figures = cache.get(key)
    if figures is not None and now < figures["as_of"] + timedelta(seconds=seconds):
        return figures
    lock = f"{key}:computing"
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    # add() is False while another request holds the lock, and None when the cache cannot be
    # reached (Redis down, its errors ignored): then nobody can hold it, so compute at once
    while cache.add(lock, True, COLD_WAIT_SECONDS) is False:
        if figures is not None:
            return figures  # past its time, while another request recomputes
        if time.monotonic() > deadline:
            break  # the other computation is lost or slow: compute here as well
        time.sleep(0.05)
        figures = cache.get(key)
        if figures is not None:
            return figures  # the other request's, just computed
    try:
        figures = {**compute(), "as_of": now}
        cache.set(key, figures, seconds * STALE_FACTOR)
    finally:
        cache.delete(lock)
    return figures


def funnel_figures(
    *, user, start: datetime, end: datetime, area=None, function_area: str = "", now: datetime
) -> dict:
    """The funnel (``funnel``) and its rows per child area (``funnel_by_area``) of the cases
    ``user`` may see, computed at most once per ``FUNNEL_CACHE_SECONDS`` for everyone of the
    same scope asking the same question; ``as_of`` says when they were computed."""

    def compute() -> dict:
        cases = concluded(
            user=user,
            start=start,
            end=end,
            area_path=area.path if area else None,
            function_area=function_area,
        )
        return {
            "stats": funnel(cases=cases),
            "by_area": funnel_by_area(cases=cases, parent=area) if area else [],
        }

    question = [area.path if area else "", function_area, start, end]
    return kept_for_scope(user, "funnel", question, compute, seconds=FUNNEL_CACHE_SECONDS, now=now)


# The home page's case tiles count every case of the scope (34 ms for the district at 60,000
# cases, issue 27); they are kept a minute, and say as of when.
TILES_CACHE_SECONDS = 60


def home_tiles(user, *, now: datetime) -> dict:
    """``queue_counts`` for the home page, kept ``TILES_CACHE_SECONDS`` per scope."""
    return kept_for_scope(
        user,
        "tiles",
        [],
        lambda: queue_counts(user, now=now),
        seconds=TILES_CACHE_SECONDS,
        now=now,
    )


def funnel(*, cases) -> dict:
    """Where the ``concluded`` cases were settled: counts per level, the two headline shares
    小事不出社区 (grid + community) and 难事不出街道 (street or below), and per function area."""
    counts = dict(
        cases.exclude(concluded_level="").values_list("concluded_level").annotate(n=Count("id"))
    )
    total = sum(counts.values())
    per_level = [
        (level, Level(level).label, counts.get(level, 0))
        for level in (Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT)
    ]
    community = counts.get(Level.GRID, 0) + counts.get(Level.COMMUNITY, 0)
    street = community + counts.get(Level.STREET, 0)
    return {
        "total": total,
        "per_level": per_level,
        "community_share": community / total if total else None,
        "street_share": street / total if total else None,
        "per_function_area": _per_function_area(cases),
        **_judicial_backstop(cases),
    }


def _per_function_area(cases) -> list[tuple[str, str, int]]:
    """(area, label, count) of the cases, in the areas' declared order, empty areas left out."""
    counts = dict(cases.values_list("function_area").annotate(n=Count("id")).order_by())
    return [
        (kind, label, counts[kind]) for kind, label in FunctionAreaKind.choices if counts.get(kind)
    ]


def _judicial_backstop(cases) -> dict[str, int]:
    """司法兜底 of the concluded cases, in one aggregate query: how many were handed outside
    (转出), how many of those have the receiving body's result (resolved elsewhere), and how
    many agreements a court confirmed (司法确认)."""
    return cases.aggregate(
        referred=Count("id", filter=Q(referrals__isnull=False), distinct=True),
        resolved_elsewhere=Count(
            "id", filter=Q(referrals__state=ReferralState.RESOLVED), distinct=True
        ),
        confirmed=Count("id", filter=Q(judicially_confirmed=True), distinct=True),
    )


def queue_counts(user, *, now: datetime) -> dict:
    """Counts for the work-queue tabs and colour chips, in one aggregate query over the open
    cases only (every count is of open ones; the scope's history is not read)."""
    base = Case.objects.visible_to(user).filter(state__in=[*CLOCK_STATES, State.REGISTERED])
    running = Q(state__in=CLOCK_STATES)
    return base.aggregate(
        open=Count("id", filter=Q(state__in=[*CLOCK_STATES, State.REGISTERED])),
        red=Count("id", filter=running & Q(due_at__lt=now)),
        yellow=Count("id", filter=running & Q(warn_at__lte=now, due_at__gte=now)),
        registered=Count("id", filter=Q(state=State.REGISTERED)),
    )


def calendar_warning(*, now: datetime) -> dict | None:
    """Tell the administrator which years' official holiday schedules are missing, and how
    many running deadlines are provisional because of it (M2.3). None when all is in place."""
    today = local_date(now)
    # The State Council publishes next year's schedule in November; ask from October on.
    years = [today.year, today.year + 1] if today.month >= 10 else [today.year]
    missing = missing_calendar_years(years)
    provisional = Case.objects.running().filter(due_provisional=True).count()
    if not missing and not provisional:
        return None
    return {"years": missing, "provisional": provisional}


def funnel_by_area(*, cases, parent) -> list[dict]:
    """The two headline shares of the ``concluded`` cases for each child area of ``parent``
    (a street per row for the district, a community per row for a street), in one aggregate
    query."""
    children = list(
        parent.children.filter(level__in=[Level.STREET, Level.COMMUNITY])
        .order_by("code")
        .values("code", "name", "path")
    )
    if not children:
        return []
    counts = {}
    for child in children:
        inside = Q(area_path__startswith=child["path"])
        counts[f"{child['code']}_all"] = Count("id", filter=inside & ~Q(concluded_level=""))
        counts[f"{child['code']}_community"] = Count(
            "id", filter=inside & Q(concluded_level__in=[Level.GRID, Level.COMMUNITY])
        )
        counts[f"{child['code']}_street"] = Count(
            "id",
            filter=inside & Q(concluded_level__in=[Level.GRID, Level.COMMUNITY, Level.STREET]),
        )
    totals = cases.aggregate(**counts)
    rows = []
    for child in children:
        total = totals[f"{child['code']}_all"]
        rows.append(
            {
                "code": child["code"],
                "name": child["name"],
                "total": total,
                "community_share": totals[f"{child['code']}_community"] / total if total else None,
                "street_share": totals[f"{child['code']}_street"] / total if total else None,
            }
        )
    return rows


def pending_extensions(user):
    """Extension requests (延期申请) awaiting a decision on cases the user may see, oldest
    first: a leader's approvals queue (M2.3)."""
    pending = DeadlineExtension.objects.filter(state=ExtensionState.PENDING)
    visible = visible_q(user, "case__")
    return (
        (pending if visible is None else pending.filter(visible))
        .select_related("case__handling_unit", "requested_by")
        .order_by("created_at", "id")
    )


def escalations_to_take(user):
    """Cases escalated (上提) to the user's unit that nobody there has taken on yet (no
    handler): the receiving center's leaders see them beside the extensions to decide."""
    return (
        Case.objects.running()
        .filter(handling_unit_id=user.unit_id, handler__isnull=True)
        # checked per candidate (few: the unit's running cases nobody holds) through the
        # events' case index, not by gathering every escalation to the unit first
        .filter(
            Exists(
                CaseEvent.objects.filter(
                    case_id=OuterRef("pk"), kind=EventKind.ESCALATE, unit_id=user.unit_id
                )
            )
        )
        .select_related("handling_unit", "category", "grid")
        .order_by("due_at", "id")
    )


SUPERVISION_BOXES = ("mine", "issued")


def supervisions(user, *, box: str = "mine", state: str = ""):
    """督办单 lists, open ones first, then the newest. ``mine`` (督办我的): orders on the
    user's unit or on cases the user handles; ``issued`` (我督办的): orders the user's unit
    supervises or the user issued by hand."""
    if box == "issued":
        who = Q(unit_id=user.unit_id) | Q(issued_by=user)
    else:
        who = Q(supervised_unit_id=user.unit_id) | Q(case__handler=user)
    orders = Supervision.objects.filter(who)
    if state:
        orders = orders.filter(state=state)
    waiting = CaseWhen(
        When(state=SupervisionState.OPEN, then=Value(0)),
        When(state=SupervisionState.ANSWERED, then=Value(1)),
        default=Value(2),
    )
    return orders.select_related(
        "case__handling_unit", "unit", "supervised_unit", "issued_by", "answered_by"
    ).order_by(waiting, "-issued_at", "-id")


def supervision_counts(user) -> dict[str, int]:
    """What waits on the user: orders to answer (督办我的, open) and to close (我督办的,
    answered): two counts in one query each, for the menu and the home page."""
    return {
        "to_answer": supervisions(user, box="mine", state=SupervisionState.OPEN).count(),
        "to_close": supervisions(user, box="issued", state=SupervisionState.ANSWERED).count(),
    }


def waiting_on(user) -> dict[str, int]:
    """What waits on the user, for the home page: extension requests to decide (leaders),
    supervision orders to answer and answered ones to close."""
    counts = supervision_counts(user)
    if has_role(user, *rules.CASE.roles("extension_decide")):
        counts["approvals"] = pending_extensions(user).count()
        counts["escalations"] = escalations_to_take(user).count()
    return counts
