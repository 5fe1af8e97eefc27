"""The grid worker's panel on the home page (``pingan.core.home``): today's patrol, the report
button, and what is open in their grids."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.choices import OPEN_STATES
from pingan.cases.models import Case
from pingan.core.calendar import local_date
from pingan.core.home import Panel, Tile, link, panel
from pingan.orgs.choices import Level, RoleCode

from .models import Patrol, Report

# the window of "recent" reports on the panel, in days
RECENT_DAYS = 7


@panel(RoleCode.GRID_WORKER, order=5)
def patrol_today(user, *, now: datetime) -> Panel:
    today = local_date(now)
    grids = user.grids.filter(level=Level.GRID).count()
    patrolled = Patrol.objects.filter(staff=user, day=today).values("grid_id").distinct().count()
    since = today - timedelta(days=RECENT_DAYS - 1)
    reports = (
        Report.objects.visible_to(user)
        .filter(reported_at__gte=datetime.combine(since, time.min, timezone.get_current_timezone()))
        .aggregate(all=Count("id"), signs=Count("id", filter=Q(is_early_sign=True)))
    )
    open_cases = Case.objects.visible_to(user).filter(state__in=OPEN_STATES).count()
    return Panel(
        key="patrol",
        title=_("今日巡查"),
        tiles=(
            Tile(
                _("今日未巡网格"),
                max(grids - patrolled, 0),
                reverse("patrol:home"),
                tone="warning",
                key="unpatrolled",
            ),
            Tile(
                _("近7天网格上报"),
                reports["all"],
                link("patrol:report-list", reported_after=since.isoformat()),
            ),
            Tile(
                _("近7天苗头隐患"),
                reports["signs"],
                link("patrol:report-list", reported_after=since.isoformat(), is_early_sign="true"),
                tone="warning",
            ),
            Tile(
                _("网格内未办结事项"),
                open_cases,
                link("cases:queue", tab="area", state="open"),
                key="open-cases",
            ),
        ),
        buttons=(
            (_("上报情况"), reverse("patrol:report-new"), "megaphone"),
            (_("开始巡查"), reverse("patrol:home"), "person-walking"),
        ),
    )
