"""Demo data of the register (M8): a synthetic register of a few thousand people in the demo
grids with plans, reviews and rating decisions; repeat petitioners taken from the demo cases;
employers willing to hire; and the synthetic history table for ``risk_fit``.

Deterministic (a seed), idempotent (nothing is created when the register has entries) and
set-based (bulk inserts). No real personal data: names and ID numbers are generated.
"""

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Subquery
from django.utils import timezone

from pingan.cases.choices import Channel, PartyRole
from pingan.cases.models import Party
from pingan.core.validators import id_number_check_digit
from pingan.demo.orgs import DEMO_COMMUNITY, DEMO_STREET, _person_name, _phone
from pingan.orgs.choices import AgencyType, RoleCode
from pingan.orgs.models import Division, Staff

from .choices import (
    ContactResult,
    Employment,
    EventKind,
    Gender,
    Housing,
    MeasureCategory,
    MeasureKind,
    MeasureState,
    PartnerKind,
    ProposalState,
    RiskLevel,
)
from .history import write_csv
from .models import (
    KeyPerson,
    Measure,
    Partner,
    PersonEvent,
    PersonType,
    Plan,
    RatingProposal,
    Review,
    Scorecard,
)
from .reference import ensure_reference_data
from .services import (
    birth_date_from_id,
    link_cases_by_id_number,
    rating_refresh,
    register_sweep,
    review_interval,
    scorecard_fit,
)

PERSONS = 3000
DEMO_STREET_PERSONS = 360
DEMO_GRID_PERSONS = 24
PETITIONERS = 240
HISTORY_ROWS = 10000
HISTORY_PATH = Path(settings.BASE_DIR) / "var" / "risk_history.csv"
TYPE_WEIGHTS = {
    "released": 30,
    "corrections": 22,
    "petitioner": 18,
    "dispute_party": 22,
    "other": 8,
}
PARTNERS = [
    ("北京京城物业服务有限公司", PartnerKind.EMPLOYER, "保洁、秩序维护岗位 6 个"),
    ("东城区春风餐饮管理有限公司", PartnerKind.EMPLOYER, "后厨帮工、配送岗位 4 个"),
    ("北京胡同快递服务站", PartnerKind.EMPLOYER, "快递分拣、投递岗位 5 个"),
    ("东城区职业技能培训学校", PartnerKind.TRAINING, "免费电工、厨师技能培训"),
    ("东城区社会救助服务中心", PartnerKind.WELFARE, "临时救助、低保申请协助"),
    ("东城区公共租赁住房服务中心", PartnerKind.HOUSING, "公租房申请指导"),
    ("东城区阳光心理咨询中心", PartnerKind.COUNSELLING, "个体心理疏导、家庭辅导"),
]
MEASURES = {
    MeasureKind.MANAGEMENT: [
        (MeasureCategory.VISIT, "每月入户走访一次，了解思想动态和生活状况"),
        (MeasureCategory.REPORTING, "每周电话报到，每月到司法所当面报到"),
        (MeasureCategory.EDUCATION, "参加法治教育讲座，学习《社区矫正法》"),
        (MeasureCategory.MEDIATION, "包案领导约谈，推动诉求依法依规解决"),
    ],
    MeasureKind.SUPPORT: [
        (MeasureCategory.JOBS, "推荐到愿意接收的企业面试，跟踪就业稳定情况"),
        (MeasureCategory.HOUSING, "协助申请公租房，解决临时住所"),
        (MeasureCategory.WELFARE, "协助申请临时救助和低保"),
        (MeasureCategory.COUNSELLING, "安排心理咨询师开展疏导"),
        (MeasureCategory.FAMILY, "联系家属开展亲情帮教，修复家庭关系"),
    ],
}
PARTNER_KIND = {
    MeasureCategory.JOBS: PartnerKind.EMPLOYER,
    MeasureCategory.HOUSING: PartnerKind.HOUSING,
    MeasureCategory.WELFARE: PartnerKind.WELFARE,
    MeasureCategory.COUNSELLING: PartnerKind.COUNSELLING,
}
REVIEW_NOTES = {
    ContactResult.MET: [
        "入户见面，情绪稳定，生活正常",
        "见面谈话，已按时报到",
        "见面，诉求已部分解决",
    ],
    ContactResult.PHONE: ["电话联系，本人在外务工", "电话联系，表示近期无异常"],
    ContactResult.LOST: ["多次电话无人接听，上门未见本人", "电话停机，邻居称已外出"],
}
OVERRIDE_REASONS = [
    "近期已稳定就业，家属监护到位，实际风险低于评分",
    "近期与邻居冲突升级，有过激言论，需提高等级",
    "诉求已依法解决并签订息诉协议",
]


def load_demo(*, seed: int, end: datetime) -> str:
    ensure_reference_data()
    if KeyPerson.objects.exists():
        return f"none created, the register already holds {KeyPerson.objects.count()} entries"
    with transaction.atomic():
        counts = _generate(random.Random(seed + 8), end)
    if not HISTORY_PATH.exists():
        write_csv(HISTORY_PATH, HISTORY_ROWS, seed=seed)
    fitted = ""
    if not Scorecard.objects.filter(source="fitted").exists():
        admin = Staff.objects.filter(username="admin").first()
        scorecard = scorecard_fit(
            actor=admin,
            data=HISTORY_PATH.read_bytes(),
            filename=HISTORY_PATH.name,
            outcome="escalated_12m",
            group="性别",
            exclude=("民族",),
            seed=seed,
        )
        fitted = (
            f"; a scorecard fitted from {HISTORY_PATH.name} (AUC {scorecard.auc:.3f}) awaits review"
        )
    return (
        f"{counts['persons']} key persons ({counts['petitioners']} repeat petitioners from cases, "
        f"{counts['expired']} past their end date), {counts['measures']} measures, "
        f"{counts['reviews']} reviews, {counts['pending']} proposals to confirm{fitted}"
    )


def _generate(rng: random.Random, end: datetime) -> dict:
    today = timezone.localdate(end)
    types = {t.code: t for t in PersonType.objects.all()}
    grids = list(Division.objects.grids().values_list("pk", "path", "parent__code"))
    demo_grids = [g for g in grids if g[2] == DEMO_COMMUNITY][:2]
    street_grids = [g for g in grids if g[1].split("/")[2] == DEMO_STREET]
    grid_worker = Staff.objects.get(username="grid_worker")
    officer = Staff.objects.get(username="officer")
    # Each grid's own grid worker; each street's police officers (generated staff).
    grid_staff = dict(Staff.objects.filter(username__startswith="gw").values_list("grids", "pk"))
    police = {}
    for pk, street in Staff.objects.filter(
        roles__code=RoleCode.OFFICER, unit__agency_type=AgencyType.POLICE_STATION
    ).values_list("pk", "unit__division__code"):
        police.setdefault(street, pk)
    police[DEMO_STREET] = officer.pk

    _partners()
    partners = {}
    for pk, kind in Partner.objects.values_list("pk", "kind"):
        partners.setdefault(kind, []).append(pk)

    specs = _petitioners(rng, grids)
    petitioners = len(specs)
    taken = {spec["id_number"] for spec in specs}
    plan_for = (
        [(g, DEMO_GRID_PERSONS // 2) for g in demo_grids]
        + [(None, DEMO_STREET_PERSONS)]
        + [(None, PERSONS - DEMO_STREET_PERSONS - DEMO_GRID_PERSONS - petitioners)]
    )
    codes, weights = zip(*TYPE_WEIGHTS.items(), strict=True)
    for index, (grid, count) in enumerate(plan_for):
        pool = [grid] if grid else street_grids if index == len(demo_grids) else grids
        for _ in range(max(0, count)):
            spec = _random_person(rng, today, taken)
            spec["grid"] = rng.choice(pool)
            spec["type"] = rng.choices(codes, weights)[0]
            specs.append(spec)

    persons, expired = [], 0
    for spec in specs:
        grid_pk, path, _community = spec["grid"]
        street = path.split("/")[2]
        kind = types[spec["type"]]
        if grid_pk in {g[0] for g in demo_grids} and spec["type"] in (
            "petitioner",
            "dispute_party",
            "other",
        ):
            responsible = grid_worker.pk
        elif spec["type"] in ("released", "corrections"):
            responsible = police.get(street) or grid_staff[grid_pk]
        else:
            responsible = grid_staff[grid_pk]
        registered = today - timedelta(days=rng.randint(20, 700))
        ends_on = registered + timedelta(days=int(kind.default_months * 30.4))
        if ends_on <= today:
            ends_on = today + timedelta(days=rng.randint(5, 400))
        if rng.random() < 0.01:
            ends_on = today - timedelta(days=rng.randint(1, 20))
            expired += 1
        released = (
            today - timedelta(days=rng.randint(30, 1700)) if spec["type"] == "released" else None
        )
        persons.append(
            KeyPerson(
                name=spec["name"],
                gender=spec["gender"],
                birth_date=spec["born"],
                id_number=spec["id_number"],
                phone=spec["phone"],
                address=spec["address"],
                person_type=kind,
                grid_id=grid_pk,
                area_path=path,
                responsible_id=responsible,
                legal_basis=kind.legal_basis,
                registered_on=registered,
                ends_on=max(ends_on, registered),
                employment=rng.choices(Employment.values, [50, 30, 20])[0],
                housing=rng.choices(Housing.values, [86, 14])[0],
                released_on=max(released, registered - timedelta(days=1)) if released else None,
                violations=min(
                    5, int(rng.expovariate(1.6 if spec["type"] == "corrections" else 3))
                ),
                next_review_on=today,
                registered_by_id=responsible,
            )
        )
    KeyPerson.objects.bulk_create(persons, batch_size=500)
    persons = list(
        KeyPerson.objects.order_by("pk").values(
            "pk", "responsible_id", "registered_on", "area_path"
        )
    )
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(
                person_id=p["pk"],
                kind=EventKind.REGISTER,
                actor_id=p["responsible_id"],
                created_at=_at(p["registered_on"]),
                reason="批量登记（演示数据）",
            )
            for p in persons
        ],
        batch_size=1000,
    )
    link_cases_by_id_number(now=end)

    reviews = _reviews(rng, persons, today)
    # Rate everyone with the active scorecard; officers decided most proposals already.
    rating_refresh(now=end)
    pending = _decide(rng, end)
    measures = _plans(rng, persons, partners, today)
    register_sweep(now=end)
    return {
        "persons": len(persons),
        "petitioners": petitioners,
        "expired": expired,
        "reviews": reviews,
        "measures": measures,
        "pending": pending,
    }


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))


def _partners() -> None:
    street = Division.objects.get(code=DEMO_STREET)
    Partner.objects.bulk_create(
        [
            Partner(
                name=name,
                kind=kind,
                offer=offer,
                contact=f"010-6{index:03d}{index * 37 % 10000:04d}",
                street=street if index % 3 == 0 else None,
            )
            for index, (name, kind, offer) in enumerate(PARTNERS)
        ],
        ignore_conflicts=True,
    )


def _random_person(rng: random.Random, today: date, taken: set[str]) -> dict:
    while True:
        born = today - timedelta(days=int(rng.triangular(18, 75, 38) * 365.25))
        gender = rng.choices([Gender.MALE, Gender.FEMALE], [78, 22])[0]
        serial = rng.randrange(0, 500) * 2 + (1 if gender == Gender.MALE else 0)
        first17 = f"110101{born:%Y%m%d}{serial:03d}"
        id_number = first17 + id_number_check_digit(first17)
        if id_number not in taken:
            taken.add(id_number)
            break
    return {
        "name": _person_name(rng),
        "gender": gender,
        "born": born,
        "id_number": id_number,
        "phone": _phone(rng) if rng.random() < 0.9 else "",
        "address": f"东城区某胡同{rng.randint(1, 150)}号院{rng.randint(1, 9)}号",
    }


