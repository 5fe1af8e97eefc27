"""Reads of talent development: readiness, the nine-transformation matrix, the points ledger,
rankings, the weighted evaluation and the cohort overview. Set-based: one query per kind of
figure, whatever the number of people."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import CELL_COLOURS, CellState, OutcomeKind, PointState, RecordState
from .models import (
    Activity,
    Evaluation,
    EvaluationWeight,
    MilestoneRecord,
    Outcome,
    PointEntry,
    Profile,
    Stage,
    StudyItem,
    StudyRecord,
    Transformation,
)

ZERO = Decimal("0")
_POINTS = DecimalField(max_digits=9, decimal_places=1)


def evaluation_period() -> str:
    """The evaluation period scores are given for now: the calendar year."""
    return f"{timezone.localdate().year}年度"


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when end is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def with_progress(profiles):
    """Annotate ``points_total`` (approved), ``points_pending``, ``study_done`` (confirmed,
    active items), ``milestones_done`` (confirmed, in the current stage)."""

    def total(state: str):
        return Subquery(
            PointEntry.objects.filter(profile=OuterRef("pk"), state=state)
            .values("profile")
            .annotate(total=Sum("points"))
            .values("total"),
            output_field=_POINTS,
        )

    def count(queryset):
        return Subquery(
            queryset.values("profile").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        )

    return profiles.annotate(
        points_total=Coalesce(total(PointState.APPROVED), Value(ZERO), output_field=_POINTS),
        points_pending=Coalesce(total(PointState.PENDING), Value(ZERO), output_field=_POINTS),
        study_done=Coalesce(
            count(
                StudyRecord.objects.filter(
                    profile=OuterRef("pk"), state=RecordState.CONFIRMED, item__is_active=True
                )
            ),
            0,
        ),
        milestones_done=Coalesce(
            count(
                MilestoneRecord.objects.filter(
                    profile=OuterRef("pk"),
                    state=RecordState.CONFIRMED,
                    milestone__transformation__stage=OuterRef("stage"),
                )
            ),
            0,
        ),
    )


# --- readiness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    value: Decimal | int
    required: Decimal | int
    unit: str

    @property
    def met(self) -> bool:
        return self.value >= self.required

    @property
    def shortfall(self) -> Decimal | int:
        return max(self.required - self.value, 0)


@dataclass(frozen=True)
class Readiness:
    """Readiness for the next stage: every configured criterion with its value and threshold."""

    stage: Stage
    next_stage: Stage | None
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.next_stage is None

    @property
    def ready(self) -> bool:
        return not self.final and all(criterion.met for criterion in self.criteria)

    @property
    def met_count(self) -> int:
        return sum(criterion.met for criterion in self.criteria)

    def as_dict(self) -> dict:
        return {
            "stage": self.stage.code,
            "next_stage": self.next_stage.code if self.next_stage else None,
            "ready": self.ready,
            "criteria": [
                {
                    "key": c.key,
                    "label": c.label,
                    "value": str(c.value),
                    "required": str(c.required),
                    "met": c.met,
                }
                for c in self.criteria
            ],
        }


class StageLadder:
    """The configured stages, read once, to find each stage's successor."""

    def __init__(self) -> None:
        self.stages = list(Stage.objects.order_by("order"))

    def next_of(self, stage: Stage) -> Stage | None:
        later = [s for s in self.stages if s.order > stage.order]
        return later[0] if later else None

    def readiness(self, profile: Profile, *, today: date) -> Readiness:
        """Readiness of a profile annotated by ``with_progress``."""
        stage = next(s for s in self.stages if s.pk == profile.stage_id)
        following = self.next_of(stage)
        if following is None:
            return Readiness(stage=stage, next_stage=None)
        criteria = [
            Criterion(
                "months",
                _("在阶时间"),
                months_between(profile.stage_entered_on, today),
                stage.min_months,
                _("个月"),
            ),
            Criterion(
                "milestones",
                _("已确认转化节点"),
                profile.milestones_done,
                stage.min_milestones,
                _("个"),
            ),
            Criterion("points", _("累计积分"), profile.points_total, stage.min_points, _("分")),
            Criterion(
                "study", _("已确认必研必学"), profile.study_done, stage.min_study_items, _("项")
            ),
        ]
        return Readiness(stage=stage, next_stage=following, criteria=criteria)


def profile_with_progress(profile: Profile) -> Profile:
    return with_progress(Profile.objects.filter(pk=profile.pk)).select_related("stage").get()


