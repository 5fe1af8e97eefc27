"""Timing and memory: medians, 95th percentiles, resident memory of the web workers."""

import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psutil

MB = 1024 * 1024


@dataclass(frozen=True)
class Stats:
    """Seconds per run."""

    median: float
    p95: float
    n: int

    @classmethod
    def of(cls, samples: Iterable[float]) -> "Stats":
        values = sorted(samples)
        if not values:
            raise ValueError("no samples")
        # nearest-rank 95th percentile: with 40 samples it is the second slowest
        rank = max(0, min(len(values) - 1, round(0.95 * len(values) + 0.5) - 1))
        return cls(median=statistics.median(values), p95=values[rank], n=len(values))


@dataclass
class Check:
    target: str
    met: bool | None  # None: a figure watched, with no target to meet
    detail: str


@dataclass
class Measurement:
    """One row of the results table, and the targets it is judged against."""

    scenario: str
    ours: Stats
    baseline: Stats | None = None
    rows: int | None = None  # rows read or written per run (counted by the baseline)
    queries: int | None = None  # our SQL statements per run (counted in-process)
    baseline_statements: int | None = None
    peak_mb: float | None = None
    peak_what: str = ""
    cpu: float | None = None  # our CPU seconds per run (web workers, or this process)
    baseline_cpu: float | None = None  # the baseline's CPU seconds per run (this process)
    throughput: float | None = None  # cases per second
    baseline_throughput: float | None = None
    notes: str = ""
    checks: list[Check] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.median <= 0:
            return None
        return self.ours.median / self.baseline.median

    @property
    def cpu_ratio(self) -> float | None:
        if not self.cpu or not self.baseline_cpu:
            return None
        return self.cpu / self.baseline_cpu

    def check(self, target: str, met: bool | None, detail: str) -> None:
        self.checks.append(Check(target, met, detail))


def repeat(fn: Callable[[], object], times: int, *, warmup: int = 2) -> list[float]:
    """Wall-clock seconds of ``times`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def heap_peak_mb(fn: Callable[[], object]) -> float:
    """Peak Python heap allocated while ``fn`` runs (tracemalloc; one extra, untimed run)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


class RSSSampler:
    """Samples the resident memory of some processes in a thread; keeps the largest value
    any one of them reached."""

    def __init__(self, pids: Callable[[], list[int]], interval: float = 0.1) -> None:
        self._pids = pids
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.peak = 0

    def sample(self) -> int:
        largest = 0
        for pid in self._pids():
            try:
                largest = max(largest, psutil.Process(pid).memory_info().rss)
            except psutil.Error:
                continue
        self.peak = max(self.peak, largest)
        return largest

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def __enter__(self) -> "RSSSampler":
        self.peak = 0
        self.sample()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()

    @property
    def peak_mb(self) -> float:
        return self.peak / MB
