"""gunicorn settings for `make serve`, the benchmarks and production (docs/deployment.md).

With several workers, each process keeps its own Prometheus metrics in
``PROMETHEUS_MULTIPROC_DIR`` and /metrics adds them up; a worker that exits is marked dead there
so its gauges stop counting (its counters stay, as a restart must not lower a total).
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
