"""The scenario registry. A scenario is one function, registered with ``@scenario``, that takes
the ``Bench`` and returns one or more ``Measurement`` rows (ours, the raw-SQL baseline, and the
targets each row is judged by). Modules in this package are imported by ``load()``; to add
one (the heat map, the quarterly evaluation …), write a function in a new module here:

    @scenario("heat map page", group="pages")
    def heat_map(bench):
        client = bench.client("district_leader")
        row = bench.http("heat map page", lambda: client.get("/map/"), baseline=_heat_map_sql)
        return [pages_target(bench, row)]
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    group: str
    run: Callable


REGISTRY: dict[str, Scenario] = {}


def scenario(name: str, *, group: str):
    """Register a scenario under a short name (``BENCH_ONLY=name,…`` runs a subset)."""

    def register(func: Callable) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"Two scenarios are named {name!r}.")
        REGISTRY[name] = Scenario(name=name, group=group, run=func)
        return func

    return register


def load() -> dict[str, Scenario]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY
