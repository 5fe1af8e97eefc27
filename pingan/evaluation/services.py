"""Writes of the evaluation: every change is one service, one transaction, one audit row."""

import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import DecimalField, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.choices import EventKind
from pingan.cases.models import Case, CaseEvent, Supervision
from pingan.core import uploads
from pingan.core.errors import ApplicationError, ForbiddenError
from pingan.core.services import audit_record, check_version, conflict_error, versioned_update
from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import Level, UnitKind
from pingan.orgs.models import Division, Staff, Unit

from . import rules, scoring, sources
from .choices import (
    CHECKLIST,
    DEFAULT_DIMENSION_WEIGHTS,
    Dimension,
    Direction,
    EntryState,
    Grade,
    ListKind,
    PlanKind,
    Rule,
    SchemeState,
    SubjectKind,
)
from .models import (
    CorrectionItem,
    Indicator,
    IndicatorScore,
    ListEntry,
    ManualEntry,
    Review,
    ReviewPlan,
    Scheme,
    ScoreRun,
    SubjectScore,
)

# Points a failed case-quality review deducts from the handler (negative list).
FAILED_REVIEW_POINTS = Decimal("2")
FLAGGED_SATISFACTION = 2


def _require_evaluator(actor: Staff) -> None:
    if not has_role(actor, *rules.EVALUATORS):
        raise ForbiddenError(_("只有考评员可以执行此操作。"))


# --- schemes ---------------------------------------------------------------------------------


def _weights(dimension_weights: dict | None) -> dict:
    weights = dict(DEFAULT_DIMENSION_WEIGHTS)
    for code, value in (dimension_weights or {}).items():
        if code not in weights:
            raise ApplicationError(_("未知的考评维度：%(code)s") % {"code": code})
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ApplicationError(_("维度权重必须是数字。")) from None
        if number < 0:
            raise ApplicationError(_("维度权重不能为负数。"))
        weights[code] = number
    return weights


@transaction.atomic
def scheme_create(
    *,
    actor: Staff,
    name: str,
    year: int,
    quarter: int,
    subject_kind: str,
    role: str = "",
    dimension_weights: dict | None = None,
) -> Scheme:
    """Create a draft scheme (version 1) for a period and a kind of subject."""
    _require_evaluator(actor)
    if subject_kind not in SubjectKind.values:
        raise ApplicationError(_("请选择考评对象：街道、部门单位或人员。"))
    if subject_kind == SubjectKind.PERSON and not role:
        raise ApplicationError(_("按人员考评的方案必须选择人员角色。"))
    if subject_kind != SubjectKind.PERSON:
        role = ""
    if Scheme.objects.filter(
        year=year, quarter=quarter, subject_kind=subject_kind, role=role
    ).exists():
        raise ApplicationError(
            _("该期间、该对象的考评方案已存在，请打开原方案修订，而不是另建一个。")
        )
    scheme = Scheme.objects.create(
        name=name.strip(),
        year=year,
        quarter=quarter,
        subject_kind=subject_kind,
        role=role,
        dimension_weights=_weights(dimension_weights),
        created_by=actor,
    )
    audit_record(actor=actor, action="evaluation.scheme.create", target=scheme)
    return scheme


def _editable(scheme: Scheme, expected_version: int | None, action: str = "edit") -> Scheme:
    locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
    # A scheme's ``version`` is its revision number; edits are counted in ``edit_version``.
    if expected_version is not None and locked.edit_version != expected_version:
        raise conflict_error(Scheme)
    rules.SCHEME.check(action, locked.state)
    return locked


def _touch(scheme: Scheme) -> None:
    Scheme.objects.filter(pk=scheme.pk).update(edit_version=scheme.edit_version + 1)


@transaction.atomic
def scheme_set_weights(
    *, actor: Staff, scheme: Scheme, dimension_weights: dict, expected_version: int | None = None
) -> Scheme:
    """Change a draft scheme's dimension weights."""
    _require_evaluator(actor)
    scheme = _editable(scheme, expected_version)
    scheme.dimension_weights = _weights(dimension_weights)
    scheme.save(update_fields=["dimension_weights", "updated_at"])
    _touch(scheme)
    audit_record(
        actor=actor,
        action="evaluation.scheme.weights",
        target=scheme,
        data={"weights": scheme.dimension_weights},
    )
    return scheme


