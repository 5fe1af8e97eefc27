"""Evaluation (考评, M9): schemes of indicators, scores, manual entries and lists, case-quality
review, the daily data-quality scan and the quarterly analysis report."""

from datetime import date, datetime, time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pingan.core.calendar import LOCAL_TZ
from pingan.core.models import BaseModel
from pingan.orgs.choices import RoleCode

from .choices import (
    DEFAULT_DIMENSION_WEIGHTS,
    Dimension,
    Direction,
    EntryState,
    Grade,
    ListKind,
    PlanKind,
    ReviewState,
    Rule,
    SchemeState,
    SubjectKind,
)
from .querysets import (
    CorrectionItemQuerySet,
    ReportQuerySet,
    ReviewQuerySet,
    SubjectQuerySet,
)


def period_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """The period as [start, end) in Beijing time; quarter 0 is the whole year."""
    if quarter:
        first = date(year, 3 * quarter - 2, 1)
        last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    else:
        first, last = date(year, 1, 1), date(year + 1, 1, 1)
    return (
        datetime.combine(first, time.min, tzinfo=LOCAL_TZ),
        datetime.combine(last, time.min, tzinfo=LOCAL_TZ),
    )


def period_label(year: int, quarter: int) -> str:
    if quarter:
        return gettext("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}
    return gettext("%(year)s年度") % {"year": year}


class Scheme(BaseModel):
    """An evaluation scheme (考评方案) for one period and one kind of subject.

    A published scheme never changes: a change is a new version (``scheme_revise``) that states
    its reason, and publishing it supersedes the old one, so a running period's rules cannot
    change silently and every score names the version it was computed with.
    """

    name = models.CharField(_("方案名称"), max_length=80)
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), default=0, validators=[MaxValueValidator(4)], help_text=_("0 表示全年。")
    )
    subject_kind = models.CharField(_("考评对象"), max_length=16, choices=SubjectKind.choices)
    role = models.CharField(
        _("人员角色"), max_length=24, choices=RoleCode.choices, blank=True, default=""
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    state = models.CharField(
        _("状态"), max_length=16, choices=SchemeState.choices, default=SchemeState.DRAFT
    )
    dimension_weights = models.JSONField(_("维度权重"), default=dict)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    revision_reason = models.TextField(_("修订理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    edit_version = models.PositiveIntegerField(_("编辑版本"), default=1)

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["-year", "-quarter", "subject_kind", "role", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "subject_kind", "role", "version"],
                name="scheme_unique_version",
            ),
            models.UniqueConstraint(
                fields=["year", "quarter", "subject_kind", "role"],
                condition=Q(state="published"),
                name="scheme_one_published",
            ),
            models.CheckConstraint(
                condition=Q(subject_kind__in=["street", "unit"], role="")
                | Q(subject_kind="person") & ~Q(role=""),
                name="scheme_role_only_for_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def period(self) -> tuple[datetime, datetime]:
        return period_bounds(self.year, self.quarter)

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.quarter)

    @property
    def is_editable(self) -> bool:
        return self.state == SchemeState.DRAFT

    def weight_of(self, dimension: str) -> float:
        weights = self.dimension_weights or DEFAULT_DIMENSION_WEIGHTS
        return float(weights.get(dimension, 0))

    def dimensions(self) -> list[tuple[str, str, float]]:
        return [(code, label, self.weight_of(code)) for code, label in Dimension.choices]


class Indicator(BaseModel):
    """An indicator (考评指标) of a scheme: its weight, direction, target, rule and source."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices)
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=60)
    weight = models.DecimalField(
        _("分值"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    direction = models.CharField(
        _("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    rule = models.CharField(_("计分规则"), max_length=16, choices=Rule.choices)
    target = models.DecimalField(
        _("目标值"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    bands = models.JSONField(
        _("分档"),
        default=list,
        blank=True,
        help_text=_("分档计分用：[[门槛值, 得分比例], …]，如 [[0.95, 1], [0.9, 0.8]]。"),
    )
    points_per_event = models.DecimalField(
        _("每次分值"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("数据来源"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["scheme", "dimension", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class ScoreRun(models.Model):
    """One computation of a scheme's scores (评分快照), with its input window."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    window_start = models.DateTimeField(_("统计起"))
    window_end = models.DateTimeField(_("统计止"))
    computed_at = models.DateTimeField(_("计算时间"), db_index=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_count = models.PositiveIntegerField(_("对象数"), default=0)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("评分快照")
        verbose_name_plural = _("评分快照")
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scheme} @ {self.computed_at:%Y-%m-%d %H:%M}"


class SubjectScore(models.Model):
    """A subject's score in one run: per dimension, total and rank (得分与排名).

    ``subject_path`` is the org-tree path that scopes who may see it: the street's own path,
    the division a unit sits at, or the division of the person's unit.
    """

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="subjects")
    division = models.ForeignKey(
        "orgs.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_scores",
    )
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_name = models.CharField(_("考评对象"), max_length=100)
    subject_path = models.CharField(_("区划路径"), max_length=255, db_index=True)
    function_points = models.DecimalField(_("职能发挥"), max_digits=8, decimal_places=2)
    efficacy_points = models.DecimalField(_("履职效能"), max_digits=8, decimal_places=2)
    building_points = models.DecimalField(_("自身建设"), max_digits=8, decimal_places=2)
    overall_points = models.DecimalField(_("综合评价"), max_digits=8, decimal_places=2)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("排名"))

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评得分")
        verbose_name_plural = _("考评得分")
        ordering = ["run", "rank", "subject_name"]
        indexes = [
            models.Index(fields=["run", "rank"], name="subject_score_run_rank_idx"),
            models.Index(fields=["staff", "run"], name="subject_score_staff_idx"),
            models.Index(fields=["division", "run"], name="subject_score_division_idx"),
            models.Index(fields=["unit", "run"], name="subject_score_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.total}"

    def points_of(self, dimension: str):
        return getattr(self, f"{dimension}_points")

    @property
    def subject_id(self) -> int:
        """The street's, unit's or person's id, as the data sources key their values."""
        return self.division_id or self.unit_id or self.staff_id


class IndicatorScore(models.Model):
    """A subject's value and points on one indicator, with what the value was made of."""

    subject = models.ForeignKey(SubjectScore, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(_("指标值"), null=True, blank=True)
    numerator = models.FloatField(_("分子"), null=True, blank=True)
    denominator = models.FloatField(_("分母"), null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["subject", "indicator__dimension", "indicator__sort_order", "indicator_id"]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.indicator_id} {self.points}"


class SubjectRef(models.Model):
    """The subject an entry is about: a street (division), a unit or a member of staff."""

    division = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_path = models.CharField(_("区划路径"), max_length=255, db_index=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def subject_name(self) -> str:
        return str(self.staff or self.unit or self.division)


class ManualEntry(SubjectRef, BaseModel):
    """A manual indicator value (人工评价) with its evidence, approved by a second person."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), default=0)
    indicator_code = models.SlugField(_("指标代码"), max_length=40)
    value = models.DecimalField(_("数值"), max_digits=10, decimal_places=2)
    evidence = models.TextField(_("佐证说明"))
    evidence_file = models.FileField(_("佐证材料"), upload_to="evaluation/evidence/", blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=EntryState.choices, default=EntryState.PENDING
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("人工评价")
        verbose_name_plural = _("人工评价")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["year", "quarter", "indicator_code", "state"], name="manual_entry_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.subject_name} {self.value}"


class ListEntry(SubjectRef, BaseModel):
    """An entry of the positive or negative list (正负面清单): points added or deducted, with
    evidence and an approver; shown to the person concerned."""

    kind = models.CharField(_("类别"), max_length=16, choices=ListKind.choices)
    title = models.CharField(_("事由"), max_length=120)
    points = models.DecimalField(
        _("分值"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    occurred_on = models.DateField(_("发生日期"))
    evidence = models.TextField(_("佐证说明"))
    evidence_file = models.FileField(_("佐证材料"), upload_to="evaluation/evidence/", blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review = models.OneToOneField(
        "Review", null=True, blank=True, on_delete=models.PROTECT, related_name="list_entry"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=EntryState.choices, default=EntryState.PENDING
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("正负面清单")
        verbose_name_plural = _("正负面清单")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["kind", "state", "occurred_on"], name="list_entry_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"


class ReviewPlan(BaseModel):
    """A case-quality review plan (评查计划): which concluded cases, who reviews them."""

    name = models.CharField(_("计划名称"), max_length=80)
    kind = models.CharField(_("评查方式"), max_length=16, choices=PlanKind.choices)
    start = models.DateField(_("办结日期起"))
    end = models.DateField(_("办结日期止"))
    sample_rate = models.FloatField(
        _("抽查比例"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.001), MaxValueValidator(1)],
    )
    seed = models.PositiveIntegerField(_("随机种子"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    case_count = models.PositiveIntegerField(_("案件数"), default=0)

    class Meta:
        verbose_name = _("评查计划")
        verbose_name_plural = _("评查计划")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return self.name


class Review(BaseModel):
    """One case's quality review (案件评查) by a reviewer outside the case's unit."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="reviews")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_reviews"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    checklist = models.JSONField(_("评查要点"), default=dict, blank=True)
    grade = models.CharField(_("评定等次"), max_length=16, choices=Grade.choices, blank=True)
    note = models.TextField(_("评查意见"), blank=True)
    reviewed_at = models.DateTimeField(_("评查时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件评查")
        verbose_name_plural = _("案件评查")
        ordering = ["state", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "case"], name="review_once_per_plan"),
        ]
        indexes = [models.Index(fields=["reviewer", "state"], name="review_reviewer_state_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.case_id}"


class ScanRun(models.Model):
    """One run of the daily data-quality scan (数据质量巡检)."""

    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("检查事项数"), default=0)
    opened = models.PositiveIntegerField(_("新开整改"), default=0)
    resolved = models.PositiveIntegerField(_("已整改"), default=0)
    counts = models.JSONField(_("各规则问题数"), default=dict)

    class Meta:
        verbose_name = _("数据质量巡检")
        verbose_name_plural = _("数据质量巡检")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class CorrectionItem(models.Model):
    """A correction item (整改事项) for the unit responsible for a faulty case record; closed by
    the scan once the record passes the rule, which gives the time to correction."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("规则"), max_length=40)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("区划路径"), max_length=255, db_index=True)
    opened_at = models.DateTimeField(_("发现时间"), db_index=True)
    resolved_at = models.DateTimeField(_("整改时间"), null=True, blank=True)

    objects = CorrectionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule"],
                condition=Q(resolved_at__isnull=True),
                name="correction_one_open_per_rule",
            ),
        ]
        indexes = [models.Index(fields=["rule", "resolved_at"], name="correction_rule_idx")]

    def __str__(self) -> str:
        return f"{self.rule} {self.case_id}"

    @property
    def rule_label(self) -> str:
        from .scan import RULES_BY_CODE

        rule = RULES_BY_CODE.get(self.rule)
        return str(rule.label) if rule else self.rule


def report_path(instance, filename: str) -> str:
    return f"evaluation/reports/{instance.year}Q{instance.quarter}/{filename}"


class QuarterReport(models.Model):
    """The quarterly quality analysis report (质效分析报告) for a period and an area."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    division = models.ForeignKey(
        "orgs.Division", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("报告数据"), default=dict)
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    xlsx = models.FileField(_("Excel"), upload_to=report_path, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), db_index=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf_ms = models.PositiveIntegerField(_("PDF 渲染耗时（毫秒）"), default=0)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("质效分析报告")
        verbose_name_plural = _("质效分析报告")
        ordering = ["-year", "-quarter", "-generated_at"]

    def __str__(self) -> str:
        return f"{self.division} {period_label(self.year, self.quarter)}"

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.quarter)
