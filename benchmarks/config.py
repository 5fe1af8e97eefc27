"""Scales, defaults and the environment the harness reads."""

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Cached databases, logs and per-scale notes; BENCH_VAR moves them (the smoke test does).
VAR = Path(os.environ.get("BENCH_VAR") or ROOT / "var" / "bench")
RESULTS = Path(__file__).resolve().parent / "results"
SEED = 2026


class BenchError(Exception):
    """Bad input or an unusable environment: printed as one clear line, exit status 2."""


@dataclass(frozen=True)
class Scale:
    name: str
    cases: int
    repeat: int  # timed requests per page scenario
    intake: int  # cases created by the sequential intake scenario
    concurrent: int  # cases created by each of the concurrent clients
    # grid reports in the demo year (patrol's demo generator is scaled to this many); the other
    # apps' demo data (patrols, key persons, risk snapshots, evaluation schemes …) comes with it
    reports: int = 200_000
    # whose demo data ``pingan_demo --app-data`` loads after the cases
    app_data: str = "all"
    # the mixed load's rates (requests per second, stepped up until saturated), each this long
    load_rates: tuple[int, ...] = (10, 20, 30, 40, 50, 60, 80, 100)
    load_seconds: int = 20


SCALES = {
    "tiny": Scale(
        # the smoke test: only the apps the scenarios read, to keep it quick
        "tiny",
        300,
        repeat=5,
        intake=5,
        concurrent=2,
        reports=2_000,
        app_data="patrol,risk,evaluation",
        load_rates=(5,),
        load_seconds=2,
    ),
    "district": Scale("district", 60_000, repeat=40, intake=60, concurrent=25, reports=200_000),
    "city": Scale("city", 1_000_000, repeat=40, intake=60, concurrent=25, reports=5_000_000),
}


@dataclass(frozen=True)
class Options:
    scale: Scale
    database_url: str | None
    port: int
    results: Path
    only: frozenset[str]
    clients: int

    @classmethod
    def from_env(cls, environ=os.environ) -> "Options":
        name = environ.get("BENCH_SCALE", "district").strip()
        if name not in SCALES:
            raise BenchError(f"Unknown BENCH_SCALE {name!r}: choose one of {', '.join(SCALES)}.")
        try:
            port = int(environ.get("BENCH_PORT", "8107"))
            clients = int(environ.get("BENCH_CLIENTS", "8"))
        except ValueError as exc:
            raise BenchError(
                f"BENCH_PORT and BENCH_CLIENTS must be whole numbers ({exc})."
            ) from exc
        only = frozenset(s.strip() for s in environ.get("BENCH_ONLY", "").split(",") if s.strip())
        return cls(
            scale=SCALES[name],
            database_url=environ.get("DATABASE_URL") or None,
            port=port,
            results=Path(environ.get("BENCH_RESULTS", str(RESULTS))),
            only=only,
            clients=clients,
        )