def _petitioners(rng: random.Random, grids) -> list[dict]:
    """Applicants who came back to petition (来访/来信) at least twice: the register's
    repeat petitioners, in the grid of their latest case."""
    repeated = list(
        Party.objects.filter(
            role=PartyRole.APPLICANT,
            case__channel__in=[Channel.WALK_IN, Channel.LETTER],
        )
        .exclude(id_number_index="")
        .values("id_number_index")
        .annotate(n=Count("case_id", distinct=True), last=Max("case_id"))
        .filter(n__gte=2)
        .order_by("-n", "id_number_index")[:PETITIONERS]
    )
    if not repeated:
        return []
    by_grid = {g[0]: g for g in grids}
    parties = Party.objects.filter(
        pk__in=Party.objects.filter(
            case_id__in=[row["last"] for row in repeated], role=PartyRole.APPLICANT
        ).values("pk")
    ).select_related("case")
    wanted = {row["id_number_index"] for row in repeated}
    specs, seen = [], set()
    for party in parties:
        if party.id_number_index not in wanted or party.id_number in seen:
            continue
        seen.add(party.id_number)
        born = birth_date_from_id(party.id_number)
        specs.append(
            {
                "name": party.name,
                "gender": Gender.MALE if int(party.id_number[16]) % 2 else Gender.FEMALE,
                "born": born,
                "id_number": party.id_number,
                "phone": party.phone,
                "address": party.case.address,
                "grid": by_grid[party.case.grid_id],
                "type": "petitioner",
            }
        )
    return specs


