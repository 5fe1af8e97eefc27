"""Idempotent creates (``Idempotency-Key``, the header Stripe and the IETF draft use): a client
that did not hear the answer to a POST sends it again with the same key and gets the first
answer back, not a second case.

The key's row, the create and the stored answer are one transaction: a retry arriving while
the first is still running waits on the row's unique index and then reads the stored answer;
a create that failed leaves no row, so its retry runs again. The same key with a different
request is refused (422). Rows are kept for ``KEEP`` and purged nightly.

Written here rather than taken from a package: the ones on PyPI are unmaintained (2023) or
months old, and none keeps the key, the write and the answer in one database transaction.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
# the header in the OpenAPI schema of every create that honours it
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID) per create. Sent again with the same request, the first "
        "answer is returned (header Idempotent-Replayed: true) instead of creating twice; "
        "with a different request, 422. Kept 24 hours."
    ),
)
KEEP = timedelta(hours=24)
KEY_LENGTH = IdempotentRequest._meta.get_field("key").max_length


def _fingerprint(request) -> str:
    try:
        body = request.body
    except RawPostDataException:  # a multipart upload, already streamed: its parsed fields
        body = json.dumps(request.data, sort_keys=True, default=str).encode()
    return hashlib.sha256(request.method.encode() + request.path.encode() + body).hexdigest()


def idempotent(create):
    """Decorate a viewset's ``create``: with the header, the first answer is kept and replayed."""

    @wraps(create)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return create(self, request, *args, **kwargs)
        if len(key) > KEY_LENGTH:
            return Response(
                {
                    "detail": _("Idempotency-Key 不能超过 %(limit)s 个字符。")
                    % {"limit": KEY_LENGTH}
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        user=request.user,
                        key=key,
                        path=request.path[:200],
                        fingerprint=fingerprint,
                        status_code=0,
                        body={},
                        created_at=timezone.now(),
                    )
            except IntegrityError:
                return _replay(request, key, fingerprint)
            response = create(self, request, *args, **kwargs)
            row.status_code, row.body = response.status_code, response.data
            row.save(update_fields=["status_code", "body"])
        return response

    return wrapper


def _replay(request, key: str, fingerprint: str) -> Response:
    first = IdempotentRequest.objects.get(user=request.user, key=key)
    if first.fingerprint != fingerprint:
        return Response(
            {"detail": _("该 Idempotency-Key 已用于另一个请求，请为新的请求换一个键。")},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return Response(first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"})


def purge(*, now) -> int:
    """Forget answers older than ``KEEP``."""
    return IdempotentRequest.objects.filter(created_at__lt=now - KEEP).delete()[0]
