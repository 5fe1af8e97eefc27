"""Demo data of the corrections app: two prisons and their officers, a year of releases to
Dongcheng's grids in every stage of the hand-over, employers, job fairs, placements, reserve
funds, and 减假暂 evidence files with their reviews and record chains. All names generated."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from pingan.core.calendar import LOCAL_TZ
from pingan.core.models import Notice
from pingan.core.validators import id_number_check_digit
from pingan.demo.orgs import DEMO_PASSWORD, DEMO_STREET, GIVEN, SURNAMES
from pingan.orgs.choices import Level, RoleCode, UnitKind
from pingan.orgs.models import Division, Role, Staff, Unit

from . import services
from .choices import (
    FundEntryKind,
    OffenceCategory,
    PlacementOutcome,
    ReleaseState,
    ReviewKind,
)
from .models import Employer, EvidenceFile, JobFair, Prison, Release

PRISONS = [
    ("P01", "市第一监狱", "市郊第一监狱路 1 号", "010-60000001"),
    ("P02", "市第二监狱", "市郊第二监狱路 2 号", "010-60000002"),
]
# (username, name, prison code or "" for the district procuratorate, role, title)
ACCOUNTS = [
    ("prison_officer", "韩建华", "P01", RoleCode.PRISON_OFFICER, "刑罚执行科民警"),
    ("prison_reviewer", "蒋慧敏", "P01", RoleCode.PRISON_OFFICER, "狱政科民警（复核）"),
    ("prison_officer2", "沈国栋", "P02", RoleCode.PRISON_OFFICER, "刑罚执行科民警"),
    ("prison_reviewer2", "许文静", "P02", RoleCode.PRISON_OFFICER, "狱政科民警（复核）"),
    ("auditor", "彭雅琴", "", RoleCode.AUDITOR, "驻监检察官（执法监督）"),
]
SKILLS = ["电工", "焊工", "厨师", "驾驶", "保洁", "保安", "缝纫", "计算机", "物流", "维修"]
EMPLOYER_KINDS = [
    ("物业服务有限公司", "保安、保洁、维修"),
    ("餐饮管理有限公司", "厨师、服务员"),
    ("物流配送有限公司", "物流、驾驶"),
    ("机电安装工程有限公司", "电工、焊工、维修"),
    ("家政服务有限公司", "保洁、家政"),
    ("服装加工厂", "缝纫"),
    ("信息技术服务有限公司", "计算机、客服"),
]
PLACE_WORDS = "东华安定景山和平崇文永定金宝天坛龙潭朝阳建国东直交道北新"
EVIDENCE_ITEMS = [
    ("计分考核材料", "狱政科", True),
    ("奖惩审批表", "狱政科", True),
    ("教育改造评估报告", "教育科", True),
    ("财产性判项履行情况", "刑罚执行科", True),
    ("监区集体评议记录", "监区", True),
    ("罪犯认罪悔罪书", "监区", False),
    ("病情诊断与鉴定", "医院", True),
]


REVIEW_MIX = (
    ReviewKind.COMMUTATION,
    ReviewKind.COMMUTATION,
    ReviewKind.PAROLE,
    ReviewKind.TEMPORARY,
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(rng: random.Random, serial: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))
    first17 = f"110101{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_digit(first17)


def ensure_prisons() -> list[Prison]:
    """The two demo prisons and the demo accounts of this app (idempotent)."""
    Role.objects.bulk_create([Role(code=code) for code in RoleCode.values], ignore_conflicts=True)
    prisons = {}
    for code, name, address, phone in PRISONS:
        prisons[code], _ = Prison.objects.get_or_create(
            code=code, defaults={"name": name, "address": address, "phone": phone}
        )
    procuratorate = Unit.objects.filter(
        kind=UnitKind.AGENCY, agency_type="procuratorate", division__level=Level.DISTRICT
    ).first()
    for username, name, prison, role, title in ACCOUNTS:
        person = Staff.objects.filter(username=username).first()
        if person is None:
            person = Staff.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                name=name,
                title=title,
                unit=None if prison else procuratorate,
            )
            person.roles.add(role)
        if prison:
            prisons[prison].officers.add(person)
    return list(prisons.values())


def load_demo(*, seed: int, end: datetime) -> str:
    prisons = ensure_prisons()
    if Release.objects.exists():
        return "already loaded"
    rng = random.Random(seed + 11)
    # a replayed year's notices go to the inbox, not out as text messages
    with transaction.atomic(), override_settings(PINGAN_NOTIFIERS=[]):
        summary = _load(rng, prisons, end)
    return summary


def _load(rng: random.Random, prisons: list[Prison], end: datetime) -> str:
    today = timezone.localtime(end, LOCAL_TZ).date()
    officers = {p.pk: list(p.officers.order_by("username")) for p in prisons}
    grids = list(Division.objects.filter(level=Level.GRID).order_by("path"))
    demo_grids = [g for g in grids if g.code.startswith(DEMO_STREET)]
    employers = _employers(rng, grids)
    _fairs(rng, prisons, employers, today)
    releases = []
    for serial in range(320):
        prison = prisons[serial % 2]
        # one in five lands in 东华门 so the demo street has work in every stage
        grid = rng.choice(demo_grids if serial % 5 == 0 else grids)
        day = today + timedelta(days=rng.randint(-330, 45))
        registered = timezone.make_aware(
            datetime.combine(day - timedelta(days=rng.randint(40, 60)), datetime.min.time()),
            LOCAL_TZ,
        ).replace(hour=10)
        release = services.release_register(
            prison=prison,
            actor=officers[prison.pk][0],
            data=services.ReleaseInput(
                name=_name(rng),
                id_number=_id_number(rng, serial),
                offence=rng.choice(OffenceCategory.values),
                sentence_months=rng.choice((8, 12, 18, 24, 36, 60, 96)),
                release_date=day,
                address=f"{grid.parent.name}{rng.randint(1, 80)}号院{rng.randint(1, 6)}单元",
                grid_code=grid.code,
                health=rng.choice(("良好", "良好", "高血压", "糖尿病", "良好")),
                family_contact=_name(rng),
                family_phone=f"139{rng.randint(10000000, 99999999)}",
                skills="、".join(rng.sample(SKILLS, rng.randint(0, 2))),
            ),
            now=registered,
        )
        releases.append((release, registered))
    arrivals = _planned_arrivals(rng, releases, today, end)
    # replay the year week by week, as the periodic sweeps and the communities would have
    moment = min(registered for _release, registered in releases)
    while True:
        moment = min(moment + timedelta(days=7), end)
        services.release_notify_due(now=moment)
        while arrivals and arrivals[0][0] <= moment:
            when, release, actor = arrivals.pop(0)
            release.refresh_from_db()
            services.release_confirm_arrival(
                release=release, actor=actor, responsible=actor, now=when
            )
            _resettle(rng, release, actor, when, today)
        services.release_escalate_no_shows(now=moment)
        _reoffences(rng, moment, today)
        if moment >= end:
            break
    # what happened long ago has been read; the last fortnight's notices are new
    Notice.objects.filter(
        kind__startswith="release", created_at__lt=end - timedelta(days=14), read_at__isnull=True
    ).update(read_at=end)
    files = _evidence_files(rng, prisons, officers, end)
    counts = dict(Release.objects.values_list("state").annotate(n=Count("id")).order_by("state"))
    return (
        f"{len(releases)} releases ({counts.get(ReleaseState.ARRIVED, 0)} arrived, "
        f"{counts.get(ReleaseState.NO_SHOW, 0)} not arrived, "
        f"{counts.get(ReleaseState.NOTIFIED, 0)} notified, "
        f"{counts.get(ReleaseState.REGISTERED, 0)} registered), "
        f"{len(employers)} employers, {files} evidence files"
    )


def _employers(rng: random.Random, grids: list[Division]) -> list[Employer]:
    employers = []
    for number in range(36):
        kind, jobs = EMPLOYER_KINDS[number % len(EMPLOYER_KINDS)]
        place = "".join(rng.sample(PLACE_WORDS, 2))
        grid = rng.choice(grids)
        employers.append(
            Employer(
                name=f"北京{place}{kind}{number + 1:02d}",
                grid=grid,
                address=f"{grid.parent.name}附近",
                contact=_name(rng),
                phone=f"010-6{rng.randint(1000000, 9999999)}",
                jobs=jobs,
                conditions=rng.choice(("", "需健康证", "包食宿", "无不良嗜好")),
            )
        )
    return Employer.objects.bulk_create(employers)


def _fairs(rng, prisons, employers, today) -> None:
    for quarter in range(4):
        fair = JobFair.objects.create(
            name=f"春风行动临释人员就业推介会（第{quarter + 1}场）",
            held_on=today - timedelta(days=300 - 90 * quarter),
            place=f"{prisons[quarter % 2].name}教育中心",
            prison=prisons[quarter % 2],
            attendance=rng.randint(40, 90),
            offers=rng.randint(8, 25),
        )
        fair.employers.set(rng.sample(employers, 8))


def _planned_arrivals(rng: random.Random, releases, today: date, end: datetime) -> list:
    """Most people report within days of release; the street center confirms and helps."""
    receivers: dict[int, Staff | None] = {}
    planned = []
    for release, _registered in releases:
        if release.release_date > today or rng.random() < 0.06:
            continue  # not released yet, or never reported (escalated by the sweep)
        street = release.grid.parent.parent_id
        if street not in receivers:
            receivers[street] = (
                Staff.objects.filter(
                    unit__kind=UnitKind.STREET_CENTER,
                    unit__division_id=street,
                    roles__code=RoleCode.DISPATCHER,
                )
                .order_by("username")
                .first()
            )
        if receivers[street] is None:
            continue
        day = release.release_date + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5, 9)))
        when = timezone.make_aware(datetime.combine(day, datetime.min.time()), LOCAL_TZ)
        when = min(when.replace(hour=15), end)
        planned.append((when, release, receivers[street]))
    planned.sort(key=lambda item: (item[0], item[1].pk))
    return planned


def _reoffences(rng: random.Random, moment: datetime, today: date) -> None:
    """A few people reoffend, mostly within months of release (recorded by the community)."""
    week_end = timezone.localtime(moment, LOCAL_TZ).date()
    for release in Release.objects.filter(
        state=ReleaseState.ARRIVED, reoffended_on__isnull=True, release_date__lte=week_end
    ):
        if rng.random() < 0.004:
            day = min(week_end, today)
            if day > release.release_date:
                Release.objects.filter(pk=release.pk).update(reoffended_on=day)


def _resettle(rng, release, actor, when, today) -> None:
    if rng.random() < 0.6:
        employer = Employer.objects.order_by("?").first()
        outcome = rng.choice(
            (
                PlacementOutcome.EMPLOYED,
                PlacementOutcome.EMPLOYED,
                PlacementOutcome.OFFERED,
                PlacementOutcome.DECLINED,
            )
        )
        services.placement_record(
            release=release,
            actor=actor,
            employer=employer,
            job=employer.jobs.split("、")[0],
            outcome=outcome,
            started_on=min(when.date() + timedelta(days=20), today)
            if outcome == PlacementOutcome.EMPLOYED
            else None,
            now=when,
        )
    if rng.random() < 0.5:
        services.fund_record(
            release=release,
            actor=actor,
            kind=FundEntryKind.CONTRIBUTION,
            amount=Decimal(rng.choice((800, 1200, 2000, 3000))),
            purpose="狱内劳动报酬转入",
            now=when,
        )


def _evidence_files(rng: random.Random, prisons, officers, end: datetime) -> int:
    """减假暂 files over the last half year: most concluded after a two-person review, some
    still open, a few with an item excluded as illegally obtained."""
    count = 0
    for number in range(48):
        prison = prisons[number % 2]
        first, *others = officers[prison.pk]
        second = others[0] if others else None
        opened = end - timedelta(days=rng.randint(5, 180), hours=rng.randint(0, 8))
        items = rng.sample(EVIDENCE_ITEMS[:6], rng.randint(4, 6))
        kind = rng.choice(REVIEW_MIX)
        if kind == ReviewKind.TEMPORARY:
            items.append(EVIDENCE_ITEMS[6])
        file = services.evidence_file_open(
            prison=prison, actor=first, subject=_name(rng), kind=kind, items=items, now=opened
        )
        count += 1
        if second is None:
            continue  # a prison with one officer cannot complete a two-person review
        moment = opened
        finished = rng.random() < 0.75
        for item in file.items.all():
            moment += timedelta(hours=rng.randint(1, 30))
            if not finished and rng.random() < 0.4:
                continue  # still waiting for review
            exclude = rng.random() < 0.04
            verdicts = {c: "pass" for c in ("authenticity", "completeness", "relevance")}
            if exclude:
                verdicts["authenticity"] = "fail"
            services.evidence_item_review(
                item=item,
                actor=first,
                **verdicts,
                findings="谈话笔录系诱导取得，不能作为定案依据。" if exclude else "",
                exclude=exclude,
                exclusion_reason="以诱导方式取得的陈述，依法排除。" if exclude else "",
                now=min(moment, end),
            )
            services.evidence_item_confirm(
                item=item, actor=second, now=min(moment + timedelta(hours=2), end)
            )
        if finished:
            services.evidence_file_conclude(
                file=EvidenceFile.objects.get(pk=file.pk),
                actor=first,
                conclusion="证据真实、完整、关联，同意提请。",
                now=min(moment + timedelta(hours=4), end),
            )
    return count
