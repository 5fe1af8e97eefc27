"""Key persons (重点人员, M8): the register, scorecards and ratings, plans, reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.fields import BlindIndexField, EncryptedTextField
from pingan.core.models import BaseModel
from pingan.orgs.choices import Level

from .choices import (
    BandKind,
    ContactResult,
    Employment,
    EventKind,
    Gender,
    Housing,
    MeasureCategory,
    MeasureKind,
    MeasureState,
    PartnerKind,
    ProposalState,
    RegisterState,
    RiskLevel,
    ScorecardSource,
    ScorecardState,
)
from .querysets import KeyPersonQuerySet, MeasureQuerySet


class PersonType(BaseModel):
    """A kind of key person (重点人员类别), configurable by the administrator (M8.1).

    ``default_months`` is how long an entry of this kind normally stays on the register; the
    clerk may set another end date with its legal basis.
    """

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    legal_basis = models.TextField(_("默认登记依据"), blank=True)
    default_months = models.PositiveSmallIntegerField(_("默认在册月数"), default=24)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("重点人员类别")
        verbose_name_plural = _("重点人员类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class KeyPerson(BaseModel):
    """An entry of the key-person register (重点人员登记).

    ID number, phone and address are encrypted at rest and masked on screen (X2); the ID
    number's blind index links the person to the cases where they are a party. ``level`` is
    the rating a person confirmed, never the model's proposal. An active entry always has a
    next review date; an entry past ``ends_on`` leaves the register and is kept until
    ``retain_until``, when its personal data is erased.
    """

    name = models.CharField(_("姓名"), max_length=32)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", kind="phone")
    address = EncryptedTextField(_("居住地址"), blank=True, default="")
    person_type = models.ForeignKey(
        PersonType, verbose_name=_("人员类别"), on_delete=models.PROTECT, related_name="persons"
    )
    grid = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("所在网格"),
        on_delete=models.PROTECT,
        related_name="key_persons",
        limit_choices_to={"level": Level.GRID},
    )
    area_path = models.CharField(_("区划路径"), max_length=255, db_index=True, editable=False)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="key_persons",
    )
    legal_basis = models.TextField(_("登记依据"))
    registered_on = models.DateField(_("登记日期"))
    ends_on = models.DateField(_("在册截止日期"), db_index=True)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=RegisterState.choices,
        default=RegisterState.ACTIVE,
        db_index=True,
    )
    left_at = models.DateTimeField(_("出册时间"), null=True, blank=True)
    retain_until = models.DateField(_("信息保留至"), null=True, blank=True, db_index=True)
    employment = models.CharField(
        _("就业状况"), max_length=16, choices=Employment.choices, default=Employment.EMPLOYED
    )
    housing = models.CharField(
        _("居住状况"), max_length=16, choices=Housing.choices, default=Housing.STABLE
    )
    released_on = models.DateField(
        _("刑满释放日期"), null=True, blank=True, help_text=_("仅刑满释放人员填写。")
    )
    violations = models.PositiveSmallIntegerField(
        _("违规记录次数"), default=0, help_text=_("社区矫正或管控期间的违规、脱管记录。")
    )
    level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, blank=True, db_index=True
    )
    score = models.SmallIntegerField(_("评分"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评级确认时间"), null=True, blank=True)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True, db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="registered_key_persons",
    )
    cases = models.ManyToManyField(
        "cases.Case",
        verbose_name=_("关联事项"),
        through="PersonCase",
        related_name="key_persons",
        blank=True,
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = KeyPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        ordering = ["area_path", "name", "id"]
        indexes = [
            models.Index(fields=["state", "area_path"], name="keyperson_state_area_idx"),
            models.Index(fields=["responsible", "state"], name="keyperson_resp_state_idx"),
            models.Index(fields=["grid", "state", "level"], name="keyperson_grid_level_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=RegisterState.ACTIVE) | Q(next_review_on__isnull=False),
                name="keyperson_active_has_next_review",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("registered_on")),
                name="keyperson_ends_after_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.person_type}）"

    @property
    def level_colour(self) -> str:
        return RiskLevel(self.level).colour if self.level else "secondary"


class PersonCase(models.Model):
    """A case linked to a key person: found by their ID number among its parties, or by hand."""

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="person_links")
    by_id_number = models.BooleanField(_("按身份证号关联"), default=False)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关联人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("关联时间"))

    class Meta:
        verbose_name = _("关联事项")
        verbose_name_plural = _("关联事项")
        constraints = [
            models.UniqueConstraint(fields=["person", "case"], name="personcase_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ↔ {self.case_id}"


class PersonEvent(models.Model):
    """One entry of a person's history (记录): who did what, when, from what to what, why.

    Append-only: every service that changes a person, their rating or their plan writes one.
    """

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), db_index=True)
    from_value = models.CharField(_("原值"), max_length=60, blank=True)
    to_value = models.CharField(_("新值"), max_length=60, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("人员记录")
        verbose_name_plural = _("人员记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["person", "created_at"], name="personevent_person_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


# --- scorecards and ratings (M8.2) ----------------------------------------------------------


class Scorecard(BaseModel):
    """A version of the points scorecard (风险评分卡): factors, integer points, level cut-offs.

    Configured by an administrator or fitted from history by ``risk_fit``. A version rates
    the register only once a reviewer other than its author approved it; one is active at a
    time. ``point_log_odds`` is what one point is worth in log-odds (fitted versions), and
    ``calibration_a/b`` map a total to a probability: 1 / (1 + exp(-(a + b · total))).
    """

    name = models.CharField(_("名称"), max_length=80)
    source = models.CharField(_("来源"), max_length=16, choices=ScorecardSource.choices)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ScorecardState.choices,
        default=ScorecardState.PENDING,
        db_index=True,
    )
    medium_from = models.SmallIntegerField(_("中风险起始分"))
    high_from = models.SmallIntegerField(_("高风险起始分"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    point_log_odds = models.FloatField(_("每分对数优势"), null=True, blank=True)
    calibration_a = models.FloatField(_("校准截距"), null=True, blank=True)
    calibration_b = models.FloatField(_("校准斜率"), null=True, blank=True)
    csv_name = models.CharField(_("数据文件"), max_length=200, blank=True)
    csv_sha256 = models.CharField(_("数据文件摘要"), max_length=64, blank=True)
    outcome_column = models.CharField(_("结果列"), max_length=80, blank=True)
    group_column = models.CharField(_("审计分组列"), max_length=80, blank=True)
    rows = models.PositiveIntegerField(_("数据行数"), null=True, blank=True)
    auc = models.FloatField(_("留出集 AUC"), null=True, blank=True)
    auc_low = models.FloatField(_("AUC 95% 下限"), null=True, blank=True)
    auc_high = models.FloatField(_("AUC 95% 上限"), null=True, blank=True)
    report = models.JSONField(_("报告"), default=dict, blank=True)

    class Meta:
        verbose_name = _("评分卡")
        verbose_name_plural = _("评分卡")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state=ScorecardState.ACTIVE),
                name="scorecard_one_active",
            ),
            models.CheckConstraint(
                condition=Q(high_from__gt=models.F("medium_from")),
                name="scorecard_high_above_medium",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    def level_for(self, total: int) -> str:
        if total >= self.high_from:
            return RiskLevel.HIGH
        if total >= self.medium_from:
            return RiskLevel.MEDIUM
        return RiskLevel.LOW


class ScorecardFactor(models.Model):
    """One factor of a scorecard (评分因子), named by a fact the register knows (``key``)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="factors")
    key = models.CharField(_("事实/列名"), max_length=80)
    label = models.CharField(_("因子"), max_length=80)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分因子")
        verbose_name_plural = _("评分因子")
        ordering = ["scorecard", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "key"], name="factor_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label


