"""Liveness, readiness and metrics for the people who run the site (X7).

- ``/health/live/``: the process answers (no database, nothing else): restart it if not.
- ``/health/ready/``: django-health-check runs the database, the applied migrations, the cache,
  the job queue, the upload storage (a file written, read and deleted) and the free disk space;
  200 when all pass, 500 naming what failed; JSON (``?format=openmetrics`` or ``text`` on request).
- ``/metrics``: Prometheus text (django-prometheus: requests and latency per view, database
  time; pingan.core.metrics: jobs, sweeps, notices).

All three answer only addresses in ``PINGAN_MONITORING_NETWORKS`` (loopback by default; the
client behind a trusted proxy as ``client_ip`` sees it) and 403 anyone else: they name the
site's parts and are no business of a browser on the intranet.
"""

import dataclasses
import functools
from inspect import iscoroutinefunction

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.psutil import Disk
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from .net import address_in, client_ip


def _inside(request: HttpRequest) -> bool:
    return address_in(client_ip(request), settings.PINGAN_MONITORING_NETWORKS)


def _monitoring(view):
    """Only for the monitoring networks; everyone else gets 403 (sync and async views)."""
    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def guarded_async(request: HttpRequest, *args, **kwargs):
            if not _inside(request):
                raise PermissionDenied
            return await view(request, *args, **kwargs)

        return guarded_async

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if not _inside(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of this code is applied (a deploy that forgot `migrate` is not ready)."""

    alias: str = "default"

    def run(self):
        if self.alias in _migrated:
            return
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable("database unreachable") from exc
        finally:
            connection.close()  # this runs in a worker thread of its own
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migrations not applied: run manage.py migrate")
        _migrated.add(self.alias)  # once applied, they stay applied until the code changes


_migrated: set[str] = set()


@dataclasses.dataclass
class JobQueue(HealthCheck):
    """The Huey queue (Redis, or the SQLite file) answers."""

    def run(self):
        from huey.contrib.djhuey import HUEY

        try:
            HUEY.pending_count()
        except Exception as exc:  # redis' or sqlite3's own errors, whichever queue it is
            raise ServiceUnavailable("job queue unreachable") from exc


def _ready_checks():
    return (
        Database,
        Migrations,
        Cache,
        JobQueue,
        Storage,
        (
            Disk,
            {
                "path": settings.MEDIA_ROOT,
                "max_disk_usage_percent": settings.PINGAN_DISK_MAX_PERCENT,
            },
        ),
    )


@never_cache
@_monitoring
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class _Ready(HealthCheckView):
    def get_checks(self):
        self.checks = _ready_checks()
        return super().get_checks()

    def render_to_response(self, context, **response_kwargs):
        """JSON where the library would render its own HTML page (inline styles, a link out):
        this is for monitoring, not for a browser."""
        return self.render_to_response_json(response_kwargs.get("status", 200))


ready = _monitoring(_Ready.as_view())
metrics = _monitoring(ExportToDjangoView)
