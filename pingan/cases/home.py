"""The cases' panels on the home page (``pingan.core.home``): the window's intake, a handler's
own cases by deadline, the dispatcher's desk and the leader's decisions and results."""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.calendar import local_date
from pingan.core.home import Panel, Row, Tile, link, panel
from pingan.orgs import selectors as org_selectors
from pingan.orgs.choices import RoleCode

from . import selectors
from .choices import CLOCK_STATES, State
from .filtersets import apply_tab
from .models import Case

# how many of a handler's own cases the panel lists, most urgent first
MY_CASES_SHOWN = 8


def _colours(cases, *, now: datetime) -> dict[str, int]:
    """Running, due-soon and overdue counts of ``cases`` (three counts), with the same tests
    as the queue's colour filter (``CaseQuerySet.of_colour``), so each count is its list's."""
    return {
        key: cases.of_colour(colour, now=now).count() if colour else cases.running().count()
        for key, colour in (("running", ""), ("yellow", "yellow"), ("red", "red"))
    }


@panel(RoleCode.RECEPTIONIST, order=10)
def intake(user, *, now: datetime) -> Panel:
    """窗口受理: what the clerk registered today, and the area's cases still to be accepted."""
    today = local_date(now)
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    mine = apply_tab(Case.objects.visible_to(user), "mine", user)
    # today's or unfinished: the clerk's older, finished cases are not read
    counts = mine.filter(
        Q(registered_at__gte=midnight) | Q(state__in=[*CLOCK_STATES, State.REGISTERED])
    ).aggregate(
        today=Count("id", filter=Q(registered_at__gte=midnight)),
        unfinished=Count("id", filter=Q(state__in=[*CLOCK_STATES, State.REGISTERED])),
    )
    waiting = Case.objects.visible_to(user).filter(state=State.REGISTERED).count()
    return Panel(
        key="intake",
        title=_("窗口受理"),
        tiles=(
            Tile(
                _("今日登记"),
                counts["today"],
                link("cases:queue", tab="mine", registered_after=today.isoformat()),
                key="today",
            ),
            Tile(
                _("我登记未办结"),
                counts["unfinished"],
                link("cases:queue", tab="mine", state="open"),
            ),
            Tile(
                _("辖区待受理"),
                waiting,
                link("cases:queue", tab="area", state="registered"),
                tone="warning",
                key="waiting",
            ),
        ),
        buttons=((_("登记事项"), reverse("cases:case-new"), "plus-square"),),
    )


@panel(RoleCode.MEDIATOR, RoleCode.OFFICER, order=10)
def my_cases(user, *, now: datetime) -> Panel:
    """我的事项: the cases the user handles, the most urgent first, with their deadlines."""
    mine = Case.objects.visible_to(user).filter(handler=user)
    counts = _colours(mine, now=now)
    words = selectors.DeadlineWords(now=now)
    urgent = [
        words.label(case)
        for case in mine.running()
        .select_related("category")
        .order_by("due_at", "id")[:MY_CASES_SHOWN]
    ]
    return Panel(
        key="my-cases",
        title=_("我承办的事项"),
        tiles=(
            Tile(
                _("在办"),
                counts["running"],
                link("cases:queue", tab="mine", state="open"),
                key="running",
            ),
            Tile(
                _("临期"),
                counts["yellow"],
                link("cases:queue", tab="mine", colour="yellow"),
                tone="warning",
            ),
            Tile(
                _("超期"),
                counts["red"],
                link("cases:queue", tab="mine", colour="red"),
                tone="danger",
                key="red",
            ),
        ),
        rows=tuple(
            Row(
                title=f"{case.number} {case.title}",
                detail=f"{case.category.name} · {case.get_state_display()}",
                url=reverse("cases:case-detail", args=[case.number]),
                badge=case.deadline_text,
                colour=case.colour,
            )
            for case in urgent
        ),
        empty=_("您手上没有在办事项。"),
        more=(_("全部我的事项"), link("cases:queue", tab="mine"))
        if counts["running"] > len(urgent)
        else None,
    )


@panel(RoleCode.DISPATCHER, order=10)
def dispatch(user, *, now: datetime) -> Panel:
    """调度台: the area's cases nobody has accepted or taken on, and its late ones."""

    def compute() -> dict:
        area = Case.objects.visible_to(user)
        counts = area.filter(state__in=[State.REGISTERED, State.ACCEPTED]).aggregate(
            registered=Count("id", filter=Q(state=State.REGISTERED)),
            accepted=Count("id", filter=Q(state=State.ACCEPTED)),
        )
        return {**counts, **_colours(area, now=now)}

    # a district's counts scan its whole register: kept a minute per scope, like the tiles
    counts = selectors.kept_for_scope(
        user, "dispatch", [], compute, seconds=selectors.TILES_CACHE_SECONDS, now=now
    )
    return Panel(
        key="dispatch",
        title=_("调度台"),
        tiles=(
            Tile(
                _("待受理"),
                counts["registered"],
                link("cases:queue", tab="area", state="registered"),
                tone="warning",
                key="registered",
            ),
            Tile(
                _("已受理待交办"),
                counts["accepted"],
                link("cases:queue", tab="area", state=State.ACCEPTED),
                tone="warning",
            ),
            Tile(
                _("临期"),
                counts["yellow"],
                link("cases:queue", tab="area", colour="yellow"),
                tone="warning",
            ),
            Tile(
                _("超期"),
                counts["red"],
                link("cases:queue", tab="area", colour="red"),
                tone="danger",
                key="red",
            ),
        ),
    )


@panel(RoleCode.LEADER, order=10)
def results(user, *, now: datetime) -> Panel:
    """化解成效: where the year's concluded cases were settled (the funnel page's default
    question, so both share one computation)."""
    today = local_date(now)
    roots = org_selectors.scope_roots(user)
    tz = now.tzinfo
    figures = selectors.funnel_figures(
        user=user,
        area=roots[0] if len(roots) == 1 else None,
        start=datetime.combine(today - timedelta(days=365), datetime.min.time(), tz),
        end=datetime.combine(today + timedelta(days=1), datetime.min.time(), tz),
        now=now,
    )
    stats = figures["stats"]
    funnel = reverse("cases:funnel")

    def share(value) -> str:
        return "—" if value is None else f"{value:.0%}"

    return Panel(
        key="results",
        title=_("近一年化解成效"),
        tiles=(
            Tile(_("办结"), stats["total"], funnel, key="concluded"),
            Tile(_("小事不出社区"), share(stats["community_share"]), funnel),
            Tile(_("难事不出街道"), share(stats["street_share"]), funnel),
        ),
    )
