"""The corrections' panels on the home page (``pingan.core.home``): a prison's coming releases
and open files, the auditor's files, and the receiving side's people still to report."""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.calendar import local_date
from pingan.core.home import Panel, Tile, link, panel
from pingan.orgs.choices import RoleCode

from .choices import FileState, ReleaseState
from .models import EvidenceFile, Release
from .querysets import RECEIVING_ROLES

# "coming releases": the prison prepares a hand-over this many days ahead
COMING_DAYS = 30


def _files_tile(user) -> Tile:
    open_files = EvidenceFile.objects.visible_to(user).filter(state=FileState.OPEN).count()
    return Tile(
        _("审核中的减假暂案卷"),
        open_files,
        link("corrections:file-list", state=FileState.OPEN),
        key="open-files",
    )


@panel(RoleCode.PRISON_OFFICER, order=5)
def prison(user, *, now: datetime) -> Panel:
    today = local_date(now)
    until = today + timedelta(days=COMING_DAYS)
    counts = (
        Release.objects.visible_to(user)
        .filter(Q(release_date__range=(today, until)) | Q(state=ReleaseState.NO_SHOW))
        .aggregate(
            coming=Count("id", filter=Q(release_date__range=(today, until))),
            no_show=Count("id", filter=Q(state=ReleaseState.NO_SHOW)),
        )
    )
    return Panel(
        key="prison",
        title=_("刑释衔接与减假暂审核"),
        tiles=(
            Tile(
                _("30天内释放"),
                counts["coming"],
                link(
                    "corrections:release-list",
                    released_from=today.isoformat(),
                    released_to=until.isoformat(),
                ),
                key="coming",
            ),
            Tile(
                _("释放后未报到"),
                counts["no_show"],
                link("corrections:release-list", state=ReleaseState.NO_SHOW),
                tone="danger",
            ),
            _files_tile(user),
        ),
        buttons=(
            (_("登记释放人员"), reverse("corrections:release-new"), "person-plus"),
            (_("新建减假暂案卷"), reverse("corrections:file-new"), "folder-plus"),
        ),
    )


@panel(RoleCode.AUDITOR, order=5)
def oversight(user, *, now: datetime) -> Panel:
    return Panel(key="oversight", title=_("执法监督"), tiles=(_files_tile(user),))


@panel(*RECEIVING_ROLES, order=30)
def receiving(user, *, now: datetime) -> Panel | None:
    """Released people bound for the user's area who have not reported yet; nothing to show
    when none are (a panel of zeros for a district that receives few)."""
    counts = (
        Release.objects.visible_to(user)
        .filter(state__in=(ReleaseState.NOTIFIED, ReleaseState.NO_SHOW))
        .aggregate(
            notified=Count("id", filter=Q(state=ReleaseState.NOTIFIED)),
            no_show=Count("id", filter=Q(state=ReleaseState.NO_SHOW)),
        )
    )
    if not (counts["notified"] or counts["no_show"]):
        return None
    return Panel(
        key="receiving",
        title=_("刑释人员衔接"),
        tiles=(
            Tile(
                _("待报到"),
                counts["notified"],
                link("corrections:release-list", state=ReleaseState.NOTIFIED),
            ),
            Tile(
                _("未报到"),
                counts["no_show"],
                link("corrections:release-list", state=ReleaseState.NO_SHOW),
                tone="danger",
            ),
        ),
    )
