"""One year of synthetic cases for the Dongcheng demo, deterministic from a seed.

``generate_cases`` writes cases the way the case services would have left them: a number from
the yearly sequence, parties with valid (generated) ID numbers, a handling unit that matches the
funnel level, deadlines from the deadline policies and the working-day calendar, and a timeline
whose every step is a transition of ``pingan.cases.rules``. The lifecycle of each case is played
forward from its registration and stopped at ``end``: old cases are archived, recent ones are
spread over the open states, and a few have run past their deadline.

Idempotence: cases are generated only into a database that holds no case at all. Synthetic
history mixed into real cases would distort every statistic, and numbering starts at 1 each
year. Running it again therefore generates nothing; to regenerate, start from an empty database.

Speed and memory: one ``random.Random`` stream drives everything, so the result depends only on
(count, seed, end), not on the batch size nor on where the rows are built. Cases are built as
plain rows and written one batch at a time, in one transaction per batch: a block of case ids
is reserved first, then cases, parties and events go in with one ``executemany`` each (``COPY``
on PostgreSQL). Every value still passes through its model field (encryption, blind index,
JSON, datetimes), but without model instances and the ORM's per-value SQL assembly. Building a
batch costs about as much as inserting it, so for large counts a forked process builds the
batches (a bounded queue ahead) while this one inserts them: the two cores of a small server
work at once, and memory stays flat whatever the count. Per-case work is arithmetic on epoch
seconds: the database is asked about deadlines once per distinct date, never per case.
"""

import contextlib
import functools
import multiprocessing
import operator
import os
import pickle
import queue
import random
import traceback
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from itertools import accumulate, islice

from django.db import connection, models, transaction
from django.utils import timezone

from pingan.cases.choices import (
    Channel,
    Complexity,
    DayType,
    EventKind,
    LegalRoute,
    Outcome,
    PartyRole,
    State,
    Urgency,
)
from pingan.cases.models import (
    Case,
    CaseEvent,
    CaseSequence,
    Category,
    DeadlinePolicy,
    Party,
    RepeatKey,
)
from pingan.cases.repeats import comparable, key_rows, window_start
from pingan.cases.routing import area_cues
from pingan.cases.rules import SATISFIED_FROM, level_above
from pingan.cases.services import query_code_digest
from pingan.core import crypto
from pingan.core.calendar import LOCAL_TZ, add_days, workdays_in
from pingan.core.errors import ApplicationError
from pingan.core.fields import BlindIndexField
from pingan.core.validators import id_number_check_digit
from pingan.orgs.choices import Level, RoleCode, UnitKind
from pingan.orgs.models import Division, Staff, Unit

from .orgs import DISTRICT_AREAS, GIVEN, STREET_AREAS, SURNAMES

WINDOW_DAYS = 365
SQLITE_CACHE_SIZE = -131072  # negative means KiB: 128 MB
# From this many cases on, rows are built in a second process while this one inserts them.
PARALLEL_FROM = 20_000
QUEUE_BATCHES = 2
MINUTE, HOUR, DAY = 60, 3600, 86400
# China has kept UTC+8 all year since 1991, so local dates are plain arithmetic on epoch seconds.
LOCAL_OFFSET = 8 * HOUR
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# --- the mixes ------------------------------------------------------------------------------

CHANNELS = [
    (Channel.WALK_IN, 38),
    (Channel.PHONE, 20),
    (Channel.GRID_REPORT, 20),
    (Channel.ONLINE, 12),
    (Channel.AGENCY_TRANSFER, 6),
    (Channel.LETTER, 4),
]
# Where a matter is taken in, by channel: grid workers report at the grid, walk-ins mostly reach
# the community or the street center, letters and agency transfers the street or the district.
INTAKE_LEVELS = {
    Channel.GRID_REPORT: [(Level.GRID, 1)],
    Channel.WALK_IN: [(Level.COMMUNITY, 55), (Level.STREET, 40), (Level.DISTRICT, 5)],
    Channel.PHONE: [(Level.COMMUNITY, 35), (Level.STREET, 60), (Level.DISTRICT, 5)],
    Channel.ONLINE: [(Level.COMMUNITY, 40), (Level.STREET, 50), (Level.DISTRICT, 10)],
    Channel.AGENCY_TRANSFER: [(Level.STREET, 70), (Level.DISTRICT, 30)],
    Channel.LETTER: [(Level.STREET, 60), (Level.DISTRICT, 40)],
}
# Where it is settled, by intake level: the funnel hands most matters down (交办) to the
# community and lifts few up (上提), so that about two thirds end at grid or community.
FINAL_LEVELS = {
    Level.GRID: [(Level.GRID, 75), (Level.COMMUNITY, 17), (Level.STREET, 7), (Level.DISTRICT, 1)],
    Level.COMMUNITY: [(Level.COMMUNITY, 84), (Level.STREET, 14), (Level.DISTRICT, 2)],
    Level.STREET: [
        (Level.GRID, 6),
        (Level.COMMUNITY, 46),
        (Level.STREET, 41),
        (Level.DISTRICT, 7),
    ],
    Level.DISTRICT: [(Level.COMMUNITY, 15), (Level.STREET, 45), (Level.DISTRICT, 40)],
}
_FUNNEL_INDEX = {Level.GRID: 0, Level.COMMUNITY: 1, Level.STREET: 2, Level.DISTRICT: 3}

# Category code -> (weight, share complex, share rejected). Categories an administrator adds
# later get the "other" figures.
CATEGORY_MIX = {
    "neighbourhood": (24, 0.06, 0.02),
    "property_management": (18, 0.10, 0.03),
    "marriage_family": (15, 0.12, 0.02),
    "labour": (12, 0.22, 0.04),
    "housing_land": (8, 0.22, 0.05),
    "consumer": (7, 0.08, 0.06),
    "traffic": (5, 0.12, 0.05),
    "medical": (3, 0.35, 0.06),
    "law_litigation": (3, 0.40, 0.20),
    "demolition": (2, 0.45, 0.08),
    "other": (3, 0.05, 0.10),
}
# Where a failed mediation sends the parties (司法兜底); labour disputes go to arbitration first.
LEGAL_ROUTES = {
    "labour": [
        (LegalRoute.ARBITRATION, 70),
        (LegalRoute.LITIGATION, 25),
        (LegalRoute.ADMINISTRATIVE_REVIEW, 5),
    ],
    "": [
        (LegalRoute.LITIGATION, 70),
        (LegalRoute.ARBITRATION, 15),
        (LegalRoute.ADMINISTRATIVE_REVIEW, 15),
    ],
}
URGENCIES = [(Urgency.NORMAL, 90), (Urgency.URGENT, 8.5), (Urgency.CRITICAL, 1.5)]
SATISFACTION = [(5, 56), (4, 30), (3, 11), (2, 2), (1, 1)]
AGREEMENT_SHARE = 0.88
JUDICIAL_CONFIRMATION_SHARE = 0.08  # of agreements reached at street or district level
# Share of accepted matters concluded after their deadline, and by how much (mean, seconds).
LATE_SHARE = 0.055
LATE_MEAN = 6 * DAY
REPEAT_APPLICANT_SHARE = 0.04
ID_NUMBER_SHARE = 0.70
# Some grids see far more matters (markets, old courtyards, large estates).
HOT_GRID_SHARE, HOT_GRID_FACTOR = 0.04, 4.0
REST_DAY_WEIGHT = 0.45
# Registrations by local hour: office hours, a lunch dip, a few evening phone calls.
HOUR_WEIGHTS = [
    0.05, 0.03, 0.02, 0.02, 0.02, 0.03, 0.08, 0.3, 1.2, 1.6, 1.6, 1.4,
    0.6, 1.0, 1.5, 1.5, 1.3, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05,
]  # fmt: skip
DISTRICT_PREFIX = "110101"  # 东城区 in GB/T 2260, the first six digits of residents' ID numbers

# --- the words ------------------------------------------------------------------------------

# Category code -> [(title, what happened)].
MATTERS = {
    "neighbourhood": [
        ("楼上漏水纠纷", "楼上住户卫生间漏水，渗到楼下厨房和卧室顶棚，墙皮大面积脱落"),
        ("装修噪音扰民", "邻居装修在午休和夜间施工，噪音严重影响家中老人休息"),
        ("楼道堆物纠纷", "邻居在楼道内长期堆放杂物，影响通行并存在消防隐患"),
        ("养犬扰民纠纷", "邻居饲养的犬只夜间吠叫且外出不拴绳，多次惊吓老人和儿童"),
        ("院落通道占用纠纷", "同院住户私搭棚子占用公共通道，其他住户出入不便"),
        ("空调外机噪音纠纷", "邻居空调外机正对卧室窗户，噪音和热风影响休息"),
    ],
    "property_management": [
        ("物业费收缴争议", "业主以服务不到位为由拒交物业费，物业公司多次上门催缴"),
        ("电梯故障维修纠纷", "楼内电梯频繁故障停运，老年住户出行困难，维修费用分摊有争议"),
        ("小区停车管理纠纷", "小区停车位不足，物业调整收费标准引发业主不满"),
        ("供暖温度不达标", "入冬后室内温度长期低于标准，业主要求减免供暖费"),
        ("公共维修资金使用争议", "屋顶防水维修需动用公共维修资金，部分业主不同意"),
    ],
    "marriage_family": [
        ("赡养老人纠纷", "老人的子女对赡养费用分担和照料安排意见不一，老人生活无人照顾"),
        ("离婚后子女抚养纠纷", "双方离婚后对子女抚养费支付和探视时间产生争议"),
        ("家庭房产继承纠纷", "父母去世后兄弟姐妹对平房继承份额有争议"),
        ("夫妻矛盾调解", "夫妻因家庭琐事长期争吵，近期矛盾激化，一方请求介入调解"),
    ],
    "labour": [
        ("拖欠工资纠纷", "施工队拖欠务工人员工资数月，多次讨要未果"),
        ("解除劳动合同补偿争议", "用人单位单方解除劳动合同，未支付经济补偿"),
        ("社保缴纳纠纷", "用人单位未按规定为职工缴纳社会保险"),
        ("工伤待遇纠纷", "职工在工作中受伤，单位对工伤待遇支付有异议"),
    ],
    "housing_land": [
        ("房屋租赁押金纠纷", "租期届满后房东以房屋损坏为由拒不退还押金"),
        ("平房院落产权纠纷", "同院两户对院内搭建房屋的产权归属有争议"),
        ("公房漏雨修缮纠纷", "公房漏雨多年，承租人与产权单位对修缮责任有争议"),
    ],
    "consumer": [
        ("预付卡退费纠纷", "健身房停业后会员预付卡余额无法退还"),
        ("装修工程质量纠纷", "装修公司施工质量不合格，拒绝返工和退款"),
        ("培训机构退费纠纷", "培训机构停课后拒绝退还剩余课时费用"),
    ],
    "medical": [
        ("医疗费用争议", "患者家属对诊疗费用和治疗效果有异议"),
        ("诊所治疗纠纷", "在诊所治疗后出现不良反应，要求诊所承担责任并赔偿"),
    ],
    "traffic": [
        ("电动自行车剐蹭纠纷", "电动自行车与行人剐蹭，双方对赔偿金额协商不成"),
        ("停车剐蹭赔偿纠纷", "胡同内停放的车辆被剐蹭，对方不愿赔偿"),
    ],
    "demolition": [
        ("腾退补偿纠纷", "对平房申请式腾退的补偿安置标准有异议"),
        ("违建拆除争议", "对院内违法建设的拆除决定有异议，要求说明依据"),
    ],
    "law_litigation": [
        ("判决执行难", "民事判决生效后对方拒不履行，申请人请求协调"),
        ("涉诉诉求反映", "对法院判决结果不服，反映相关诉求"),
    ],
    "other": [
        ("公共设施损坏反映", "小区路灯损坏多日无人维修，夜间出行不便"),
        ("环境卫生问题", "胡同内垃圾清运不及时，气味影响居民生活"),
    ],
}
DEMANDS = [
    "双方多次协商未果，请求调解。",
    "当事人情绪较大，希望尽快处理。",
    "请求依法依规协调解决。",
    "此前已向有关方面反映，问题仍未解决。",
    "希望社区出面协调，避免矛盾激化。",
]
# Respondents that are organisations, by category: (share, name suffixes).
ORGANISATIONS = {
    "property_management": (0.75, ["物业管理有限公司", "物业服务有限公司"]),
    "labour": (0.80, ["建筑劳务有限公司", "餐饮管理有限公司", "商贸有限公司"]),
    "consumer": (0.80, ["健身服务有限公司", "装饰工程有限公司", "教育咨询有限公司"]),
    "medical": (0.70, ["诊所", "中医门诊部"]),
    "housing_land": (0.25, ["房地产经纪有限公司", "房屋经营管理中心"]),
}
BRANDS = ["华信", "安居", "恒泰", "东方", "金鼎", "嘉禾", "润达", "瑞丰", "众诚", "和顺", "京华"]
NO_RESPONDENT_SHARE = {"other": 0.7, "demolition": 0.5, "law_litigation": 0.4}
REJECTION_REASONS = [
    "已进入诉讼程序，不属于调解受理范围，已告知当事人。",
    "诉求不属于本中心受理范围，已引导向有关部门反映。",
    "同一事项已在办理中，不予重复受理。",
    "反映人未能提供基本事实和联系方式，无法受理。",
]
ESCALATION_REASONS = [
    "涉及多个部门职责，本级难以化解，提请上一级协调。",
    "当事人诉求较大，需上级统筹调处。",
    "矛盾有激化苗头，提请上级综治中心介入。",
    "涉及政策性问题，需上级会商。",
]
ASSIGN_DOWN_REASONS = [
    "属地事项，交由属地先行调处。",
    "事项较为简单，由属地就近化解。",
    "当事人均为本社区居民，交办属地调解。",
]
AGREEMENT_SUMMARIES = [
    "经调解，双方达成一致意见，签订调解协议。",
    "经多次沟通，双方就赔偿金额达成协议，当场履行。",
    "经联合调处，问题已解决，当事人表示认可。",
    "经耐心疏导，双方互谅互让，达成和解。",
]
NO_AGREEMENT_SUMMARY = "经调解双方未能达成一致，已告知当事人依法通过{}途径解决。"
FOLLOW_UP_NOTES = [
    "当事人对处理结果表示满意。",
    "电话回访，当事人认可处理结果。",
    "上门回访，协议已履行。",
]
REOPEN_REASONS = [
    "当事人认为协议未履行到位，对处理结果不满意。",
    "回访时当事人表示问题未实际解决。",
]
JUDICIAL_NOTE = "调解协议经人民法院司法确认。"
JUDICIAL_COURT = "北京市东城区人民法院"

