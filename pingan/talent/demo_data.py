"""Demo data for talent development: the district procuratorate's departments, about sixty
prosecutor assistants in six cohorts across the three stages, their mentors, department heads
and the talent committee, with study, milestones, rotations, competitions, points, evaluations,
outcomes and transfers. Deterministic from the seed; generated names are not real people.

The demo assistant (``assistant``) is one confirmation short of readiness for 中阶: their
mentor (``mentor``) approving the pending points entry and confirming the pending study item
turns the readiness indicator green.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from pingan.cases.models import Case
from pingan.demo.orgs import DEMO_PASSWORD, GIVEN, SURNAMES
from pingan.orgs.choices import AgencyType, Level, RoleCode
from pingan.orgs.models import Role, Staff, Unit

from .choices import (
    ActivityKind,
    Dimension,
    EventKind,
    HonourLevel,
    OutcomeKind,
    PointState,
    RecordState,
    TransferState,
    TransferTrack,
)
from .models import (
    Activity,
    Cohort,
    Department,
    Evaluation,
    Milestone,
    MilestoneRecord,
    Outcome,
    PointEntry,
    PointRule,
    Profile,
    ProfileEvent,
    Rotation,
    Stage,
    StageChange,
    StudyItem,
    StudyRecord,
    Transfer,
)
from .reference import ensure_config

DEPARTMENTS = [
    ("第一检察部", True),
    ("第二检察部", True),
    ("第三检察部", True),
    ("第四检察部", True),
    ("第五检察部", True),
    ("第六检察部", True),
    ("案件管理部", True),
    ("办公室", False),
    ("政治部", False),
]
BUSINESS = [name for name, business in DEPARTMENTS if business]
# joined year -> number of assistants
COHORTS = [(2025, 11), (2024, 11), (2023, 10), (2021, 10), (2019, 10), (2017, 8)]
MENTOR_COUNT = 12
# username, name, role, title, department (headed or worked in)
DEMO_ACCOUNTS = [
    ("assistant", "林书瑶", RoleCode.ASSISTANT, "检察官助理", "第一检察部"),
    ("mentor", "沈志远", RoleCode.MENTOR, "员额检察官、带教导师", "第一检察部"),
    ("dept_head", "韩立新", RoleCode.DEPARTMENT_HEAD, "第一检察部主任", "第一检察部"),
    ("talent_committee", "高文静", RoleCode.TALENT_COMMITTEE, "政治部主任、评审委员", "政治部"),
]
ACTIVITY_TITLES = {
    ActivityKind.TEAM_DEBATE: [
        "“认罪认罚从宽”团队论辩赛",
        "“证据审查”团队对垒",
        "公益诉讼团队论辩赛",
    ],
    ActivityKind.COMPETITION: ["全市检察业务竞赛", "公诉人与律师论辩赛", "检察文书制作竞赛"],
    ActivityKind.EXCELLENT_CASE: ["优秀案例评选：帮信罪类案", "优秀案例评选：未成年人保护"],
    ActivityKind.EXCELLENT_DOCUMENT: ["优秀法律文书评选：起诉书", "优秀法律文书评选：抗诉书"],
    ActivityKind.RESEARCH: ["轻罪治理课题", "数字检察监督模型课题"],
    ActivityKind.ANALYSIS_REPORT: ["电信诈骗案件专项分析报告", "危险驾驶案件办理情况分析"],
    ActivityKind.SUGGESTION: ["物业领域社会治理检察建议", "校园周边安全检察建议"],
    ActivityKind.HEARING: ["刑事案件公开听证评议观摩", "不起诉案件公开听证"],
    ActivityKind.CORRECTIONS_PATROL: ["社区矫正巡回检察"],
    ActivityKind.LECTURE: ["新入职助理岗前培训授课", "案卡填录规范专题讲授"],
}
# activity kind -> (point rule, transformation it evidences)
ACTIVITY_RULES = {
    ActivityKind.TEAM_DEBATE: ("team_debate_join", "legal_reasoning"),
    ActivityKind.COMPETITION: ("competition_institution", "compound_skills"),
    ActivityKind.EXCELLENT_CASE: ("excellent_selection", "case_patterns"),
    ActivityKind.EXCELLENT_DOCUMENT: ("excellent_selection", "work_standards"),
    ActivityKind.RESEARCH: ("research_project", "compound_skills"),
    ActivityKind.ANALYSIS_REPORT: ("analysis_report", "compound_skills"),
    ActivityKind.SUGGESTION: ("suggestion_adopted", "compound_skills"),
    ActivityKind.HEARING: ("hearing", "substantive_cases"),
    ActivityKind.CORRECTIONS_PATROL: ("hearing", "field_practice"),
    ActivityKind.LECTURE: ("lecture", "leadership"),
}
STAGE_KINDS = {
    "junior": [ActivityKind.TEAM_DEBATE, ActivityKind.HEARING, ActivityKind.CORRECTIONS_PATROL],
    "intermediate": [
        ActivityKind.TEAM_DEBATE,
        ActivityKind.COMPETITION,
        ActivityKind.RESEARCH,
        ActivityKind.ANALYSIS_REPORT,
        ActivityKind.SUGGESTION,
        ActivityKind.EXCELLENT_DOCUMENT,
    ],
    "senior": [
        ActivityKind.COMPETITION,
        ActivityKind.EXCELLENT_CASE,
        ActivityKind.LECTURE,
        ActivityKind.RESEARCH,
        ActivityKind.SUGGESTION,
    ],
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return date(year, month % 12 + 1, min(day.day, 28))


def load_demo(*, seed: int, end: datetime) -> str:
    """Load the talent demo (idempotent); returns a one-line summary."""
    ensure_config()
    procuratorate = (
        Unit.objects.filter(agency_type=AgencyType.PROCURATORATE, division__level=Level.DISTRICT)
        .order_by("pk")
        .first()
    )
    if procuratorate is None:
        return "no district procuratorate in the org tree; nothing loaded"
    if Department.objects.filter(unit=procuratorate).exists():
        return "already loaded; nothing created"
    with transaction.atomic():
        return _load(procuratorate, random.Random(seed + 9), timezone.localdate(end), end)


def _load(unit: Unit, rng: random.Random, today: date, now: datetime) -> str:
    Role.objects.bulk_create([Role(code=code) for code in RoleCode.values], ignore_conflicts=True)
    usable = make_password(DEMO_PASSWORD)
    unusable = make_password(None)
    people: list[tuple[Staff, str]] = []

    def person(username: str, name: str, role: str, title: str, login: bool) -> Staff:
        staff = Staff(
            username=username,
            name=name,
            unit=unit,
            title=title,
            password=usable if login else unusable,
        )
        people.append((staff, role))
        return staff

    demo = {
        username: person(username, name, role, title, True)
        for username, name, role, title, _dept in DEMO_ACCOUNTS
    }
    heads = {"第一检察部": demo["dept_head"]}
    for number, (dept, _business) in enumerate(DEPARTMENTS, start=1):
        if dept not in heads:
            heads[dept] = person(
                f"pc-head-{number}", _name(rng), RoleCode.DEPARTMENT_HEAD, f"{dept}主任", False
            )
    mentors = [demo["mentor"]] + [
        person(f"pc-mentor-{n}", _name(rng), RoleCode.MENTOR, "员额检察官、带教导师", False)
        for n in range(2, MENTOR_COUNT + 1)
    ]
    committee = [demo["talent_committee"]] + [
        person(f"pc-committee-{n}", _name(rng), RoleCode.TALENT_COMMITTEE, "评审委员", False)
        for n in (2, 3)
    ]
    assistants = []
    for year, count in COHORTS:
        for n in range(1, count + 1):
            if year == 2025 and n == 1:
                assistants.append((demo["assistant"], year))
                continue
            staff = person(
                f"pc-{year}-{n:02d}", _name(rng), RoleCode.ASSISTANT, "检察官助理", False
            )
            assistants.append((staff, year))
    Staff.objects.bulk_create([staff for staff, _ in people])
    Staff.roles.through.objects.bulk_create(
        [Staff.roles.through(staff_id=staff.pk, role_id=role) for staff, role in people]
    )

    departments = {
        name: Department(unit=unit, name=name, head=heads[name], is_business=business)
        for name, business in DEPARTMENTS
    }
    Department.objects.bulk_create(departments.values())
    cohorts = {
        year: Cohort(unit=unit, name=f"{year}级检察官助理", year=year) for year, _ in COHORTS
    }
    Cohort.objects.bulk_create(cohorts.values())

    stages = {s.code: s for s in Stage.objects.order_by("order")}
    builder = _Builder(
        rng=rng,
        today=today,
        now=now,
        stages=stages,
        committee=committee,
        departments=departments,
    )
    for index, (staff, year) in enumerate(assistants):
        mentor = demo["mentor"] if index % MENTOR_COUNT == 0 else mentors[index % MENTOR_COUNT]
        department = departments[
            "第一检察部" if staff is demo["assistant"] else BUSINESS[index % 7]
        ]
        if mentor is demo["mentor"]:
            department = departments["第一检察部"]
        builder.add(
            staff=staff,
            cohort=cohorts[year],
            department=department,
            mentor=mentor,
            joined_year=year,
            is_demo=staff is demo["assistant"],
        )
    counts = builder.save()
    return (
        f"{len(assistants)} assistants in {len(cohorts)} cohorts, {len(mentors)} mentors, "
        f"{len(departments)} departments; {counts}"
    )


class _Builder:
    """Collects every row in memory, then writes each table with one bulk insert."""

    def __init__(self, *, rng, today, now, stages, committee, departments):
        self.rng = rng
        self.today = today
        self.now = now
        self.stages = stages
        self.committee = committee
        self.departments = departments
        self.items = list(StudyItem.objects.filter(is_active=True).order_by("order"))
        self.milestones = list(
            Milestone.objects.select_related("transformation__stage").order_by(
                "transformation__stage__order", "transformation__order", "order"
            )
        )
        self.transformations = {m.transformation.code: m.transformation for m in self.milestones}
        self.rules = {r.code: r for r in PointRule.objects.all()}
        self.case_ids = list(
            Case.objects.filter(category__code="law_litigation")
            .order_by("pk")
            .values_list("pk", flat=True)[:400]
        )
        self.profiles: list[Profile] = []
        self.later: list = []  # (model, factory(profile) -> list of rows)

    def add(self, *, staff, cohort, department, mentor, joined_year, is_demo):
        rng = self.rng
        joined = date(joined_year, rng.choice((7, 8, 9)), rng.randint(1, 28))
        if is_demo:
            joined = _months(self.today, -16)
        years = (self.today - joined).days / 365.25
        path = ["junior"]
        if not is_demo and (years > 2.6 or (years > 1.6 and rng.random() < 0.5)):
            path.append("intermediate")
        if years > 5.5:
            path.append("senior")
        entered = [joined]
        if len(path) > 1:
            entered.append(_months(joined, rng.randint(13, 20)))
        if len(path) > 2:
            entered.append(_months(entered[1], rng.randint(38, 50)))
        stage = self.stages[path[-1]]
        profile = Profile(
            staff=staff,
            unit=department.unit,
            department=department,
            cohort=cohort,
            mentor=mentor,
            stage=stage,
            stage_entered_on=entered[-1],
            joined_on=joined,
        )
        self.profiles.append(profile)
        self.later.append((profile, path, entered, is_demo))

    def save(self) -> str:
        Profile.objects.bulk_create(self.profiles)
        rows = {
            model: []
            for model in (
                StageChange,
                StudyRecord,
                MilestoneRecord,
                Rotation,
                Activity,
                PointEntry,
                Evaluation,
                Outcome,
                Transfer,
                ProfileEvent,
            )
        }
        links = []
        by_cohort: dict[int, list[Profile]] = {}
        for profile in self.profiles:
            by_cohort.setdefault(profile.cohort_id, []).append(profile)
        for profile, path, entered, is_demo in self.later:
            self._history(rows, profile, path, entered)
            self._study(rows, profile, path, entered, is_demo)
            self._milestones(rows, profile, path, entered, is_demo)
            links += self._rotations(rows, profile, entered[0], is_demo)
            self._activities_and_points(rows, profile, path, entered, is_demo)
            self._evaluations(rows, profile, by_cohort[profile.cohort_id])
            self._outcomes_and_transfers(rows, profile, path)
        for model, objects in rows.items():
            model.objects.bulk_create(objects, batch_size=500)
        Rotation.cases.through.objects.bulk_create(
            [
                Rotation.cases.through(rotation_id=rotation.pk, case_id=case_id)
                for rotation, case_id in links
            ],
            ignore_conflicts=True,
        )
        return ", ".join(
            f"{len(rows[m])} {m._meta.verbose_name}"
            for m in (StudyRecord, PointEntry, Activity, Evaluation, Outcome)
        )

    def _at(self, day: date) -> datetime:
        moment = datetime(day.year, day.month, day.day, 10, 0)
        return timezone.make_aware(moment)

    def _history(self, rows, profile, path, entered):
        committee = self.rng.choice(self.committee)
        previous = None
        for code, day in zip(path, entered, strict=True):
            stage = self.stages[code]
            reason = "建立培养档案" if previous is None else "达到晋阶条件，经评审委员会评议通过"
            rows[StageChange].append(
                StageChange(
                    profile=profile,
                    from_stage=previous,
                    to_stage=stage,
                    changed_on=day,
                    reason=reason,
                    decided_by=committee,
                    created_at=self._at(day),
                )
            )
            summary = (
                f"建立培养档案，进入{stage.name}"
                if previous is None
                else f"{previous.name} → {stage.name}"
            )
            rows[ProfileEvent].append(
                ProfileEvent(
                    profile=profile,
                    kind=EventKind.ENROLLED if previous is None else EventKind.STAGE,
                    actor=committee,
                    summary=summary,
                    reason="" if previous is None else reason,
                    created_at=self._at(day),
                )
            )
            previous = stage

    def _spread(self, start: date, count: int) -> list[date]:
        span = max((self.today - start).days, 1)
        return sorted(start + timedelta(days=self.rng.randint(0, span)) for _ in range(count))

    def _study(self, rows, profile, path, entered, is_demo):
        months = (self.today - entered[0]).days / 30.4
        if is_demo:
            done, pending = 13, 1
        elif len(path) > 1:
            done = len(self.items) if len(path) > 2 or self.rng.random() < 0.7 else 18
            pending = 0
        else:
            done = min(len(self.items), int(months * 1.1) + self.rng.randint(0, 3))
            pending = 1 if done < len(self.items) and self.rng.random() < 0.5 else 0
        days = self._spread(entered[0], done + pending)
        for index, item in enumerate(self.items[: done + pending]):
            confirmed = index < done
            rows[StudyRecord].append(
                StudyRecord(
                    profile=profile,
                    item=item,
                    completed_on=days[index],
                    evidence=f"学习笔记与心得体会（{item.title}）",
                    state=RecordState.CONFIRMED if confirmed else RecordState.SUBMITTED,
                    recorded_by=profile.staff,
                    confirmed_by=profile.mentor if confirmed else None,
                    confirmed_at=self._at(days[index]) if confirmed else None,
                )
            )
            if confirmed:
                self._points(
                    rows, profile, "study_item", days[index], f"完成{item.code}并经导师确认"
                )

    def _milestones(self, rows, profile, path, entered, is_demo):
        current = path[-1]
        for milestone in self.milestones:
            stage = milestone.transformation.stage.code
            if stage not in path:
                continue
            if stage == current:
                share = 5 / 6 if is_demo else min(1.0, (self.today - entered[-1]).days / 500)
                position = self.milestones.index(milestone) % 6
                if position >= round(share * 6):
                    continue
            day = self._spread(entered[path.index(stage)], 1)[0]
            rows[MilestoneRecord].append(
                MilestoneRecord(
                    profile=profile,
                    milestone=milestone,
                    completed_on=day,
                    evidence=f"{milestone.name}：导师评语与相关材料存档",
                    state=RecordState.CONFIRMED,
                    recorded_by=profile.mentor,
                    confirmed_by=profile.mentor,
                    confirmed_at=self._at(day),
                )
            )

    def _rotations(self, rows, profile, joined, is_demo):
        links = []
        start = joined
        # The demo assistant's two finished rotations earn exactly 10 points (see the module doc).
        for _ in range(2 if is_demo else self.rng.randint(2, 3)):
            end = _months(start, self.rng.choice((3, 4)))
            if start > self.today:
                break
            places = BUSINESS if is_demo else [*BUSINESS, "办公室"]
            department = self.departments[self.rng.choice(places)]
            required = 0 if not department.is_business else self.rng.choice((10, 12, 15, 20))
            rotation = Rotation(
                profile=profile,
                department=department,
                starts_on=start,
                ends_on=end,
                required_cases=required,
                entered_cases=max(0, required - self.rng.randint(0, 6)) if end < self.today else 0,
                recorded_by=profile.department.head,
            )
            rows[Rotation].append(rotation)
            # demo cases cover the last year only: link them to recent rotations
            if self.case_ids and required and end > self.today - timedelta(days=365):
                picked = self.rng.sample(self.case_ids, min(2, len(self.case_ids)))
                links += [(rotation, case_id) for case_id in picked]
                rotation.entered_cases = max(rotation.entered_cases - len(picked), 0)
            if end < self.today and required:
                self._points(rows, profile, "assisted_cases", end, f"{department.name}轮岗协助办案")
            start = end + timedelta(days=1)
        return links

    def _points(self, rows, profile, code, day, evidence, state=PointState.APPROVED, by=None):
        rule = self.rules[code]
        submitter = by or profile.staff
        approver = profile.mentor if submitter != profile.mentor else profile.department.head
        decided = state != PointState.PENDING
        rows[PointEntry].append(
            PointEntry(
                profile=profile,
                rule=rule,
                points=rule.points,
                occurred_on=day,
                evidence=evidence,
                state=state,
                submitted_by=submitter,
                approver=approver if decided else None,
                decided_at=self._at(day + timedelta(days=3)) if decided else None,
                decision_note="" if state != PointState.REJECTED else "佐证材料不足",
            )
        )

    def _activities_and_points(self, rows, profile, path, entered, is_demo):
        rng = self.rng
        for code, start in zip(path, entered, strict=True):
            kinds = STAGE_KINDS[code]
            for day in self._spread(start, 2 if is_demo else rng.randint(2, 5)):
                kind = rng.choice(kinds)
                rule, transformation = ACTIVITY_RULES[kind]
                level = rng.choice(
                    [HonourLevel.INSTITUTION] * 3 + [HonourLevel.MUNICIPAL, HonourLevel.PROVINCIAL]
                )
                won = kind == ActivityKind.TEAM_DEBATE and rng.random() < 0.4
                rows[Activity].append(
                    Activity(
                        profile=profile,
                        kind=kind,
                        title=rng.choice(ACTIVITY_TITLES[kind]),
                        occurred_on=day,
                        level=level,
                        result="获胜" if won else rng.choice(["参加", "二等奖", "三等奖", "入选"]),
                        evidence="活动通知、成绩通报或采纳回函",
                        transformation=self.transformations[transformation],
                        recorded_by=profile.staff,
                    )
                )
                if not is_demo:
                    rule = "team_debate_win" if won else rule
                    self._points(rows, profile, rule, day, "见实践记录")
        if is_demo:
            day = self.today - timedelta(days=6)
            self._points(
                rows, profile, "team_debate_win", day, "团队论辩赛获胜通报", PointState.PENDING
            )
            return
        if rng.random() < 0.25:
            day = self._spread(entered[-1], 1)[0]
            self._points(
                rows,
                profile,
                "document_defect",
                day,
                "案件质量评查通报",
                by=profile.department.head,
            )
        if rng.random() < 0.3:
            day = self.today - timedelta(days=rng.randint(2, 20))
            self._points(rows, profile, "hearing", day, "听证会签到表", PointState.PENDING)
        if rng.random() < 0.1:
            day = self.today - timedelta(days=rng.randint(20, 60))
            self._points(rows, profile, "analysis_report", day, "报告初稿", PointState.REJECTED)

    def _evaluations(self, rows, profile, cohort):
        if (self.today - profile.joined_on).days < 330:
            return
        period = f"{self.today.year - 1}年度"
        base = self.rng.uniform(72, 92)
        scorers = [
            (Dimension.SELF, profile.staff),
            (Dimension.MENTOR, profile.mentor),
            (Dimension.DEPARTMENT, profile.department.head),
        ]
        peers = [p.staff for p in cohort if p is not profile]
        scorers += [(Dimension.PEER, peer) for peer in self.rng.sample(peers, min(2, len(peers)))]
        for dimension, evaluator in scorers:
            score = Decimal(str(round(min(99.0, base + self.rng.uniform(-6, 6)), 1)))
            rows[Evaluation].append(
                Evaluation(
                    profile=profile,
                    period=period,
                    dimension=dimension,
                    evaluator=evaluator,
                    score=score,
                    comment="",
                )
            )

    def _outcomes_and_transfers(self, rows, profile, path):
        rng = self.rng
        if len(path) < 2:
            return
        if rng.random() < (0.5 if len(path) == 3 else 0.12):
            level = rng.choice(
                [HonourLevel.MUNICIPAL, HonourLevel.PROVINCIAL, HonourLevel.NATIONAL]
            )
            day = self._spread(profile.stage_entered_on, 1)[0]
            rows[Outcome].append(
                Outcome(
                    profile=profile,
                    kind=OutcomeKind.MODEL_EXPERT,
                    level=level,
                    title=f"{HonourLevel(level).label}检察业务标兵能手",
                    awarded_on=day,
                    evidence="表彰通报文件",
                    recorded_by=self.committee[0],
                )
            )
        if len(path) == 3 and rng.random() < 0.45:
            level = rng.choice([HonourLevel.PROVINCIAL, HonourLevel.NATIONAL])
            day = self._spread(profile.stage_entered_on, 1)[0]
            rows[Outcome].append(
                Outcome(
                    profile=profile,
                    kind=OutcomeKind.TALENT_POOL,
                    level=level,
                    title=f"入选{HonourLevel(level).label}检察专业人才库",
                    awarded_on=day,
                    evidence="入库名单",
                    recorded_by=self.committee[0],
                )
            )
        if len(path) == 3 and rng.random() < 0.35:
            track = rng.choice([TransferTrack.PROSECUTOR] * 3 + [TransferTrack.JUDICIAL_ADMIN])
            state = rng.choice([TransferState.APPLIED, TransferState.APPROVED])
            day = self.today - timedelta(days=rng.randint(10, 200))
            rows[Transfer].append(
                Transfer(
                    profile=profile,
                    track=track,
                    state=state,
                    decided_on=day,
                    note="本人申请，部门推荐",
                    recorded_by=self.committee[0],
                )
            )