@dataclass(frozen=True)
class IndicatorInput:
    dimension: str
    code: str
    name: str
    weight: Decimal
    rule: str
    source: str
    direction: str = Direction.HIGHER
    target: Decimal | None = None
    bands: tuple = ()
    points_per_event: Decimal | None = None
    sort_order: int = 0

    @classmethod
    def of(cls, data: dict) -> "IndicatorInput":
        """The input from a form's or serializer's cleaned fields."""
        return cls(
            dimension=data["dimension"],
            code=data["code"],
            name=data["name"],
            weight=data["weight"],
            rule=data["rule"],
            source=data["source"],
            direction=data["direction"],
            target=data.get("target"),
            bands=tuple(
                tuple(band) if isinstance(band, list) else band for band in data.get("bands") or ()
            ),
            points_per_event=data.get("points_per_event"),
            sort_order=data.get("sort_order") or 0,
        )


def _check_indicator(scheme: Scheme, data: IndicatorInput) -> None:
    if data.dimension not in Dimension.values:
        raise ApplicationError(_("请选择考评维度。"))
    if data.rule not in Rule.values:
        raise ApplicationError(_("请选择计分规则。"))
    if data.direction not in Direction.values:
        raise ApplicationError(_("请选择指标方向。"))
    if data.source != sources.MANUAL and data.source not in sources.SOURCES:
        raise ApplicationError(_("未知的数据来源：%(source)s") % {"source": data.source})
    if data.source != sources.MANUAL:
        found = sources.SOURCES[data.source]
        if not found.build(scheme_window(scheme, scheme.period[0])).applies_to(scheme.subject_kind):
            raise ApplicationError(
                _("数据来源“%(source)s”不适用于按“%(kind)s”考评的方案。")
                % {"source": found.label, "kind": scheme.get_subject_kind_display()}
            )
    if data.weight is None or data.weight < 0:
        raise ApplicationError(_("分值不能为负数。"))
    problems = scoring.rule_problems(
        scoring.RuleSpec(
            rule=data.rule,
            weight=data.weight,
            direction=data.direction,
            target=data.target,
            bands=tuple(data.bands or ()),
            points_per_event=data.points_per_event,
        )
    )
    if problems:
        raise ApplicationError(" ".join(problems))


@transaction.atomic
def indicator_save(
    *,
    actor: Staff,
    scheme: Scheme,
    data: IndicatorInput,
    indicator: Indicator | None = None,
    expected_version: int | None = None,
) -> Indicator:
    """Add an indicator to a draft scheme, or change one; the rule is checked first."""
    _require_evaluator(actor)
    scheme = _editable(scheme, expected_version)
    _check_indicator(scheme, data)
    fields = {
        "dimension": data.dimension,
        "code": data.code,
        "name": data.name.strip(),
        "weight": data.weight,
        "rule": data.rule,
        "source": data.source,
        "direction": data.direction,
        "target": data.target,
        "bands": [list(band) for band in data.bands or ()],
        "points_per_event": data.points_per_event,
        "sort_order": data.sort_order,
    }
    duplicate = scheme.indicators.filter(code=data.code)
    if indicator is not None:
        duplicate = duplicate.exclude(pk=indicator.pk)
    if duplicate.exists():
        raise ApplicationError(_("本方案已有代码为 %(code)s 的指标。") % {"code": data.code})
    if indicator is None:
        indicator = Indicator.objects.create(scheme=scheme, **fields)
        action = "evaluation.indicator.create"
    else:
        if indicator.scheme_id != scheme.pk:
            raise ApplicationError(_("该指标不属于此方案。"))
        for name, value in fields.items():
            setattr(indicator, name, value)
        indicator.save()
        action = "evaluation.indicator.update"
    _touch(scheme)
    audit_record(actor=actor, action=action, target=indicator, data={"scheme": scheme.pk})
    return indicator


@transaction.atomic
def indicator_delete(*, actor: Staff, indicator: Indicator) -> None:
    _require_evaluator(actor)
    scheme = _editable(indicator.scheme, None)
    audit_record(actor=actor, action="evaluation.indicator.delete", target=indicator)
    indicator.delete()
    _touch(scheme)


def weight_problems(scheme: Scheme) -> list[str]:
    """Why the scheme cannot be published: dimension weights that do not add up to 100, and
    dimensions whose indicators do not add up to the dimension's weight (saying by how much)."""
    problems = []
    weights = _weights(scheme.dimension_weights)
    total = sum(weights.values())
    if abs(total - 100) > 0.005:
        problems.append(
            _("四个维度的权重合计 %(total)s，应为 100，相差 %(diff)s。")
            % {"total": _num(total), "diff": _num(total - 100, signed=True)}
        )
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for dimension, weight in scheme.indicators.values_list("dimension", "weight"):
        sums[dimension] += weight
    for code, label in Dimension.choices:
        expected = weights[code]
        got = float(sums.get(code, 0))
        if abs(got - expected) > 0.005:
            problems.append(
                _("“%(dim)s”各指标分值合计 %(got)s，应为 %(want)s，相差 %(diff)s。")
                % {
                    "dim": label,
                    "got": _num(got),
                    "want": _num(expected),
                    "diff": _num(got - expected, signed=True),
                }
            )
    return problems


