"""Demo data of collaboration, deterministic from a seed and idempotent.

- responsibility lists (权责清单) for the district agencies that have none;
- the district center's duty roster from six months before ``end`` to the month after;
- named officers (三官一师) for every street: a judge, a prosecutor, the street police station's
  officer and a lawyer, with four demo accounts that can log in for 东华门 (``officer``,
  ``judge``, ``prosecutor``, ``lawyer``);
- a few hundred whistles on complex cases, with response times drawn per department (some
  departments are slower, a few summonses were acknowledged late or not at all);
- two quarters of safety talks in every street, with problems flowing through the four lists.

Nothing is created when named officers already exist.
"""

import math
import random
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from pingan.cases.choices import EventKind
from pingan.cases.models import Case
from pingan.cases.routing import AGENCY_FOR_CATEGORY
from pingan.cases.services import case_events_record
from pingan.core.calendar import local_date
from pingan.demo.orgs import DEMO_PASSWORD, DEMO_STREET, _person_name, _phone
from pingan.demo.sampling import sample
from pingan.orgs.choices import AgencyType, Level, RoleCode, UnitKind
from pingan.orgs.models import Division, Role, Staff, Unit

from .choices import OfficerKind, ProgressKind, ResultRating, SummonsState, TalkMode
from .escalation import whistle_escalation_sweep
from .models import (
    NamedOfficer,
    Problem,
    SafetyTalk,
    Task,
    TaskProgress,
    TaskResult,
    WhistleCall,
    WhistleSummons,
)
from .services import roster_plan_month

