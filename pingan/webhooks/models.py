"""Webhooks (对外推送, X4): other systems (the 12345 hotline, the petition system) subscribe to
the events of the cases in their scope instead of polling; every delivery is kept with its
attempts and response codes."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.core.fields import EncryptedTextField
from pingan.core.models import BaseModel
from pingan.orgs.models import Unit


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(BaseModel):
    """A system that hears of declared actions (受理、交办、办结 …) on objects within the area
    of ``unit``, signed with its own secret."""

    name = models.CharField(_("订阅方名称"), max_length=60, unique=True)
    url = models.URLField(_("接收地址"), max_length=300)
    events = models.JSONField(
        _("事件类型"),
        default=list,
        blank=True,
        help_text=_("只推送所选的操作；不选表示推送全部。"),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("范围单位"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("只推送该单位所在区划内的事项。"),
    )
    secret = EncryptedTextField(
        _("签名密钥"),
        default=new_secret,
        help_text=_("接收方用它核验签名（HMAC-SHA256），请妥善转交。"),
    )
    personal_data = models.BooleanField(
        _("可接收个人信息"),
        default=False,
        help_text=_("勾选后推送内容包含当事人姓名和电话，每次推送记入审计日志。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0, editable=False)
    disabled_at = models.DateTimeField(_("自动停用时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("推送订阅方")
        verbose_name_plural = _("推送订阅方")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待推送")
    RETRYING = "retrying", _("失败待重试")
    SUCCEEDED = "succeeded", _("已送达")
    ABANDONED = "abandoned", _("已放弃")


class Delivery(models.Model):
    """One event for one subscriber, with every attempt (``log``: time, response code, error)."""

    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("订阅方"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("事件编号"))
    kind = models.CharField(_("事件类型"), max_length=60)
    payload = models.JSONField(_("推送内容"))
    created_at = models.DateTimeField(_("产生时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    log = models.JSONField(_("推送记录"), default=list)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "event_id"], name="one_delivery_per_event_and_subscriber"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.subscriber_id}"
