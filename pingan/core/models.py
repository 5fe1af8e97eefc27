"""Shared model bases and the audit trail."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager


class BaseModel(models.Model):
    """Every domain model records when it was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """An audit record (审计日志): who did what to which object, when and why.

    Services write one in the same transaction as the change they record; reads of personal
    data outside routine work are recorded here too (action ``pii.read``).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class CalendarSource(models.TextChoices):
    """Where a calendar entry came from: the published schedule or an administrator."""

    OFFICIAL = "official", _("官方（chinese-calendar）")
    ADMIN = "admin", _("管理员录入")


class WorkCalendarDay(BaseModel):
    """One day of the working-day calendar (工作日历): whether government offices work that day.

    Years seeded from chinese-calendar store every day, so a seeded year reads the same whether
    or not a day is special. Years an administrator enters need only the days that differ from
    the plain rule (Monday to Friday work, weekends rest); a day without a row follows that rule.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("工作日") if self.is_workday else _("休息日")
        return f"{self.date:%Y-%m-%d} {kind} {self.note}".rstrip()


class CalendarYear(BaseModel):
    """A year of the working-day calendar and whether its official schedule has been entered.

    Deadline arithmetic trusts the calendar only for complete years; for any other year it
    counts Monday to Friday and marks the deadline provisional.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    complete = models.BooleanField(
        _("已完整录入"),
        default=False,
        help_text=_("本年度国务院放假安排已全部录入。只需录入与“周一至周五上班”不同的日期。"),
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}"


class Notice(models.Model):
    """An in-app notice (站内通知) to one member of staff: a supervision, an assignment …

    ``kind`` is a short code ("supervision") for filtering and icons; ``url`` is the page the
    notice is about. Notices are written in bulk by ``pingan.core.notify.send`` (``send_bulk``
    for thousands), which also hands them to the configured SMS backends (X5).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("类型"), max_length=24)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_recipient_read_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("未完成")


class Job(BaseModel):
    """A piece of long work (后台任务: an import, a report, a recompute) run by a Huey worker.

    The person who started it can leave its page and come back; its progress lives in the
    cache while it runs (the work itself may sit in one long transaction), its outcome here.
    ``kind`` names a handler registered in ``pingan.core.jobs``.
    """

    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    input = models.FileField(_("上传文件"), upload_to="jobs/input/%Y/%m/", blank=True)
    input_name = models.CharField(_("上传文件名"), max_length=200, blank=True)
    output = models.FileField(_("结果文件"), upload_to="jobs/output/%Y/%m/", blank=True)
    output_name = models.CharField(_("结果文件名"), max_length=200, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "kind", "-created_at"], name="job_owner_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ApiTokenManager(AuthTokenManager):
    def visible_to(self, user) -> models.QuerySet:
        """One's own tokens; an administrator's view holds everyone's."""
        from pingan.orgs.access import has_role
        from pingan.orgs.choices import RoleCode

        tokens = self.select_related("user__unit").order_by("-created")
        return tokens if has_role(user, RoleCode.ADMINISTRATOR) else tokens.filter(user=user.pk)


class ApiToken(AbstractAuthToken):
    """An API token (接口令牌), one per device or integration: django-rest-knox keeps only its
    SHA-512 digest and the first characters (``token_key``, to find it); it expires, and its
    owner or an administrator revokes it by deleting it (the audit trail keeps the fact)."""

    name = models.CharField(_("设备或用途"), max_length=60)
    objects = ApiTokenManager()
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key[:8]}…)"

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


class IdempotentRequest(models.Model):
    """A create sent with an ``Idempotency-Key`` header (pingan.core.idempotency): the answer
    it got, replayed when the same person retries the same request with the same key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("幂等键"), max_length=100)
    path = models.CharField(_("请求路径"), max_length=200)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应码"))
    body = models.JSONField(_("响应内容"))
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_user_and_key")
        ]

    def __str__(self) -> str:
        return self.key