def _reviews(rng: random.Random, persons: list[dict], today: date) -> int:
    rows = []
    for p in persons:
        day = max(p["registered_on"], today - timedelta(days=rng.choice([240, 300, 360])))
        while True:
            day += timedelta(days=rng.choice([30, 60, 90]))
            if day >= today:
                break
            contact = rng.choices(ContactResult.values, [60, 32, 8])[0]
            rows.append(
                Review(
                    person_id=p["pk"],
                    due_on=day,
                    done_at=_at(day),
                    reviewer_id=p["responsible_id"],
                    contact=contact,
                    note=rng.choice(REVIEW_NOTES[contact]),
                )
            )
    Review.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _decide(rng: random.Random, end: datetime) -> int:
    """Officers confirmed most first proposals (a few overridden) over the last weeks; some
    wait, notably for the demo officer and grid worker. Written as a few grouped UPDATEs."""
    today = timezone.localdate(end)
    demo_staff = set(
        Staff.objects.filter(username__in=["officer", "grid_worker"]).values_list("pk", flat=True)
    )
    proposals = list(
        RatingProposal.objects.filter(state=ProposalState.PENDING).values_list(
            "pk", "person_id", "level", "breakdown", "person__responsible_id"
        )
    )
    levels = list(RiskLevel.values)
    confirmed: dict[int, list[int]] = {}  # days ago -> proposal ids
    rated: dict[tuple[int, str], list[int]] = {}  # (days ago, level) -> person ids
    overridden = []
    pending = 0
    for pk, person_id, level, breakdown, responsible in proposals:
        if rng.random() < (0.35 if responsible in demo_staff else 0.04):
            pending += 1
            continue
        days = rng.randint(1, 45)
        if rng.random() < 0.06:
            rank = RiskLevel.rank(level)
            level = levels[rank - 1] if rank > 0 else levels[rank + 1]
            scored = [line["key"] for line in breakdown if line["points"]]
            overridden.append((pk, days, level, rng.choice(OVERRIDE_REASONS), scored[:1]))
        else:
            confirmed.setdefault(days, []).append(pk)
        rated.setdefault((days, level), []).append(person_id)

    def when(days: int) -> datetime:
        return end - timedelta(days=days, hours=2)

    responsible = KeyPerson.objects.filter(pk=OuterRef("person_id")).values("responsible_id")
    for days, ids in confirmed.items():
        RatingProposal.objects.filter(pk__in=ids).update(
            state=ProposalState.CONFIRMED,
            decided_at=when(days),
            decided_level=F("level"),
            decided_by=Subquery(responsible[:1]),
        )
    for pk, days, level, reason, disputed in overridden:
        RatingProposal.objects.filter(pk=pk).update(
            state=ProposalState.OVERRIDDEN,
            decided_at=when(days),
            decided_level=level,
            decided_by=Subquery(responsible[:1]),
            reason=reason,
            disputed_factors=disputed,
        )
    score = RatingProposal.objects.filter(
        person=OuterRef("pk"), state__in=[ProposalState.CONFIRMED, ProposalState.OVERRIDDEN]
    ).values("score")[:1]
    for (days, level), ids in rated.items():
        moment = when(days)
        KeyPerson.objects.filter(pk__in=ids).update(
            level=level,
            score=Subquery(score),
            rated_at=moment,
            next_review_on=timezone.localdate(moment) + review_interval(level),
        )
    decided = RatingProposal.objects.filter(
        state__in=[ProposalState.CONFIRMED, ProposalState.OVERRIDDEN]
    ).values_list(
        "person_id",
        "state",
        "decided_by_id",
        "decided_at",
        "previous_level",
        "decided_level",
        "reason",
    )
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(
                person_id=person_id,
                kind=EventKind.CONFIRM if state == ProposalState.CONFIRMED else EventKind.OVERRIDE,
                actor_id=actor,
                created_at=at,
                from_value=previous,
                to_value=level,
                reason=reason,
            )
            for person_id, state, actor, at, previous, level, reason in decided
        ],
        batch_size=1000,
    )
    # Unrated persons are reviewed soon; their first review is due within the week.
    KeyPerson.objects.filter(level="").update(next_review_on=today + timedelta(days=7))
    return pending


def _plans(rng: random.Random, persons: list[dict], partners: dict, today: date) -> int:
    Plan.objects.bulk_create(
        [Plan(person_id=p["pk"], goal="稳控风险、帮助回归：落实管控与帮扶措施") for p in persons],
        batch_size=1000,
    )
    plan_ids = dict(Plan.objects.values_list("person_id", "pk"))
    measures = []
    for p in persons:
        for _ in range(rng.choice([1, 2, 2, 3])):
            kind = rng.choice(list(MEASURES))
            category, text = rng.choice(MEASURES[kind])
            due = today + timedelta(days=rng.randint(-40, 60))
            done = due < today and rng.random() < 0.8
            partner_kind = PARTNER_KIND.get(category)
            measures.append(
                Measure(
                    plan_id=plan_ids[p["pk"]],
                    kind=kind,
                    category=category,
                    description=text,
                    owner_id=p["responsible_id"],
                    partner_id=rng.choice(partners[partner_kind])
                    if partner_kind in partners and rng.random() < 0.6
                    else None,
                    due_on=due,
                    state=MeasureState.DONE if done else MeasureState.OPEN,
                    result="已落实，本人配合" if done else "",
                    done_at=_at(due) if done else None,
                    created_by_id=p["responsible_id"],
                )
            )
    Measure.objects.bulk_create(measures, batch_size=2000)
    # Past demo months' reminders count as sent, except to the demo accounts, whose inboxes
    # show what the nightly sweep does.
    demo_staff = Staff.objects.filter(username__in=["officer", "grid_worker"]).values("pk")
    Measure.objects.filter(state=MeasureState.OPEN, due_on__lt=today).exclude(
        owner__in=demo_staff
    ).update(overdue_notified_on=F("due_on"))
    return len(measures)
