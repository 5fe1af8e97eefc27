"""Test set-up shared by the whole suite.

The test database (SQLite in memory, or PostgreSQL when DATABASE_URL is set) is created once
per run and loaded with the Dongcheng demo org tree, units and staff, so tests act as the demo
personas (``street_dispatcher``, ``grid_worker`` …) against real data. Each test runs in a
transaction that is rolled back.
"""

import pytest
from django.core.cache import cache

from pingan.core import notify
from pingan.demo.orgs import DEMO_PASSWORD, load_org_tree


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_org_tree()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """Texts kept in memory (``LocmemSMSBackend``) start empty in every test, as Django's
    ``mail.outbox`` does."""
    notify.outbox.clear()
    yield
    notify.outbox.clear()


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