def _num(value: float, *, signed: bool = False) -> str:
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


@transaction.atomic
def scheme_publish(*, actor: Staff, scheme: Scheme, now: datetime) -> Scheme:
    """Publish a draft: weights must add up; a revision supersedes the version it revises."""
    _require_evaluator(actor)
    scheme = _editable(scheme, None, "publish")
    problems = weight_problems(scheme)
    if problems:
        raise ApplicationError(_("方案不能发布：") + " ".join(problems))
    if not scheme.indicators.exists():
        raise ApplicationError(_("方案还没有指标，不能发布。"))
    superseded = Scheme.objects.filter(
        year=scheme.year,
        quarter=scheme.quarter,
        subject_kind=scheme.subject_kind,
        role=scheme.role,
        state=SchemeState.PUBLISHED,
    )
    replaced = list(superseded.values_list("pk", flat=True))
    superseded.update(state=rules.SCHEME.moves["supersede"].target, updated_at=now)
    scheme.state = rules.SCHEME.moves["publish"].target
    scheme.published_by = actor
    scheme.published_at = now
    scheme.save(update_fields=["state", "published_by", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="evaluation.scheme.publish",
        target=scheme,
        reason=scheme.revision_reason,
        data={"supersedes": replaced},
    )
    return scheme


@transaction.atomic
def scheme_revise(*, actor: Staff, scheme: Scheme, reason: str, now: datetime) -> Scheme:
    """Start a new version of a published scheme, as a draft copy; the reason is required when
    the period is running (or over), and is shown with the version history."""
    _require_evaluator(actor)
    rules.SCHEME.check("revise", scheme.state)
    start, _end = scheme.period
    reason = (reason or "").strip()
    if now >= start and not reason:
        raise ApplicationError(_("考评期间已开始，修订方案必须写明理由，修订记录对被考评人公开。"))
    if Scheme.objects.filter(previous=scheme, state=SchemeState.DRAFT).exists():
        raise ApplicationError(_("该方案已有一个未发布的修订版本，请先完成或删除它。"))
    latest = (
        Scheme.objects.filter(
            year=scheme.year,
            quarter=scheme.quarter,
            subject_kind=scheme.subject_kind,
            role=scheme.role,
        )
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    draft = Scheme.objects.create(
        name=scheme.name,
        year=scheme.year,
        quarter=scheme.quarter,
        subject_kind=scheme.subject_kind,
        role=scheme.role,
        version=latest + 1,
        dimension_weights=dict(scheme.dimension_weights),
        previous=scheme,
        revision_reason=reason,
        created_by=actor,
    )
    Indicator.objects.bulk_create(
        [
            Indicator(
                scheme=draft,
                **{
                    f.name: getattr(indicator, f.name)
                    for f in Indicator._meta.concrete_fields
                    if f.name not in ("id", "scheme", "created_at", "updated_at")
                },
            )
            for indicator in scheme.indicators.all()
        ]
    )
    audit_record(actor=actor, action="evaluation.scheme.revise", target=draft, reason=reason)
    return draft


# --- scores ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    pk: int
    name: str
    path: str


# The kinds of unit a unit scheme evaluates.
EVALUATED_UNIT_KINDS = (UnitKind.AGENCY,)


def scheme_subjects(scheme: Scheme) -> list[Subject]:
    """Every subject the scheme evaluates: all streets, all active agencies, or all active
    staff with its role.

    Units are the agencies (部门单位, ``UnitKind.AGENCY``): the function departments stationed
    at the district center (the 5 permanent and 12 rotating of the roster, and those on call)
    and the street-level police stations and justice offices. They take cases chosen for them
    at intake, join mediations and answer whistles across streets, so no area-based figure
    shows their work. Governance centers and community committees are not evaluated as units:
    what they handle is already their street's score (a street is evaluated by its area, the
    cases of its center and its communities), and the district center is the evaluator.
    """
    if scheme.subject_kind == SubjectKind.STREET:
        rows = Division.objects.streets().order_by("path").values_list("pk", "name", "path")
        return [Subject(pk, name, path) for pk, name, path in rows]
    if scheme.subject_kind == SubjectKind.UNIT:
        rows = (
            Unit.objects.filter(kind__in=EVALUATED_UNIT_KINDS, is_active=True)
            .order_by("division__path", "name")
            .values_list("pk", "name", "division__path")
        )
        return [Subject(pk, name, path) for pk, name, path in rows]
    rows = (
        Staff.objects.filter(is_active=True, roles__code=scheme.role)
        .order_by("unit__division__path", "username")
        .values_list("pk", "name", "username", "unit__division__path", "unit__short_name")
    )
    return [
        Subject(pk, f"{name or username}（{unit or '—'}）", path or "")
        for pk, name, username, path, unit in rows
    ]


def indicator_spec(indicator: Indicator, window: sources.Window) -> sources.Spec:
    if indicator.source == sources.MANUAL:
        return sources.manual_spec(
            window,
            year=indicator.scheme.year,
            quarter=indicator.scheme.quarter,
            code=indicator.code,
        )
    return sources.SOURCES[indicator.source].build(window)


def scheme_window(scheme: Scheme, now: datetime) -> sources.Window:
    start, end = scheme.period
    return sources.Window(start=start, end=end, now=now)


class Measured:
    """Every value each data source gives each subject of a kind in a window, measured once
    however many schemes or indicators use it; the sources a scheme needs are measured
    together (``sources.measure_together``: one grouped query per set of sources over the same
    records)."""

    def __init__(self) -> None:
        self._found: dict[tuple, tuple[sources.Spec, dict[int, sources.Measure]]] = {}

    def of_scheme(
        self, scheme: Scheme, indicators: list[Indicator], window: sources.Window
    ) -> list[tuple[sources.Spec, dict[int, sources.Measure]]]:
        """Each indicator's spec and values, in the order of ``indicators``."""
        keys = []
        wanted: dict[tuple, sources.Spec] = {}
        for indicator in indicators:
            code = indicator.source
            if code == sources.MANUAL:
                code = f"manual:{scheme.year}:{scheme.quarter}:{indicator.code}"
            key = (code, scheme.subject_kind, window.start, window.until)
            keys.append(key)
            if key not in self._found and key not in wanted:
                wanted[key] = indicator_spec(indicator, window)
        specs = list(wanted.values())
        measured = sources.measure_together(specs, scheme.subject_kind)
        for key, spec, values in zip(wanted, specs, measured, strict=True):
            self._found[key] = (spec, values)
        return [self._found[key] for key in keys]


@transaction.atomic
def scores_compute(
    *, scheme: Scheme, actor: Staff | None, now: datetime, measured: Measured | None = None
) -> ScoreRun:
    """Compute every subject's score for a published scheme (a new snapshot; earlier ones stay
    for comparison). One grouped query per set of data sources over the same records (shared
    through ``measured`` with the other schemes of a period), arithmetic per subject, and two
    bulk inserts of plain rows."""
    if actor is not None:
        _require_evaluator(actor)
    rules.SCHEME.check("compute", scheme.state)
    window = scheme_window(scheme, now)
    if now < window.start:
        raise ApplicationError(_("考评期间尚未开始，暂无数据可算。"))
    started = time.monotonic()
    measured = measured or Measured()
    chosen = list(scheme.indicators.select_related("scheme"))
    indicators = [
        (indicator.pk, indicator.dimension, _points_of(indicator), spec.missing(), values)
        for indicator, (spec, values) in zip(
            chosen, measured.of_scheme(scheme, chosen, window), strict=True
        )
    ]
    subjects = scheme_subjects(scheme)
    run = ScoreRun.objects.create(
        scheme=scheme,
        window_start=window.start,
        window_end=window.until,
        computed_at=now,
        computed_by=actor,
        subject_count=len(subjects),
    )
    kind = scheme.subject_kind
    dimensions = Dimension.values
    rows, items = [], []
    for subject in subjects:
        per_dimension: dict[str, Decimal] = dict.fromkeys(dimensions, Decimal("0.00"))
        subject_items = []
        for indicator_id, dimension, points_of, missing, values in indicators:
            measure = values.get(subject.pk) or missing
            points = points_of(measure.value)
            per_dimension[dimension] += points
            subject_items.append((indicator_id, measure, points))
        rows.append(
            (
                run.pk,
                subject.pk if kind == SubjectKind.STREET else None,
                subject.pk if kind == SubjectKind.UNIT else None,
                subject.pk if kind == SubjectKind.PERSON else None,
                subject.name[:100],
                subject.path,
                *(per_dimension[code] for code in dimensions),
                sum(per_dimension.values(), Decimal("0.00")),
            )
        )
        items.append(subject_items)
    totals = sorted((row[-1] for row in rows), reverse=True)
    first_rank = {}
    for position, total in enumerate(totals, start=1):
        first_rank.setdefault(total, position)
    _insert(
        SubjectScore,
        SUBJECT_COLUMNS,
        ((*row, first_rank[row[-1]]) for row in rows),
    )
    # ids in insertion order: one session's inserts take increasing ids
    ids = run.subjects.order_by("pk").values_list("pk", flat=True)
    _insert(
        IndicatorScore,
        ("subject_id", "indicator_id", "value", "numerator", "denominator", "points"),
        (
            (
                subject_id,
                indicator_id,
                measure.value,
                measure.numerator,
                measure.denominator,
                points,
            )
            for subject_id, subject_items in zip(ids, items, strict=True)
            for indicator_id, measure, points in subject_items
        ),
    )
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(update_fields=["duration_ms"])
    audit_record(
        actor=actor,
        action="evaluation.scores.compute",
        target=scheme,
        data={"run": run.pk, "subjects": len(subjects), "ms": run.duration_ms},
    )
    return run


SUBJECT_COLUMNS = (
    "run_id",
    "division_id",
    "unit_id",
    "staff_id",
    "subject_name",
    "subject_path",
    *(f"{code}_points" for code in Dimension.values),
    "total",
    "rank",
)


def _points_of(indicator: Indicator):
    """The indicator's scoring rule as a function of the value, remembering the points of the
    values seen (many subjects share one: no data, none counted, a full rate)."""
    rule = _rule_spec(indicator)
    known: dict[float | None, Decimal] = {}

    def points_of(value: float | None) -> Decimal:
        if value not in known:
            known[value] = scoring.score(rule, value)
        return known[value]

    return points_of


def _insert(model, columns: tuple[str, ...], rows) -> None:
    """Insert a run's rows (tens of thousands of indicator scores a quarter) as plain tuples
    through the DB-API's ``executemany``: no model instance is built for each; decimals are
    adapted as their fields would."""
    fields = [model._meta.get_field(column) for column in columns]
    decimal = [
        (index, field.max_digits, field.decimal_places)
        for index, field in enumerate(fields)
        if isinstance(field, DecimalField)
    ]
    adapt = connection.ops.adapt_decimalfield_value
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, 5000)):
            if decimal:
                batch = [list(row) for row in batch]
                for row in batch:
                    for index, digits, places in decimal:
                        row[index] = adapt(row[index], max_digits=digits, decimal_places=places)
            cursor.executemany(sql, batch)


