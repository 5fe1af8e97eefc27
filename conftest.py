"""Test set-up shared by the whole suite.

The test database (SQLite in memory, or PostgreSQL when DATABASE_URL is set) is created once
per run and loaded with the Dongcheng demo org tree, units and staff, so tests act as the demo
personas (``street_dispatcher``, ``grid_worker`` …) against real data. Each test runs in a
transaction that is rolled back.

The whole run happens under one fixed clock (time-machine): 10:00 Asia/Shanghai on
``PINGAN_TEST_TODAY`` (YYYY-MM-DD; today's date when unset), ticking from there. No test reads
the wall clock, so the suite gives the same verdict on any date; ``.ci/run`` proves it by running
one pass at a hard date (a year without an official holiday calendar, at a year end).

Hypothesis (and schemathesis, which runs on it) is derandomized in the suite, so the same code
gets the same verdict; ``make fuzz`` loads the exploratory profile instead (``PINGAN_FUZZ=1``):
fresh randomness and many more examples.
"""

import os
from datetime import date, datetime, time

import pytest
import time_machine
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone, translation
from hypothesis import settings as hypothesis_settings

from pingan.core import notify
from pingan.core.calendar import LOCAL_TZ
from pingan.demo.orgs import DEMO_PASSWORD, load_org_tree

TEST_TODAY = date.fromisoformat(os.environ.get("PINGAN_TEST_TODAY") or date.today().isoformat())
TEST_START = datetime.combine(TEST_TODAY, time(10), tzinfo=LOCAL_TZ)

# Example counts are per test, and for schemathesis per API operation.
hypothesis_settings.register_profile("suite", derandomize=True, max_examples=20, print_blob=True)
hypothesis_settings.register_profile(
    "fuzz",
    derandomize=False,
    max_examples=int(os.environ.get("PINGAN_FUZZ_EXAMPLES") or 300),
    print_blob=True,
)
hypothesis_settings.load_profile("fuzz" if os.environ.get("PINGAN_FUZZ") else "suite")

_clock = time_machine.travel(TEST_START, tick=True)


def pytest_configure(config):
    # Started before collection, so even module-level "now" in a test module is the test clock.
    _clock.start()


def pytest_unconfigure(config):
    _clock.stop()


def pytest_report_header(config):
    profile = "fuzz" if os.environ.get("PINGAN_FUZZ") else "suite (derandomized)"
    return [f"clock: {TEST_START.isoformat()} (PINGAN_TEST_TODAY); hypothesis: {profile}"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_org_tree()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """The locale middleware leaves the request's language active in the thread; a test that
    switched to English must not hand it to the next one."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """Texts kept in memory (``LocmemSMSBackend``) start empty in every test, as Django's
    ``mail.outbox`` does."""
    notify.outbox.clear()
    yield
    notify.outbox.clear()


@pytest.fixture
def keep_connection():
    """Requests sent straight to the WSGI application (the fuzz harness) keep the test's
    connection and its transaction open across them, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def now() -> datetime:
    """The test clock's moment as the test starts, in Asia/Shanghai: for tests whose data must
    sit relative to what pages and APIs take as "now"."""
    return timezone.localtime()


@pytest.fixture
def today(now) -> date:
    return now.date()


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def staff(db):
    """Look up a persona: a demo username, or "role@division-code" (first such member)."""
    from pingan.orgs.models import Staff

    def find(persona: str):
        if "@" not in persona:
            return Staff.objects.get(username=persona)
        role, code = persona.split("@")
        return (
            Staff.objects.filter(roles__code=role, unit__division__code=code)
            .order_by("username")
            .first()
        )

    return find


@pytest.fixture
def client_as(client, staff):
    """A test client logged in as a demo persona."""

    def login(username: str):
        client.force_login(staff(username))
        return client

    return login


@pytest.fixture
def run_jobs(monkeypatch, django_capture_on_commit_callbacks):
    """Run queued background work as a Huey worker would, from the real (SQLite) queue.

    Use as a context manager around the request that queues work: the queueing waits for the
    transaction to commit, which in a test never happens, so the callbacks are run on exit;
    then every task in the queue is executed. Yields nothing; the work is done on exit.
    """
    from contextlib import contextmanager

    import huey.contrib.djhuey as djhuey
    from huey.contrib.djhuey import HUEY

    # A worker recycles database connections around each task; here the task must run inside
    # the test's transaction, so keep it open.
    monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
    HUEY.flush()

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        while (task := HUEY.dequeue()) is not None:
            HUEY.execute(task)

    return run


@pytest.fixture
def full_disk(tmp_path, settings):
    """MEDIA_ROOT on a real, 64 kB file system of its own (tmpfs; root only, as `.ci/run` is):
    for what a full upload disk does."""
    import subprocess

    root = tmp_path / "media"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(root)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    settings.MEDIA_ROOT = root
    yield root
    subprocess.run(["umount", str(root)], check=True)
