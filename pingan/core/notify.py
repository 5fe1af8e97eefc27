"""Notifications (X5): in-app notices, and SMS through pluggable backends.

``send(notices)`` stores the notices (they appear in the recipient's inbox) and, once the
transaction commits, hands a text message for every recipient with a phone number to each
backend named in ``settings.PINGAN_NOTIFIERS``; ``send_bulk`` does the same for jobs that
notify thousands at once. Backends follow Django's email backends: a class constructed with
``fail_silently`` and keyword options, with ``send_messages(messages)`` returning how many it
sent.

- ``ConsoleSMSBackend`` writes each message to stdout with the phone masked (the demo);
- ``LocmemSMSBackend`` appends to ``pingan.core.notify.outbox`` (tests, like ``mail.outbox``);
- ``HttpSMSGatewayBackend`` POSTs the messages as JSON to ``PINGAN_SMS_GATEWAY_URL``.

Reading a recipient's phone to text them is routine work, so it is not audited.
"""

import json
import logging
import sys
import threading
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from .bulk import db_value, insert_rows
from .masking import mask_phone
from .metrics import NOTICES
from .models import Notice

logger = logging.getLogger(__name__)

# Messages the locmem backend "sent", for tests (cleared by the test that reads it).
outbox: list["SMSMessage"] = []
# The signature registered with the SMS gateway; a translation must be registered there too.
SMS_SIGNATURE = gettext_lazy("【平安综治】")
# Kinds texted at once even to those who chose a daily digest (督办 must not wait a day).
ALWAYS_TEXTED = frozenset({"supervision"})


@dataclass(frozen=True)
class SMSMessage:
    """One text message: the full phone number and the text."""

    phone: str
    text: str


