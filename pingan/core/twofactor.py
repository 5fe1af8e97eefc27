"""Two-factor login (双因素认证, X6), on django-otp.

The second factor is a six-digit code from an authenticator app (TOTP, RFC 6238), or one of
ten single-use recovery codes (恢复码) printed when the app is set up. ``PINGAN_TWO_FACTOR_ROLES``
names the roles that must use it; anyone may set it up for themselves. A session signed in
with a password alone reaches nothing but these pages until the code is given
(``middleware.TwoFactorMiddleware``); an API token is issued only against a code. An
administrator who resets a person's factor (a lost phone) gives a reason, the person is told,
and the audit trail keeps it.
"""

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import ApplicationError
from .services import audit_record, require_text

RECOVERY_CODES = 10
APP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def required(user) -> bool:
    """Must ``user`` give a second factor? Only when some roles are configured to."""
    from pingan.orgs.access import has_role

    roles = settings.PINGAN_TWO_FACTOR_ROLES
    return bool(roles) and has_role(user, *roles)


def app_device(user) -> TOTPDevice | None:
    """The person's confirmed authenticator, if set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (a new secret unless one is under way)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, for the phone's app to scan."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32 groups of four, for typing it into the app by hand."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _code(code: str) -> str:
    return require_text(code, what=_("验证码"), limit=16).replace(" ", "").lower()


@transaction.atomic
def enrol(*, user, code: str) -> list[str]:
    """Confirm the authenticator being set up with a code it shows; answers the new recovery
    codes, shown once. Any earlier authenticator is replaced."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise ApplicationError(_("请先扫描二维码，再输入验证码。"))
    if not device.verify_token(_code(code)):
        raise ApplicationError(_("验证码不正确，请核对手机上显示的六位数字（注意时间同步）。"))
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    codes = _new_recovery_codes(user)
    audit_record(actor=user, action="core.two_factor_enrolled", target=user)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not enrolled(user):
        raise ApplicationError(_("请先设置手机验证器。"))
    codes = _new_recovery_codes(user)
    audit_record(actor=user, action="core.recovery_codes_renewed", target=user)
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(*, user, code: str):
    """The device that accepts ``code`` (the app's code, or a recovery code, which is used up),
    or a clear refusal. django-otp slows repeated wrong codes down on each device."""
    device = match_token(user, _code(code))
    if device is None:
        raise ApplicationError(_("验证码不正确或已使用，请重新输入。"))
    if isinstance(device, StaticDevice):
        audit_record(
            actor=user,
            action="core.recovery_code_used",
            target=user,
            data={"left": recovery_left(user)},
        )
    return device


@transaction.atomic
def reset(*, actor, staff, reason: str):
    """An administrator removes ``staff``'s authenticator and recovery codes (a lost phone):
    they set it up again at their next sign-in."""
    reason = require_text(reason, what=_("重置原因"), limit=500)
    TOTPDevice.objects.filter(user=staff).delete()
    StaticDevice.objects.filter(user=staff).delete()
    audit_record(actor=actor, action="core.two_factor_reset", target=staff, reason=reason)
    return staff
