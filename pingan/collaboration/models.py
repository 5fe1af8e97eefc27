"""Collaboration (协同联动): duty rosters of stationed agencies (M3.2), named officers (M4.1),
whistle-and-report (M4.2), safety talks (M5.1) and the four lists (M5.2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.models import BaseModel
from pingan.orgs.choices import Level

from .choices import OfficerKind, ProgressKind, ResultRating, SummonsState, TalkMode
from .querysets import (
    DutyShiftQuerySet,
    NamedOfficerQuerySet,
    ProblemQuerySet,
    SafetyTalkQuerySet,
    TaskQuerySet,
    WhistleCallQuerySet,
    WhistleSummonsQuerySet,
)


class DutyShift(models.Model):
    """One agency on duty at a center for one day (值班): the duty roster, row by row.

    Permanent agencies (常驻) have a shift every working day, rotating ones (轮驻) in turn; an
    agency is in one place a day, which the database guarantees.
    """

    center = models.ForeignKey(
        "orgs.Unit", verbose_name=_("中心"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    agency = models.ForeignKey(
        "orgs.Unit", verbose_name=_("入驻单位"), on_delete=models.PROTECT, related_name="shifts"
    )
    date = models.DateField(_("值班日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排班人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("排班时间"), auto_now_add=True)

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["date", "center", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "date"], name="duty_one_place_a_day"),
        ]
        indexes = [models.Index(fields=["center", "date"], name="duty_center_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.agency_id}@{self.center_id}"


class NamedOfficer(BaseModel):
    """An officer assigned by name to a street (实名制下沉, M4.1): a judge, prosecutor, police
    officer or lawyer (三官一师), for a period of assignment."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("干警"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    kind = models.CharField(_("类别"), max_length=16, choices=OfficerKind.choices)
    street = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("对接街道"),
        on_delete=models.PROTECT,
        related_name="named_officers",
        limit_choices_to={"level": Level.STREET},
    )
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    starts_on = models.DateField(_("下沉起始"))
    ends_on = models.DateField(_("下沉截止"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = NamedOfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("下沉干警")
        verbose_name_plural = _("下沉干警")
        ordering = ["street__code", "kind", "staff__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="officer_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.staff}"


class WhistleCall(BaseModel):
    """A street blowing the whistle on a hard case (街道吹哨, M4.2): the departments and named
    officers it summons must report (报到) by ``report_by`` and then say what they did."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="whistles"
    )
    street = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("吹哨街道"),
        on_delete=models.PROTECT,
        related_name="whistles",
    )
    area_path = models.CharField(_("区划路径"), max_length=255, db_index=True, editable=False)
    blown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吹哨人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    blown_at = models.DateTimeField(_("吹哨时间"), db_index=True)
    report_by = models.DateTimeField(_("报到时限"))
    reason = models.TextField(_("需要协同的事项"))
    result = models.TextField(_("协同结果"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = WhistleCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-blown_at", "-id"]
        indexes = [models.Index(fields=["street", "blown_at"], name="whistle_street_time_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.blown_at:%Y-%m-%d %H:%M}"


class WhistleSummons(BaseModel):
    """One party summoned by a whistle (报到): a department, or a named officer of one.

    ``unit`` is always the responding department (a named officer's own unit), so response
    figures group by department either way.
    """

    call = models.ForeignKey(
        WhistleCall, verbose_name=_("吹哨"), on_delete=models.CASCADE, related_name="summonses"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("报到部门"), on_delete=models.PROTECT, related_name="summonses"
    )
    officer = models.ForeignKey(
        NamedOfficer,
        verbose_name=_("下沉干警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="summonses",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=SummonsState.choices, default=SummonsState.SUMMONED
    )
    acknowledged_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报到人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    report = models.TextField(_("处置情况"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = WhistleSummonsQuerySet.as_manager()

    class Meta:
        verbose_name = _("报到")
        verbose_name_plural = _("报到")
        ordering = ["call", "id"]
        indexes = [models.Index(fields=["unit", "state"], name="summons_unit_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "unit"],
                condition=Q(officer__isnull=True),
                name="summons_unit_once_per_call",
            ),
            models.UniqueConstraint(
                fields=["call", "officer"],
                condition=Q(officer__isnull=False),
                name="summons_officer_once_per_call",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.unit_id} {self.get_state_display()}"


class WhistleEscalation(models.Model):
    """A late-acknowledgement notice (报到超时督办): tier 1 to the summoned department's
    leaders at the deadline, tier 2 to the level above later. One per summons and tier, which
    makes the sweep idempotent at the database level."""

    summons = models.ForeignKey(
        WhistleSummons, on_delete=models.CASCADE, related_name="escalations"
    )
    tier = models.PositiveSmallIntegerField(_("督办级次"))
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("督办对象单位"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("督办时间"), db_index=True)

    class Meta:
        verbose_name = _("报到督办")
        verbose_name_plural = _("报到督办")
        constraints = [
            models.UniqueConstraint(fields=["summons", "tier"], name="whistle_escalation_once"),
        ]

    def __str__(self) -> str:
        return str(_("%(summons)s 督办%(tier)s")) % {"summons": self.summons_id, "tier": self.tier}


class SafetyTalk(BaseModel):
    """A safety talk (平安恳谈, M5.1) held in a street, and who took part."""

    mode = models.CharField(_("恳谈方式"), max_length=16, choices=TalkMode.choices)
    held_on = models.DateField(_("恳谈日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=100)
    street = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("街道"),
        on_delete=models.PROTECT,
        related_name="safety_talks",
        limit_choices_to={"level": Level.STREET},
    )
    area_path = models.CharField(_("区划路径"), max_length=255, db_index=True, editable=False)
    topic = models.CharField(_("主题"), max_length=100)
    district_leaders = models.CharField(_("区级政法单位领导"), max_length=200, blank=True)
    street_members = models.CharField(_("街道政法委员"), max_length=200, blank=True)
    officers = models.ManyToManyField(
        NamedOfficer, verbose_name=_("三官一师"), blank=True, related_name="talks"
    )
    resident_count = models.PositiveIntegerField(_("居民人数"), default=0)
    summary = models.TextField(_("恳谈纪要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = SafetyTalkQuerySet.as_manager()

    class Meta:
        verbose_name = _("平安恳谈")
        verbose_name_plural = _("平安恳谈")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class Problem(BaseModel):
    """A problem raised at a safety talk (问题清单); it can also become a case in one step."""

    talk = models.ForeignKey(
        SafetyTalk, verbose_name=_("恳谈"), on_delete=models.CASCADE, related_name="problems"
    )
    description = models.TextField(_("问题描述"))
    raised_by = models.CharField(_("提出人"), max_length=60, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("转立事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_problem",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题清单")
        verbose_name_plural = _("问题清单")
        ordering = ["talk", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class Task(BaseModel):
    """A task analysed out of a problem (任务清单): an owner unit and a deadline; ``done_at``
    is set when the review records its result."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="tasks"
    )
    description = models.TextField(_("任务内容"))
    owner = models.ForeignKey(
        "orgs.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="tasks"
    )
    deadline = models.DateField(_("完成时限"), db_index=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务清单")
        verbose_name_plural = _("任务清单")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class TaskProgress(models.Model):
    """An entry of the implementation list (落实清单): progress reported, or supervision."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="progress"
    )
    kind = models.CharField(
        _("类型"), max_length=16, choices=ProgressKind.choices, default=ProgressKind.PROGRESS
    )
    note = models.TextField(_("落实情况"))
    deadline = models.DateField(
        _("针对的时限"), null=True, blank=True, help_text=_("督办时任务的完成时限。")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), db_index=True)

    class Meta:
        verbose_name = _("落实清单")
        verbose_name_plural = _("落实清单")
        ordering = ["task", "recorded_at", "id"]
        constraints = [
            # the overdue sweep supervises a task once per deadline
            models.UniqueConstraint(
                fields=["task", "deadline"],
                condition=Q(kind="supervision"),
                name="task_supervised_once_per_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.note[:40]


class TaskResult(models.Model):
    """The reviewed result of a task (成效清单), with its evidence."""

    task = models.OneToOneField(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="result"
    )
    rating = models.CharField(_("成效"), max_length=16, choices=ResultRating.choices)
    summary = models.TextField(_("成效说明"))
    evidence = models.TextField(_("佐证材料"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复盘人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复盘时间"), db_index=True)

    class Meta:
        verbose_name = _("成效清单")
        verbose_name_plural = _("成效清单")
        constraints = [
            models.CheckConstraint(condition=~Q(evidence=""), name="result_needs_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.get_rating_display()}"