def readiness_of(profile: Profile, *, today: date) -> Readiness:
    """Readiness of one profile (reads its progress afresh)."""
    return StageLadder().readiness(profile_with_progress(profile), today=today)


# --- the matrix ------------------------------------------------------------------------------


@dataclass
class Cell:
    transformation: Transformation
    milestones_total: int = 0
    milestones_confirmed: int = 0
    milestones_submitted: int = 0
    study_total: int = 0
    study_confirmed: int = 0
    study_submitted: int = 0
    activities: int = 0
    evidence: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.milestones_total and self.milestones_confirmed == self.milestones_total:
            return CellState.ACHIEVED
        if (
            self.milestones_confirmed
            or self.milestones_submitted
            or self.study_confirmed
            or self.study_submitted
            or self.activities
        ):
            return CellState.IN_PROGRESS
        return CellState.NOT_STARTED

    @property
    def state_label(self) -> str:
        return CellState(self.state).label

    @property
    def colour(self) -> str:
        return CELL_COLOURS[self.state]


def transformation_matrix(profile: Profile) -> list[tuple[Stage, list[Cell]]]:
    """The nine transformations, by stage, each with its evidence and state."""
    transformations = list(
        Transformation.objects.select_related("stage")
        .annotate(milestone_count=Count("milestones", distinct=True))
        .order_by("stage__order", "order")
    )
    cells = {t.pk: Cell(t, milestones_total=t.milestone_count) for t in transformations}
    study_totals = (
        StudyItem.objects.filter(is_active=True)
        .values("transformation")
        .annotate(n=Count("pk"))
        .values_list("transformation", "n")
    )
    for transformation_id, n in study_totals:
        cells[transformation_id].study_total = n
    for record in MilestoneRecord.objects.filter(profile=profile).select_related("milestone"):
        cell = cells[record.milestone.transformation_id]
        if record.state == RecordState.CONFIRMED:
            cell.milestones_confirmed += 1
        else:
            cell.milestones_submitted += 1
        cell.evidence.append(f"{record.milestone.name}：{record.evidence}")
    for record in StudyRecord.objects.filter(profile=profile, item__is_active=True).select_related(
        "item"
    ):
        cell = cells[record.item.transformation_id]
        if record.state == RecordState.CONFIRMED:
            cell.study_confirmed += 1
        else:
            cell.study_submitted += 1
    for transformation_id, title in Activity.objects.filter(
        profile=profile, transformation__isnull=False
    ).values_list("transformation", "title"):
        cells[transformation_id].activities += 1
        cells[transformation_id].evidence.append(title)
    by_stage: dict[int, list[Cell]] = defaultdict(list)
    stages = {}
    for transformation in transformations:
        stages[transformation.stage_id] = transformation.stage
        by_stage[transformation.stage_id].append(cells[transformation.pk])
    return [(stages[stage_id], row) for stage_id, row in by_stage.items()]


# --- study -----------------------------------------------------------------------------------


def study_progress(profile: Profile) -> list[tuple[StudyItem, StudyRecord | None]]:
    """The active catalogue, each item with this person's record (or None)."""
    records = {
        r.item_id: r
        for r in StudyRecord.objects.filter(profile=profile).select_related(
            "recorded_by", "confirmed_by"
        )
    }
    items = StudyItem.objects.filter(is_active=True).select_related("transformation")
    return [(item, records.get(item.pk)) for item in items]


# --- points ----------------------------------------------------------------------------------


def ledger(profile: Profile):
    """The person's points entries in date order, with ``running_total`` over approved ones."""
    approved_points = Case(
        When(state=PointState.APPROVED, then=F("points")),
        default=Value(ZERO),
        output_field=_POINTS,
    )
    return (
        PointEntry.objects.filter(profile=profile)
        .select_related("rule", "submitted_by", "approver")
        .annotate(
            running_total=Window(
                expression=Sum(approved_points), order_by=[F("occurred_on").asc(), F("id").asc()]
            )
        )
        .order_by("occurred_on", "id")
    )


def cohort_ranks(cohort_ids) -> dict[int, int]:
    """Rank (1 = most points) of every assistant within their cohort, ties sharing a rank.

    Computed over the whole cohort whatever the reader may see: a rank is a number, not the
    others' records."""
    ranked = (
        with_progress(Profile.objects.filter(cohort__in=list(cohort_ids)))
        .annotate(
            rank=Window(
                expression=Rank(), partition_by=[F("cohort_id")], order_by=F("points_total").desc()
            )
        )
        .values_list("pk", "rank")
    )
    return dict(ranked)