class ScorecardBand(models.Model):
    """A band of a factor and its points: a range [lower, upper), a category, or missing."""

    factor = models.ForeignKey(ScorecardFactor, on_delete=models.CASCADE, related_name="bands")
    kind = models.CharField(_("类型"), max_length=16, choices=BandKind.choices)
    lower = models.FloatField(_("下限（含）"), null=True, blank=True)
    upper = models.FloatField(_("上限（不含）"), null=True, blank=True)
    category = models.CharField(_("类别值"), max_length=120, blank=True)
    label = models.CharField(_("说明"), max_length=120)
    points = models.SmallIntegerField(_("分值"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("分档")
        verbose_name_plural = _("分档")
        ordering = ["factor", "position", "id"]

    def __str__(self) -> str:
        return f"{self.label} → {self.points:+d}"


class RatingProposal(models.Model):
    """A rating the model proposes (评级提议); the responsible officer confirms or overrides it.

    ``breakdown`` keeps the facts and points as they were when proposed, so a decision can
    always be read against what the officer saw.
    """

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="proposals")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="proposals")
    score = models.SmallIntegerField(_("评分"))
    level = models.CharField(_("提议等级"), max_length=8, choices=RiskLevel.choices)
    previous_level = models.CharField(
        _("原等级"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    breakdown = models.JSONField(_("评分明细"), default=list)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ProposalState.choices,
        default=ProposalState.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("提议时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True, db_index=True)
    decided_level = models.CharField(
        _("决定等级"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    reason = models.TextField(_("改定理由"), blank=True)
    disputed_factors = models.JSONField(_("有异议的因子"), default=list, blank=True)

    class Meta:
        verbose_name = _("评级提议")
        verbose_name_plural = _("评级提议")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state=ProposalState.PENDING),
                name="proposal_one_pending_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(state=ProposalState.OVERRIDDEN) | ~Q(reason=""),
                name="proposal_override_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "decided_at"], name="proposal_person_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_level_display()} {self.get_state_display()}"


# --- reviews and plans (M8.3) ---------------------------------------------------------------


class Review(models.Model):
    """A scheduled review (定期复核) of a person: contact made, situation, what follows."""

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField(_("应复核日期"))
    done_at = models.DateTimeField(_("复核时间"), db_index=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("复核人"), on_delete=models.PROTECT
    )
    contact = models.CharField(_("联系情况"), max_length=8, choices=ContactResult.choices)
    note = models.TextField(_("复核情况"))
    level = models.CharField(_("当时等级"), max_length=8, choices=RiskLevel.choices, blank=True)

    class Meta:
        verbose_name = _("复核记录")
        verbose_name_plural = _("复核记录")
        ordering = ["-done_at", "-id"]
        indexes = [models.Index(fields=["person", "done_at"], name="review_person_done_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.done_at:%Y-%m-%d}"


class Partner(BaseModel):
    """A partner for support measures (帮扶资源): employers willing to hire (春风行动) …"""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=PartnerKind.choices)
    street = models.ForeignKey(
        "orgs.Division",
        verbose_name=_("服务街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.STREET},
        help_text=_("留空表示全区。"),
    )
    contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    offer = models.CharField(_("可提供"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("帮扶资源")
        verbose_name_plural = _("帮扶资源")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Plan(BaseModel):
    """One plan per person (一人一策): the goal and its measures."""

    person = models.OneToOneField(KeyPerson, on_delete=models.CASCADE, related_name="plan")
    goal = models.TextField(_("帮教管控目标"), blank=True)

    class Meta:
        verbose_name = _("一人一策")
        verbose_name_plural = _("一人一策")

    def __str__(self) -> str:
        return f"{self.person}"


class Measure(BaseModel):
    """A measure of a plan (措施): management or support, with an owner, a due date, a result."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("类型"), max_length=16, choices=MeasureKind.choices)
    category = models.CharField(_("内容类别"), max_length=16, choices=MeasureCategory.choices)
    description = models.TextField(_("措施内容"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="person_measures",
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("帮扶资源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    due_on = models.DateField(_("完成期限"), db_index=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=MeasureState.choices, default=MeasureState.OPEN
    )
    result = models.TextField(_("落实结果"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    overdue_notified_on = models.DateField(_("超期提醒所对应期限"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "state", "due_on"], name="measure_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=MeasureState.DONE) | ~Q(result=""),
                name="measure_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.due_on}"
