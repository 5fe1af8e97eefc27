"""Corrections (M11): release hand-over to the community, resettlement, evidence review for
commutation and parole, and the tamper-evident log of enforcement records.

Prisons are outside the district's org tree: a prison's officers are members of its ``Prison``
and see only their prison's releases and files; the receiving side sees releases bound for the
grids of its scope (the release's ``area_path`` is its grid's path).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.core.fields import BlindIndexField, EncryptedTextField
from pingan.core.models import BaseModel
from pingan.orgs.models import Division

from .choices import (
    OPEN_RELEASE_STATES,
    RECORD_KINDS,
    Check,
    FileState,
    FundEntryKind,
    HashAlgorithm,
    OffenceCategory,
    PlacementOutcome,
    ReleaseState,
    ReviewKind,
)
from .querysets import EvidenceFileQuerySet, ReleaseQuerySet


class Prison(BaseModel):
    """A prison (监狱) that releases people to the district."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    code = models.CharField(_("代码"), max_length=16, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("民警"), blank=True, related_name="prisons"
    )

    class Meta:
        verbose_name = _("监狱")
        verbose_name_plural = _("监狱")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Release(BaseModel):
    """One person's release and hand-over to the receiving community (刑释衔接)."""

    prison = models.ForeignKey(
        Prison, verbose_name=_("监狱"), on_delete=models.PROTECT, related_name="releases"
    )
    name = models.CharField(_("姓名"), max_length=32)
    id_number = EncryptedTextField(_("身份证号"))
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    offence = models.CharField(_("罪名类别"), max_length=16, choices=OffenceCategory.choices)
    sentence_months = models.PositiveSmallIntegerField(_("刑期（月）"))
    release_date = models.DateField(_("释放日期"), db_index=True)
    health = models.CharField(_("健康状况"), max_length=200, blank=True)
    family_contact = models.CharField(_("家属联系人"), max_length=32, blank=True)
    family_phone = EncryptedTextField(_("家属电话"), blank=True, default="")
    skills = models.CharField(
        _("技能特长"), max_length=200, blank=True, help_text=_("用顿号或逗号分隔，如：电工、厨师")
    )
    address = models.CharField(_("落户地址"), max_length=200)
    grid = models.ForeignKey(
        Division,
        verbose_name=_("落户网格"),
        on_delete=models.PROTECT,
        related_name="releases",
        limit_choices_to={"level": "grid"},
    )
    area_path = models.CharField(_("区划路径"), max_length=64, db_index=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=16, choices=ReleaseState.choices, default=ReleaseState.REGISTERED
    )
    notified_at = models.DateTimeField(_("通知社区时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("未报到上报时间"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮教责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resettlement_releases",
    )
    key_person = models.ForeignKey(
        "persons.KeyPerson",
        verbose_name=_("重点人员登记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="releases",
    )
    insurance_enrolled_on = models.DateField(_("参保日期"), null=True, blank=True)
    insurance_kind = models.CharField(_("参保险种"), max_length=60, blank=True)
    reoffended_on = models.DateField(_("重新犯罪日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("刑释人员")
        verbose_name_plural = _("刑释人员")
        ordering = ["release_date", "id"]
        constraints = [
            # one open hand-over per person: the same person cannot be registered twice
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=Q(state__in=OPEN_RELEASE_STATES),
                name="release_one_open_per_person",
            ),
        ]
        indexes = [models.Index(fields=["state", "release_date"], name="release_state_date_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.release_date:%Y-%m-%d}）"


class ReleaseEvent(models.Model):
    """The hand-over's timeline: registered, notified, arrived, not arrived, escalated …"""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("衔接记录")
        verbose_name_plural = _("衔接记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class Employer(BaseModel):
    """A company willing to hire released persons (自愿接收刑释人员企业, 春风行动)."""

    name = models.CharField(_("企业名称"), max_length=100, unique=True)
    grid = models.ForeignKey(
        Division,
        verbose_name=_("所在网格"),
        on_delete=models.PROTECT,
        related_name="employers",
        limit_choices_to={"level": "grid"},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact = models.CharField(_("联系人"), max_length=32, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    jobs = models.CharField(
        _("岗位"), max_length=200, help_text=_("用顿号或逗号分隔，如：保安、保洁")
    )
    conditions = models.CharField(_("条件"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("接收企业")
        verbose_name_plural = _("接收企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobFair(BaseModel):
    """A 春风行动 job fair for people about to be released, with its attendance and offers."""

    name = models.CharField(_("名称"), max_length=100)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100)
    prison = models.ForeignKey(
        Prison, verbose_name=_("监狱"), null=True, blank=True, on_delete=models.PROTECT
    )
    employers = models.ManyToManyField(Employer, verbose_name=_("参会企业"), blank=True)
    attendance = models.PositiveIntegerField(_("参会人数"), default=0)
    offers = models.PositiveIntegerField(_("达成意向"), default=0)

    class Meta:
        verbose_name = _("招聘推介会")
        verbose_name_plural = _("招聘推介会")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.name


class Placement(BaseModel):
    """A job a released person was put forward for, and what came of it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="placements")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="placements")
    job = models.CharField(_("岗位"), max_length=40)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=PlacementOutcome.choices, default=PlacementOutcome.OFFERED
    )
    started_on = models.DateField(_("入职日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("就业安置")
        verbose_name_plural = _("就业安置")
        ordering = ["-created_at"]


class FundEntry(BaseModel):
    """An entry of a person's resettlement reserve fund (刑释安置储备金).

    Only approved entries count in the balance; a disbursement never takes it below zero."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="fund_entries")
    kind = models.CharField(_("类型"), max_length=16, choices=FundEntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    purpose = models.CharField(_("用途/来源"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("储备金记录")
        verbose_name_plural = _("储备金记录")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")), name="fund_amount_positive"
            )
        ]

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("金额必须大于 0。")})


class EvidenceFile(BaseModel):
    """A 减假暂 case file: the evidence behind a proposal for commutation, parole or temporary
    release outside prison, reviewed item by item (真实性、完整性、关联性)."""

    prison = models.ForeignKey(
        Prison, verbose_name=_("监狱"), on_delete=models.PROTECT, related_name="evidence_files"
    )
    number = models.CharField(_("案卷编号"), max_length=24, unique=True)
    subject = models.CharField(_("罪犯姓名"), max_length=32)
    kind = models.CharField(_("类型"), max_length=16, choices=ReviewKind.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=FileState.choices, default=FileState.OPEN
    )
    conclusion = models.TextField(_("审核结论"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_at = models.DateTimeField(_("审结时间"), null=True, blank=True)
    # the head of the file's record chain, so that a removed last entry is noticed
    chain_length = models.PositiveIntegerField(_("执法记录数"), default=0)
    chain_head = models.CharField(_("链头哈希"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("减假暂案卷")
        verbose_name_plural = _("减假暂案卷")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class EvidenceItem(BaseModel):
    """One piece of evidence in a file, with the two-person review of the three criteria."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("证据名称"), max_length=100)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    required = models.BooleanField(_("必审"), default=True)
    authenticity = models.CharField(
        _("真实性"), max_length=8, choices=Check.choices, blank=True, default=""
    )
    completeness = models.CharField(
        _("完整性"), max_length=8, choices=Check.choices, blank=True, default=""
    )
    relevance = models.CharField(
        _("关联性"), max_length=8, choices=Check.choices, blank=True, default=""
    )
    findings = models.TextField(_("审核意见"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    second_reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    excluded = models.BooleanField(_("排除（非法证据）"), default=False)
    exclusion_reason = models.TextField(_("排除理由"), blank=True)

    class Meta:
        verbose_name = _("证据")
        verbose_name_plural = _("证据")
        ordering = ["id"]

    @property
    def reviewed(self) -> bool:
        """Reviewed and confirmed by a second person (an excluded item counts as dealt with)."""
        return self.second_reviewed_at is not None


class EnforcementRecord(models.Model):
    """An entry of a file's append-only record chain (执法轨迹保存).

    ``content_hash`` is the hash of the entry's canonical content; ``entry_hash`` chains it to
    the previous entry of the same file: H(prev_hash | sequence | content_hash). Rows are never
    updated or deleted through the application (see ``pingan.corrections.chain``); a change
    made behind its back is found by ``manage.py verify_evidence``.
    """

    file = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="records")
    sequence = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=32)
    content = models.JSONField(_("内容"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    algorithm = models.CharField(_("算法"), max_length=8, choices=HashAlgorithm.choices)
    content_hash = models.CharField(_("内容哈希"), max_length=64)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    entry_hash = models.CharField(_("本条哈希"), max_length=64)

    class Meta:
        verbose_name = _("执法记录")
        verbose_name_plural = _("执法记录")
        ordering = ["file_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["file", "sequence"], name="record_file_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.file_id}#{self.sequence} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("enforcement records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("enforcement records are append-only")

    @property
    def kind_label(self) -> str:
        return str(RECORD_KINDS.get(self.kind, self.kind))