def cohort_ranking(cohort) -> list[Profile]:
    """The cohort in rank order, with ``rank`` and progress annotations."""
    ranks = cohort_ranks([cohort.pk])
    people = list(with_progress(cohort.profiles.select_related("staff", "stage", "department")))
    for person in people:
        person.rank = ranks[person.pk]
    return sorted(people, key=lambda person: (person.rank, person.staff.name))


# --- evaluation ------------------------------------------------------------------------------


@dataclass
class PeriodScore:
    period: str
    by_dimension: dict[str, Decimal]
    counts: dict[str, int]
    weighted: Decimal | None


def weighted_scores(profile: Profile) -> list[PeriodScore]:
    """Per period: the mean score of each dimension and the weighted combination over the
    dimensions present (weights renormalised, so a missing peer round does not sink a score)."""
    weights = dict(EvaluationWeight.objects.values_list("dimension", "weight"))
    rows = (
        Evaluation.objects.filter(profile=profile)
        .values("period", "dimension")
        .annotate(total=Sum("score"), n=Count("pk"))
        .order_by("period", "dimension")
    )
    periods: dict[str, PeriodScore] = {}
    for row in rows:
        score = periods.setdefault(row["period"], PeriodScore(row["period"], {}, {}, None))
        score.by_dimension[row["dimension"]] = (row["total"] / row["n"]).quantize(Decimal("0.1"))
        score.counts[row["dimension"]] = row["n"]
    for score in periods.values():
        used = {d: weights.get(d, ZERO) for d in score.by_dimension}
        weight_sum = sum(used.values(), ZERO)
        if weight_sum:
            combined = sum((score.by_dimension[d] * w for d, w in used.items()), ZERO)
            score.weighted = (combined / weight_sum).quantize(Decimal("0.1"))
    return sorted(periods.values(), key=lambda s: s.period, reverse=True)


# --- the cohort overview ---------------------------------------------------------------------


def overview(profiles, *, today: date) -> dict:
    """Figures for the overview page over the given (already scoped) profiles."""
    ids = profiles.values("pk")
    stages = list(Stage.objects.order_by("order"))
    per_stage = dict(
        Profile.objects.filter(pk__in=ids)
        .values("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    progress = with_progress(Profile.objects.filter(pk__in=ids))
    ladder = StageLadder()
    ready = 0
    study_sum = 0
    people = 0
    for profile in progress.only("pk", "stage", "stage_entered_on"):
        people += 1
        study_sum += profile.study_done
        ready += ladder.readiness(profile, today=today).ready
    catalogue = StudyItem.objects.filter(is_active=True).count()
    outcomes = dict(
        Outcome.objects.filter(profile__in=ids)
        .values("kind")
        .annotate(n=Count("profile", distinct=True))
        .values_list("kind", "n")
    )
    return {
        "people": people,
        "per_stage": [(stage, per_stage.get(stage.pk, 0)) for stage in stages],
        "ready": ready,
        "study_rate": (study_sum / (people * catalogue)) if people and catalogue else 0,
        "catalogue": catalogue,
        "model_experts": outcomes.get(OutcomeKind.MODEL_EXPERT, 0),
        "talent_pool": outcomes.get(OutcomeKind.TALENT_POOL, 0),
        "chart": {
            "title": {"text": _("各阶段人数"), "left": "center", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 40, "right": 20, "top": 40, "bottom": 30},
            "xAxis": {"type": "category", "data": [stage.name for stage in stages]},
            "yAxis": {"type": "value", "name": _("人"), "minInterval": 1},
            "series": [
                {
                    "type": "bar",
                    "data": [per_stage.get(stage.pk, 0) for stage in stages],
                    "itemStyle": {"color": "#1f4e8c"},
                    "label": {"show": True, "position": "top"},
                    "barMaxWidth": 60,
                }
            ],
        },
    }


def pending_for(user):
    """What waits for this user's decision: study/milestone records of their mentees, point
    entries they may approve (not their own)."""
    mentees = Profile.objects.filter(mentor=user)
    study = StudyRecord.objects.filter(profile__in=mentees, state=RecordState.SUBMITTED)
    points = PointEntry.objects.filter(
        Q(profile__mentor=user) | Q(profile__department__head=user),
        state=PointState.PENDING,
    ).exclude(Q(submitted_by=user) | Q(profile__staff=user))
    return {"study": study.count(), "points": points.count()}
