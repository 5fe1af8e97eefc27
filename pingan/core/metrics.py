"""Prometheus metrics of the application's own work (X7), beside django-prometheus' requests,
latency per view and database time; all served at /metrics (pingan.core.health).

- ``pingan_job_runs_total{task,outcome}`` and ``pingan_job_duration_seconds{task}``: every Huey
  task the consumer runs (periodic sweeps and jobs alike), from Huey's signals; the outcome is
  ok, error, locked (its previous run still going), canceled, rate_limited or interrupted;
- ``pingan_sweep_items_total{sweep,kind}``: what each sweep issued (supervisions per tier,
  escalations, overdue tasks, release reminders and no-show escalations, keys forgotten);
- ``pingan_notices_total{channel}``: notices stored in the inbox and text messages handed to
  the SMS backends.

Under gunicorn with several workers, and with the Huey consumer beside them, every process
writes to ``PROMETHEUS_MULTIPROC_DIR`` and /metrics adds them up (docs/deployment.md).
"""

import time

from huey.signals import (
    SIGNAL_CANCELED,
    SIGNAL_COMPLETE,
    SIGNAL_ERROR,
    SIGNAL_EXECUTING,
    SIGNAL_INTERRUPTED,
    SIGNAL_LOCKED,
    SIGNAL_RATE_LIMITED,
)
from prometheus_client import Counter, Histogram

JOB_RUNS = Counter(
    "pingan_job_runs_total", "Background tasks run, by task and outcome.", ["task", "outcome"]
)
JOB_SECONDS = Histogram(
    "pingan_job_duration_seconds",
    "How long each background task ran.",
    ["task"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600),
)
SWEEP_ITEMS = Counter(
    "pingan_sweep_items_total",
    "What the periodic sweeps issued, by sweep and kind.",
    ["sweep", "kind"],
)
NOTICES = Counter("pingan_notices_total", "Notices sent, by channel (inbox, sms).", ["channel"])

_started: dict[str, float] = {}
# every way a task that began executing ends: a sweep still running when its next turn comes
# is "locked", a consumer stopped mid-task "interrupted"
_OUTCOMES = {
    SIGNAL_COMPLETE: "ok",
    SIGNAL_ERROR: "error",
    SIGNAL_LOCKED: "locked",
    SIGNAL_CANCELED: "canceled",
    SIGNAL_RATE_LIMITED: "rate_limited",
    SIGNAL_INTERRUPTED: "interrupted",
}


def count_sweep(sweep: str, **counts: int) -> None:
    """Add one sweep run's results, e.g. ``count_sweep("supervision", tier1=3, tier2=0)``."""
    for kind, count in counts.items():
        SWEEP_ITEMS.labels(sweep=sweep, kind=kind).inc(count)


def connect_job_signals(huey) -> None:
    """Time and count every task the consumer executes."""

    @huey.signal(SIGNAL_EXECUTING)
    def _executing(signal, task, *args, **kwargs):
        _started[task.id] = time.monotonic()

    @huey.signal(*_OUTCOMES)
    def _finished(signal, task, *args, **kwargs):
        started = _started.pop(task.id, None)
        JOB_RUNS.labels(task=task.name, outcome=_OUTCOMES[signal]).inc()
        if started is not None:
            JOB_SECONDS.labels(task=task.name).observe(time.monotonic() - started)
