"""Grid patrols (网格巡查, M6.1), reports from the grid (人地事物情, M6.2) and Open311 API keys."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.fields import EncryptedTextField
from pingan.core.models import BaseModel
from pingan.orgs.choices import Level

from .access import PatrolQuerySet, ReportQuerySet
from .choices import PositionSource, ReportKind, ReportSource


class Patrol(BaseModel):
    """A daily patrol (日常巡查) of one grid by a grid worker: started, ended, what was checked.

    ``day`` is the local (Beijing) date the patrol started on, stored so that coverage per grid
    per day is one indexed aggregate instead of a date truncation over every row.
    """

    grid = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("巡查网格"),
        on_delete=models.PROTECT,
        related_name="patrols",
        limit_choices_to={"level": Level.GRID},
        db_index=False,  # (grid, day) below serves
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网格员"),
        on_delete=models.PROTECT,
        related_name="patrols",
        db_index=False,  # (staff, started_at) below serves
    )
    day = models.DateField(_("巡查日期"))
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    checked = models.JSONField(_("检查事项"), default=list, blank=True)
    note = models.TextField(_("巡查记录"), blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["grid", "day"], name="patrol_grid_day_idx"),
            models.Index(fields=["staff", "started_at"], name="patrol_staff_started_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(ended_at__isnull=True),
                name="patrol_one_open_per_staff",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="patrol_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.day:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


def report_photo_path(instance: "Report", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    moment = instance.reported_at
    return f"patrol/{moment:%Y/%m}/{instance.grid_id}-{moment:%d%H%M%S%f}.{suffix}"


class Report(BaseModel):
    """A report from the grid (网格上报): 人、地、事、物、情, possibly an early sign (苗头隐患).

    ``area_path`` copies the grid's org-tree path so scope checks are one indexed prefix match,
    as for cases. ``case`` is the case the report became (one step, M6.2); the case's
    registration event names the report back.
    """

    grid = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("所在网格"),
        on_delete=models.PROTECT,
        related_name="patrol_reports",
        limit_choices_to={"level": Level.GRID},
        db_index=False,  # (grid, reported_at) below serves
    )
    area_path = models.CharField(_("区划路径"), max_length=255, editable=False)
    kind = models.CharField(_("上报类型"), max_length=16, choices=ReportKind.choices)
    is_early_sign = models.BooleanField(_("苗头隐患"), default=False)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("事项类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_reports",
        db_index=False,  # read through the grid and time indexes; categories are few
    )
    text = models.TextField(_("情况描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    reported_at = models.DateTimeField(_("上报时间"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_reports",
        help_text=_("经 Open311 接口提交的上报没有上报人，记录其接口密钥。"),
    )
    patrol = models.ForeignKey(
        Patrol,
        verbose_name=_("所属巡查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=ReportSource.choices, default=ReportSource.PATROL
    )
    api_key = models.ForeignKey(
        "patrol.ApiKey",
        verbose_name=_("接口密钥"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    position_source = models.CharField(
        _("位置来源"), max_length=16, choices=PositionSource.choices, default=PositionSource.GRID
    )
    photo = models.FileField(_("照片"), upload_to=report_photo_path, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("转办事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patrol_reports",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格上报")
        verbose_name_plural = _("网格上报")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["grid", "reported_at"], name="report_grid_time_idx"),
            # a scope's reports, newest first; on PostgreSQL with the pattern operator class,
            # which the scope's prefix match (LIKE '/…/%') can use under any collation (other
            # indexed paths get one from Django: ``db_index`` adds a ``_like`` index)
            models.Index(
                fields=["area_path", "reported_at"],
                name="report_area_time_idx",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["reported_at"], name="report_time_idx"),
            # the safety index's early-sign component (patrol.risk_components)
            models.Index(
                fields=["reported_at", "grid"],
                condition=Q(is_early_sign=True),
                name="report_early_sign_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lon__isnull=True, lat__isnull=True)
                | Q(lon__gte=-180, lon__lte=180, lat__gte=-90, lat__lte=90),
                name="report_position_in_range",
            ),
            models.CheckConstraint(
                condition=Q(reporter__isnull=False) | Q(api_key__isnull=False),
                name="report_has_reporter_or_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.text[:20]}"


class ApiKey(BaseModel):
    """An Open311 API key (接口密钥) of an external system, scoped to a unit's area.

    Only a SHA-256 digest of the key is stored; the key itself is shown once, when it is
    created in the admin. ``prefix`` (the first characters) finds the row without a scan.
    """

    name = models.CharField(
        _("名称"), max_length=80, help_text=_("使用该密钥的系统，如“12345 热线”。")
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        related_name="open311_keys",
        help_text=_("密钥只能在该单位所辖区域内提交和查询诉求。"),
    )
    prefix = models.CharField(_("密钥前缀"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["unit__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