@transaction.atomic
def scores_compute_period(
    *, year: int, quarter: int, actor: Staff | None, now: datetime
) -> list[ScoreRun]:
    """Compute every published scheme of a period (streets, units, each role's staff) in one
    transaction; a source used by several schemes of the same kind is measured once."""
    measured = Measured()
    schemes = Scheme.objects.filter(
        year=year, quarter=quarter, state=SchemeState.PUBLISHED
    ).order_by("subject_kind", "role", "pk")
    return [
        scores_compute(scheme=scheme, actor=actor, now=now, measured=measured) for scheme in schemes
    ]


def _rule_spec(indicator: Indicator) -> scoring.RuleSpec:
    return scoring.RuleSpec(
        rule=indicator.rule,
        weight=indicator.weight,
        direction=indicator.direction,
        target=indicator.target,
        bands=tuple(tuple(band) for band in indicator.bands or ()),
        points_per_event=indicator.points_per_event,
    )


# --- manual entries and the positive/negative lists -----------------------------------------


def _subject_fields(
    *, actor: Staff, division: Division | None, staff: Staff | None, unit: Unit | None = None
) -> dict:
    if sum(subject is not None for subject in (division, staff, unit)) != 1:
        raise ApplicationError(_("请选择一个考评对象：街道、部门单位或人员。"))
    if division is not None:
        if division.level != Level.STREET:
            raise ApplicationError(_("考评对象只能是街道。"))
        path = division.path
    elif unit is not None:
        if unit.kind not in EVALUATED_UNIT_KINDS:
            raise ApplicationError(_("按单位考评的对象只能是部门单位。"))
        path = unit.division.path
    else:
        path = staff.unit.division.path if staff.unit_id else ""
    if not in_scope(actor, path):
        raise ForbiddenError(_("该考评对象不在您的辖区内。"))
    return {"division": division, "staff": staff, "unit": unit, "subject_path": path}


