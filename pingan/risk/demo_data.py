"""Demo data of risk monitoring: a few injected surges of cases, then weekly index snapshots
computed from the demo cases, so `make demo` opens a coloured map with red grids, hot spots,
early warnings and a history to slide through.

The demo case generator spreads cases evenly over the year, which leaves nothing to warn
about. Three clusters (a grid and its neighbours) therefore get extra matters over the last
18 days: copies of earlier matters of the same grid, as repeat matters (重复访), of the heavier
categories, still open, some overdue and some escalated to the district.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from pingan.cases.choices import EventKind, State
from pingan.cases.models import Case, Category, Party
from pingan.cases.repeats import index_missing
from pingan.cases.services import case_events_record
from pingan.orgs.choices import Level, UnitKind
from pingan.orgs.models import Division, Unit

from .hotspots import queen_neighbours
from .index import default_window_end, index_refresh
from .models import IndexSnapshot
from .services import warning_measurement_store

HISTORY_WEEKS = 8
SURGE_CLUSTERS = 3
SURGE_DAYS = 18
SURGE_CATEGORIES = ("demolition", "labour", "property_management", "housing_land")


def load_demo(*, seed: int, end: datetime) -> str:
    """Surges and weekly snapshots for the 8 weeks to ``end`` (oldest first, so warning
    episodes open and close in order), and the early warning's measured effect; nothing if
    snapshots are already there."""
    if IndexSnapshot.objects.exists():
        return "snapshots already there, none computed"
    if not Case.objects.exists():
        return "no cases, no index computed (run manage.py risk_refresh after adding cases)"
    surge_cases = inject_surges(seed=seed, end=end)
    last = default_window_end(end)
    now = timezone.now()
    results = [
        index_refresh(window_end=last - timedelta(weeks=back), now=now)
        for back in range(HISTORY_WEEKS - 1, -1, -1)
    ]
    latest = results[-1]
    measured = warning_measurement_store(at=now)
    return (
        f"{surge_cases} surge cases in {SURGE_CLUSTERS} clusters, "
        f"{len(results)} weekly index windows ({latest.snapshots} areas each), "
        f"{latest.hotspots} hot-spot grids, "
        f"{sum(r.warnings_opened for r in results)} warnings opened; early warning measured: "
        f"{measured['false_per_1000']['value']:.2f} false warnings per 1,000 grid-weeks"
    )


@transaction.atomic
def inject_surges(*, seed: int, end: datetime) -> int:
    """Add the surge cases (once: none if the demo has no cases or surges already)."""
    prefix = f"DC{timezone.localtime(end):%Y}-S"
    if not Case.objects.exists() or Case.objects.filter(number__startswith=prefix).exists():
        return 0
    rng = random.Random(seed + 7)
    grids = list(
        Division.objects.filter(level=Level.GRID)
        .order_by("path")
        .values_list("pk", "path", "geometry")
    )
    neighbours = queen_neighbours([g[2] for g in grids])
    centres = rng.sample(range(len(grids)), SURGE_CLUSTERS)
    cluster = sorted({i for c in centres for i in [c, *neighbours[c]]})
    categories = list(Category.objects.filter(code__in=SURGE_CATEGORIES))
    district_center = Unit.objects.get(kind=UnitKind.DISTRICT_CENTER)
    templates = {
        row.grid_id: row
        for row in Case.objects.filter(
            grid_id__in=[grids[i][0] for i in cluster], registered_at__lt=end - timedelta(days=60)
        ).order_by("grid_id", "registered_at")
    }
    new_cases, escalated = [], []
    serial = 0
    for i in cluster:
        template = templates.get(grids[i][0])
        if template is None:
            continue
        for _ in range(rng.randint(6, 11)):
            serial += 1
            at = end - timedelta(days=rng.uniform(0.2, SURGE_DAYS))
            to_district = rng.random() < 0.25
            case = Case(
                number=f"{prefix}{serial:05d}",
                query_code_hash=template.query_code_hash,
                channel=template.channel,
                category=rng.choice(categories),
                complexity=template.complexity,
                urgency="urgent",
                title=template.title,
                narrative=template.narrative,
                narrative_words=template.narrative_words,
                address=template.address,
                grid_id=template.grid_id,
                area_path=template.area_path,
                state=State.ACCEPTED,
                level=Level.DISTRICT if to_district else template.level,
                handling_unit=district_center if to_district else template.handling_unit,
                registered_by_id=template.registered_by_id,
                registered_at=at,
                accepted_at=at + timedelta(hours=2),
                due_at=at + timedelta(days=7),
                warn_at=at + timedelta(days=5),
                repeat_of=template,
            )
            new_cases.append(case)
            if to_district:
                escalated.append(case)
    Case.objects.bulk_create(new_cases)
    index_missing(now=end)  # the repeat check's keys of the cases just written
    created = {c.number: c for c in Case.objects.filter(number__startswith=prefix)}
    events = []
    for case in new_cases:
        saved = created[case.number]
        events.append(
            dict(
                case_id=saved.pk,
                kind=EventKind.REGISTER,
                actor_id=case.registered_by_id,
                to_state=State.REGISTERED,
                to_level=case.level,
                reason="同一事项再次反映（演示数据：风险上升）",
                created_at=case.registered_at,
            )
        )
        if case in escalated:
            events.append(
                dict(
                    case_id=saved.pk,
                    kind=EventKind.ESCALATE,
                    actor_id=case.registered_by_id,
                    from_level=Level.STREET,
                    to_level=Level.DISTRICT,
                    unit_id=district_center.pk,
                    reason="群体性苗头，提请区级统筹（演示数据）",
                    created_at=case.registered_at + timedelta(hours=1),
                )
            )
    case_events_record(rows=events)
    parties = Party.objects.filter(case_id__in={c.repeat_of_id for c in new_cases})
    by_case: dict[int, list[Party]] = {}
    for party in parties:
        by_case.setdefault(party.case_id, []).append(party)
    Party.objects.bulk_create(
        [
            Party(
                case=created[case.number],
                role=party.role,
                name=party.name,
                id_number=party.id_number,
                phone=party.phone,
            )
            for case in new_cases
            for party in by_case.get(case.repeat_of_id, [])
        ]
    )
    return len(new_cases)
