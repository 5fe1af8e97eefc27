"""Settings for the test suite: the same stack, a real database (SQLite or DATABASE_URL)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, HUEY, LOGGING

# The test runner's SQLite database lives in memory unless DATABASE_URL names PostgreSQL.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Staticfiles without the manifest so tests need not collect first.
STORAGES = {
    "default": {"BACKEND": "pingan.core.storage.SiteFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A real queue (SQLite, in a throwaway file): tests enqueue tasks and run them as a worker would.
HUEY = {
    **HUEY,
    "huey_class": "huey.SqliteHuey",
    "filename": str(Path(tempfile.mkdtemp(prefix="pingan-test-huey-")) / "huey.sqlite3"),
    "immediate": False,
}

# Text messages go to pingan.core.notify.outbox instead of stdout.
PINGAN_NOTIFIERS = ["pingan.core.notify.LocmemSMSBackend"]

# Each test run gets its own in-process cache and a throwaway folder for uploads.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="pingan-test-media-"))
PINGAN_ROUTER_PATH = MEDIA_ROOT / "router.npz"

# pingan_demo in tests: four weeks of patrols and a few thousand reports, not a year.
PINGAN_PATROL_DEMO_SCALE = 0.01

# The request log (one line per request) only at warnings, so a failing test's output shows what
# matters; core/tests/test_health.py turns it up where it tests it.
LOGGING["loggers"]["django_structlog"]["level"] = "WARNING"