def _evidence(evidence: str) -> str:
    evidence = (evidence or "").strip()
    if len(evidence) < 4:
        raise ApplicationError(_("请填写佐证说明（做了什么、有何材料），没有佐证不能录入。"))
    return evidence


@transaction.atomic
def manual_entry_create(
    *,
    actor: Staff,
    year: int,
    quarter: int,
    indicator_code: str,
    value,
    evidence: str,
    division: Division | None = None,
    staff: Staff | None = None,
    unit: Unit | None = None,
    evidence_file=None,
) -> ManualEntry:
    """Enter a manual indicator's value with its evidence; it counts once a second person
    approves it."""
    _require_evaluator(actor)
    subject = _subject_fields(actor=actor, division=division, staff=staff, unit=unit)
    try:
        value = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("数值必须是数字。")) from None
    if not Indicator.objects.filter(
        scheme__year=year,
        scheme__quarter=quarter,
        code=indicator_code,
        source=sources.MANUAL,
    ).exists():
        raise ApplicationError(_("该期间的考评方案中没有这个人工评价指标。"))
    _check_evidence_file(evidence_file)
    entry = ManualEntry.objects.create(
        year=year,
        quarter=quarter,
        indicator_code=indicator_code,
        value=value,
        evidence=_evidence(evidence),
        evidence_file=evidence_file or "",
        entered_by=actor,
        **subject,
    )
    audit_record(actor=actor, action="evaluation.manual.create", target=entry)
    return entry