WHISTLES = 320
REPORT_HOURS = 24
# Responsibility lists (权责清单) by agency type: the categories of matter each one handles.
RESPONSIBILITIES = {
    AgencyType.COURT: "诉调对接\n司法确认\n涉法涉诉矛盾化解\n民事纠纷诉前调解",
    AgencyType.PROCURATORATE: "涉法涉诉信访\n民事行政检察监督\n公益诉讼线索",
    AgencyType.PUBLIC_SECURITY: "治安纠纷调处\n涉稳风险研判\n重点人员稳控",
    AgencyType.JUSTICE_BUREAU: "人民调解指导\n法律援助\n社区矫正\n安置帮教",
    AgencyType.PETITION_OFFICE: "信访事项受理交办\n重复信访化解\n领导接访",
    AgencyType.HUMAN_RESOURCES: "拖欠工资\n劳动合同纠纷\n社会保险争议\n劳动争议仲裁",
    AgencyType.HOUSING: "征收拆迁补偿\n房屋安全\n物业管理监督\n老旧小区改造",
    AgencyType.HEALTH: "医疗纠纷\n医患矛盾调解\n公共卫生投诉",
    AgencyType.CIVIL_AFFAIRS: "婚姻登记\n养老服务\n社会救助\n困难群众帮扶",
    AgencyType.MARKET_REGULATION: "消费纠纷\n预付卡退费\n食品安全投诉\n价格欺诈",
    AgencyType.URBAN_MANAGEMENT: "违法建设\n占道经营\n噪声扰民\n市容环境",
    AgencyType.EDUCATION: "校园纠纷\n校外培训退费\n入学争议",
    AgencyType.PLANNING: "规划许可争议\n土地权属纠纷",
    AgencyType.TRAFFIC: "交通事故赔偿\n停车纠纷\n道路交通秩序",
    AgencyType.WOMEN_FEDERATION: "家庭暴力\n婚姻家庭纠纷\n妇女儿童权益",
    AgencyType.TRADE_UNION: "职工权益维护\n集体协商\n劳动争议调解",
}
# The demo accounts that log in as named officers of 东华门 (besides ``officer``).
OFFICER_ACCOUNTS = [
    ("judge", "孙卫东", "东城区人民法院", OfficerKind.JUDGE, "法官"),
    ("prosecutor", "何雅琴", "东城区人民检察院", OfficerKind.PROSECUTOR, "检察官"),
    ("lawyer", "林志远", "东城区律师协会", OfficerKind.LAWYER, "律师"),
]
KIND_UNITS = {
    OfficerKind.JUDGE: ("东城区人民法院", "法官"),
    OfficerKind.PROSECUTOR: ("东城区人民检察院", "检察官"),
    OfficerKind.LAWYER: ("东城区律师协会", "律师"),
}
TALK_TOPICS = [
    ("老旧小区物业管理", "小区物业服务差，公共区域长期无人清扫", "物业"),
    ("电动自行车充电安全", "楼道内私拉电线给电动自行车充电，存在火灾隐患", "消防"),
    ("胡同停车秩序", "胡同内乱停车，消防通道被占用", "停车"),
    ("预付卡消费纠纷", "健身房关门跑路，会员预付费无法退还", "消费"),
    ("噪声扰民", "夜间施工和商户外放音响扰民", "噪声"),
    ("老年人防诈骗", "多名老人接到冒充公检法的诈骗电话", "反诈"),
    ("拖欠农民工工资", "装修工程拖欠务工人员工资", "欠薪"),
    ("平房区漏雨修缮", "雨季平房漏雨，产权单位推诿", "修缮"),
    ("群租房安全", "地下室群租，人员混杂，存在安全隐患", "群租"),
    ("邻里加装电梯分歧", "加装电梯低层住户反对，协商陷入僵局", "电梯"),
]
TASK_TEMPLATES = [
    ("约谈{owner}负责人，限期整改", AgencyType.HOUSING),
    ("组织联合执法检查并反馈结果", AgencyType.URBAN_MANAGEMENT),
    ("开展专题法治宣传，入户走访", AgencyType.JUSTICE_OFFICE),
    ("协调相关方召开调解会", AgencyType.COURT),
    ("建立台账，逐户排查隐患", AgencyType.POLICE_STATION),
    ("督促经营者依法退费", AgencyType.MARKET_REGULATION),
    ("责令用人单位支付拖欠工资", AgencyType.HUMAN_RESOURCES),
]
PLACES = ["社区党群服务中心", "街道综治中心会议室", "居民小区议事厅", "胡同口“板凳会”", "商户走访"]
PROGRESS_NOTES = [
    "已召开协调会，相关单位认领任务",
    "现场核查完毕，形成整改方案",
    "整改过半，剩余部分按计划推进",
    "已入户走访，听取居民意见",
]
RESULT_NOTES = {
    ResultRating.SOLVED: "问题已解决，居民回访满意",
    ResultRating.PARTLY: "主要问题已解决，遗留事项纳入长效管理",
    ResultRating.UNSOLVED: "涉及历史遗留问题，暂未解决，转入下一轮恳谈跟踪",
}
EVIDENCE = ["回访记录表", "整改前后现场照片", "调解协议书", "执法检查记录", "会议纪要"]


def load_demo(*, seed: int, end: datetime) -> str:
    """Load the collaboration demo; idempotent (nothing when named officers exist)."""
    if NamedOfficer.objects.exists():
        return "already there, nothing created"
    rng = random.Random(seed + 404)
    with transaction.atomic():
        duties = _responsibilities()
        shifts = _roster(end)
        officers = _officers(rng, end)
    with transaction.atomic():
        calls, summonses = _whistles(rng, end)
        escalated = whistle_escalation_sweep(now=end)
    with transaction.atomic():
        talks, problems, tasks = _talks(rng, end)
    return (
        f"{duties} responsibility lists, {shifts} duty shifts, {officers} named officers, "
        f"{calls} whistles ({summonses} summonses, {escalated.tier1} late escalated), "
        f"{talks} safety talks, {problems} problems, {tasks} tasks"
    )


def _responsibilities() -> int:
    filled = 0
    for agency_type, lines in RESPONSIBILITIES.items():
        filled += (
            Unit.objects.filter(kind=UnitKind.AGENCY, agency_type=agency_type, responsibilities="")
            .exclude(stationing="")
            .update(responsibilities=lines)
        )
    return filled


