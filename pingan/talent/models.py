"""Talent development of prosecutor assistants (检察官助理“三阶九转”, M10).

Configuration (stages, transformations, milestones, the study catalogue, point rules and
evaluation weights) is data, seeded from the Xiangtan article and edited in the admin. Each
assistant has one profile; everything recorded about them hangs off it and is written by a
service that also writes a ``ProfileEvent``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.models import BaseModel

from .choices import (
    ActivityKind,
    Dimension,
    EventKind,
    HonourLevel,
    OutcomeKind,
    PointState,
    RecordState,
    StudyTrack,
    TransferState,
    TransferTrack,
)
from .querysets import ProfileQuerySet

# --- configuration -------------------------------------------------------------------------


class Stage(BaseModel):
    """A stage (培养阶段): 初阶, 中阶 or 高阶, with the criteria for moving on to the next.

    Readiness for the next stage is met when every criterion is: months in this stage, confirmed
    milestones of this stage's transformations, approved points, confirmed study items.
    """

    code = models.CharField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=16, unique=True)
    order = models.PositiveSmallIntegerField(_("顺序"), unique=True)
    theme = models.CharField(_("培养方向"), max_length=40, blank=True)
    description = models.TextField(_("说明"), blank=True)
    min_months = models.PositiveSmallIntegerField(_("最短在阶月数"), default=12)
    min_milestones = models.PositiveSmallIntegerField(_("需确认的转化节点数"), default=0)
    min_points = models.DecimalField(
        _("累计积分下限"), max_digits=7, decimal_places=1, default=Decimal("0")
    )
    min_study_items = models.PositiveSmallIntegerField(_("需确认的必研必学项数"), default=0)

    class Meta:
        verbose_name = _("培养阶段")
        verbose_name_plural = _("培养阶段")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Transformation(BaseModel):
    """One of the nine transformations (九转): three per stage, from one way of working to
    the next (学理思维→法理思维 …)."""

    stage = models.ForeignKey(
        Stage, verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="transformations"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    code = models.CharField(_("代码"), max_length=32, unique=True)
    source = models.CharField(_("转化前"), max_length=16)
    target = models.CharField(_("转化后"), max_length=16)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("能力转化")
        verbose_name_plural = _("能力转化")
        ordering = ["stage__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "order"], name="transformation_stage_order"),
        ]

    def __str__(self) -> str:
        return f"{self.source}→{self.target}"


class Milestone(BaseModel):
    """A milestone (转化节点) whose confirmation evidences a transformation."""

    transformation = models.ForeignKey(
        Transformation,
        verbose_name=_("能力转化"),
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("转化节点")
        verbose_name_plural = _("转化节点")
        ordering = ["transformation__stage__order", "transformation__order", "order"]

    def __str__(self) -> str:
        return self.name


class StudyItem(BaseModel):
    """An item of the required-study catalogue (双学制: 政治必研清单 + 业务必学条目)."""

    code = models.CharField(_("编号"), max_length=16, unique=True)
    track = models.CharField(_("类别"), max_length=16, choices=StudyTrack.choices)
    topic = models.CharField(_("领域"), max_length=20)
    title = models.CharField(_("名称"), max_length=80)
    transformation = models.ForeignKey(
        Transformation,
        verbose_name=_("支撑的能力转化"),
        on_delete=models.PROTECT,
        related_name="study_items",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("必研必学项目")
        verbose_name_plural = _("必研必学项目")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PointRule(BaseModel):
    """A rule of the points system (积分规则): what earns (or costs) how many points."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    category = models.CharField(_("类别"), max_length=20)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=1)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.points:+}）"