# Who does what, in order of preference, at the handling unit (roles of ``rules.CASE``).
R = RoleCode
REGISTRARS = (R.RECEPTIONIST, R.DISPATCHER, R.LEADER)
ACCEPTORS = (R.RECEPTIONIST, R.DISPATCHER, R.LEADER)
DISPATCHERS = (R.DISPATCHER, R.LEADER)
MEDIATORS = (R.MEDIATOR, R.DISPATCHER)
VISITORS = (R.RECEPTIONIST, R.MEDIATOR, R.DISPATCHER)
# The unit that handles a grid's matters at each level; the same rule as
# ``pingan.cases.services.unit_for_level`` (the tests hold the two together).
UNIT_KIND_AT_LEVEL = {
    Level.DISTRICT: UnitKind.DISTRICT_CENTER,
    Level.STREET: UnitKind.STREET_CENTER,
    Level.COMMUNITY: UnitKind.COMMUNITY,
    Level.GRID: UnitKind.COMMUNITY,
}
PATH_DEPTH = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 2}


# --- public API -----------------------------------------------------------------------------


class DeadlineTable:
    """Deadlines by complexity and local acceptance date, from ``add_days`` once per date.

    A deadline depends only on the local date work starts (it falls at the end of a local day),
    so one ``add_days`` call per distinct date serves every case accepted that day.
    """

    def __init__(self) -> None:
        self._policies = {
            policy.complexity: policy for policy in DeadlinePolicy.objects.order_by("complexity")
        }
        self._cache: dict[tuple[str, int], tuple[datetime, float, bool, str]] = {}

    def warn_ratio(self, complexity: str) -> float:
        return self._policies[complexity].warn_ratio

    def fill(self, first_day: int, last_day: int) -> None:
        """Look up every deadline for work starting from ``first_day`` to ``last_day``."""
        for complexity in self._policies:
            for day in range(first_day, last_day + 1):
                self.due(complexity, day)

    def due(self, complexity: str, day: int) -> tuple[datetime, float, bool, str]:
        """(due_at, its epoch seconds, provisional, ISO text) for work starting on ``day``
        (days since 1970-01-01, local)."""
        key = (complexity, day)
        found = self._cache.get(key)
        if found is None:
            policy = self._policies.get(complexity)
            if policy is None:
                raise ApplicationError(f"没有“{Complexity(complexity).label}”事项的时限规则。")
            start = datetime.combine(_to_date(day), time(12), tzinfo=LOCAL_TZ)
            deadline = add_days(
                start=start, days=policy.days, working=policy.day_type == DayType.WORKING
            )
            due_at = deadline.due_at.astimezone(UTC)  # the same moment, written faster
            found = (
                due_at,
                deadline.due_at.timestamp(),
                deadline.provisional,
                deadline.due_at.isoformat(),
            )
            self._cache[key] = found
        return found


def generate_cases(
    *,
    count: int,
    seed: int,
    end: datetime,
    batch_size: int = 5000,
    progress: Callable[[int], object] | None = None,
    deadlines: DeadlineTable | None = None,
    parallel: bool | None = None,
) -> int:
    """Insert ``count`` cases registered over the 365 days before ``end``; return how many.

    Generates nothing (and returns 0) when the database already holds cases. ``progress`` is
    called with the number of cases written after each batch. ``deadlines`` lets a caller
    reuse a table already filled. ``parallel`` builds the rows in a second process while this
    one inserts them (by default for large counts, where the platform can fork); the rows are
    the same either way.
    """
    if count < 0 or batch_size < 1:
        raise ValueError("count must be >= 0 and batch_size >= 1")
    if end.tzinfo is None or end.utcoffset() is None:
        raise ValueError("end must be timezone-aware")
    if count == 0 or Case.objects.exists():
        return 0
    if parallel is None:
        parallel = count >= PARALLEL_FROM and _can_fork()
    rng = random.Random(seed)
    deadlines = deadlines or DeadlineTable()
    factory = _CaseFactory(rng=rng, end=end, deadlines=deadlines)
    times = _registration_times(
        random.Random(rng.getrandbits(64)), count, factory.start_ts, factory.end_ts
    )
    writers = (
        _RowWriter(Case, with_pk=True),
        _RowWriter(Party),
        _RowWriter(CaseEvent),
        _RowWriter(RepeatKey),
    )
    if parallel:
        # The building process has no database: every deadline it can need is looked up now.
        deadlines.fill(_day_of(factory.start_ts), _day_of(factory.end_ts))
    batches = _batches(factory, writers, times, _reserve_case_ids(count), batch_size)
    written = 0
    with (
        bulk_load(),
        _built_elsewhere(batches) if parallel else contextlib.nullcontext(batches) as batches,
    ):
        for cases, parties, events, keys, marks in batches:
            with transaction.atomic():
                for writer, values in zip(writers, (cases, parties, events, keys), strict=True):
                    writer.insert(values)
                _advance_sequences(marks)
            written += len(cases)
            if progress is not None:
                progress(len(cases))
    return written


@contextlib.contextmanager
def bulk_load():
    """Settings for the duration of a large load, restored afterwards.

    SQLite keeps 2 MB of pages by default; with 20 indexes on a growing case table that means
    re-reading pages for every insert, so the load gets 128 MB. It also skips the fsync at
    each WAL checkpoint (``synchronous = OFF``): a crash in the middle of a demo load loses the
    load, which is started again from an empty database anyway. PostgreSQL does not wait for
    the WAL flush at each batch's commit, for the same reason (``synchronous_commit``; a crash
    cannot corrupt anything, it can only lose the last batches).
    """
    if connection.vendor == "sqlite":
        settings = {"cache_size": SQLITE_CACHE_SIZE}
        if not connection.in_atomic_block:  # SQLite refuses to change it in a transaction
            settings["synchronous"] = 0
        with connection.cursor() as cursor:
            previous = {}
            for name, value in settings.items():
                cursor.execute(f"PRAGMA {name}")
                previous[name] = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA {name} = {int(value)}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for name, value in previous.items():
                    cursor.execute(f"PRAGMA {name} = {value}")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('synchronous_commit', 'off', false)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('synchronous_commit', %s, false)", [previous])
    else:
        yield