def _roster(end: datetime) -> int:
    center = Unit.objects.filter(kind=UnitKind.DISTRICT_CENTER).select_related("division").first()
    if center is None:
        return 0
    today = local_date(end)
    month = date(today.year, today.month, 1)
    months = []
    for back in range(6, -2, -1):  # six months back to the next month
        index = month.year * 12 + month.month - 1 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    return sum(roster_plan_month(center=center, month=m, actor=None) for m in months)


def _officers(rng: random.Random, end: datetime) -> int:
    """Four named officers per street; demo accounts for 东华门's four."""
    role = Role.objects.get(code=RoleCode.OFFICER)
    units = {u.name: u for u in Unit.objects.filter(name__in=[n for n, _ in KIND_UNITS.values()])}
    streets = list(Division.objects.filter(level=Level.STREET).order_by("code"))
    stations = {
        u.division_id: u
        for u in Unit.objects.filter(agency_type=AgencyType.POLICE_STATION).order_by("pk")
    }
    police = {}
    for person in Staff.objects.filter(
        unit__in=stations.values(), roles__code=RoleCode.OFFICER
    ).order_by("username"):
        police.setdefault(person.unit_id, person)
    demo_officer = Staff.objects.filter(username="officer").first()
    starts = local_date(end) - timedelta(days=400)
    new_staff, plan = [], []
    for username, name, unit_name, kind, title in OFFICER_ACCOUNTS:
        person = Staff(
            username=username,
            name=name,
            unit=units[unit_name],
            title=title,
            phone=_phone(rng),
            password=make_password(DEMO_PASSWORD),
        )
        new_staff.append(person)
        plan.append((person, kind, DEMO_STREET))
    for street in streets:
        for kind, (unit_name, title) in KIND_UNITS.items():
            if street.code == DEMO_STREET:
                continue
            person = Staff(
                username=f"{kind}-{street.code}",
                name=_person_name(rng),
                unit=units[unit_name],
                title=title,
                phone=_phone(rng),
                password=make_password(None),
            )
            new_staff.append(person)
            plan.append((person, kind, street.code))
        station = stations.get(street.pk)
        officer = (
            demo_officer
            if street.code == DEMO_STREET and demo_officer
            else police.get(station.pk if station else None)
        )
        if officer is not None:
            plan.append((officer, OfficerKind.POLICE, street.code))
    have = set(
        Staff.objects.filter(username__in=[p.username for p in new_staff]).values_list(
            "username", flat=True
        )
    )
    created = Staff.objects.bulk_create([p for p in new_staff if p.username not in have])
    Staff.roles.through.objects.bulk_create(
        [Staff.roles.through(staff_id=p.pk, role_id=role.pk) for p in created],
        ignore_conflicts=True,
    )
    by_username = {
        p.username: p for p in Staff.objects.filter(username__in=[p.username for p, _k, _s in plan])
    }
    by_code = {s.code: s for s in streets}
    NamedOfficer.objects.bulk_create(
        [
            NamedOfficer(
                staff=by_username[person.username],
                kind=kind,
                street=by_code[code],
                starts_on=starts + timedelta(days=rng.randrange(0, 60)),
                contact_phone=f"010-6{rng.randrange(10**6, 10**7)}",
            )
            for person, kind, code in plan
        ]
    )
    return len(plan)


def _response_minutes(rng: random.Random, speed: float) -> float:
    """Minutes from whistle to acknowledgement: log-normal around the department's median."""
    return max(5.0, rng.lognormvariate(math.log(120 * speed), 0.9))


