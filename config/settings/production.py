"""Production: every secret comes from the environment, and nothing starts without one."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False


def _required(name: str) -> str:
    value = env(name, default=None)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Production needs it; see docs/deployment.md "
            f'(generate one with: python -c "import secrets,base64;'
            f'print(base64.b64encode(secrets.token_bytes(32)).decode())").'
        )
    return value


SECRET_KEY = _required("PINGAN_SECRET_KEY")
PINGAN_DATA_KEY = _required("PINGAN_DATA_KEY")
# The demo key must never decrypt production data.
PINGAN_DEMO_DATA_KEY = None

# HTTPS only, behind the nginx of docs/deployment.md, which terminates TLS and says so in
# X-Forwarded-Proto (Django believes that header: nothing but the proxy may reach gunicorn).
SESSION_COOKIE_SECURE = env.bool("PINGAN_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("PINGAN_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("PINGAN_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # other hosts of the domain are not ours to bind
# Nor is an intranet site for the browsers' HSTS preload list (W021), which W005 and W021 ask for.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# The site's own https origin(s), for the CSRF check of forms posted through the proxy.
CSRF_TRUSTED_ORIGINS = env.list(
    "PINGAN_TRUSTED_ORIGINS",
    default=[f"https://{host}" for host in ALLOWED_HOSTS],  # noqa: F405
)
PINGAN_PASSWORD_MAX_AGE_DAYS = env.int("PINGAN_PASSWORD_MAX_AGE_DAYS", default=90)
PINGAN_TWO_FACTOR_ROLES = env.list(
    "PINGAN_TWO_FACTOR_ROLES",
    default=["administrator", "leader", "dispatcher", "prison_officer", "auditor"],
)