def _check_evidence_file(upload) -> None:
    """An evidence file is a document or an image whose content is what its name says."""
    if upload:
        uploads.checked_type(upload, what=_("佐证材料"))


@transaction.atomic
def list_entry_create(
    *,
    actor: Staff,
    kind: str,
    title: str,
    points,
    occurred_on: date,
    evidence: str,
    division: Division | None = None,
    staff: Staff | None = None,
    unit: Unit | None = None,
    case: Case | None = None,
    evidence_file=None,
) -> ListEntry:
    """Put an event on the positive or negative list, with evidence; it counts once approved."""
    _require_evaluator(actor)
    if kind not in ListKind.values:
        raise ApplicationError(_("请选择正面或负面清单。"))
    subject = _subject_fields(actor=actor, division=division, staff=staff, unit=unit)
    try:
        points = Decimal(str(points))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("分值必须是数字。")) from None
    if points <= 0:
        raise ApplicationError(_("分值必须大于 0；加分或扣分由清单类别决定。"))
    if not (title or "").strip():
        raise ApplicationError(_("请填写事由。"))
    _check_evidence_file(evidence_file)
    entry = ListEntry.objects.create(
        kind=kind,
        title=title.strip(),
        points=points,
        occurred_on=occurred_on,
        evidence=_evidence(evidence),
        evidence_file=evidence_file or "",
        case=case,
        entered_by=actor,
        **subject,
    )
    audit_record(actor=actor, action="evaluation.list.create", target=entry)
    return entry


def _decide(entry, *, actor: Staff, approve: bool, note: str, now: datetime, action: str):
    if not has_role(actor, *rules.APPROVERS):
        raise ForbiddenError(_("只有考评员或领导可以审核。"))
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    machine = rules.MANUAL_ENTRY if isinstance(entry, ManualEntry) else rules.LIST_ENTRY
    decided = machine.check("approve" if approve else "reject", entry.state)
    if entry.staff_id == actor.pk:
        raise ForbiddenError(_("被考评人不能审核与本人有关的条目。"))
    if entry.unit_id is not None and entry.unit_id == actor.unit_id:
        raise ForbiddenError(_("被考评单位的人员不能审核与本单位有关的条目。"))
    if entry.entered_by_id == actor.pk:
        raise ForbiddenError(_("录入人不能审核自己录入的条目，须由第二人审核。"))
    if not in_scope(actor, entry.subject_path):
        raise ForbiddenError(_("该考评对象不在您的辖区内。"))
    if not approve and not (note or "").strip():
        raise ApplicationError(_("退回时请写明理由。"))
    entry.state = decided
    entry.decided_by, entry.decided_at, entry.decision_note = actor, now, (note or "").strip()
    entry.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(actor=actor, action=action, target=entry, reason=entry.decision_note)
    return entry


@transaction.atomic
def manual_entry_decide(
    *, actor: Staff, entry: ManualEntry, approve: bool, note: str = "", now: datetime
) -> ManualEntry:
    """Approve or return a manual entry: never by the person evaluated, nor by its author."""
    return _decide(
        entry, actor=actor, approve=approve, note=note, now=now, action="evaluation.manual.decide"
    )


