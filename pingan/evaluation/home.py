"""The evaluator's panel on the home page (``pingan.core.home``): entries waiting on a second
person, the reviews assigned to them and the records still to be corrected."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.home import Panel, Tile, link, panel
from pingan.orgs.choices import RoleCode

from .choices import EntryState, ReviewState
from .models import CorrectionItem, ListEntry, ManualEntry, Review


@panel(RoleCode.EVALUATOR, order=10)
def evaluation(user, *, now: datetime) -> Panel:
    # entries someone else entered: the second person's approval (双人审核) is the user's
    entries = sum(
        model.objects.visible_to(user)
        .filter(state=EntryState.PENDING)
        .exclude(entered_by=user)
        .count()
        for model in (ManualEntry, ListEntry)
    )
    reviews = Review.objects.filter(reviewer=user.pk, state=ReviewState.PENDING).count()
    corrections = CorrectionItem.objects.visible_to(user).filter(resolved_at__isnull=True).count()
    return Panel(
        key="evaluation",
        title=_("考评工作"),
        tiles=(
            Tile(
                _("录入待我审核"),
                entries,
                reverse("evaluation:entries"),
                tone="warning",
                key="entries",
            ),
            Tile(_("分配给我的评查"), reviews, reverse("evaluation:reviews"), tone="warning"),
            Tile(_("数据质量待整改"), corrections, link("evaluation:quality", state="open")),
        ),
    )
