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

SESSION_COOKIE_SECURE = env.bool("PINGAN_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("PINGAN_HSTS_SECONDS", default=0)