@transaction.atomic
def list_entry_decide(
    *, actor: Staff, entry: ListEntry, approve: bool, note: str = "", now: datetime
) -> ListEntry:
    """Approve or return a list entry: never by the person evaluated, nor by its author."""
    return _decide(
        entry, actor=actor, approve=approve, note=note, now=now, action="evaluation.list.decide"
    )


@transaction.atomic
def entry_evidence_read(*, actor: Staff, entry: ManualEntry | ListEntry):
    """Open an entry's evidence file for someone allowed to see the entry, and record the
    read: evidence may carry personal data (commendations, findings, ratings), so every read
    names its reader in the audit trail. The access check is ``access.access_evidence``."""
    audit_record(
        actor=actor,
        action="evaluation.evidence.read",
        target=entry,
        data={"file": entry.evidence_file.name},
    )
    return entry.evidence_file.open("rb")


# --- case-quality review ---------------------------------------------------------------------


def street_path_of(path: str) -> str | None:
    """The street's path in an org-tree path ("/district/street/…/"), None above streets."""
    codes = path.strip("/").split("/")
    return "/" + "/".join(codes[:2]) + "/" if len(codes) >= 2 else None


@dataclass(frozen=True)
class CaseRow:
    pk: int
    unit_id: int
    handler_id: int | None
    category_id: int
    area_path: str

    @property
    def street_path(self) -> str:
        return street_path_of(self.area_path) or self.area_path


@dataclass(frozen=True)
class Reviewer:
    pk: int
    unit_id: int | None
    path: str

    @property
    def street_path(self) -> str | None:
        return street_path_of(self.path)


def plan_cases(*, kind: str, start: date, end: date, rate: float | None, seed: int):
    """The concluded cases a plan reviews: all of them (every case, cross review), a random
    sample stratified by handling unit and category (at least one per stratum), or the flagged
    ones (reopened, supervised, low satisfaction, or with a data-quality finding)."""
    cases = sources.concluded_in(sources.Window(*_date_window(start, end))).order_by("pk")
    if kind == PlanKind.FOCUSED:
        flagged = (
            Q(pk__in=CaseEvent.objects.filter(kind=EventKind.REOPEN).values("case_id"))
            | Q(pk__in=Supervision.objects.values("case_id"))
            | Q(satisfaction__lte=FLAGGED_SATISFACTION)
            | Q(pk__in=CorrectionItem.objects.values("case_id"))
        )
        cases = cases.filter(flagged)
    rows = [
        CaseRow(*row)
        for row in cases.values_list(
            "pk", "handling_unit_id", "handler_id", "category_id", "area_path"
        )
    ]
    if kind != PlanKind.SAMPLE:
        return rows
    if not rate or not 0 < rate <= 1:
        raise ApplicationError(_("分层随机抽查需要 0 到 1 之间的抽查比例，如 0.1 表示一成。"))
    return stratified_sample(rows, rate=rate, seed=seed)


def stratified_sample(rows: list[CaseRow], *, rate: float, seed: int) -> list[CaseRow]:
    """From each stratum (handling unit × category) draw ``ceil(rate × n)`` cases, at least
    one, with a seeded generator so a plan can be redrawn and checked."""
    import math

    strata: dict[tuple[int, int], list[CaseRow]] = defaultdict(list)
    for row in rows:
        strata[(row.unit_id, row.category_id)].append(row)
    rng = random.Random(seed)
    chosen = []
    for key in sorted(strata):
        members = strata[key]
        size = max(1, math.ceil(rate * len(members)))
        chosen.extend(rng.sample(members, size))
    return sorted(chosen, key=lambda row: row.pk)


def _date_window(start: date, end: date):
    from datetime import time as dtime
    from datetime import timedelta

    from pingan.core.calendar import LOCAL_TZ

    begin = datetime.combine(start, dtime.min, tzinfo=LOCAL_TZ)
    stop = datetime.combine(end + timedelta(days=1), dtime.min, tzinfo=LOCAL_TZ)
    return begin, stop, stop


def eligible(reviewer: Reviewer, case: CaseRow, *, cross: bool) -> bool:
    """A reviewer never reviews their own unit's case, nor one they handled; in a cross
    review, only reviewers of another street."""
    if reviewer.unit_id == case.unit_id or reviewer.pk == case.handler_id:
        return False
    if cross:
        street = reviewer.street_path
        return street is not None and not case.area_path.startswith(street)
    return True


