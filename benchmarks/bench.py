"""What a scenario gets: the server, logged-in HTTP clients, a raw connection for its
baseline, and helpers that time both sides the same way."""

import contextlib
import secrets
import time
from collections.abc import Callable
from datetime import datetime

import httpx

from .config import Options
from .database import RawDB, Target
from .measure import Measurement, RSSSampler, Stats, cpu_seconds, heap_peak_mb, repeat
from .server import Server


class Bench:
    def __init__(self, *, options: Options, target: Target, marker: dict, server: Server | None):
        self.options = options
        self.scale = options.scale
        self.target = target
        self.marker = marker
        self.server = server
        self.end = datetime.fromisoformat(marker["end"])
        self._clients: list[httpx.Client] = []
        self._raw: RawDB | None = None

    # --- who is asking ------------------------------------------------------------------

    def user(self, username: str):
        from pingan.orgs.models import Staff

        return Staff.objects.get(username=username)

    def token(self, username: str) -> str:
        from pingan.core.models import ApiToken

        _token, text = ApiToken.objects.create(user=self.user(username), name="benchmark")
        return text

    def session_cookies(self, username: str) -> dict[str, str]:
        """A logged-in session, as the login page would have left it, and a CSRF cookie."""
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        user = self.user(username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        return {
            settings.SESSION_COOKIE_NAME: session.session_key,
            settings.CSRF_COOKIE_NAME: secrets.token_hex(16),
        }

    def client(self, username: str, *, api: bool = False) -> httpx.Client:
        """An HTTP client for the server: a token for the API, a session (and CSRF header)
        for the pages."""
        if api:
            headers = {"Authorization": f"Token {self.token(username)}"}
            client = httpx.Client(base_url=self.server.url, headers=headers, timeout=60)
        else:
            cookies = self.session_cookies(username)
            client = httpx.Client(
                base_url=self.server.url,
                cookies=cookies,
                headers={"X-CSRFToken": cookies["csrftoken"]},
                timeout=60,
            )
        self._clients.append(client)
        return client

    def raw(self) -> RawDB:
        """The baseline's own connection (sqlite3 / psycopg), opened once per run."""
        if self._raw is None:
            self._raw = RawDB.connect(self.target)
        return self._raw

    def abandon_baseline(self) -> None:
        """Roll back and close the baseline's connection after a failed scenario (the next
        one opens another): on SQLite its open write transaction would lock the server out."""
        if self._raw is not None:
            with contextlib.suppress(Exception):
                self._raw.rollback()
            with contextlib.suppress(Exception):
                self._raw.close()
            self._raw = None

    def close(self) -> None:
        for client in self._clients:
            client.close()
        if self._raw is not None:
            self._raw.close()

    # --- measuring ----------------------------------------------------------------------

    def http(
        self,
        name: str,
        request: Callable[[], httpx.Response],
        *,
        baseline: Callable[[RawDB], object] | None = None,
        queries: Callable[[], int] | None = None,
        times: int | None = None,
    ) -> Measurement:
        """Time an HTTP request against the server (the web workers' peak RSS sampled
        meanwhile) and, in the same run, its raw-SQL baseline."""
        times = times or self.scale.repeat

        def call():
            response = request()
            if response.status_code >= 400:
                raise RuntimeError(f"{name}: HTTP {response.status_code} {response.text[:300]}")

        repeat(call, 0, warmup=2)
        pids = self.server.worker_pids()
        cpu_before = cpu_seconds(pids)
        with RSSSampler(self.server.worker_pids) as rss:
            ours = Stats.of(repeat(call, times, warmup=0))
        measurement = Measurement(
            scenario=name,
            ours=ours,
            cpu=(cpu_seconds(pids) - cpu_before) / times,
            peak_mb=rss.peak_mb,
            peak_what="web worker RSS",
        )
        if queries is not None:
            measurement.queries = queries()
        if baseline is not None:
            self.add_baseline(measurement, baseline, times=times)
        return measurement

    def job(
        self,
        name: str,
        run: Callable[[], object],
        *,
        baseline: Callable[[RawDB], object] | None = None,
        queries: Callable[[], int] | None = None,
        times: int = 5,
    ) -> Measurement:
        """Time an in-process job (a periodic task) and its baseline; the Python heap's peak
        is taken in one more, untimed run."""
        repeat(run, 0, warmup=1)
        cpu_before = time.process_time()
        ours = Stats.of(repeat(run, times, warmup=0))
        measurement = Measurement(
            scenario=name,
            ours=ours,
            cpu=(time.process_time() - cpu_before) / times,
            peak_mb=heap_peak_mb(run),
            peak_what="Python heap",
        )
        if queries is not None:
            measurement.queries = queries()
        if baseline is not None:
            self.add_baseline(measurement, baseline, times=times, warmup=1)
        return measurement

    def add_baseline(
        self,
        measurement: Measurement,
        baseline: Callable[[RawDB], object],
        *,
        times: int,
        warmup: int = 2,
    ) -> None:
        db = self.raw()
        db.reset_counts()
        baseline(db)
        measurement.rows, measurement.baseline_statements = db.reset_counts()
        repeat(lambda: baseline(db), 0, warmup=warmup - 1)
        cpu_before = time.process_time()
        measurement.baseline = Stats.of(repeat(lambda: baseline(db), times, warmup=0))
        measurement.baseline_cpu = (time.process_time() - cpu_before) / times
        db.reset_counts()

    def count_queries(self, username: str, method: str, path: str, **kwargs) -> int:
        """Our SQL statements for one request, counted in-process with Django's test client
        (the same view code the server runs)."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()
        client.force_login(self.user(username))
        if "HTTP_AUTHORIZATION" not in kwargs and path.startswith("/api/"):
            kwargs["HTTP_AUTHORIZATION"] = f"Token {self.token(username)}"
            client.logout()
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method.upper()} {path}: HTTP {response.status_code}")
        return len(captured)
