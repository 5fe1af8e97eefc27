"""The home page's work panels (首页·我的工作): what waits on each role, first.

Each app declares the panels of the roles it serves in its own ``home`` module, discovered at
start-up the way the admin discovers ``admin`` modules, so the home page knows no app and an
app knows only its own work. A panel is a few counts that link to the filtered lists they
count, and, where the job is a short list (a mediator's cases by deadline), its first rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.orgs.access import role_codes
from pingan.orgs.choices import RoleCode

from .calendar import local_date


@dataclass(frozen=True)
class Tile:
    """One count on a panel; ``tone`` colours it when it is not zero (danger, warning)."""

    label: str
    count: int | str
    url: str
    tone: str = ""
    key: str = ""


@dataclass(frozen=True)
class Row:
    """One line of a panel's short list: a title, a detail line and a coloured badge."""

    title: str
    detail: str
    url: str
    badge: str = ""
    colour: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    tiles: tuple[Tile, ...] = ()
    rows: tuple[Row, ...] = ()
    empty: str = ""
    more: tuple[str, str] | None = None  # (label, url) under the rows
    buttons: tuple[tuple[str, str, str], ...] = ()  # (label, url, icon): the role's main acts


Provider = Callable[..., Panel | None]


def link(route: str, **params) -> str:
    """A tile's address: the list at ``route`` with the filters that give its count."""
    url = reverse(route)
    return f"{url}?{urlencode(params)}" if params else url


_PROVIDERS: list[tuple[int, frozenset[str], Provider]] = []


def panel(*roles: str, order: int) -> Callable[[Provider], Provider]:
    """Declare ``func(user, *, now) -> Panel | None`` as the panel of ``roles``, shown at
    ``order`` (lower first) to anyone holding one of them."""

    def register(func: Provider) -> Provider:
        _PROVIDERS.append((order, frozenset(roles), func))
        return func

    return register


def panels_for(user, *, now: datetime) -> list[Panel]:
    """The panels of the user's roles in their declared order; a panel that two of the user's
    roles share is built once, and a provider may answer None when it has nothing to say."""
    roles = role_codes(user)
    panels = []
    for _order, allowed, provider in sorted(_PROVIDERS, key=lambda item: item[0]):
        if roles & allowed:
            built = provider(user, now=now)
            if built is not None:
                panels.append(built)
    return panels


@panel(RoleCode.SECURITY_AUDITOR, order=5)
def security_audit(user, *, now: datetime) -> Panel:
    """安全审计: today's audit rows and today's full reads of personal data."""
    from .audit_views import personal_data_reads
    from .models import AuditEvent

    today = local_date(now)
    # the local day as a range of the indexed column (a __date lookup would scan the trail)
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    day = {"created_at__gte": start, "created_at__lt": start + timedelta(days=1)}
    rows = AuditEvent.objects.filter(**day).count()
    reads = personal_data_reads(user).filter(**day).count()
    dates = {"after": today.isoformat(), "before": today.isoformat()}
    return Panel(
        key="security-audit",
        title=_("安全审计"),
        tiles=(
            Tile(_("今日审计记录"), rows, link("audit:log", **dates), key="rows"),
            Tile(
                _("今日个人信息完整查看"),
                reads,
                link("audit:personal-data", **dates),
                tone="warning",
            ),
        ),
    )
