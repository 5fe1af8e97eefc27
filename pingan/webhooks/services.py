"""Publishing declared actions to subscribers and delivering them (X4).

An action run through ``pingan.core.actions.perform`` sends ``performed`` inside its
transaction; here every active subscriber whose events and scope take it gets a ``Delivery``
row in that same transaction (an outbox: a rolled-back action is never announced, a committed
one is never lost), and once it commits a background task posts it.

Each post is JSON signed the way GitHub and Stripe sign theirs: header ``X-Pingan-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscriber's secret>``; the receiver
recomputes it and refuses a stale ``t`` (``verify``). A failed attempt (no answer, or not 2xx)
is tried again after 1, 2, 4 … minutes, up to ``MAX_ATTEMPTS``; a subscriber that fails
``DISABLE_AFTER`` attempts in a row is switched off and the administrators are told.
"""

import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime, timedelta

import httpx
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import notify
from pingan.core.models import Notice
from pingan.core.services import audit_record
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from .models import Delivery, DeliveryStatus, Subscriber
from .payloads import carries_personal_data, fresh, subject_payload

SIGNATURE_HEADER = "X-Pingan-Signature"
TOLERANCE_SECONDS = 300  # how old a signed timestamp a receiver accepts
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8  # the last one about two hours after the first
DISABLE_AFTER = 20
FIRST_BACKOFF = timedelta(minutes=1)
CACHE_KEY = "webhooks:subscribers"
CACHE_SECONDS = 60


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does: the signature matches the body and its timestamp is recent."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def _subscribers() -> list[tuple[int, str, list[str], bool, bool]]:
    """Active subscribers as (pk, scope path, events, personal data, whole district), kept in
    the cache so an action costs no query when nobody subscribes."""
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = [
            (pk, path, events, personal, parent is None)
            for pk, path, events, personal, parent in Subscriber.objects.filter(
                is_active=True
            ).values_list(
                "pk", "unit__division__path", "events", "personal_data", "unit__division__parent"
            )
        ]
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return rows


def subscribers_changed(**kwargs) -> None:
    cache.delete(CACHE_KEY)


def _path(subject) -> str:
    return getattr(subject, "area_path", "") or getattr(subject, "path", "") or ""


def on_performed(*, action, subject, actor, **kwargs) -> None:
    # a creation that answers more than the object it made, without naming it (a new API
    # token and its secret), has nothing to announce
    if isinstance(subject, models.Model):
        publish(kind=action.operation, subject=subject, actor=actor, at=timezone.now())


def publish(*, kind: str, subject, actor, at: datetime) -> list[Delivery]:
    """One delivery per subscriber that takes ``kind`` for ``subject``'s area, written in the
    caller's transaction and posted once it commits. A subject with no area (a scheme, a
    setting) goes only to subscribers whose unit covers the whole district."""
    path = _path(subject)
    chosen = [
        (pk, personal)
        for pk, scope, events, personal, whole in _subscribers()
        if (not events or kind in events) and (path.startswith(scope) if path else whole)
    ]
    if not chosen:
        return []
    stored = fresh(subject)
    if stored is None:  # the action removed it (an indicator deleted): say so, nothing more
        subject._deleted = True
    else:
        subject = stored
    event_id = uuid.uuid4()
    payloads = {}
    deliveries = []
    for pk, personal in chosen:
        personal = personal and carries_personal_data(subject)
        if personal not in payloads:
            payloads[personal] = {
                "id": str(event_id),
                "type": kind,
                "occurred_at": at.isoformat(),
                "subject": subject_payload(subject, personal=personal),
            }
        deliveries.append(
            Delivery(
                subscriber_id=pk,
                event_id=event_id,
                kind=kind,
                payload=payloads[personal],
                created_at=at,
                next_attempt_at=at,
            )
        )
        if personal:
            audit_record(
                actor=actor,
                action="webhook.personal_data",
                target=subject,
                data={"subscriber": pk, "event": str(event_id)},
            )
    made = Delivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in made]
    transaction.on_commit(lambda: _enqueue(ids))
    return made


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver_task

    for pk in ids:
        deliver_task(pk)


def deliver(delivery_id: int, *, now: datetime | None = None) -> Delivery | None:
    """Post one delivery that is due, record the attempt, and schedule the next or give up.
    A delivery already delivered, given up, not yet due or of a stopped subscriber is left."""
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("subscriber")
        .filter(
            pk=delivery_id,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
            next_attempt_at__lte=now,
            subscriber__is_active=True,
        )
        .first()
    )
    if delivery is None:
        return None
    subscriber = delivery.subscriber
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Pingan-Webhooks/1",
        "X-Pingan-Event": delivery.kind,
        "X-Pingan-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: sign(subscriber.secret, int(now.timestamp()), body),
    }
    code, error = None, ""
    try:
        response = httpx.post(
            subscriber.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
        code = response.status_code
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
    delivered = code is not None and 200 <= code < 300
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.log = [*delivery.log, {"at": now.isoformat(), "status_code": code, "error": error}]
    if delivered:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.ABANDONED, None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + FIRST_BACKOFF * 2 ** (delivery.attempts - 1)
    with transaction.atomic():
        delivery.save(
            update_fields=["attempts", "last_status_code", "log", "status", "next_attempt_at"]
        )
        if delivered:
            Subscriber.objects.filter(pk=subscriber.pk).update(failures=0)
        else:
            _failed(subscriber, now=now)
    return delivery


def _failed(subscriber: Subscriber, *, now: datetime) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).update(failures=F("failures") + 1)
    stopped = Subscriber.objects.filter(
        pk=subscriber.pk, is_active=True, failures__gte=DISABLE_AFTER
    ).update(is_active=False, disabled_at=now)
    if not stopped:
        return
    cache.delete(CACHE_KEY)
    audit_record(
        actor=None,
        action="webhook.disable",
        target=subscriber,
        reason=_("连续 %(count)s 次推送失败，自动停用") % {"count": DISABLE_AFTER},
    )
    admins = Staff.objects.filter(is_active=True, roles__code=RoleCode.ADMINISTRATOR).distinct()
    url = reverse("admin:webhooks_subscriber_change", args=[subscriber.pk])
    notify.send(
        [
            Notice(
                recipient=person,
                kind="webhook_disabled",
                title=_("推送订阅方“%(name)s”已自动停用") % {"name": subscriber.name},
                body=_(
                    "向 %(url)s 连续 %(count)s 次推送失败，已停止推送。请与对方核实接收地址后"
                    "重新启用，并对未送达的记录重新推送。"
                )
                % {"url": subscriber.url, "count": DISABLE_AFTER},
                url=url,
                created_at=now,
            )
            for person in admins
        ]
    )


def due(*, now: datetime) -> list[int]:
    """Deliveries waiting for their next attempt (the minute sweep posts them)."""
    return list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
            next_attempt_at__lte=now,
            subscriber__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


@transaction.atomic
def redeliver(*, actor, deliveries, now: datetime) -> int:
    """Post again (an administrator's choice): the deliveries become due now, their log kept."""
    ids = [delivery.pk for delivery in deliveries]
    count = Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, attempts=0
    )
    audit_record(actor=actor, action="webhook.redeliver", data={"deliveries": ids})
    transaction.on_commit(lambda: _enqueue(ids))
    return count
