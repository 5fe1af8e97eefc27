"""API authentication (its own module: DRF imports it while its views module loads, before
the apps are ready, so models are imported where they are used)."""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

# A token's last use is written at most this often (a write per call would serialise the
# SQLite workers, as session saves did).
LAST_USE_SECONDS = 5 * 60


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's check, answering in one query with the user's unit (every scoped call needs it),
    refusing an expired token in words, and noting the token's last use."""

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("ascii")
            digest = hash_token(text)
        except (UnicodeDecodeError, binascii.Error, ValueError):
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        from .models import ApiToken

        candidates = ApiToken.objects.select_related("user__unit").filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
        )
        for candidate in candidates:
            if compare_digest(digest, candidate.digest):
                return self._admit(candidate)
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def _admit(self, token):
        now = timezone.now()
        if token.expiry is not None and token.expiry <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        last = token.last_used_at
        if last is None or (now - last).total_seconds() >= LAST_USE_SECONDS:
            type(token).objects.filter(digest=token.digest).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