def _whistles(rng: random.Random, end: datetime) -> tuple[int, int]:
    """Whistles on complex cases at street level or above, with realistic response times."""
    cases = (
        Case.objects.filter(accepted_at__isnull=False)
        .filter(Q(level=Level.STREET) | Q(level=Level.DISTRICT))
        .values("pk", "area_path", "accepted_at", "concluded_at", "category__code", "complexity")
    )
    # Streets whistle mostly on complex cases, sometimes on general ones (a quality signal).
    # The database picks them: at city scale the candidates are half a million cases.
    general = list(sample(cases.exclude(complexity="complex"), WHISTLES // 6, rng))
    rows = list(sample(cases.filter(complexity="complex"), WHISTLES - len(general), rng))
    rows += general
    if not rows:
        return 0, 0
    agencies = {
        u.agency_type: u
        for u in Unit.objects.filter(kind=UnitKind.AGENCY, division__level=Level.DISTRICT)
        .exclude(stationing="")
        .order_by("-name")
    }
    speed = {u.pk: rng.uniform(0.4, 3.6) for u in Unit.objects.filter(kind=UnitKind.AGENCY)}
    officers: dict[str, list[NamedOfficer]] = {}
    for officer in NamedOfficer.objects.select_related("street", "staff").order_by("pk"):
        officers.setdefault(officer.street.code, []).append(officer)
    streets = {d.code: d for d in Division.objects.filter(level=Level.STREET)}
    dispatchers = {}
    for person in (
        Staff.objects.filter(unit__kind=UnitKind.STREET_CENTER, roles__code=RoleCode.DISPATCHER)
        .select_related("unit__division")
        .order_by("username")
    ):
        dispatchers.setdefault(person.unit.division.code, person)
    calls, summonses, events = [], [], []
    for row in rows:
        code = row["area_path"].strip("/").split("/")[1]
        cap = min(row["concluded_at"] or end, end)
        blown_at = row["accepted_at"] + timedelta(hours=rng.uniform(2, 96))
        if blown_at >= cap - timedelta(hours=1) or code not in dispatchers:
            continue
        parties = []
        agency_type = AGENCY_FOR_CATEGORY.get(row["category__code"])
        if agency_type in agencies:
            parties.append((agencies[agency_type], None))
        extra = rng.choice(
            [AgencyType.URBAN_MANAGEMENT, AgencyType.HOUSING, AgencyType.CIVIL_AFFAIRS]
        )
        if (
            rng.random() < 0.4
            and agencies.get(extra)
            and all(u != agencies[extra] for u, _ in parties)
        ):
            parties.append((agencies[extra], None))
        for officer in rng.sample(
            officers.get(code, []), k=min(len(officers.get(code, [])), rng.choice((1, 1, 2)))
        ):
            parties.append((officer.staff.unit, officer))
        call = WhistleCall(
            case_id=row["pk"],
            street=streets[code],
            area_path=row["area_path"],
            blown_by=dispatchers[code],
            blown_at=blown_at,
            report_by=blown_at + timedelta(hours=REPORT_HOURS),
            reason=rng.choice(
                [
                    "当事人情绪激动，涉及多部门职责，需法律专业力量介入",
                    "涉及征收补偿政策解释，需主管部门到场",
                    "多次调解未果，需司法力量参与诉前调解",
                    "涉及群体性诉求，需公安和主管部门协同处置",
                ]
            ),
        )
        call.parties = parties
        calls.append(call)
    WhistleCall.objects.bulk_create(calls)
    for call in calls:
        events.append(
            dict(
                case_id=call.case_id,
                kind=EventKind.WHISTLE,
                actor_id=call.blown_by.pk,
                created_at=call.blown_at,
                reason=f"{call.street.name}吹哨：{call.reason}。",
                data={"whistle": call.pk},
            )
        )
        last = call.blown_at
        for unit, officer in call.parties:
            summons = WhistleSummons(call=call, unit=unit, officer=officer)
            minutes = _response_minutes(rng, speed.get(unit.pk, 1.0))
            acknowledged = call.blown_at + timedelta(minutes=minutes)
            never = rng.random() < 0.03
            if not never and acknowledged < end:
                summons.state = SummonsState.ACKNOWLEDGED
                summons.acknowledged_at = acknowledged
                summons.acknowledged_by = officer.staff if officer else None
                events.append(
                    dict(
                        case_id=call.case_id,
                        kind=EventKind.WHISTLE_ACK,
                        actor_id=summons.acknowledged_by_id,
                        unit_id=unit.pk,
                        created_at=acknowledged,
                        reason="超时报到。" if acknowledged > call.report_by else "按时报到。",
                        data={"whistle": call.pk, "minutes": round(minutes)},
                    )
                )
                reported = acknowledged + timedelta(hours=rng.uniform(1, 30))
                if reported < end:
                    summons.state = SummonsState.REPORTED
                    summons.reported_at = reported
                    summons.report = rng.choice(
                        [
                            "已到场释法说理，当事人情绪平稳",
                            "已提供政策依据并答复当事人",
                            "已组织诉前调解，双方达成初步意向",
                            "已现场核查并督促责任方整改",
                        ]
                    )
                    events.append(
                        dict(
                            case_id=call.case_id,
                            kind=EventKind.WHISTLE_REPORT,
                            actor_id=summons.acknowledged_by_id,
                            unit_id=unit.pk,
                            created_at=reported,
                            reason=summons.report,
                            data={"whistle": call.pk},
                        )
                    )
                    last = max(last, reported)
            summonses.append(summons)
        closed = last + timedelta(hours=rng.uniform(2, 48))
        if last > call.blown_at and closed < end and rng.random() < 0.85:
            call.closed_at, call.closed_by = closed, call.blown_by
            call.result = rng.choice(
                ["各方协同处置，矛盾已化解", "已形成处置方案，转入常规调处", "当事人接受调解意见"]
            )
            events.append(
                dict(
                    case_id=call.case_id,
                    kind=EventKind.WHISTLE_CLOSE,
                    actor_id=call.closed_by.pk,
                    created_at=closed,
                    reason=call.result,
                    data={"whistle": call.pk},
                )
            )
    WhistleSummons.objects.bulk_create(summonses, batch_size=1000)
    WhistleCall.objects.bulk_update(
        [c for c in calls if c.closed_at], ["closed_at", "closed_by", "result"], batch_size=500
    )
    case_events_record(rows=events)
    return len(calls), len(summonses)


def _talks(rng: random.Random, end: datetime) -> tuple[int, int, int]:
    """Two quarters of talks per street, their problems, tasks, progress and results."""
    today = local_date(end)
    first = today - timedelta(days=182)
    streets = list(Division.objects.filter(level=Level.STREET).order_by("code"))
    recorders = {}
    for person in (
        Staff.objects.filter(
            unit__kind=UnitKind.STREET_CENTER,
            roles__code__in=[RoleCode.DISPATCHER, RoleCode.LEADER],
        )
        .select_related("unit__division")
        .order_by("username")
    ):
        recorders.setdefault(person.unit.division_id, person)
    owners_by_type: dict[tuple[int, str], Unit] = {}
    for unit in Unit.objects.filter(kind=UnitKind.AGENCY).select_related("division"):
        key = (unit.division_id if unit.division.level == Level.STREET else 0, unit.agency_type)
        owners_by_type.setdefault(key, unit)
    officers: dict[int, list[NamedOfficer]] = {}
    for officer in NamedOfficer.objects.order_by("pk"):
        officers.setdefault(officer.street_id, []).append(officer)
    talks, plan = [], []
    for street in streets:
        recorder = recorders.get(street.pk)
        if recorder is None:
            continue
        for _n in range(rng.randint(8, 13)):
            held_on = first + timedelta(days=rng.randrange(0, 183))
            topic, problem_text, _tag = rng.choice(TALK_TOPICS)
            talk = SafetyTalk(
                mode=rng.choice(TalkMode.values),
                held_on=held_on,
                place=rng.choice(PLACES),
                street=street,
                area_path=street.path,
                topic=topic,
                district_leaders=rng.choice(
                    ["区委政法委副书记", "区法院副院长", "区检察院副检察长", ""]
                ),
                street_members="街道政法委员",
                resident_count=rng.randint(3, 40),
                recorded_by=recorder,
            )
            talks.append(talk)
            plan.append((talk, problem_text))
    SafetyTalk.objects.bulk_create(talks)
    SafetyTalk.officers.through.objects.bulk_create(
        [
            SafetyTalk.officers.through(safetytalk_id=talk.pk, namedofficer_id=o.pk)
            for talk in talks
            for o in rng.sample(
                officers.get(talk.street_id, []), k=min(2, len(officers.get(talk.street_id, [])))
            )
        ]
    )
    problems = []
    for talk, text in plan:
        for index in range(rng.randint(1, 3)):
            problems.append(
                Problem(
                    talk=talk,
                    description=text if index == 0 else rng.choice(TALK_TOPICS)[1],
                    raised_by=rng.choice(["居民代表", "楼门长", "商户代表", "网格员", "老党员"]),
                    recorded_by=talk.recorded_by,
                )
            )
    Problem.objects.bulk_create(problems)
    tasks, outcome = [], []
    for problem in problems:
        for _n in range(rng.randint(1, 2)):
            template, agency_type = rng.choice(TASK_TEMPLATES)
            owner = owners_by_type.get((problem.talk.street_id, agency_type)) or owners_by_type.get(
                (0, agency_type)
            )
            if owner is None:
                continue
            deadline = problem.talk.held_on + timedelta(days=rng.choice((15, 20, 30, 45, 60)))
            task = Task(
                problem=problem,
                description=template.format(owner=owner.short_name or owner.name),
                owner=owner,
                deadline=deadline,
                created_by=problem.recorded_by,
            )
            # Most tasks whose deadline is near or past are done; some late, some overdue.
            roll = rng.random()
            done_day = None
            if deadline <= today + timedelta(days=10) and roll < 0.78:
                done_day = deadline - timedelta(days=rng.randint(-12, 10))
                done_day = min(max(done_day, problem.talk.held_on + timedelta(days=3)), today)
            tasks.append(task)
            outcome.append(done_day)
    for task, done_day in zip(tasks, outcome, strict=True):
        if done_day is not None:
            task.done_at = datetime.combine(done_day, datetime.min.time(), end.tzinfo) + timedelta(
                hours=16
            )
    Task.objects.bulk_create(tasks)
    progress, results = [], []
    for task, done_day in zip(tasks, outcome, strict=True):
        held = task.problem.talk.held_on
        last_day = min(done_day or today, today)
        for _n in range(rng.randint(1, 2)):
            span = max(1, (last_day - held).days)
            day = held + timedelta(days=rng.randrange(1, span + 1))
            progress.append(
                TaskProgress(
                    task=task,
                    note=rng.choice(PROGRESS_NOTES),
                    recorded_by=task.created_by,
                    recorded_at=datetime.combine(
                        min(day, last_day), datetime.min.time(), end.tzinfo
                    )
                    + timedelta(hours=10),
                )
            )
        if done_day is None and task.deadline < today:
            progress.append(
                TaskProgress(
                    task=task,
                    kind=ProgressKind.SUPERVISION,
                    deadline=task.deadline,
                    note="任务已超期，督促责任单位加快落实",
                    recorded_at=datetime.combine(
                        task.deadline + timedelta(days=1), datetime.min.time(), end.tzinfo
                    )
                    + timedelta(hours=9),
                )
            )
        if done_day is not None:
            rating = rng.choices(ResultRating.values, weights=(70, 22, 8))[0]
            results.append(
                TaskResult(
                    task=task,
                    rating=rating,
                    summary=RESULT_NOTES[rating],
                    evidence=rng.choice(EVIDENCE),
                    reviewed_by=task.created_by,
                    reviewed_at=task.done_at,
                )
            )
    TaskProgress.objects.bulk_create(progress, batch_size=1000)
    TaskResult.objects.bulk_create(results, batch_size=1000)
    return len(talks), len(problems), len(tasks)