# --- building ------------------------------------------------------------------------------


def _batches(
    factory: "_CaseFactory", writers: tuple, times: Iterator[int], first_pk: int, size: int
) -> Iterator[tuple[list, list, list, list, dict[int, int]]]:
    """The database values of each batch of cases, parties, events and the repeat check's
    keys, with the yearly sequence numbers reached. Needs no database (deadlines come from the
    table)."""
    case_writer, party_writer, event_writer, key_writer = writers
    # the repeat check keeps keys for the cases of its window only
    keys_from = window_start(_moment(factory.end_ts))
    pk = first_pk
    while batch := list(islice(times, size)):
        cases, parties, events, keys = [], [], [], []
        for registered in batch:
            case, case_parties, case_events = factory.build(registered, pk)
            pk += 1
            cases.append(case)
            parties += case_parties
            events += case_events
            if case["registered_at"] >= keys_from:
                keys += key_rows(
                    case_id=case["id"],
                    grid_id=case["grid_id"],
                    registered_at=case["registered_at"],
                    narrative_words=case["narrative_words"],
                )
        # Events in time order, as real registrations write them: the index on the time then
        # grows at a few places instead of at random ones (each case's steps stay in order).
        events.sort(key=_EVENT_TIME)
        yield (
            case_writer.prepare(cases),
            party_writer.prepare(parties),
            event_writer.prepare(events),
            key_writer.prepare(keys),
            factory.take_sequence_marks(),
        )


_EVENT_TIME = operator.itemgetter("created_at")


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def _built_elsewhere(batches: Iterator) -> Iterator[Iterator]:
    """Run ``batches`` in a forked process, a few batches ahead, and yield them here.

    Building rows (random draws, encryption, blind indexes) and inserting them each take about
    half the time; on two cores they overlap. The child inherits the factory with its random
    stream and is the only one to draw from it, so the rows are those of the serial path.
    The queue holds at most ``QUEUE_BATCHES`` batches: memory stays flat however many cases.
    """
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=QUEUE_BATCHES)
    child = context.Process(
        target=_produce,
        args=(batches, channel, os.getpid()),
        name="pingan-demo-cases",
        daemon=True,
    )
    child.start()
    try:
        yield _consume(channel, child)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()
        channel.cancel_join_thread()


def _produce(batches: Iterator, channel, parent: int) -> None:
    """In the child: send each batch, then ``done``; or the error that stopped it. Stops
    quietly when the parent is gone (killed), instead of waiting for it forever."""
    try:
        for batch in batches:
            if not _send(channel, ("batch", batch), parent):
                return
    except BaseException as error:  # every failure must reach the parent
        try:
            pickle.dumps(error)
        except Exception:  # an exception that cannot travel goes as its text
            error = RuntimeError("".join(traceback.format_exception(error)))
        _send(channel, ("error", error), parent)
    else:
        _send(channel, ("done", None), parent)


def _send(channel, message: tuple, parent: int) -> bool:
    while True:
        try:
            channel.put(message, timeout=1)
            return True
        except queue.Full:
            if os.getppid() != parent:
                return False


def _consume(channel, child) -> Iterator:
    """In the parent: the child's batches until ``done``; its error raised here."""
    while True:
        try:
            kind, payload = channel.get(timeout=1)
        except queue.Empty:
            if child.is_alive():
                continue
            try:  # whatever it sent before it ended is in the pipe by now
                kind, payload = channel.get(timeout=1)
            except queue.Empty:
                raise RuntimeError(
                    f"The process building the cases ended unexpectedly ({child.exitcode})."
                ) from None
        if kind == "done":
            return
        if kind == "error":
            raise payload
        yield payload


# --- writing --------------------------------------------------------------------------------


def _advance_sequences(marks: dict[int, int]) -> None:
    """Later real registrations (services._next_number) continue after the generated ones."""
    for year, last in sorted(marks.items()):
        CaseSequence.objects.get_or_create(year=year)
        CaseSequence.objects.filter(year=year, last__lt=last).update(last=last)


def _reserve_case_ids(count: int) -> int:
    """Reserve ``count`` consecutive case ids and return the first, so that parties and events
    can point at their case before it is written, and a case registered meanwhile takes an
    id after the block.

    PostgreSQL: the id sequence is moved past the block under a lock that keeps inserts out
    for that moment. SQLite: ``AUTOINCREMENT`` takes the next id after the larger of the
    highest id and ``sqlite_sequence``; raising the latter reserves the block.
    """
    table = Case._meta.db_table
    column = Case._meta.pk.column
    quoted = connection.ops.quote_name(table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                "nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                [table, column, table, column, count],
            )
            return cursor.fetchone()[0] - count + 1
        quoted_column = connection.ops.quote_name(column)
        cursor.execute(f"SELECT COALESCE(MAX({quoted_column}), 0) FROM {quoted}")
        highest = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(highest, row[0] if row else 0) + 1
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                    [first + count - 1, table],
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, first + count - 1],
                )
            return first
        return highest + 1


class _RowWriter:
    """Insert rows (dicts keyed by field attname) into a model's table in one statement:
    ``executemany``, or ``COPY`` on PostgreSQL.

    Each value is converted by its model field, as ``bulk_create`` would: encrypted fields
    encrypt, blind indexes hash their source field, JSON and datetimes are adapted for the
    database. Fields a row leaves out get the field's default; ``auto_now`` fields get now.
    """

    # Field classes whose Python values the database drivers take as they are.
    PLAIN = (
        models.CharField,
        models.TextField,
        models.BooleanField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.FloatField,
        models.BigAutoField,
        models.AutoField,
    )

    def __init__(self, model: type[models.Model], *, with_pk: bool = False) -> None:
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        self.names = [field.attname for field in fields]
        self.getter = operator.itemgetter(*self.names)
        self.defaults, self.auto = {}, []
        self.converters: list[tuple[int, Callable]] = []
        self.blind_indexes: list[tuple[int, str, str]] = []
        for index, field in enumerate(fields):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.auto.append(field.attname)
            self.defaults[field.attname] = None if field.primary_key else field.get_default()
            if isinstance(field, BlindIndexField):
                source = model._meta.get_field(field.source).attname
                self.blind_indexes.append((index, field.kind, source))
            elif isinstance(field, models.DateTimeField):
                self.converters.append((index, _datetime_converter()))
            elif isinstance(field, models.JSONField):
                self.converters.append((index, _json_converter(field)))
            elif not (type(field) in self.PLAIN or isinstance(field, models.ForeignKey)):
                self.converters.append((index, functools.partial(_prep_for_db, field)))
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"

    def insert(self, values: list[list]) -> None:
        """Insert rows already converted by ``prepare``."""
        if not values:
            return
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if connection.vendor == "postgresql" and hasattr(raw, "copy"):
                # psycopg 3: COPY is five times faster than executemany's row-by-row inserts.
                with raw.copy(self.copy_sql) as copy:
                    for record in values:
                        copy.write_row(record)
            else:
                cursor.executemany(self.sql, values)

    def prepare(self, rows: list[dict]) -> list[list]:
        """The database values of ``rows``, column by column."""
        base = dict(self.defaults)
        now = timezone.now()
        for name in self.auto:
            base[name] = now
        getter, converters, blind_indexes = self.getter, self.converters, self.blind_indexes
        values = []
        complete = len(self.names)
        for row in rows:
            # Rows that name every column (the timeline's) need no defaults merged in.
            merged = row if len(row) == complete else {**base, **row}
            record = list(getter(merged))
            for index, kind, source in blind_indexes:
                plaintext = merged[source]
                record[index] = crypto.blind_index(kind, plaintext) if plaintext else ""
            for index, convert in converters:
                value = record[index]
                if value is not None:
                    record[index] = convert(value)
            values.append(record)
        return values


