"""``python -m benchmarks`` (``make bench``): build or reuse the data, start the server, run
the scenarios, write the results file. Bad input or an unreachable database: one line on
stderr and exit status 2."""

import os
import sys
import traceback
from contextlib import nullcontext
from datetime import datetime

from .config import BenchError, Options


def main(environ=os.environ) -> int:
    started = datetime.now().astimezone()
    try:
        options = Options.from_env(environ)
        from . import scenarios
        from .database import check_reachable, resolve

        registry = scenarios.load()
        unknown = options.only - set(registry)
        if unknown:
            raise BenchError(
                f"Unknown scenario(s) in BENCH_ONLY: {', '.join(sorted(unknown))}; "
                f"known: {', '.join(registry)}."
            )

        target = resolve(options)
        check_reachable(target)
        path = run(options, target, started=started)
    except BenchError as exc:
        print(f"make bench: {exc}", file=sys.stderr)
        return 2
    print(f"Results: {path}")
    return 0


def run(options, target, *, started):
    from .config import VAR
    from .server import bench_env

    VAR.mkdir(parents=True, exist_ok=True)  # logs, the routing model, notes per scale

    os.environ.update(bench_env(target))
    import django

    django.setup()

    from . import report, scenarios
    from .bench import Bench
    from .build import ensure_data
    from .server import Server, manage

    registry = scenarios.load()
    marker = ensure_data(target, options.scale)
    chosen = {n: s for n, s in registry.items() if not options.only or n in options.only}
    # jobs run in-process; a server (and its static files) only when a scenario needs HTTP
    needs_server = any(item.group != "jobs" for item in chosen.values())
    if needs_server:
        manage(target, "collectstatic", "--noinput", "--verbosity", "0")
    from pingan.cases.models import Case, CaseSequence

    last_case = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sequences = dict(CaseSequence.objects.values_list("year", "last"))
    rows = []
    failures = []
    with Server(target, options.port) if needs_server else nullcontext() as server:
        bench = Bench(options=options, target=target, marker=marker, server=server)
        bench.load_before = os.getloadavg()
        try:
            for name, item in chosen.items():
                print(f"Scenario: {name} …", flush=True)
                try:
                    rows += item.run(bench)
                except Exception:
                    failures.append(f"{name}:\n{traceback.format_exc()}")
                    print(failures[-1], file=sys.stderr)
                    bench.abandon_baseline()  # its open transaction would lock the next ones
        finally:
            bench.close()
            _forget_intakes(last_case, sequences)
            bench.load_after = os.getloadavg()
    extra = ""
    if failures:
        extra = "## Scenarios that failed\n\n" + "\n".join(
            f"```\n{failure}\n```" for failure in failures
        )
    path = report.write(bench, rows, started=started, extra=extra)
    if failures:
        raise BenchError(f"{len(failures)} scenario(s) failed; see {path}")
    return path


def _forget_intakes(last_case: int, sequences: dict[int, int]) -> None:
    """Remove the cases the intake scenarios created, so the cached data stays as built."""
    from pingan.cases.models import Case, CaseSequence

    Case.objects.filter(pk__gt=last_case).delete()
    for year, last in sequences.items():
        CaseSequence.objects.filter(year=year).update(last=last)
    CaseSequence.objects.exclude(year__in=list(sequences)).delete()
