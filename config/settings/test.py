"""Settings for the test suite: the same stack, a real database (SQLite or DATABASE_URL)."""

from .base import *  # noqa: F403
from .base import DATABASES

# The test runner's SQLite database lives in memory unless DATABASE_URL names PostgreSQL.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Staticfiles without the manifest so tests need not collect first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
