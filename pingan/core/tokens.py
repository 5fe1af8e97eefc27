"""API tokens (接口令牌, X6): the services behind the tokens page and the API.

A token is issued at sign-in through the API (``POST /api/auth/token/``, with the two-factor
code where the person's role needs one) or on the tokens page, one per device or integration,
named for it. django-rest-knox stores only its SHA-512 digest; the token itself is shown once.
Each expires after ``REST_KNOX["TOKEN_TTL"]``; its owner, or an administrator, revokes it,
and the audit trail records both.
"""

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from knox.settings import knox_settings

from pingan.orgs.choices import RoleCode

from .errors import ApplicationError, ForbiddenError
from .models import ApiToken
from .security import declare_read
from .services import audit_record, require_text

NAME_LIMIT = 60
# How much of a token's text its pages and the API show, to tell it apart.
KEY_SHOWN = 8


def _is_admin(user) -> bool:
    from pingan.orgs.access import has_role

    return has_role(user, RoleCode.ADMINISTRATOR)


declare_read(
    "core.ApiToken",
    [(list(RoleCode), "their own"), ([RoleCode.ADMINISTRATOR], "everyone's")],
)


def token_find(actor, key: str) -> ApiToken:
    """The token of ``actor``'s view whose text begins with ``key`` (the 8 characters the pages
    and the API show); 404 for anything else, a key too short to tell tokens apart included."""
    matches = list(ApiToken.objects.visible_to(actor).filter(token_key__startswith=key[:15])[:2])
    if len(key) < KEY_SHOWN or len(matches) != 1:
        raise Http404
    return matches[0]


@transaction.atomic
def token_issue(*, actor, name: str, now) -> tuple[ApiToken, str]:
    """A new token for ``actor`` named ``name``; answers the token and its one-time text.
    The holder's expired tokens go at the same time."""
    name = require_text(name, what=_("设备或用途"), limit=NAME_LIMIT)
    ApiToken.objects.filter(user=actor, expiry__lte=now).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and ApiToken.objects.filter(user=actor).count() >= limit:
        raise ApplicationError(
            _("您已有 %(limit)s 个有效令牌，请先撤销不再使用的令牌。") % {"limit": limit}
        )
    token, text = ApiToken.objects.create(user=actor, name=name)
    audit_record(
        actor=actor,
        action="core.token_issued",
        target=actor,  # the token's key is its digest, longer than an audit row's target id
        data={
            "name": name,
            "key": token.token_key[:KEY_SHOWN],
            "expiry": token.expiry.isoformat() if token.expiry else None,
        },
    )
    return token, text


@transaction.atomic
def token_revoke(*, actor, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke ``token``: its owner may, and an administrator may revoke anyone's (with a
    reason, which the owner is told)."""
    own = token.user_id == actor.pk
    if not own and not _is_admin(actor):
        raise ForbiddenError(_("只能撤销自己的令牌。"))
    reason = (reason or "").strip()
    if not own and not reason:
        raise ApplicationError(_("撤销他人的令牌须说明原因。"))
    audit_record(
        actor=actor,
        action="core.token_revoked",
        target=token.user,
        reason=reason,
        data={"name": token.name, "key": token.token_key[:KEY_SHOWN]},
    )
    ApiToken.objects.filter(digest=token.digest).delete()
    return token