class EvaluationWeight(BaseModel):
    """The weight of one evaluation dimension in the combined score (多维度评价权重)."""

    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices, unique=True)
    weight = models.DecimalField(
        _("权重"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        verbose_name = _("评价权重")
        verbose_name_plural = _("评价权重")
        ordering = ["dimension"]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.weight}"


# --- organisation ----------------------------------------------------------------------------


class Department(BaseModel):
    """A department (内设部门) of a procuratorate, with its head (部门负责人)."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所属院"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("名称"), max_length=40)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("部门负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    is_business = models.BooleanField(_("业务部门"), default=True)

    class Meta:
        verbose_name = _("内设部门")
        verbose_name_plural = _("内设部门")
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Cohort(BaseModel):
    """A cohort (培养批次): assistants ranked against each other."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所属院"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("名称"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        verbose_name = _("培养批次")
        verbose_name_plural = _("培养批次")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="cohort_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# --- the person ------------------------------------------------------------------------------


class Profile(BaseModel):
    """A prosecutor assistant's development record (检察官助理培养档案).

    ``version`` guards edits of the profile itself (stage, mentor) against lost updates.
    """

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检察官助理"),
        on_delete=models.PROTECT,
        related_name="talent_profile",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("所属院"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所在部门"), on_delete=models.PROTECT, related_name="profiles"
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("培养批次"), on_delete=models.PROTECT, related_name="profiles"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("带教导师"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentees",
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("当前阶段"), on_delete=models.PROTECT, related_name="profiles"
    )
    stage_entered_on = models.DateField(_("进入本阶段日期"))
    joined_on = models.DateField(_("入职日期"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("培养档案")
        verbose_name_plural = _("培养档案")
        ordering = ["cohort", "staff__name"]
        indexes = [models.Index(fields=["stage", "department"], name="profile_stage_dept_idx")]

    def __str__(self) -> str:
        return str(self.staff)


class ProfileEvent(models.Model):
    """One line of a profile's timeline: who did what, when and why."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField(_("内容"), max_length=200)
    reason = models.TextField(_("理由"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("培养记录")
        verbose_name_plural = _("培养记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary


class StageChange(models.Model):
    """A change of stage (阶段变更) with its reason; a skip carries an override reason."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("原阶段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("新阶段"), on_delete=models.PROTECT, related_name="+"
    )
    changed_on = models.DateField(_("变更日期"))
    reason = models.TextField(_("理由"))
    override_reason = models.TextField(_("破格理由"), blank=True)
    readiness = models.JSONField(_("当时的晋阶条件"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.profile} → {self.to_stage}"


class _ConfirmedRecord(BaseModel):
    """A record the assistant or mentor enters and the mentor confirms."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="+"
    )
    completed_on = models.DateField(_("完成日期"))
    evidence = models.TextField(_("佐证材料"))
    state = models.CharField(
        _("状态"), max_length=16, choices=RecordState.choices, default=RecordState.SUBMITTED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        abstract = True


class StudyRecord(_ConfirmedRecord):
    """Completion of one required-study item, with date and evidence, confirmed by the mentor."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="study_records"
    )
    item = models.ForeignKey(
        StudyItem, verbose_name=_("学习项目"), on_delete=models.PROTECT, related_name="records"
    )

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        ordering = ["item__order"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "item"], name="study_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.item}"


class MilestoneRecord(_ConfirmedRecord):
    """A milestone reached, with date and evidence, confirmed by the mentor."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="milestone_records"
    )
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("转化节点"), on_delete=models.PROTECT, related_name="records"
    )

    class Meta:
        verbose_name = _("节点记录")
        verbose_name_plural = _("节点记录")
        ordering = ["milestone__order"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "milestone"], name="milestone_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.milestone}"


class Rotation(BaseModel):
    """A rotation (轮岗) through a department for a period, with the number of cases the
    assistant must assist in. Assisted cases are those linked from the case system plus those
    entered by hand (cases handled outside it)."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="rotations"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("轮岗部门"), on_delete=models.PROTECT, related_name="rotations"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    required_cases = models.PositiveSmallIntegerField(_("要求协助办案数"))
    entered_cases = models.PositiveSmallIntegerField(
        _("系统外协助办案数"), default=0, help_text=_("未在本系统登记的案件，按实际数录入。")
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("关联事项"), blank=True, related_name="talent_rotations"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("轮岗")
        verbose_name_plural = _("轮岗")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="rotation_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} · {self.department}"


class Activity(BaseModel):
    """Practice, a competition or a piece of written work (团队对垒, 业务竞赛, 检察建议 …)."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=ActivityKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    occurred_on = models.DateField(_("日期"))
    level = models.CharField(
        _("级别"), max_length=16, choices=HonourLevel.choices, default=HonourLevel.INSTITUTION
    )
    result = models.CharField(_("结果"), max_length=40, blank=True)
    evidence = models.TextField(_("佐证材料"))
    transformation = models.ForeignKey(
        Transformation,
        verbose_name=_("佐证的能力转化"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("实践与竞赛")
        verbose_name_plural = _("实践与竞赛")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title


class PointEntry(BaseModel):
    """An entry of the points ledger (积分台账): rule, evidence, who submitted, who approved.

    Only approved entries count; nobody approves an entry they submitted or that is their own.
    """

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="point_entries"
    )
    rule = models.ForeignKey(
        PointRule, verbose_name=_("积分规则"), on_delete=models.PROTECT, related_name="entries"
    )
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=1)
    occurred_on = models.DateField(_("发生日期"))
    evidence = models.TextField(_("佐证材料"))
    state = models.CharField(
        _("状态"), max_length=16, choices=PointState.choices, default=PointState.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["profile", "state"], name="point_profile_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver=models.F("submitted_by")), name="point_not_self_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.rule.name} {self.points:+}"


class Evaluation(BaseModel):
    """One score of the multi-dimensional evaluation (多维度评价) for a period."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="evaluations"
    )
    period = models.CharField(_("考评周期"), max_length=16)
    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(
        _("分数"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    comment = models.CharField(_("评语"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("多维评价")
        verbose_name_plural = _("多维评价")
        ordering = ["period", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "period", "evaluator"], name="evaluation_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.period} {self.get_dimension_display()} {self.score}"


class Transfer(BaseModel):
    """A step on a transfer track (多轨转任): to prosecutor selection or judicial admin."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="transfers"
    )
    track = models.CharField(_("转任通道"), max_length=16, choices=TransferTrack.choices)
    state = models.CharField(_("状态"), max_length=16, choices=TransferState.choices)
    decided_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("转任记录")
        verbose_name_plural = _("转任记录")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.profile} {self.get_track_display()} {self.get_state_display()}"


class Outcome(BaseModel):
    """A recognised outcome (培养成效): a 标兵能手 title or an entry to a talent pool."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=OutcomeKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=HonourLevel.choices)
    title = models.CharField(_("名称"), max_length=100)
    awarded_on = models.DateField(_("日期"))
    evidence = models.TextField(_("佐证材料"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("培养成效")
        verbose_name_plural = _("培养成效")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return self.title
