"""Risk monitoring and command (矛盾风险监测指挥, M7): the index's configuration, its stored
snapshots, early warnings and dispatch instructions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.models import BaseModel
from pingan.orgs.choices import Level

from .choices import (
    InstructionEventKind,
    InstructionState,
    RiskColour,
    WarningDispersion,
    WarningKind,
)
from .querysets import InstructionQuerySet, SnapshotQuerySet, WarningQuerySet


class RiskSettings(BaseModel):
    """The safety index's settings (平安指数参数): window, baseline, colour thresholds and the
    early-warning test. One row (pk 1), seeded by a migration, edited by an administrator."""

    window_days = models.PositiveSmallIntegerField(
        _("统计窗口（天）"), default=30, validators=[MinValueValidator(7), MaxValueValidator(180)]
    )
    baseline_days = models.PositiveSmallIntegerField(
        _("基线期（天）"),
        default=365,
        validators=[MinValueValidator(28), MaxValueValidator(1095)],
        help_text=_("统计窗口之前的这段时间作为比较基线，默认前 12 个月。"),
    )
    yellow_threshold = models.FloatField(
        _("黄色阈值"),
        default=40,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("指数达到此值显示黄色（中风险）。"),
    )
    red_threshold = models.FloatField(
        _("红色阈值"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("指数达到此值显示红色（高风险），须大于黄色阈值。"),
    )
    warning_alpha = models.FloatField(
        _("预警显著水平"),
        default=0.0003,
        validators=[MinValueValidator(1e-6), MaxValueValidator(0.05)],
        help_text=_(
            "每晚对每个网格检验一次，偶然波动达到预警的概率上限，默认 0.0003。"
            "调小则误报更少、发现更晚；实际误报率见风险预警页的测算结果。"
        ),
    )
    warning_min_count = models.PositiveSmallIntegerField(
        _("预警最少件数"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("近7天新增事项少于此数的网格不预警，避免零星事项引起误报。"),
    )
    warning_baseline_days = models.PositiveSmallIntegerField(
        _("预警基线期（天）"),
        default=364,
        validators=[MinValueValidator(56), MaxValueValidator(728)],
        help_text=_("与近7天比较的往常水平取这么多天（不含最近两周），默认 364 天。"),
    )
    warning_dispersion = models.CharField(
        _("离散度处理"),
        max_length=12,
        choices=WarningDispersion.choices,
        default=WarningDispersion.ESTIMATED,
        help_text=_(
            "实际事项常成批出现，波动大于泊松分布。按历史数据估计可大幅减少误报，建议保留。"
        ),
    )
    warning_measured = models.JSONField(
        _("预警效果测算"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("按当前参数在模拟数据上测得的发现率、发现用时和误报率。"),
    )
    hotspot_fdr = models.FloatField(
        _("热点错误发现率"),
        default=0.05,
        validators=[MinValueValidator(0.001), MaxValueValidator(0.2)],
        help_text=_("Getis-Ord Gi* 热点经 Benjamini–Hochberg 校正后的显著水平。"),
    )
    quiet_days = models.PositiveSmallIntegerField(
        _("预警解除（天）"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("连续这么多天不再触发，预警即告解除；再次触发算作新的一轮并重新通知。"),
    )

    class Meta:
        verbose_name = _("平安指数参数")
        verbose_name_plural = _("平安指数参数")

    def __str__(self) -> str:
        return str(_("平安指数参数"))

    def clean(self) -> None:
        both = self.yellow_threshold is not None and self.red_threshold is not None
        if both and self.red_threshold <= self.yellow_threshold:
            raise ValidationError(
                {"red_threshold": _("红色阈值必须大于黄色阈值，例如黄色 40、红色 60。")}
            )

    def warning_params(self) -> dict:
        """The settings an early-warning measurement depends on."""
        return {
            "alpha": self.warning_alpha,
            "min_count": self.warning_min_count,
            "baseline_days": self.warning_baseline_days,
            "dispersion": self.warning_dispersion,
            "quiet_days": self.quiet_days,
        }

    def warning_measurement(self) -> dict | None:
        """The stored measurement of the early warning, if it was made with these settings."""
        measured = self.warning_measured
        return measured if measured.get("params") == self.warning_params() else None

    @classmethod
    def load(cls) -> "RiskSettings":
        """The one settings row; created with the defaults if an administrator deleted it."""
        return cls.objects.get_or_create(pk=1)[0]


class ComponentWeight(models.Model):
    """The weight of one index component (指数构成权重). Components are registered in code
    (``pingan.risk.components``); their weights live here so an administrator can tune them."""

    settings = models.ForeignKey(
        RiskSettings, on_delete=models.CASCADE, related_name="weights", default=1
    )
    code = models.CharField(_("构成项代码"), max_length=40, unique=True)
    weight = models.FloatField(
        _("权重"),
        validators=[MinValueValidator(0, message=_("权重不能为负数。"))],
        help_text=_("0 表示不计入指数。"),
    )

    class Meta:
        verbose_name = _("指数构成权重")
        verbose_name_plural = _("指数构成权重")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="component_weight_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.code} × {self.weight:g}"


class CategorySeverity(models.Model):
    """How heavily a new case of a category counts in the index (事项类别严重程度)."""

    category = models.OneToOneField(
        "cases.Category",
        verbose_name=_("事项类别"),
        on_delete=models.CASCADE,
        related_name="risk_severity",
    )
    severity = models.FloatField(
        _("严重程度"),
        default=1.0,
        validators=[MinValueValidator(0, message=_("严重程度不能为负数。"))],
        help_text=_("新增事项按此系数加权；未设置的类别按 1 计。"),
    )

    class Meta:
        verbose_name = _("类别严重程度")
        verbose_name_plural = _("类别严重程度")
        ordering = ["category__sort_order"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=0), name="severity_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.severity:g}"


class IndexSnapshot(models.Model):
    """The safety index (平安指数) of one area for one window, as computed then (M7.1).

    ``components`` keeps, per component code, what the page shows to explain the value:
    ``{"value", "expected", "reference", "score", "weight"}``. Grids also carry their Gi*
    hot-spot statistic (z, two-sided p, Benjamini–Hochberg q) over the grid index values.
    """

    division = models.ForeignKey(
        "orgs.Division", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    path = models.CharField(_("区划路径"), max_length=255, db_index=True)
    window_start = models.DateTimeField(_("窗口开始"))
    window_end = models.DateTimeField(_("窗口结束"))
    value = models.FloatField(_("平安指数"))
    colour = models.CharField(_("颜色"), max_length=8, choices=RiskColour.choices)
    components = models.JSONField(_("构成"), default=dict)
    gi_z = models.FloatField(_("Gi* z 值"), null=True, blank=True)
    gi_p = models.FloatField(_("Gi* p 值"), null=True, blank=True)
    gi_q = models.FloatField(_("校正后 q 值"), null=True, blank=True)
    is_hotspot = models.BooleanField(_("热点"), default=False)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("平安指数快照")
        verbose_name_plural = _("平安指数快照")
        ordering = ["-window_end", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "window_end"], name="snapshot_once_per_area_and_window"
            )
        ]
        indexes = [
            models.Index(fields=["window_end", "level", "path"], name="snapshot_window_level_idx"),
            # the windows on record (selectors.snapshot_windows)
            models.Index(fields=["level", "-window_end"], name="snapshot_level_window_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.window_end:%Y-%m-%d} {self.value:.0f}"


class RiskWarning(BaseModel):
    """An early-warning episode (风险预警) for one grid: opened when the grid is first flagged,
    kept while it keeps being flagged, closed after ``quiet_days`` without a flag. Dispatchers
    are notified once, when it opens."""

    grid = models.ForeignKey(
        "orgs.Division", verbose_name=_("网格"), on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(_("区划路径"), max_length=255, db_index=True)
    kind = models.CharField(_("预警类型"), max_length=16, choices=WarningKind.choices)
    opened_at = models.DateTimeField(_("首次触发"), db_index=True)
    last_flagged_at = models.DateTimeField(_("最近触发"))
    closed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    data = models.JSONField(_("检验数据"), default=dict)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "kind"],
                condition=Q(closed_at__isnull=True),
                name="one_open_warning_per_grid_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.get_kind_display()} {self.opened_at:%Y-%m-%d}"


class Instruction(BaseModel):
    """A dispatch instruction (指挥调度指令): a dispatcher tells a unit to act in a grid by a
    deadline; the unit signs for it and closes it with a result (M7.2)."""

    number = models.CharField(_("指令编号"), max_length=20, unique=True)
    grid = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("网格"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.GRID},
    )
    path = models.CharField(_("区划路径"), max_length=255, db_index=True, editable=False)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("指令标题"), max_length=80)
    content = models.TextField(_("指令内容"))
    due_at = models.DateTimeField(_("完成期限"), db_index=True)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=InstructionState.choices,
        default=InstructionState.ISSUED,
        db_index=True,
    )
    warning = models.ForeignKey(
        RiskWarning,
        verbose_name=_("来源预警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instructions",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下达人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("下达时间"), db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = InstructionQuerySet.as_manager()

    class Meta:
        verbose_name = _("指挥调度指令")
        verbose_name_plural = _("指挥调度指令")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "state"], name="instruction_unit_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=InstructionState.CLOSED) | ~Q(result=""),
                name="closed_instruction_has_result",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class InstructionEvent(models.Model):
    """One step of an instruction's trail (指令轨迹): who, when, what, why."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("环节"), max_length=16, choices=InstructionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("指令轨迹")
        verbose_name_plural = _("指令轨迹")
        ordering = ["instruction", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.instruction_id} {self.get_kind_display()}"