def assign_reviewers(
    cases: list[CaseRow], reviewers: list[Reviewer], *, cross: bool
) -> list[tuple[CaseRow, Reviewer]]:
    """Give each case to the least-loaded eligible reviewer (ties: lowest id)."""
    load = dict.fromkeys((r.pk for r in reviewers), 0)
    pairs = []
    for case in cases:
        candidates = [r for r in reviewers if eligible(r, case, cross=cross)]
        if not candidates:
            raise ApplicationError(
                _("事项 %(pk)s 找不到本单位以外的评查人，请增加评查人员后再建计划。")
                % {"pk": case.pk}
            )
        chosen = min(candidates, key=lambda r: (load[r.pk], r.pk))
        load[chosen.pk] += 1
        pairs.append((case, chosen))
    return pairs


def reviewer_pool(actor: Staff) -> list[Reviewer]:
    """Who may review: evaluators (考评员) and the leaders of centers and committees, wherever
    they sit; ``eligible`` then keeps each case away from its own unit."""
    rows = (
        Staff.objects.filter(is_active=True, roles__code__in=rules.REVIEWERS)
        .distinct()
        .order_by("pk")
        .values_list("pk", "unit_id", "unit__division__path")
    )
    return [Reviewer(pk, unit, path or "") for pk, unit, path in rows]


@transaction.atomic
def review_plan_create(
    *,
    actor: Staff,
    name: str,
    kind: str,
    start: date,
    end: date,
    sample_rate: float | None = None,
    seed: int = 0,
) -> ReviewPlan:
    """Create a review plan, select its cases and assign each to an independent reviewer."""
    _require_evaluator(actor)
    if kind not in PlanKind.values:
        raise ApplicationError(_("请选择评查方式。"))
    if end < start:
        raise ApplicationError(_("结束日期不能早于开始日期。"))
    if not (name or "").strip():
        raise ApplicationError(_("请填写计划名称。"))
    rows = plan_cases(kind=kind, start=start, end=end, rate=sample_rate, seed=seed)
    if not rows:
        raise ApplicationError(_("所选期间没有符合条件的已办结事项，计划未建立。"))
    pairs = assign_reviewers(rows, reviewer_pool(actor), cross=kind == PlanKind.CROSS)
    plan = ReviewPlan.objects.create(
        name=name.strip(),
        kind=kind,
        start=start,
        end=end,
        sample_rate=sample_rate if kind == PlanKind.SAMPLE else None,
        seed=seed,
        created_by=actor,
        case_count=len(pairs),
    )
    Review.objects.bulk_create(
        [Review(plan=plan, case_id=case.pk, reviewer_id=r.pk) for case, r in pairs],
        batch_size=2000,
    )
    audit_record(
        actor=actor, action="evaluation.plan.create", target=plan, data={"cases": len(pairs)}
    )
    return plan


@transaction.atomic
def review_submit(
    *,
    actor: Staff,
    review: Review,
    checklist: dict,
    grade: str,
    note: str,
    now: datetime,
    expected_version: int | None = None,
) -> Review:
    """Record a review's checklist and grade; a failing grade puts the finding on the negative
    list of the case's handler (approved by the reviewer, who is independent of the case)."""
    review = Review.objects.select_for_update().select_related("case").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise ForbiddenError(_("只有指派的评查人可以填写此评查。"))
    check_version(review, expected_version)
    done = rules.REVIEW.check("submit", review.state)
    if grade not in Grade.values:
        raise ApplicationError(_("请选择评定等次。"))
    known = {code for code, _label in CHECKLIST}
    ticks = {code: bool(checklist.get(code)) for code in known}
    note = (note or "").strip()
    if grade == Grade.FAIL and not note:
        raise ApplicationError(_("评为不合格时，请在评查意见中写明问题。"))
    versioned_update(
        review,
        expected_version=expected_version,
        now=now,
        checklist=ticks,
        grade=grade,
        note=note,
        state=done,
        reviewed_at=now,
    )
    if grade == Grade.FAIL:
        case = review.case
        staff = Staff.objects.filter(pk=case.handler_id).select_related("unit__division").first()
        street = None
        if staff is None:
            street = Division.objects.get(path=street_path_of(case.area_path))
        path = (staff.unit.division.path if staff and staff.unit_id else "") or case.area_path
        ListEntry.objects.create(
            kind=ListKind.NEGATIVE,
            title=_("案件质量评查不合格：%(number)s") % {"number": case.number},
            points=FAILED_REVIEW_POINTS,
            occurred_on=timezone.localdate(now),
            evidence=note,
            case=case,
            review=review,
            staff=staff,
            division=street,
            subject_path=path,
            state=EntryState.APPROVED,
            entered_by=actor,
            decided_by=actor,
            decided_at=now,
            decision_note=_("评查人独立评定"),
        )
    audit_record(
        actor=actor, action="evaluation.review.submit", target=review, data={"grade": grade}
    )
    return review
