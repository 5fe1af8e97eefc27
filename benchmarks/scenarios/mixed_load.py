"""A district's day as a mixed load (issue 27): how many people one server carries.

Requests arrive open loop, at a fixed rate whatever the server's answers (as people do: a
clerk does not wait for a colleague's page before opening hers), each of a kind drawn with the
weights of ``MIX`` (seeded, so every run asks the same sequence). A request's time runs from
when it was due, so a server that falls behind is charged for the queue it builds. The rate
steps up (``Scale.load_rates``) until the 95th percentile passes a second: beyond that the
server is saturated and a higher rate says nothing more. The client runs on the same cores as
the server, as it did when ../shared/MEASUREMENTS.md was taken.

The figure the target reads: the highest rate served at p95 < 300 ms, as people at one request
each ten seconds.
"""

import asyncio
import random
import time

import httpx

from .. import targets
from ..config import SEED
from ..measure import Measurement, Stats, cpu_seconds
from . import scenario
from .cases import CLERK, Intake

# kind -> (share of the requests, who asks, method, path)
MIX = {
    "intake page": (10, CLERK, "get", "/cases/new/"),
    "intake API": (5, CLERK, "post", "/api/cases/"),
    "my queue": (20, "street_mediator", "get", "/cases/"),
    "case page": (25, "street_dispatcher", "get", None),  # one of the street's cases
    "area queue": (10, "street_dispatcher", "get", "/cases/?tab=area"),
    "funnel": (5, "district_leader", "get", "/cases/funnel/"),
    "risk map": (5, "district_leader", "get", "/risk/"),
    "patrol home": (10, "grid_worker", "get", "/patrol/"),
    "report list": (5, "grid_worker", "get", "/patrol/reports/"),
    "inbox": (5, "street_mediator", "get", "/inbox/"),
}
SATURATED_SECONDS = 1.0


@scenario("mixed-load", group="load")
def mixed_load(bench) -> list[Measurement]:
    from pingan.cases.models import Case

    intake = Intake(bench)
    cookies = {
        persona: "; ".join(f"{k}={v}" for k, v in bench.session_cookies(persona).items())
        for _, persona, _, _ in MIX.values()
    }
    numbers = list(
        Case.objects.visible_to(bench.user("street_dispatcher"))
        .order_by("-registered_at")
        .values_list("number", flat=True)[:500]
    )
    kinds = list(MIX)
    weights = [MIX[kind][0] for kind in kinds]
    # a server in the middle of its day: every page asked once before (the dashboards' kept
    # figures computed, the workers' code and templates loaded)
    with httpx.Client(base_url=bench.server.url, timeout=120) as http:
        for kind in kinds:
            _share, persona, method, path = MIX[kind]
            if kind != "intake API":
                path = path or f"/cases/{numbers[0]}/"
                http.request(method, path, headers={"Cookie": cookies[persona]})
    steps: list[tuple[int, Measurement, int]] = []
    for rate in bench.scale.load_rates:
        row, failed = asyncio.run(_step(bench, rate, kinds, weights, cookies, numbers, intake))
        steps.append((rate, row, failed))
        if row.ours.p95 > SATURATED_SECONDS:
            break
    return targets.capacity(bench, steps)


async def _step(bench, rate, kinds, weights, cookies, numbers, intake) -> tuple[Measurement, int]:
    seconds = bench.scale.load_seconds
    draw = random.Random(f"{SEED}-{rate}")
    plan = [draw.choices(kinds, weights)[0] for _ in range(round(rate * seconds))]
    cases = [draw.choice(numbers) for _ in plan] if numbers else []
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {kind: [] for kind in kinds}
    failures: list[str] = []
    # a new connection per request: a kept-alive one the server has just closed (gunicorn keeps
    # them 2 s) fails the next request, which a browser would silently retry
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=bench.server.url, timeout=60, limits=limits) as http:

        async def one(index: int, kind: str, due: float) -> None:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            _share, persona, method, path = MIX[kind]
            if kind == "intake API":
                request = http.post(
                    path,
                    json=intake.payload()[1],
                    headers={"Authorization": f"Token {intake.token}"},
                )
            else:
                path = path or f"/cases/{cases[index]}/"
                request = http.request(method, path, headers={"Cookie": cookies[persona]})
            try:
                response = await request
                if response.status_code >= 400:
                    failures.append(f"{kind}: HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                failures.append(f"{kind}: {type(exc).__name__}")
            latencies.append(time.perf_counter() - due)
            by_kind[kind].append(latencies[-1])

        pids = bench.server.worker_pids()
        cpu_before = cpu_seconds(pids)
        start = time.perf_counter() + 0.2
        await asyncio.gather(*(one(i, kind, start + i / rate) for i, kind in enumerate(plan)))
        elapsed = time.perf_counter() - start
    row = Measurement(
        scenario=f"mixed-load {rate}/s",
        ours=Stats.of(latencies),
        cpu=(cpu_seconds(pids) - cpu_before) / len(plan),
        throughput=len(plan) / elapsed,
        peak_what="web worker RSS",
    )
    shown = "; ".join(sorted(set(failures))[:3])
    slowest = sorted(
        ((Stats.of(times).p95, kind) for kind, times in by_kind.items() if times), reverse=True
    )[:3]
    row.notes = (
        f"{len(plan)} requests over {seconds} s, {len(failures)} failed"
        + (f" ({shown})" if failures else "")
        + "; slowest p95: "
        + ", ".join(f"{kind} {p95 * 1000:.0f} ms" for p95, kind in slowest)
    )
    return row, len(failures)
