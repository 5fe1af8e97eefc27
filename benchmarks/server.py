"""A real web server for the HTTP scenarios: gunicorn as ``make serve`` runs it (2 workers,
4 threads each), on the benchmark database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from .config import ROOT, VAR, BenchError
from .database import Target

WORKERS, THREADS = 2, 4


def bench_env(target: Target) -> dict[str, str]:
    """The environment of every process the harness starts: the benchmark database, text
    messages kept in memory instead of printed, the demo settings otherwise."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": target.url,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "PINGAN_NOTIFIERS": "pingan.core.notify.LocmemSMSBackend",
            "PINGAN_ROUTER_PATH": str(target.router_path),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(target: Target, *args: str) -> None:
    """Run a management command on the benchmark database; its failure is ours."""
    log = VAR / "manage.log"
    with log.open("a") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=bench_env(target),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode:
        raise BenchError(f"manage.py {' '.join(args)} failed (exit {done.returncode}); see {log}")


class Server:
    def __init__(self, target: Target, port: int) -> None:
        self.target = target
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path: Path = VAR / f"gunicorn-{port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=bench_env(self.target),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.close()
                tail = self.log_path.read_text()[-600:]
                raise BenchError(f"gunicorn on port {self.port} exited at start:\n{tail}")
            try:
                if httpx.get(f"{self.url}/accounts/login/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise BenchError(f"gunicorn on port {self.port} did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        if self.process is None or self.process.poll() is not None:
            return []
        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.Error:
            return []

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self.process = None