def _prep_for_db(field: models.Field, value):
    return field.get_db_prep_save(value, connection)


def _datetime_converter() -> Callable:
    """``adapt_datetimefield_value``, with a shortcut for SQLite storing UTC: there it is the
    text of the naive UTC moment, which ``isoformat`` gives directly for a datetime in UTC."""
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite" or connection.timezone is not UTC:
        return adapt

    def convert(value: datetime):
        # The ISO text of a UTC moment without its "+00:00": the text ``adapt`` writes.
        return value.isoformat(" ")[:-6] if value.tzinfo is UTC else adapt(value)

    return convert


def _json_converter(field: models.JSONField) -> Callable:
    """The field's own conversion, remembered per distinct value: timeline details repeat
    (a channel, a due date, a handler), so a few thousand entries serve a million events."""
    memo: dict = {}

    def convert(value: dict):
        key = tuple(value.items())
        found = memo.get(key)
        if found is None:
            if len(memo) > 100_000:
                memo.clear()
            found = memo[key] = field.get_db_prep_save(value, connection)
        return found

    return convert


# --- helpers --------------------------------------------------------------------------------


class _PastEnd(Exception):
    """The next step of a lifecycle would happen after ``end``: the story stops here."""


class _Weighted:
    """A weighted choice in O(log n), drawing one ``random()`` per pick."""

    def __init__(self, pairs) -> None:
        self.items = [item for item, _weight in pairs]
        self.cumulative = list(accumulate(weight for _item, weight in pairs))
        if not self.items or self.cumulative[-1] <= 0:
            raise ValueError("nothing to choose from")

    def pick(self, rng: random.Random):
        index = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


def _function_area(narrative: str, level: str, category_area: str) -> str:
    """The function area a case is served in: one its words ask for that the intake level's
    center has (routing's cues), else its category's."""
    centers = DISTRICT_AREAS if level == Level.DISTRICT else STREET_AREAS
    present = {kind for kind, _name in centers}
    return next((kind for kind, _word in area_cues(narrative) if kind in present), category_area)


