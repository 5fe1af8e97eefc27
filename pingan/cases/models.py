"""Cases (矛盾纠纷事项): intake, parties, the timeline, deadlines and supervision."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.fields import BlindIndexField, EncryptedTextField
from pingan.core.models import BaseModel
from pingan.orgs.choices import FunctionAreaKind, Level

from .choices import (
    OPEN_STATES,
    Audience,
    Channel,
    Complexity,
    DayType,
    EventKind,
    ExtensionState,
    LegalRoute,
    Outcome,
    PartyRole,
    ReferralRoute,
    ReferralState,
    State,
    SupervisionState,
    Urgency,
)
from .querysets import RUNNING_DUE, CaseQuerySet


class Category(BaseModel):
    """A category of matter (事项类别), configurable by the administrator (M1.2)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    function_area = models.CharField(
        _("对应功能区"),
        max_length=24,
        choices=FunctionAreaKind.choices,
        default=FunctionAreaKind.MEDIATION,
    )
    keywords = models.TextField(
        _("关键词"), blank=True, help_text=_("以空格或逗号分隔；受理分流时据此推荐类别与单位。")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("事项类别")
        verbose_name_plural = _("事项类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class DeadlinePolicy(BaseModel):
    """The time limit (办结时限) for a complexity: general 7 days, complex 30 days (M2.3)."""

    complexity = models.CharField(
        _("复杂程度"), max_length=16, choices=Complexity.choices, unique=True
    )
    days = models.PositiveSmallIntegerField(_("时限天数"), validators=[MinValueValidator(1)])
    day_type = models.CharField(
        _("计日方式"), max_length=16, choices=DayType.choices, default=DayType.NATURAL
    )
    warn_ratio = models.FloatField(
        _("临期提醒比例"),
        default=0.7,
        validators=[MinValueValidator(0.1), MaxValueValidator(0.99)],
        help_text=_("已用时限达到此比例时显示黄色临期提醒，如 0.7 表示用时七成。"),
    )
    # The supervision climb (督办): after tier 1 (as soon as the case is overdue), how many
    # hours each next tier waits for the case to be concluded.
    tier2_after_hours = models.PositiveSmallIntegerField(
        _("二级督办间隔（小时）"),
        default=48,
        help_text=_("一级督办发出后仍未办结的，再过多少小时向上一级单位督办。"),
    )
    tier3_after_hours = models.PositiveSmallIntegerField(
        _("三级督办间隔（小时）"),
        default=48,
        help_text=_("二级督办发出后仍未办结的，再过多少小时由区综治中心指挥调度督办。"),
    )
    tier4_after_hours = models.PositiveSmallIntegerField(
        _("四级督办间隔（小时）"),
        default=72,
        help_text=_("三级督办发出后仍未办结的，再过多少小时提请区领导督办。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")

    def __str__(self) -> str:
        return f"{self.get_complexity_display()} {self.days} {self.get_day_type_display()}"


class Case(BaseModel):
    """A matter (事项) taken in at one window and followed to its closed loop (M1, M2).

    ``area_path`` copies the grid's org-tree path so scope checks are one indexed prefix match;
    ``version`` guards against two users overwriting each other (optimistic locking).
    """

    number = models.CharField(_("事项编号"), max_length=20, unique=True)
    query_code_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("事项类别"), on_delete=models.PROTECT, related_name="cases"
    )
    complexity = models.CharField(_("复杂程度"), max_length=16, choices=Complexity.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    title = models.CharField(_("事项标题"), max_length=80)
    narrative = models.TextField(_("事项描述"))
    # The narrative's words, space-joined, as the repeat check compares them (M1.3): written at
    # registration, with the case's ``RepeatKey`` rows computed from them. NULL (not "") for
    # rows loaded in bulk until ``manage.py repeat_index`` computes both; "" is a narrative
    # without words.
    narrative_words = models.TextField(  # noqa: DJ001
        _("描述分词"), null=True, blank=True, editable=False
    )
    address = models.CharField(_("发生地址"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("所在网格"),
        on_delete=models.PROTECT,
        related_name="cases",
        limit_choices_to={"level": Level.GRID},
    )
    area_path = models.CharField(_("区划路径"), max_length=255, db_index=True, editable=False)

    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    level = models.CharField(_("办理层级"), max_length=16, choices=Level.choices)
    handling_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    first_contact_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("首接单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_contact_cases",
        help_text=_("区级事项的首接负责单位（首接负责制）。"),
    )
    joint_units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("联动单位"), blank=True, related_name="joint_cases"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="registered_cases",
    )
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办结期限"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(
        _("临期时间"), null=True, blank=True, help_text=_("此后显示黄色临期提醒。")
    )
    due_provisional = models.BooleanField(
        _("期限待核定"),
        default=False,
        help_text=_("期限跨入尚未录入官方节假日安排的年份，暂按周末休息计算。"),
    )
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    concluded_level = models.CharField(
        _("化解层级"), max_length=16, choices=Level.choices, blank=True, db_index=True
    )
    outcome = models.CharField(_("办理结果"), max_length=16, choices=Outcome.choices, blank=True)
    legal_route = models.CharField(
        _("法律途径"), max_length=24, choices=LegalRoute.choices, blank=True
    )
    judicially_confirmed = models.BooleanField(_("已司法确认"), default=False)
    # 司法确认: which court confirmed the agreement, when, and its ruling's number (裁定书文号)
    judicial_court = models.CharField(_("确认法院"), max_length=100, blank=True)
    judicial_confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    judicial_ruling_number = models.CharField(_("裁定书文号"), max_length=60, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("重复事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    suggested_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("推荐单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggestion_followed = models.BooleanField(_("采纳推荐"), null=True, blank=True)
    # The function area (功能区) of the center where the matter is served: the one routing
    # suggested at intake, and the one chosen (the suggestion unless the clerk picked another).
    suggested_area = models.CharField(
        _("推荐功能区"), max_length=24, choices=FunctionAreaKind.choices, blank=True
    )
    function_area = models.CharField(
        _("功能区"), max_length=24, choices=FunctionAreaKind.choices, blank=True
    )
    # A matter sent by another system (the 12345 hotline, the petition system) keeps that
    # system's reference, so the sender finds its case by its own number and hears of it.
    external_source = models.CharField(_("来源系统"), max_length=40, blank=True)
    external_ref = models.CharField(_("来源系统编号"), max_length=60, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="case_state_due_idx"),
            models.Index(fields=["handling_unit", "state"], name="case_unit_state_idx"),
            models.Index(fields=["area_path", "registered_at"], name="case_area_time_idx"),
            # the repeat check's read of a grid's recent cases at every intake: without it
            # PostgreSQL reads the grid's whole year and drops three quarters (704 → about 170
            # pages for a grid at city scale, make bench)
            models.Index(fields=["grid", "registered_at"], name="case_grid_time_idx"),
            # Overdue lists and the deadline sweep: the running cases by deadline. Without it
            # PostgreSQL walks every case by registration time looking for the few overdue
            # ones (505 ms → 0.3 ms for a street's overdue list at 60,000 cases, make bench).
            models.Index(
                fields=["due_at"],
                condition=Q(state__in=[State.ACCEPTED, State.ASSIGNED, State.MEDIATING]),
                name="case_running_due_idx",
            ),
            models.Index(RUNNING_DUE, name="case_running_due_expr_idx"),
            # the safety-index recompute's grouped reads (pingan.risk.components)
            models.Index(fields=["registered_at", "grid", "category"], name="case_risk_time_idx"),
            models.Index(
                fields=["registered_at", "grid"],
                condition=Q(repeat_of__isnull=False),
                name="case_risk_repeat_idx",
            ),
            models.Index(
                fields=["concluded_at", "archived_at", "state", "registered_at", "due_at", "grid"],
                name="case_risk_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="case_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.NO_AGREEMENT) | ~Q(legal_route=""),
                name="case_no_agreement_needs_legal_route",
            ),
            models.UniqueConstraint(
                fields=["external_source", "external_ref"],
                condition=~Q(external_ref=""),
                name="one_case_per_external_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        """Still being handled: a repeat visit may be merged into it."""
        return self.state in OPEN_STATES


class RepeatKey(models.Model):
    """One band of a case's narrative signature, for the repeat check's candidates (M1.3).

    The check looks only at cases that share a band with the new matter (MinHash LSH over the
    narrative's words, ``pingan.cases.repeats``), the most recent few per band: an indexed,
    bounded read whatever the number of cases in the grid. ``grid`` and ``registered_at``
    copy the case's, which never change, so one index answers the whole read.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="repeat_keys")
    grid = models.ForeignKey(
        "orgs.Division", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    registered_at = models.DateTimeField()
    key = models.BigIntegerField()

    class Meta:
        verbose_name = _("重复事项索引")
        verbose_name_plural = _("重复事项索引")
        indexes = [
            models.Index(fields=["grid", "key", "registered_at"], name="case_repeat_key_idx")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.key}"


class Party(models.Model):
    """A party to a case (当事人): applicant, respondent or third party (M1.2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=16, choices=PartyRole.choices)
    name = models.CharField(_("姓名/名称"), max_length=60)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", kind="phone")

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class CaseEvent(models.Model):
    """One entry of a case's timeline (办理轨迹): who did what, when, from what to what, why.

    Append-only: services write one row in the same transaction as the change they record.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("环节"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_events",
    )
    from_state = models.CharField(_("原状态"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=State.choices, blank=True)
    from_level = models.CharField(_("原层级"), max_length=16, choices=Level.choices, blank=True)
    to_level = models.CharField(_("新层级"), max_length=16, choices=Level.choices, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("相关单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("理由/说明"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("办理轨迹")
        verbose_name_plural = _("办理轨迹")
        ordering = ["case", "created_at", "id"]
        indexes = [models.Index(fields=["kind", "created_at"], name="caseevent_kind_time_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"cases/{instance.case.registered_at:%Y/%m}/{instance.case.number}/{filename}"


class Attachment(models.Model):
    """A file attached to a case (材料): scans, photos, agreements."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class Referral(BaseModel):
    """A matter handed outside the center (转出): to a court (诉调对接), arbitration, an
    administrative review or another channel, followed until its result is known (M2.4)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    route = models.CharField(_("转出途径"), max_length=24, choices=ReferralRoute.choices)
    body = models.CharField(_("接收机关"), max_length=100)
    referred_on = models.DateField(_("转出日期"))
    reference_number = models.CharField(_("对方受理编号"), max_length=60, blank=True)
    follow_up_on = models.DateField(_("跟进日期"))
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ReferralState.choices,
        default=ReferralState.REFERRED,
        db_index=True,
    )
    result = models.TextField(_("处理结果"), blank=True)
    result_on = models.DateField(_("结果日期"), null=True, blank=True)
    referred_by = models.ForeignKey(
        "orgs.Staff", verbose_name=_("转出人"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("转出记录")
        verbose_name_plural = _("转出记录")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.body}"


class DeadlineExtension(BaseModel):
    """A request to extend a case's deadline (延期申请); only a leader may approve it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(
        _("延长天数"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reason = models.TextField(_("延期理由"))
    state = models.CharField(
        _("审批状态"),
        max_length=16,
        choices=ExtensionState.choices,
        default=ExtensionState.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        # the approvals queue starts from the pending requests, oldest first: without it
        # SQLite walks every visible case looking for one (67 ms at 60,000 cases, make bench)
        indexes = [models.Index(fields=["state", "created_at"], name="extension_state_time_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="pending"), name="one_pending_extension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days} {self.get_state_display()}"


class Supervision(models.Model):
    """A supervision order (督办单) on an overdue case, or one a leader issues by hand.

    The sweep climbs the case's chain one tier at a time (``supervision.chain``): 1 the
    handling unit's leaders, 2 the level above, 3 the district center's command desk, 4 the
    district leaders. ``unit`` supervises (its ``audience`` is told); ``supervised_unit``
    (the handling unit when issued) answers it (反馈), and the supervisor closes it. The sweep
    issues one per case, tier and deadline, which makes it idempotent at the database level.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    tier = models.PositiveSmallIntegerField(_("督办级次"))
    due_at = models.DateTimeField(_("针对的期限"))
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("督办单位"), on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(
        _("通知对象"), max_length=16, choices=Audience.choices, default=Audience.LEADERS
    )
    supervised_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("被督办单位"),
        on_delete=models.PROTECT,
        related_name="supervisions_received",
    )
    issued_at = models.DateTimeField(_("督办时间"), db_index=True)
    # None: issued by the sweep (逾期自动督办); a leader's by-hand order names them and why.
    issued_by = models.ForeignKey(
        "orgs.Staff",
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("督办事由"), blank=True)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=SupervisionState.choices,
        default=SupervisionState.OPEN,
        db_index=True,
    )
    answer = models.TextField(_("反馈（原因与措施）"), blank=True)
    answered_by = models.ForeignKey(
        "orgs.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "orgs.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_note = models.TextField(_("办结意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "tier", "due_at"],
                condition=models.Q(issued_by__isnull=True),
                name="supervision_once_per_tier_and_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["supervised_unit", "state"], name="supervision_received_idx"),
            models.Index(fields=["unit", "state"], name="supervision_unit_state_idx"),
        ]

    def __str__(self) -> str:
        return _("%(case)s 督办%(tier)s") % {"case": self.case_id, "tier": self.tier}


class CaseSequence(models.Model):
    """The last case number issued per year (编号计数); rows are locked while incremented."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数")
        verbose_name_plural = _("编号计数")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