class BaseSMSBackend:
    """What every SMS backend shares: the constructor and the counting contract."""

    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SMSMessage]) -> int:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Writes "SMS to 138****5678: …" lines: the demo shows what would be texted."""

    _lock = threading.RLock()

    def __init__(self, *args, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, messages: list[SMSMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to {mask_phone(message.phone)}: {message.text}\n")
            self.stream.flush()
        return len(messages)


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in ``outbox`` instead of sending them."""

    def send_messages(self, messages: list[SMSMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class HttpSMSGatewayBackend(BaseSMSBackend):
    """POSTs ``{"messages": [{"phone": …, "text": …}, …]}`` to the site's SMS gateway.

    The gateway (an intranet relay to the operator's SMS service) answers 2xx when it has taken
    the batch. ``PINGAN_SMS_GATEWAY_TOKEN``, when set, goes in an ``Authorization: Bearer``
    header.
    """

    def __init__(
        self,
        *args,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.url = url or getattr(settings, "PINGAN_SMS_GATEWAY_URL", "")
        self.token = (
            token if token is not None else getattr(settings, "PINGAN_SMS_GATEWAY_TOKEN", "")
        )
        self.timeout = timeout or getattr(settings, "PINGAN_SMS_GATEWAY_TIMEOUT", 5)
        if not self.url:
            raise ImproperlyConfigured(
                "HttpSMSGatewayBackend needs PINGAN_SMS_GATEWAY_URL (the SMS gateway's address)."
            )

    def send_messages(self, messages: list[SMSMessage]) -> int:
        if not messages:
            return 0
        payload = {"messages": [{"phone": m.phone, "text": m.text} for m in messages]}
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except OSError:
            if self.fail_silently:
                logger.warning("SMS gateway refused %d messages", len(messages), exc_info=True)
                return 0
            raise
        return len(messages)


def get_backends(fail_silently: bool = False) -> list[BaseSMSBackend]:
    """The backends named in ``settings.PINGAN_NOTIFIERS``, constructed."""
    paths = getattr(settings, "PINGAN_NOTIFIERS", [])
    return [import_string(path)(fail_silently=fail_silently) for path in paths]


def sms_text(notice: Notice) -> str:
    """The SMS for a notice: the signature, the title and the body."""
    return _sms_text(notice.title, notice.body)


def _sms_text(title: str, body: str) -> str:
    return str(SMS_SIGNATURE) + "。".join(part for part in (title, body.strip()) if part)


def send(notices: list[Notice], *, sms: bool = True) -> list[Notice]:
    """Store the notices and, after the transaction commits, text recipients with a phone
    (unless ``sms`` is false: routine hand-offs go to the inbox only).

    Set the ``recipient`` objects (not only ids) where you have them: their phones are read
    from there; the rest are fetched in one query. A failing SMS backend is logged and never
    undoes the notices, which are already in the inbox.
    """
    if not notices:
        return []
    created = Notice.objects.bulk_create(notices)
    NOTICES.labels(channel="inbox").inc(len(created))
    if not sms or not getattr(settings, "PINGAN_NOTIFIERS", []):
        return created
    _text_on_commit(
        [
            SMSMessage(phone=phone, text=sms_text(notice))
            for notice, (phone, digest) in zip(created, _recipient_phones(created), strict=True)
            if phone and (notice.kind in ALWAYS_TEXTED or not digest)
        ]
    )
    return created


def send_bulk(
    *, kind: str, created_at: datetime, notices: list[tuple[int, str, str, str, str]]
) -> int:
    """``send`` for jobs that notify thousands at once (the deadline sweep).

    Each notice is ``(recipient id, recipient's phone or "", title, body, url)``; all share
    ``kind`` and ``created_at``. The notices are stored and texted exactly as ``send`` stores
    and texts them, but without a ``Notice`` or ``Staff`` instance each (see
    ``pingan.core.bulk``). Returns how many notices were stored.
    """
    if not notices:
        return 0
    stamp = db_value(Notice, "created_at", created_at)
    insert_rows(
        Notice,
        ("recipient", "kind", "title", "body", "url", "created_at"),
        [(recipient, kind, title, body, url, stamp) for recipient, _, title, body, url in notices],
    )
    NOTICES.labels(channel="inbox").inc(len(notices))
    if getattr(settings, "PINGAN_NOTIFIERS", []):
        _text_on_commit(
            [
                SMSMessage(phone=phone, text=_sms_text(title, body))
                for _, phone, title, body, _url in notices
                if phone
            ]
        )
    return len(notices)


def _text_on_commit(messages: list[SMSMessage]) -> None:
    if messages:
        transaction.on_commit(lambda: _dispatch(messages), robust=True)


def _recipient_phones(notices: list[Notice]) -> list[tuple[str, bool]]:
    """(phone, wants a daily digest) of each notice's recipient."""
    from pingan.orgs.models import Staff

    def cached(notice: Notice) -> bool:
        # a recipient loaded with .only() would read a deferred field one query at a time
        return Notice.recipient.is_cached(notice) and not (
            {"phone", "notice_digest"} & notice.recipient.get_deferred_fields()
        )

    missing = {n.recipient_id for n in notices if not cached(n)}
    fetched = (
        {
            pk: (phone, digest)
            for pk, phone, digest in Staff.objects.filter(pk__in=missing).values_list(
                "pk", "phone", "notice_digest"
            )
        }
        if missing
        else {}
    )
    return [
        (n.recipient.phone, n.recipient.notice_digest)
        if cached(n)
        else fetched.get(n.recipient_id, ("", False))
        for n in notices
    ]


def _dispatch(messages: list[SMSMessage]) -> None:
    for backend in get_backends():
        sent = backend.send_messages(messages)
        NOTICES.labels(channel="sms").inc(sent)
        NOTICES.labels(channel="sms_failed").inc(len(messages) - sent)


# --- the inbox ----------------------------------------------------------------------------


def notice_mark_read(*, notice: Notice, now: datetime) -> Notice:
    """Mark one notice read (the first reading counts; later ones change nothing)."""
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        notice.read_at = now
    return notice


def notices_mark_all_read(*, recipient, now: datetime) -> int:
    """Mark every unread notice of the recipient read; return how many were unread."""
    return Notice.objects.filter(recipient=recipient, read_at__isnull=True).update(read_at=now)


def unread_count(recipient) -> int:
    return Notice.objects.filter(recipient=recipient, read_at__isnull=True).count()


# --- the daily digest (每日汇总) -------------------------------------------------------------


def notice_digest_set(*, staff, digest: bool) -> None:
    """Choose a daily text summing up routine notices instead of one text each (督办 is
    still texted at once). The choice is recorded in the audit log."""
    from pingan.orgs.models import Staff

    from .services import audit_record

    if staff.notice_digest == digest:
        return
    Staff.objects.filter(pk=staff.pk).update(notice_digest=digest)
    staff.notice_digest = digest
    audit_record(
        actor=staff,
        action="notify.digest_on" if digest else "notify.digest_off",
        target=staff,
        reason=str(gettext_lazy("本人设置短信提醒方式")),
    )


@transaction.atomic
def digest_send(*, now: datetime) -> int:
    """Text everyone who chose the daily digest how many routine notices await them (unread,
    since their last digest), once a day: a second run on the same day sends nothing.
    Returns how many texts were handed to the gateway. Three queries however many people."""
    from django.db.models import Count, Q

    from pingan.orgs.models import Staff

    from .calendar import local_date

    today = local_date(now)
    since = now - timedelta(days=1)
    due = list(
        Staff.objects.filter(is_active=True, notice_digest=True)
        .exclude(digest_sent_on=today)
        .annotate(
            waiting=Count(
                "notices",
                filter=Q(
                    notices__read_at__isnull=True,
                    notices__created_at__gte=since,
                    notices__created_at__lt=now,
                )
                & ~Q(notices__kind__in=ALWAYS_TEXTED),
            )
        )
        .filter(waiting__gt=0)
        .only("pk", "phone")
        .order_by("pk")
    )
    Staff.objects.filter(pk__in=[person.pk for person in due]).update(digest_sent_on=today)
    texts = [
        SMSMessage(
            phone=person.phone,
            text=_sms_text(str(DIGEST_TITLE), str(DIGEST_BODY) % {"n": person.waiting}),
        )
        for person in due
        if person.phone
    ]
    if getattr(settings, "PINGAN_NOTIFIERS", []):
        _text_on_commit(texts)
    return len(texts)


DIGEST_TITLE = gettext_lazy("每日待办汇总")
DIGEST_BODY = gettext_lazy("过去一天您有 %(n)s 条未读通知，请登录平台查看。")
