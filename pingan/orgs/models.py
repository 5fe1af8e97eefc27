"""The org tree (district > street > community > grid), units, roles and staff."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.fields import BlindIndexField, EncryptedTextField
from pingan.core.models import BaseModel

from .choices import AgencyType, FunctionAreaKind, Level, RoleCode, Stationing, UnitKind
from .querysets import DivisionQuerySet, StaffQuerySet, UnitQuerySet


class Division(BaseModel):
    """An area of the org tree (区划/网格): the district, a street, a community or a grid.

    ``path`` is the chain of codes from the root ("/110101/110101001/"), so a subtree is one
    indexed prefix match and scope checks never walk the tree. ``geometry`` is a GeoJSON
    Polygon or MultiPolygon in WGS 84 (lng, lat).
    """

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    geometry = models.JSONField(_("边界"), null=True, blank=True)
    center_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("区划网格")
        verbose_name_plural = _("区划网格")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="division_level_path_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=Level.DISTRICT, parent__isnull=True)
                | Q(~Q(level=Level.DISTRICT), parent__isnull=False),
                name="division_only_district_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    @property
    def ancestor_codes(self) -> list[str]:
        return self.path.strip("/").split("/")[:-1]


class Unit(BaseModel):
    """A working unit (单位): a governance center, a community committee or an agency.

    A unit sits at one division; its staff see that division's subtree. An agency that serves
    particular streets (a police station, a justice office) sees those streets instead.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=UnitKind.choices)
    agency_type = models.CharField(
        _("部门类别"), max_length=24, choices=AgencyType.choices, blank=True
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subunits",
    )
    serves = models.ManyToManyField(
        Division,
        verbose_name=_("服务街道"),
        blank=True,
        related_name="serving_units",
        limit_choices_to={"level": Level.STREET},
        help_text=_("派出所、司法所等只服务部分街道的单位，在此选择其服务的街道。"),
    )
    stationing = models.CharField(
        _("入驻方式"), max_length=16, choices=Stationing.choices, blank=True, default=""
    )
    responsibilities = models.TextField(
        _("权责清单"), blank=True, help_text=_("每行一项职责，受理分流时据此推荐责任单位。")
    )
    phone = models.CharField(_("办公电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["division__path", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=UnitKind.AGENCY) | Q(agency_type=""),
                name="unit_agency_type_only_for_agencies",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FunctionArea(BaseModel):
    """A function area (功能区) of a center: reception, mediation, command … (M3.1)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("所属中心"), on_delete=models.CASCADE, related_name="function_areas"
    )
    kind = models.CharField(_("功能区"), max_length=24, choices=FunctionAreaKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("功能区")
        verbose_name_plural = _("功能区")
        ordering = ["unit", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="function_area_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.name}"


class Role(models.Model):
    """A role (角色) that staff hold; what a user may do follows from their roles."""

    code = models.CharField(_("代码"), max_length=24, choices=RoleCode.choices, primary_key=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class StaffManager(UserManager.from_queryset(StaffQuerySet)):
    pass


class Staff(AbstractUser):
    """A member of staff (工作人员): belongs to one unit and holds one or more roles."""

    name = models.CharField(_("姓名"), max_length=32, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("角色"), blank=True, related_name="staff")
    grids = models.ManyToManyField(
        Division,
        verbose_name=_("负责网格"),
        blank=True,
        related_name="grid_workers",
        limit_choices_to={"level": Level.GRID},
    )
    title = models.CharField(_("职务"), max_length=40, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", kind="phone")
    # Routine notices by a daily text (每日汇总) instead of one text each; supervision (督办)
    # is always texted at once.
    notice_digest = models.BooleanField(_("常规通知每日汇总"), default=False)
    digest_sent_on = models.DateField(_("上次汇总日期"), null=True, blank=True, editable=False)
    # When the password was last set; empty for an account whose password an administrator
    # set and its holder never changed (PINGAN_PASSWORD_MAX_AGE_DAYS asks them to change it).
    password_changed_at = models.DateTimeField(
        _("密码修改时间"), null=True, blank=True, editable=False
    )

    objects = StaffManager()

    def set_password(self, raw_password):
        """A password set by anyone but its holder (an administrator, a command) is an
        initial one: ``core.views.PasswordChange`` stamps the holder's own changes."""
        super().set_password(raw_password)
        self.password_changed_at = None

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["unit__division__path", "username"]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name or self.username
