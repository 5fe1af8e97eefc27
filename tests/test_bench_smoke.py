"""The benchmark harness, end to end at a tiny scale, so that `make bench` cannot rot.

No timing is asserted: only that the data is built and then reused, the server answers, every
scenario produces its row and its baseline, the targets section is written, and bad input is
refused with a clear message and a non-zero exit status.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.config import BenchError, Options
from benchmarks.measure import Stats
from benchmarks.run import main

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bench(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "BENCH_SCALE": "tiny",
        "BENCH_VAR": str(tmp_path / "var"),
        "BENCH_RESULTS": str(tmp_path / "results"),
        "BENCH_PORT": str(_free_port()),
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if "BENCH_ONLY" not in extra:
        env.pop("BENCH_ONLY", None)
    return subprocess.run(
        [sys.executable, "-m", "benchmarks"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def bench_target():
    """On PostgreSQL, the tiny benchmark database is dropped afterwards (SQLite's file lives in
    the test's temporary folder)."""
    from benchmarks.database import drop, resolve

    target = resolve(Options.from_env({**os.environ, "BENCH_SCALE": "tiny"}))
    yield target
    if target.vendor == "postgresql":
        drop(target)


def test_tiny_run_builds_measures_and_reports_then_reuses_the_data(tmp_path, bench_target):
    from benchmarks import scenarios

    first = _bench(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Data: building 300 cases" in first.stdout
    results = list((tmp_path / "results").glob("*-tiny-*.md"))
    assert len(results) == 1
    text = results[0].read_text()
    for name in ("queue-page", "case-list-api", "case-page", "intake", "sweep"):
        assert f"| {name}" in text
    assert set(scenarios.load()) >= {"queue-page", "case-list-api", "case-page", "intake", "sweep"}
    results_table = text.split("## Targets")[0]
    table = [
        line for line in results_table.splitlines() if line.startswith("| ") and " ms |" in line
    ]
    # every row has a baseline median and a ratio, but the menu's pages, the mixed load and
    # the crowded grid's steps (compared with each other), which have none
    assert table and all(
        line.split("|")[5].strip() not in {"", "–"}
        for line in table
        if not line.startswith(("| menu:", "| mixed-load", "| intake into a grid"))
    )
    assert "| intake into a grid with 100 recent similar matters |" in text
    assert "≤ 1.5× the smallest step" in text and "same number of queries at every step" in text
    assert "| mixed-load 5/s |" in text and "people at p95 < 300 ms" in text
    # and every menu page answered, timed with its query count (those whose persona the tiny
    # data has: the prisons' and the procuratorate's come with their apps' demo data)
    assert "| menu:cases:funnel |" in text and "| menu:collaboration:board |" in text
    assert "## Targets" in text and "web process < 300 MB RSS" in text
    assert "| cost per case vs baseline (CPU), watched | intake (API" in text
    # one scale built: the generator's flatness is not claimed either way
    assert "| generator memory flat as scale grows | – | not measured | 300 cases (" in text

    again = _bench(tmp_path, BENCH_ONLY="sweep")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Data: reusing 300 cases" in again.stdout


def test_every_menu_route_is_a_benchmark_scenario():
    import django

    django.setup()
    from benchmarks import scenarios
    from benchmarks.scenarios.menu import COVERED, MENU_PAGES
    from pingan.core.context_processors import NAVIGATION

    registry = scenarios.load()
    routes = {name for name, _label, _icon, _roles in NAVIGATION if name}
    missing = routes - set(MENU_PAGES) - set(COVERED)
    assert not missing, f"menu routes without a benchmark scenario: {sorted(missing)}"
    assert not set(MENU_PAGES) - routes, "a scenario for a route the menu no longer has"
    assert all(name in registry for name in COVERED.values())
    assert all(f"menu:{route}" in registry for route in MENU_PAGES)


def test_generator_memory_is_compared_across_the_scales_of_one_generator(monkeypatch):
    from types import SimpleNamespace

    from benchmarks import report

    builds = {
        "district-sqlite": {"cases": 60_000, "peak_mb": 640.0, "seconds": 560, "generator": "g2"},
        "district-postgresql": {
            "cases": 60_000,
            "peak_mb": 480.0,
            "seconds": 350,
            "generator": "g2",
        },
        "city-postgresql": {"cases": 10**6, "peak_mb": 700.0, "seconds": 1900, "generator": "g2"},
        "city-sqlite": {"cases": 10**6, "peak_mb": 4000.0, "seconds": 9000, "generator": "g1"},
    }
    monkeypatch.setattr(report, "generator_history", lambda: builds)
    monkeypatch.setattr(report, "generator_version", lambda: "g2")

    def on(engine: str):
        return SimpleNamespace(target=SimpleNamespace(label=engine))

    # on PostgreSQL, its own two scales: 700 <= 1.5 × 480
    [(target, met, detail)] = report._generator(on("postgresql"))
    assert target.startswith("generator memory flat") and met is True
    assert "sqlite" not in detail and detail.startswith("60,000 cases (postgresql): 480 MB")
    # on SQLite, one scale of its own: every engine, the lowest peak at the smallest scale
    [(_target, met, detail)] = report._generator(on("sqlite"))
    assert met is True and detail.startswith(
        "60,000 cases (postgresql): 480 MB in 350 s; 60,000 cases (sqlite)"
    )
    assert "4000" not in detail  # a build by another generator is not compared
    builds["city-postgresql"]["peak_mb"] = 721.0
    assert report._generator(on("sqlite"))[0][1] is False


def test_unknown_scale_is_refused(capsys):
    assert main({"BENCH_SCALE": "galaxy"}) == 2
    assert "Unknown BENCH_SCALE 'galaxy'" in capsys.readouterr().err


def test_unreachable_database_is_refused(capsys):
    environ = {
        "BENCH_SCALE": "tiny",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_free_port()}/x",
    }
    assert main(environ) == 2
    err = capsys.readouterr().err
    assert "PostgreSQL at 127.0.0.1" in err and "not reachable" in err


def test_unsupported_database_is_refused(capsys):
    assert main({"BENCH_SCALE": "tiny", "DATABASE_URL": "mysql://root@127.0.0.1/x"}) == 2
    assert "'mysql' is not supported" in capsys.readouterr().err


def test_bad_port_is_refused():
    with pytest.raises(BenchError, match="BENCH_PORT and BENCH_CLIENTS"):
        Options.from_env({"BENCH_SCALE": "tiny", "BENCH_PORT": "eighty"})


def test_unknown_scenario_is_refused(capsys):
    assert main({"BENCH_SCALE": "tiny", "BENCH_ONLY": "sweep,teleport"}) == 2
    assert "Unknown scenario(s) in BENCH_ONLY: teleport" in capsys.readouterr().err


def test_percentiles():
    stats = Stats.of([0.01 * n for n in range(1, 41)])
    assert stats.n == 40
    assert stats.median == pytest.approx(0.205)
    assert stats.p95 == pytest.approx(0.38)  # nearest rank: the 38th of 40
    assert Stats.of([0.5]).p95 == 0.5
