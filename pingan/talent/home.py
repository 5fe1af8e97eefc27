"""The talent programme's panels on the home page (``pingan.core.home``): an assistant's own
record, and what waits on a mentor's or department head's decision."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.home import Panel, Tile, panel
from pingan.orgs.choices import RoleCode

from . import selectors
from .choices import PointState, RecordState
from .models import PointEntry, Profile, StudyRecord


@panel(RoleCode.ASSISTANT, order=5)
def my_record(user, *, now: datetime) -> Panel | None:
    profile = Profile.objects.filter(staff=user).select_related("stage").first()
    if profile is None:
        return None
    url = reverse("talent:profile", args=[profile.pk])
    study = StudyRecord.objects.filter(profile=profile, state=RecordState.SUBMITTED).count()
    points = PointEntry.objects.filter(profile=profile, state=PointState.PENDING).count()
    return Panel(
        key="my-record",
        title=_("我的培养"),
        tiles=(
            Tile(_("当前阶段"), profile.stage.name, url, key="stage"),
            Tile(_("学习记录待导师确认"), study, url),
            Tile(_("积分待审批"), points, url),
        ),
    )


@panel(RoleCode.MENTOR, RoleCode.DEPARTMENT_HEAD, order=5)
def to_decide(user, *, now: datetime) -> Panel:
    pending = selectors.pending_for(user)
    url = reverse("talent:overview")
    return Panel(
        key="talent-pending",
        title=_("待我审核"),
        tiles=(
            Tile(_("学习记录待确认"), pending["study"], url, tone="warning", key="study"),
            Tile(_("积分待审批"), pending["points"], url, tone="warning", key="points"),
        ),
    )
