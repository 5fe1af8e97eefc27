"""The results file: benchmarks/results/<date>-<scale>-<db>.md."""

import platform
from datetime import datetime
from pathlib import Path

import psutil

from .build import generator_history, generator_version
from .measure import Measurement
from .targets import GENERATOR_FLAT_FACTOR, WEB_MAX_RSS_MB


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _n(value) -> str:
    return "–" if value is None else f"{value:,}"


def write(bench, rows: list[Measurement], *, started: datetime, extra: str = "") -> Path:
    scale, target = bench.scale, bench.target
    path = bench.options.results / f"{started:%Y-%m-%d}-{scale.name}-{target.label}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    web_checks = _web_memory(rows)
    generator = _generator(bench)
    lines = [
        f"# Benchmark: {scale.name} scale on {target.label}, {started:%Y-%m-%d %H:%M %Z}",
        "",
        f"- Data: {bench.marker['cases']:,} generated cases and "
        f"{bench.marker.get('reports', 0):,} grid reports, demo data of "
        f"{bench.marker.get('app_data', 'no other app')} "
        f"(seed {bench.marker['seed']}, generator {bench.marker['generator']}, "
        f"code at {bench.marker.get('commit', 'unknown')}, "
        f"year ending {bench.marker['end'][:10]}), "
        f"built {bench.marker['built_at']} in {bench.marker['generate_seconds']} s.",
        f"- Machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}; server: gunicorn, 2 workers × 4 threads; "
        f"1-minute load average {bench.load_before[0]:.1f} before the scenarios and "
        f"{bench.load_after[0]:.1f} after (other work on the machine inflates the timings).",
        "- Ours: the full stack over HTTP (client-side wall time) or the job in-process. "
        "Baseline: the same reads and writes by hand through "
        f"{'sqlite3' if target.vendor == 'sqlite' else 'psycopg'}, no Django, same run.",
        "- Rows: rows the baseline read or wrote per run. Queries: our SQL statements per run "
        "(counted in-process) / the baseline's.",
        "- CPU: our web workers' (or this process's, for jobs) CPU time per run, and the "
        "baseline's; on PostgreSQL neither includes the database server's own CPU.",
        "",
        "| scenario | ours median | ours p95 | baseline median | ratio | ours CPU | baseline CPU "
        "| CPU ratio | rows | queries | peak memory |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = f"{row.ratio:.1f}×" if row.ratio is not None else "–"
        queries = (
            f"{_n(row.queries)} / {_n(row.baseline_statements)}" if row.queries is not None else "–"
        )
        memory = f"{row.peak_mb:.0f} MB {row.peak_what}" if row.peak_mb is not None else "–"
        cpu_ratio = f"{row.cpu_ratio:.1f}×" if row.cpu_ratio is not None else "–"
        lines.append(
            f"| {row.scenario} | {_ms(row.ours.median)} | {_ms(row.ours.p95)} | "
            f"{_ms(row.baseline.median if row.baseline else None)} | {ratio} | "
            f"{_ms(row.cpu)} | {_ms(row.baseline_cpu)} | {cpu_ratio} | {_n(row.rows)} | "
            f"{queries} | {memory} |"
        )
    notes = [f"- {row.scenario}: {row.notes}" for row in rows if row.notes]
    if notes:
        lines += ["", *notes]
    lines += [
        "",
        "## Targets",
        "",
        "| target | scenario | result | measured |",
        "| --- | --- | --- | --- |",
    ]
    for row in rows:
        for check in row.checks:
            verdict = {True: "met", False: "**not met**", None: "watched"}[check.met]
            lines.append(f"| {check.target} | {row.scenario} | {verdict} | {check.detail} |")
    verdicts = {True: "met", False: "**not met**", None: "not measured"}
    for target_text, met, detail in [*web_checks, *generator]:
        lines.append(f"| {target_text} | – | {verdicts[met]} | {detail} |")
    if extra:
        lines += ["", extra.strip()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _web_memory(rows: list[Measurement]) -> list[tuple[str, bool, str]]:
    peaks = [row.peak_mb for row in rows if row.peak_what == "web worker RSS" and row.peak_mb]
    if not peaks:
        return []
    peak = max(peaks)
    return [
        (
            f"web process < {WEB_MAX_RSS_MB:.0f} MB RSS",
            peak < WEB_MAX_RSS_MB,
            f"largest worker {peak:.0f} MB",
        )
    ]


def _generator(bench) -> list[tuple[str, bool | None, str]]:
    """Peak memory of the data builds kept in this ``BENCH_VAR`` by the generator measured
    here, smallest scale first: the builds on this run's engine when it has two scales (the
    engines differ by a few hundred MB at the same scale), else those on either engine. At
    the smallest scale the lowest peak is taken, so a difference of engine cannot pass for
    flatness."""
    runs = [
        (key, value)
        for key, value in generator_history().items()
        if value["generator"] == generator_version()
    ]
    here = [(key, value) for key, value in runs if key.endswith(f"-{bench.target.label}")]
    if len({value["cases"] for _key, value in here}) >= 2:
        runs = here
    runs.sort(key=lambda item: (item[1]["cases"], item[1]["peak_mb"]))
    if not runs:
        return []
    detail = "; ".join(
        f"{value['cases']:,} cases ({key.split('-', 1)[1]}): {value['peak_mb']:.0f} MB "
        f"in {value['seconds']:.0f} s"
        for key, value in runs
    )
    smallest, largest = runs[0][1], runs[-1][1]
    if smallest["cases"] == largest["cases"]:
        return [("generator memory flat as scale grows", None, detail + "; one scale built")]
    return [
        (
            f"generator memory flat as scale grows (≤ {GENERATOR_FLAT_FACTOR}× from smallest to "
            "largest)",
            largest["peak_mb"] <= smallest["peak_mb"] * GENERATOR_FLAT_FACTOR,
            detail,
        )
    ]
