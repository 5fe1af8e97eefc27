"""Every page the menu reaches (issue 27), opened by the person whose work it is.

One scenario per menu route (``pingan.core.context_processors.NAVIGATION``), named
``menu:<route>``: the page as that person's browser asks for it, timed over HTTP with its query
count, judged by the pages' target (p95 < 150 ms at city scale, a constant number of queries).
These pages have no hand-written baseline: most of them are many small reads whose raw-SQL
copy would say little. Routes measured by a scenario of their own, with a baseline, are
``COVERED``. ``tests/test_bench_smoke.py`` fails when a menu route is in neither.

A persona missing from the data (the prisons' and the procuratorate's demo accounts come with
their apps' demo data, which the tiny scale does not load) skips its page, saying so.
"""

from .. import targets
from . import scenario

# route -> the demo account whose daily work the page is (the widest scope that uses it)
MENU_PAGES = {
    "home": "district_leader",
    "cases:case-new": "street_clerk",
    "cases:approvals": "district_leader",
    "cases:supervisions": "district_dispatcher",
    "cases:funnel": "district_leader",
    "collaboration:whistles": "district_dispatcher",
    "collaboration:talks": "district_dispatcher",
    "collaboration:board": "district_leader",
    "collaboration:departments": "district_leader",
    "collaboration:roster": "district_dispatcher",
    "collaboration:officers": "district_dispatcher",
    "patrol:home": "grid_worker",
    "patrol:report-list": "grid_worker",
    "patrol:coverage": "district_leader",
    "risk:instructions": "district_dispatcher",
    "persons:list": "district_dispatcher",
    "persons:scorecards": "admin",
    "corrections:release-list": "district_dispatcher",
    "corrections:file-list": "auditor",
    "corrections:analysis": "district_leader",
    "evaluation:index": "evaluator",
    "talent:overview": "talent_committee",
    "talent:mine": "assistant",
    "talent:peers": "assistant",
    "orgs:division-root": "district_leader",
    "orgs:unit-list": "district_dispatcher",
    "orgs:staff-list": "district_leader",
    "audit:personal-data": "admin",
    "audit:log": "security_auditor",
    "api-docs": "admin",
}
# routes with a scenario of their own (and a raw-SQL baseline)
COVERED = {"cases:queue": "queue-page", "risk:map": "heat-map"}


def _page(route: str, persona: str):
    def run(bench):
        from django.urls import reverse

        from pingan.orgs.models import Staff

        if not Staff.objects.filter(username=persona, is_active=True).exists():
            print(f"  {route}: no {persona} in this data ({bench.scale.name}); skipped")
            return []
        path = reverse(route)
        client = bench.client(persona)
        row = bench.http(
            f"menu:{route}",
            lambda: client.get(path),
            queries=lambda: bench.count_queries(persona, "get", path),
        )
        row.notes = f"GET {path} as {persona}"
        return [targets.page(bench, row)]

    return run


for _route, _persona in MENU_PAGES.items():
    scenario(f"menu:{_route}", group="pages")(_page(_route, _persona))
