"""The whistles' panel on the home page (``pingan.core.home``): summonses waiting on the user
(报到 and feedback) and the area's late ones."""

from datetime import datetime

from django.utils.translation import gettext as _

from pingan.core.home import Panel, Tile, link, panel
from pingan.orgs.choices import RoleCode

from .choices import SummonsState
from .models import WhistleCall, WhistleSummons


@panel(RoleCode.DISPATCHER, RoleCode.LEADER, RoleCode.OFFICER, order=20)
def whistles(user, *, now: datetime) -> Panel:
    mine = WhistleSummons.objects.addressed_to(user)
    to_report = mine.filter(state=SummonsState.SUMMONED).values("call_id").distinct().count()
    to_answer = mine.filter(state=SummonsState.ACKNOWLEDGED).values("call_id").distinct().count()
    late = (
        WhistleCall.objects.visible_to(user)
        .filter(pk__in=WhistleSummons.objects.late(now=now).values("call_id"))
        .count()
    )
    return Panel(
        key="whistles",
        title=_("吹哨报到"),
        tiles=(
            Tile(
                _("召集我的待报到"),
                to_report,
                link("collaboration:whistles", tab="mine"),
                tone="danger",
            ),
            Tile(
                _("已报到待反馈"),
                to_answer,
                link("collaboration:whistles", tab="mine"),
                tone="warning",
            ),
            Tile(
                _("辖区报到超时"),
                late,
                link("collaboration:whistles", tab="late"),
                tone="danger",
                key="late",
            ),
        ),
    )