def _choice(rng: random.Random, items):
    """``rng.choice`` with one ``random()`` call: several times faster in the hot loop."""
    return items[int(rng.random() * len(items))]


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _day_of(ts: float) -> int:
    return int((ts + LOCAL_OFFSET) // DAY)


def _to_date(day: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + day)


def _moment(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Share ``total`` in proportion to ``weights`` (largest remainder): exact and stable."""
    whole = sum(weights)
    raw = [total * weight / whole for weight in weights]
    counts = [int(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _registration_times(
    rng: random.Random, count: int, start_ts: int, end_ts: int
) -> Iterator[int]:
    """``count`` registration moments in [start_ts, end_ts), in order, one day at a time.

    Days get cases in proportion to their weight (rest days fewer, a slight rise over the
    year as more matters come to the centers); within a day, office hours dominate.
    """
    first_day, last_day = _day_of(start_ts), _day_of(end_ts - 1)
    rest_days = _rest_days(first_day, last_day)
    span = last_day - first_day + 1
    bounds, weights = [], []
    for offset in range(span):
        day = first_day + offset
        low = max(day * DAY - LOCAL_OFFSET, start_ts)
        high = min((day + 1) * DAY - LOCAL_OFFSET, end_ts)
        bounds.append((day, low, high))
        weight = (high - low) / DAY * (0.9 + 0.2 * offset / span)
        weights.append(weight * (REST_DAY_WEIGHT if day in rest_days else 1.0))
    hours = _Weighted(list(enumerate(HOUR_WEIGHTS)))
    for (day, low, high), n in zip(bounds, _apportion(count, weights), strict=True):
        midnight = day * DAY - LOCAL_OFFSET
        moments = []
        for _ in range(n):
            for _attempt in range(4):
                ts = midnight + hours.pick(rng) * HOUR + _below(rng, HOUR)
                if low <= ts < high:
                    break
            else:
                ts = rng.randrange(low, high)
            moments.append(ts)
        moments.sort()
        yield from moments


def _rest_days(first_day: int, last_day: int) -> set[int]:
    """Local days (since 1970-01-01) that are not working days."""
    workdays = workdays_in(first=_to_date(first_day), last=_to_date(last_day))
    return {day for day in range(first_day, last_day + 1) if _to_date(day) not in workdays}


class _Story:
    """One case's lifecycle as it is played forward: the case row and its event rows."""

    __slots__ = ("case", "end_ts", "events", "state")

    def __init__(self, case: dict, end_ts: int) -> None:
        self.case = case
        self.end_ts = end_ts
        self.events: list[dict] = []
        self.state = ""

    def reach(self, ts: float) -> None:
        """Stop the story if ``ts`` is after ``end``."""
        if ts >= self.end_ts:
            raise _PastEnd

    def step(
        self,
        ts: float,
        kind: str,
        actor: int,
        *,
        to_state: str = "",
        from_level: str = "",
        to_level: str = "",
        unit: int | None = None,
        reason: str = "",
        data: dict | None = None,
        **changes,
    ) -> None:
        """Record one service call at ``ts``; stop the story if that is after ``end``."""
        self.reach(ts)
        moment = _moment(ts)
        self.events.append(
            {
                "case_id": self.case["id"],
                "kind": kind,
                "actor_id": actor,
                "from_state": self.state if to_state else "",
                "to_state": to_state,
                "from_level": from_level,
                "to_level": to_level,
                "unit_id": unit,
                "reason": reason,
                "data": data if data is not None else {},
                "created_at": moment,
            }
        )
        if to_state:
            self.state = to_state
            self.case["state"] = to_state
        self.case.update(changes)
        self.case["updated_at"] = moment


class _CaseFactory:
    """Builds one case at a time from the shared random stream and the precomputed tables."""

    def __init__(self, *, rng: random.Random, end: datetime, deadlines: DeadlineTable) -> None:
        self.rng = rng
        self.deadlines = deadlines
        self.end_ts = int(end.timestamp())
        self.start_ts = self.end_ts - WINDOW_DAYS * DAY
        self.sequence: dict[int, int] = {}
        self._marks: dict[int, int] = {}
        self.recent_applicants: deque = deque(maxlen=2000)
        # narrative -> its words as the repeat check stores them (few distinct narratives)
        self._words: dict[str, str] = {}
        self._load_org()
        self._load_categories()
        self.channels = _Weighted(CHANNELS)
        self.intake = {channel: _Weighted(pairs) for channel, pairs in INTAKE_LEVELS.items()}
        self.final = {level: _Weighted(pairs) for level, pairs in FINAL_LEVELS.items()}
        self.urgencies = _Weighted(URGENCIES)
        self.satisfaction = _Weighted(SATISFACTION)
        self.satisfied = _Weighted([pair for pair in SATISFACTION if pair[0] >= SATISFIED_FROM])
        self.routes = {code: _Weighted(pairs) for code, pairs in LEGAL_ROUTES.items()}

    def _words_of(self, narrative: str) -> str:
        """The words a case registered through the service stores (``Case.narrative_words``),
        so the repeat check reads generated cases as it reads real ones."""
        if narrative not in self._words:
            self._words[narrative] = comparable(narrative)
        return self._words[narrative]

    # -- precomputed tables (a handful of queries, whatever the count) --

    def _load_org(self) -> None:
        grids = list(
            Division.objects.grids().order_by("path").values_list("pk", "path", "parent__name")
        )
        if not grids:
            raise ApplicationError("还没有网格：请先加载区划（manage.py pingan_demo）。")
        units = {
            (code, kind): pk
            for code, kind, pk in Unit.objects.filter(kind__in=set(UNIT_KIND_AT_LEVEL.values()))
            .order_by("pk")
            .values_list("division__code", "kind", "pk")
        }
        self.units: dict[int, dict[str, int]] = {}
        self.grid_info: dict[int, tuple[str, str]] = {}
        for pk, path, community in grids:
            codes = path.strip("/").split("/")
            at_level = {}
            for level, kind in UNIT_KIND_AT_LEVEL.items():
                unit = units.get((codes[PATH_DEPTH[level]], kind))
                if unit is None:
                    raise ApplicationError(
                        f"网格 {codes[-1]} 在“{Level(level).label}”层级没有承办单位。"
                    )
                at_level[level] = unit
            self.units[pk] = at_level
            self.grid_info[pk] = (path, community)
        weights = []
        for _grid in grids:
            weight = self.rng.lognormvariate(0, 0.5)
            if self.rng.random() < HOT_GRID_SHARE:
                weight *= HOT_GRID_FACTOR
            weights.append(weight)
        self.grids = _Weighted([(pk, w) for (pk, _p, _c), w in zip(grids, weights, strict=True)])
        district_code = grids[0][1].strip("/").split("/")[0]
        self.district_unit = units.get((district_code, UnitKind.DISTRICT_CENTER))

        roles_by_unit: dict[tuple[int, str], list[int]] = {}
        for unit, role, staff in (
            Staff.roles.through.objects.filter(staff__is_active=True, staff__unit__isnull=False)
            .order_by("staff__unit_id", "role_id", "staff__username")
            .values_list("staff__unit_id", "role_id", "staff_id")
        ):
            roles_by_unit.setdefault((unit, role), []).append(staff)
        self._roles_by_unit = roles_by_unit
        self._pools: dict[tuple[int, tuple[str, ...]], list[int]] = {}
        self.grid_workers: dict[int, list[int]] = {}
        for grid, staff in (
            Staff.grids.through.objects.filter(
                staff__is_active=True, staff__roles=RoleCode.GRID_WORKER
            )
            .order_by("division_id", "staff__username")
            .values_list("division_id", "staff_id")
        ):
            self.grid_workers.setdefault(grid, []).append(staff)

    def _load_categories(self) -> None:
        categories = list(
            Category.objects.filter(is_active=True)
            .order_by("sort_order", "code")
            .values_list("pk", "code", "name", "function_area")
        )
        if not categories:
            raise ApplicationError("没有启用的事项类别。")
        self.category_area = {code: area for _pk, code, _name, area in categories}
        categories = [(pk, code, name) for pk, code, name, _area in categories]
        other = CATEGORY_MIX["other"]
        self.category_mix = {code: CATEGORY_MIX.get(code, other) for _pk, code, _n in categories}
        # Categories an administrator added get a plain title and narrative.
        self.generic_matters = {
            code: [(f"{name}事项", f"当事人反映{name}方面的问题")] for _pk, code, name in categories
        }
        self.categories = _Weighted(
            [((pk, code), self.category_mix[code][0]) for pk, code, _name in categories]
        )

    # -- staff --

    def _pool(self, unit: int, roles: tuple[str, ...]) -> list[int]:
        key = (unit, roles)
        pool = self._pools.get(key)
        if pool is None:
            pool = []
            for role in roles:
                members = self._roles_by_unit.get((unit, role), [])
                if members:
                    pool = members
                    break
            if not pool and unit != self.district_unit and self.district_unit is not None:
                pool = self._pool(self.district_unit, roles)
            if not pool:
                raise ApplicationError(f"单位（编号 {unit}）没有可办理此环节的工作人员。")
            self._pools[key] = pool
        return pool

    def _staff(self, unit: int, roles: tuple[str, ...]) -> int:
        pool = self._pool(unit, roles)
        return _choice(self.rng, pool)

    def _handler(self, unit: int, level: str, grid: int) -> int:
        """Grid matters go to the grid's own worker; others to a mediator of the unit."""
        workers = self.grid_workers.get(grid)
        if level == Level.GRID and workers:
            return _choice(self.rng, workers)
        return self._staff(unit, MEDIATORS)

    # -- time --

    def _office(self, ts: float) -> int:
        """Move a moment outside office hours (08:30–18:00 local) to the next morning."""
        second = (ts + LOCAL_OFFSET) % DAY
        if 8.5 * HOUR <= second < 18 * HOUR:
            return int(ts)
        morning = ts - second + 8.5 * HOUR + (DAY if second >= 18 * HOUR else 0)
        return int(morning + _below(self.rng, 2 * HOUR))

    def _deadline(self, complexity: str, start: int) -> tuple[dict, float, str]:
        """The deadline fields for a clock starting at ``start`` (as ``services._deadline``),
        the deadline in epoch seconds, and as ISO text for the event."""
        due_at, due_ts, provisional, due_iso = self.deadlines.due(complexity, _day_of(start))
        started = _moment(start)
        warn_at = started + (due_at - started) * self.deadlines.warn_ratio(complexity)
        return (
            {"due_at": due_at, "warn_at": warn_at, "due_provisional": provisional},
            due_ts,
            due_iso,
        )

    def _conclusion(self, start: int, due_ts: float) -> int:
        """When mediation ends: mostly well within the time allowed, a few after it."""
        rng = self.rng
        if rng.random() < LATE_SHARE:
            return self._office(due_ts + rng.expovariate(1 / LATE_MEAN))
        return self._office(start + max(2 * HOUR, (due_ts - start) * rng.betavariate(2, 3.5)))

    def take_sequence_marks(self) -> dict[int, int]:
        marks, self._marks = self._marks, {}
        return marks

    # -- one case --

    def build(self, registered: int, pk: int) -> tuple[dict, list[dict], list[dict]]:
        """The rows of one case registered at ``registered`` (epoch seconds): the case, its
        parties and its timeline up to ``end``."""
        rng = self.rng
        grid = self.grids.pick(rng)
        path, community = self.grid_info[grid]
        units = self.units[grid]
        category, code = self.categories.pick(rng)
        _weight, complex_share, reject_share = self.category_mix[code]
        complexity = Complexity.COMPLEX if rng.random() < complex_share else Complexity.GENERAL
        channel = self.channels.pick(rng)
        intake = self.intake[channel].pick(rng)
        final = self.final[intake].pick(rng)
        unit = units[intake]
        workers = self.grid_workers.get(grid)
        if intake == Level.GRID and workers:
            registrar = _choice(rng, workers)
        else:
            registrar = self._staff(unit, REGISTRARS)

        day = _day_of(registered)
        year = _to_date(day).year
        serial = self.sequence.get(year, 0) + 1
        self.sequence[year] = self._marks[year] = serial
        number = f"DC{year}-{serial:06d}"
        matters = MATTERS.get(code) or self.generic_matters[code]
        title, what = _choice(rng, matters)
        narrative = f"{what}，{_choice(rng, DEMANDS)}"
        registered_at = _moment(registered)
        area = _function_area(narrative, intake, self.category_area[code])
        case = {
            "id": pk,
            "number": number,
            "query_code_hash": query_code_digest(number, f"{_below(rng, 10**6):06d}"),
            "channel": channel,
            "category_id": category,
            "complexity": complexity,
            "urgency": self.urgencies.pick(rng),
            "title": title,
            "narrative": narrative,
            "narrative_words": self._words_of(narrative),
            "address": self._address(community),
            "grid_id": grid,
            "area_path": path,
            "level": intake,
            "handling_unit_id": unit,
            "handler_id": None,
            "first_contact_unit_id": unit if intake == Level.DISTRICT else None,
            "registered_by_id": registrar,
            "registered_at": registered_at,
            "suggested_area": area,
            "function_area": area,
            # The row is history: it was created when the matter was registered.
            "created_at": registered_at,
        }
        story = _Story(case, self.end_ts)
        story.step(
            registered,
            EventKind.REGISTER,
            registrar,
            to_state=State.REGISTERED,
            to_level=intake,
            unit=unit,
            data={"channel": str(channel)},
        )
        with contextlib.suppress(_PastEnd):
            self._play(story, registered, code, grid, units, intake, final, reject_share)
        case["version"] = len(story.events)
        return case, self._parties(pk, code, day), story.events

    def _play(self, story, registered, code, grid, units, intake, final, reject_share) -> None:
        """Play the lifecycle forward from registration until archived (or ``end``)."""
        rng, case = self.rng, story.case
        level, unit = intake, units[intake]
        complexity = case["complexity"]
        fast = case["channel"] == Channel.GRID_REPORT or case["urgency"] != Urgency.NORMAL
        accepted = self._office(registered + rng.expovariate(1 / ((1 if fast else 5) * HOUR)))
        if rng.random() < reject_share:
            reason = _choice(rng, REJECTION_REASONS)
            actor = self._staff(unit, ACCEPTORS)
            story.step(
                accepted,
                EventKind.REJECT,
                actor,
                to_state=State.REJECTED,
                reason=reason,
                rejection_reason=reason,
            )
            archived = self._office(accepted + rng.uniform(1, 5) * DAY)
            story.step(
                archived,
                EventKind.ARCHIVE,
                self._staff(unit, DISPATCHERS),
                to_state=State.ARCHIVED,
                archived_at=_moment(archived),
            )
            return

        story.reach(accepted)
        clock, due_ts, due_iso = self._deadline(complexity, accepted)
        story.step(
            accepted,
            EventKind.ACCEPT,
            self._staff(unit, ACCEPTORS),
            to_state=State.ACCEPTED,
            data={"due_at": due_iso},
            accepted_at=_moment(accepted),
            **clock,
        )
        concluded = self._conclusion(accepted, due_ts)
        # The steps between acceptance and conclusion, spread over the first half of that time.
        rises = _FUNNEL_INDEX[final] - _FUNNEL_INDEX[intake]
        moves = 1 if rises < 0 else 0
        count = moves + 2 + 2 * max(rises, 0)
        moments = self._between(accepted, concluded, count)
        if rises < 0:
            unit = units[final]
            story.step(
                moments.pop(0),
                EventKind.ASSIGN_DOWN,
                self._staff(units[level], DISPATCHERS),
                from_level=level,
                to_level=final,
                unit=unit,
                reason=_choice(rng, ASSIGN_DOWN_REASONS),
                level=final,
                handling_unit_id=unit,
                handler_id=None,
            )
            level = final
        handler = self._assign(story, moments.pop(0), unit, level, grid)
        for _ in range(max(rises, 0)):
            above = level_above(level)
            unit = units[above]
            changes = {"level": above, "handling_unit_id": unit, "handler_id": None}
            if above == Level.DISTRICT and case["first_contact_unit_id"] is None:
                changes["first_contact_unit_id"] = unit
            story.step(
                moments.pop(0),
                EventKind.ESCALATE,
                handler,
                from_level=level,
                to_level=above,
                unit=unit,
                reason=_choice(rng, ESCALATION_REASONS),
                **changes,
            )
            level = above
            handler = self._assign(story, moments.pop(0), unit, level, grid)
        story.step(moments.pop(0), EventKind.START_MEDIATION, handler, to_state=State.MEDIATING)
        self._conclude(story, concluded, handler, code)
        if (
            case["outcome"] == Outcome.AGREEMENT
            and level in (Level.STREET, Level.DISTRICT)
            and rng.random() < JUDICIAL_CONFIRMATION_SHARE
        ):
            confirmed = self._office(concluded + rng.uniform(1, 10) * DAY)
            on = timezone.localtime(_moment(confirmed)).date()
            ruling = f"（{on.year}）京0101民特{int(case['number'][-6:])}号"
            story.step(
                confirmed,
                EventKind.JUDICIAL_CONFIRMATION,
                self._staff(unit, MEDIATORS),
                reason=JUDICIAL_NOTE,
                data={"court": JUDICIAL_COURT, "on": on.isoformat(), "ruling": ruling},
                judicially_confirmed=True,
                judicial_court=JUDICIAL_COURT,
                judicial_confirmed_on=on,
                judicial_ruling_number=ruling,
            )
            concluded = confirmed
        visited = self._office(concluded + rng.uniform(0.5, 6) * DAY)
        score = self.satisfaction.pick(rng)
        if score < SATISFIED_FROM:
            # The citizen is not satisfied: the case reopens with a fresh deadline (M2.2).
            story.reach(visited)
            clock, due_ts, _iso = self._deadline(complexity, visited)
            story.step(
                visited,
                EventKind.REOPEN,
                self._staff(unit, VISITORS),
                to_state=State.MEDIATING,
                reason=_choice(rng, REOPEN_REASONS),
                data={"satisfaction": score},
                satisfaction=score,
                concluded_at=None,
                concluded_level="",
                outcome="",
                legal_route="",
                **clock,
            )
            concluded = self._conclusion(visited, due_ts)
            self._conclude(story, concluded, handler, code)
            visited = self._office(concluded + rng.uniform(0.5, 6) * DAY)
            score = self.satisfied.pick(rng)
        story.step(
            visited,
            EventKind.FOLLOW_UP,
            self._staff(unit, VISITORS),
            to_state=State.FOLLOWED_UP,
            reason=_choice(rng, FOLLOW_UP_NOTES),
            data={"satisfaction": score},
            satisfaction=score,
        )
        archived = self._office(visited + rng.uniform(1, 10) * DAY)
        story.step(
            archived,
            EventKind.ARCHIVE,
            self._staff(unit, DISPATCHERS),
            to_state=State.ARCHIVED,
            archived_at=_moment(archived),
        )

    def _between(self, start: int, stop: int, count: int) -> list[int]:
        """``count`` increasing moments after ``start`` and before ``stop``, in office hours
        where that keeps them in order."""
        rng = self.rng
        room = max(stop - start - 2 * count * MINUTE, count * MINUTE)
        fractions = sorted(rng.random() for _ in range(count))
        moments, previous = [], start
        for index, fraction in enumerate(fractions):
            raw = max(int(start + 0.5 * room * fraction), previous + MINUTE)
            snapped = self._office(raw)
            limit = stop - (count - index) * MINUTE
            moment = snapped if snapped < limit else raw
            moments.append(moment)
            previous = moment
        return moments

    def _assign(self, story: _Story, ts: int, unit: int, level: str, grid: int) -> int:
        handler = self._handler(unit, level, grid)
        story.step(
            ts,
            EventKind.ASSIGN,
            self._staff(unit, DISPATCHERS),
            to_state=State.ASSIGNED,
            unit=unit,
            data={"handler": handler},
            handling_unit_id=unit,
            handler_id=handler,
        )
        return handler

    def _conclude(self, story: _Story, ts: int, handler: int, code: str) -> None:
        rng = self.rng
        if rng.random() < AGREEMENT_SHARE:
            outcome, route = Outcome.AGREEMENT, ""
            summary = _choice(rng, AGREEMENT_SUMMARIES)
        else:
            outcome = Outcome.NO_AGREEMENT
            route = self.routes["labour" if code == "labour" else ""].pick(rng)
            summary = NO_AGREEMENT_SUMMARY.format(LegalRoute(route).label)
        story.step(
            ts,
            EventKind.CONCLUDE,
            handler,
            to_state=State.CONCLUDED,
            reason=summary,
            data={"outcome": str(outcome), "legal_route": str(route)},
            concluded_at=_moment(ts),
            concluded_level=story.case["level"],
            outcome=outcome,
            legal_route=route,
        )

    # -- words and people --

    def _address(self, community: str) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return f"{community}{_below(rng, 30) + 1}号楼{_below(rng, 6) + 1}单元"
        return f"{community}附近胡同{_below(rng, 120) + 1}号"

    def _parties(self, case: int, code: str, day: int) -> list[dict]:
        rng = self.rng
        if self.recent_applicants and rng.random() < REPEAT_APPLICANT_SHARE:
            # The same person comes back (重复访): the routing flags such repeats (M1.3).
            name, id_number, phone = _choice(rng, self.recent_applicants)
        else:
            name, id_number, phone = self._person(day, phone_share=0.92)
            self.recent_applicants.append((name, id_number, phone))
        parties = [_party(case, PartyRole.APPLICANT, name, id_number, phone)]
        if rng.random() >= NO_RESPONDENT_SHARE.get(code, 0.12):
            share, suffixes = ORGANISATIONS.get(code, (0.0, []))
            if rng.random() < share:
                name = f"北京{_choice(rng, BRANDS)}"
                name += _choice(rng, suffixes)
                phone = f"010-{_choice(rng, '568')}{_below(rng, 10**7):07d}"
                id_number = ""
            else:
                name, id_number, phone = self._person(day, phone_share=0.6)
            phone = phone if rng.random() < 0.8 else ""
            parties.append(_party(case, PartyRole.RESPONDENT, name, id_number, phone))
        if rng.random() < 0.03:
            name, id_number, phone = self._person(day, phone_share=0.5)
            parties.append(_party(case, PartyRole.THIRD_PARTY, name, id_number, phone))
        return parties

    def _person(self, day: int, *, phone_share: float) -> tuple[str, str, str]:
        rng = self.rng
        name = _person_name(rng)
        id_number = ""
        if rng.random() < ID_NUMBER_SHARE:
            age_days = int(rng.triangular(18, 88, 45) * 365.25)
            born = _to_date(day - age_days)
            first17 = (
                f"{DISTRICT_PREFIX}{born.year:04d}{born.month:02d}{born.day:02d}"
                f"{_below(rng, 999) + 1:03d}"
            )
            id_number = first17 + id_number_check_digit(first17)
        phone = _mobile(rng) if rng.random() < phone_share else ""
        return name, id_number, phone


def _person_name(rng: random.Random) -> str:
    """A surname and one or two given-name characters (as ``orgs._person_name``, in fewer
    draws: a million cases name about two million people)."""
    draw = rng.random
    name = SURNAMES[int(draw() * len(SURNAMES))] + GIVEN[int(draw() * len(GIVEN))]
    return name + GIVEN[int(draw() * len(GIVEN))] if draw() < 0.5 else name


def _mobile(rng: random.Random) -> str:
    draw = rng.random
    return f"1{'3589'[int(draw() * 4)]}{int(draw() * 10**9):09d}"


def _party(case: int, role: str, name: str, id_number: str, phone: str) -> dict:
    return {"case_id": case, "role": role, "name": name, "id_number": id_number, "phone": phone}
