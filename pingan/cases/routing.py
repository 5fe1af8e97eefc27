"""Routing suggestions (分流推荐, M1.3): which function area and which unit should take a matter.

Two kinds of evidence, both shown to the clerk in words:

- rules: the narrative against each category's keywords, and against the responsibility lists
  (权责清单) of the units that can handle a matter at the grid;
- a classifier trained on the center's own past cases (narrative → category) with
  ``manage.py train_router``; the words that weighed most for its choice are named.

Without a trained model (or with one that cannot be read) the rules answer alone: a suggestion
never raises.
"""

import copy
import json
import logging
import math
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import jieba
import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.errors import ApplicationError
from pingan.orgs.choices import AgencyType, FunctionAreaKind, UnitKind
from pingan.orgs.models import Division, FunctionArea, Unit

from .models import Category

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

jieba.setLogLevel(logging.WARNING)
logger = logging.getLogger(__name__)

MIN_TRAINING_CASES = 50
# Categories the community committee mediates first, with the street center behind it.
COMMUNITY_CATEGORIES = frozenset({"marriage_family", "neighbourhood", "property_management"})
# Categories that go to an agency; a category not named here goes to the street center.
AGENCY_FOR_CATEGORY = {
    "labour": AgencyType.HUMAN_RESOURCES,
    "traffic": AgencyType.TRAFFIC,
    "law_litigation": AgencyType.COURT,
    "medical": AgencyType.HEALTH,
    "demolition": AgencyType.HOUSING,
    "consumer": AgencyType.MARKET_REGULATION,
    "housing_land": AgencyType.JUSTICE_OFFICE,  # rentals, deposits: the street's legal service
}
_LEGAL_AGENCIES = frozenset(
    {
        AgencyType.COURT,
        AgencyType.PROCURATORATE,
        AgencyType.PUBLIC_SECURITY,
        AgencyType.POLICE_STATION,
        AgencyType.JUSTICE_BUREAU,
        AgencyType.JUSTICE_OFFICE,
        AgencyType.LEGAL_SERVICE,
    }
)
# Words that appear in nearly every responsibility line and say nothing about the matter.
_GENERIC_DUTY_WORDS = frozenset(
    re.findall(
        r"\S+",
        "纠纷 矛盾 调处 调解 处理 处置 化解 协调 协助 配合 工作 负责 相关 有关 问题 事项 事务 "
        "管理 服务 受理 办理 开展 组织 指导 监督 其他 涉及 依法 及时 辖区 日常",
    )
)
_ENUMERATOR = re.compile(r"^\s*(?:[（(]?[0-9一二三四五六七八九十]+[)）、.．]|[-•·*])\s*")
_NOT_A_WORD = re.compile(r"^[\W_]+$")
# Function words that carry no matter; the classifier ignores them.
_STOP_WORDS = frozenset("的了着过被把在于与和及或是有也都就又对向从后时等该其之")
_KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；]+")
_KIND_ORDER = {UnitKind.COMMUNITY: 0, UnitKind.STREET_CENTER: 1, UnitKind.AGENCY: 2}
# Below this the model's guess is noise to the clerk: it neither scores nor shows.
_MODEL_MIN_PROBABILITY = 0.15
_CHOSEN_CATEGORY_WEIGHT = 0.5
# A unit with some evidence for the matter that is on duty at a center today weighs more.
_ON_DUTY_BONUS = 0.2


@dataclass(frozen=True)
class Suggestion:
    """One suggested destination for a matter, with the reason a clerk reads."""

    function_area: str
    unit: Unit
    score: float
    reason: str
    category: Category | None = None


# --- text ----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The narrative's words (jieba's accurate mode), without punctuation and spaces."""
    return list(_words(text or ""))


@lru_cache(maxsize=512)
def _words(text: str) -> tuple[str, ...]:
    # Intake tokenises the same narrative for the routing rules and the repeat check, and
    # the suggestion panel asks again as the clerk types: jieba is the costly part.
    return tuple(token for token in jieba.lcut(text) if not _NOT_A_WORD.match(token))


def tokenize(text: str) -> list[str]:
    """The classifier's tokens: jieba's search mode also yields the parts of long words
    ("拖欠工资" → 拖欠, 工资, 拖欠工资), so the model learns from either."""
    return [
        token
        for token in jieba.lcut_for_search(text or "")
        if token not in _STOP_WORDS and not _NOT_A_WORD.match(token)
    ]


def category_keywords(category: Category) -> list[str]:
    return [word for word in _KEYWORD_SEPARATORS.split(category.keywords or "") if word]


def duty_lines(unit: Unit) -> list[str]:
    """The unit's responsibility list, one duty per line, without "1." or "（一）" numbering."""
    lines = (unit.responsibilities or "").splitlines()
    return [duty for duty in (_ENUMERATOR.sub("", line).strip() for line in lines) if duty]


def _found(word: str, text: str, tokens: set[str]) -> bool:
    # jieba keeps compounds whole ("楼上住户"), so a word of two or more characters counts
    # wherever it appears; a single character only as a word of its own.
    return word in tokens or (len(word) >= 2 and word in text)


def _keyword_hits(category: Category, text: str, tokens: set[str]) -> list[str]:
    hits = [word for word in category_keywords(category) if _found(word, text, tokens)]
    # "物业费" found means "物业" adds nothing new.
    return [word for word in hits if not any(word != other and word in other for other in hits)]


@lru_cache(maxsize=8192)
def _duty_words(line: str) -> frozenset[str]:
    """The words of a duty line that say something about a matter; the same few hundred
    lines are read on every suggestion, so each is tokenised once per process."""
    return frozenset(w for w in words(line) if len(w) >= 2 and w not in _GENERIC_DUTY_WORDS)


def _duty_match(line: str, text: str, tokens: set[str]) -> float:
    """How fully a duty line is present in the narrative, 0 when it is not."""
    if len(line) >= 2 and line in text:
        return 1.0
    significant = _duty_words(line)
    if not significant:
        return 0.0
    found = sum(_found(word, text, tokens) for word in significant)
    coverage = found / len(significant)
    if found == len(significant) or (found >= 2 and coverage >= 0.6):
        return coverage
    return 0.0


def _noisy_or(*scores: float) -> float:
    """Independent evidence adds up without passing 1."""
    return 1.0 - math.prod(1.0 - min(max(score, 0.0), 1.0) for score in scores)


# --- candidate units -----------------------------------------------------------------------


# Which units may take a grid's matters changes when an administrator edits units or areas;
# it is read on every suggestion (as the clerk types) and every intake. Each process keeps the
# answer per area; a change anywhere (``units_changed``, connected in ``apps.py``) gives the
# shared cache a new generation, which every process compares before using its copy. Entries
# are also reloaded after ``_UNITS_MAX_AGE``, for a change made without signals (a bulk
# ``update()``). Who is on duty today is never cached.
_UNITS_GENERATION = "routing:units-generation"
_UNITS_MAX_AGE = 600  # seconds
_units_by_area: dict[tuple[str, str, str], "_Kept"] = {}


@dataclass(frozen=True)
class _Kept:
    generation: str | None
    at: float
    units: list[Unit]
    areas: dict[str, str]  # center_areas


def units_changed(**_signal) -> None:
    """Signal receiver: units, the streets they serve or the areas changed. Without a
    reachable cache the change still shows within ``_UNITS_MAX_AGE``, and processes that
    cannot reach it keep nothing."""
    try:
        cache.set(_UNITS_GENERATION, secrets.token_hex(8), None)
    except Exception:
        logger.warning(
            "cache unreachable: other processes see the unit change within %ss", _UNITS_MAX_AGE
        )


def _units_generation() -> str | None:
    """The current generation; ``None`` when the cache cannot be reached (nothing is kept
    then: the units are read every time, and intake goes on)."""
    try:
        generation = cache.get(_UNITS_GENERATION)
        if generation is None:  # first use, or the cache was emptied
            cache.add(_UNITS_GENERATION, secrets.token_hex(8), None)
            generation = cache.get(_UNITS_GENERATION)
    except Exception:
        logger.warning("cache unreachable: candidate units are read without keeping them")
        return None
    return generation


def candidate_units(grid: Division) -> list[Unit]:
    """Units that can take a matter at this grid: the community committee, the street center,
    agencies at or serving the street (派出所, 司法所 …), and district agencies that serve the
    whole district; each with ``on_duty`` (at some center today, M3.2), which routing prefers.
    One query for today's duty, and one for the units when this process has no current copy."""
    from pingan.collaboration.selectors import on_duty_among

    kept = _kept(grid)
    on_duty = on_duty_among([unit.pk for unit in kept.units], timezone.localdate())
    units = []
    for shared in kept.units:
        unit = copy.copy(shared)  # the kept ones are shared by requests: never changed
        unit.on_duty = unit.pk in on_duty
        units.append(unit)
    return units


def _kept(grid: Division) -> _Kept:
    """This process's copy of the grid's candidate units and center areas, read again when
    the generation moved or the copy is older than ``_UNITS_MAX_AGE`` (two queries then)."""
    codes = grid.path.strip("/").split("/")
    area = (codes[0], codes[1] if len(codes) > 1 else "", codes[2] if len(codes) > 2 else "")
    generation, now = _units_generation(), time.monotonic()
    kept = _units_by_area.get(area)
    if (
        generation is None
        or kept is None
        or kept.generation != generation
        or now - kept.at > _UNITS_MAX_AGE
    ):
        kept = _Kept(generation, now, _load_candidate_units(*area), _load_center_areas(*area[:2]))
        _units_by_area[area] = kept
    return kept


def _load_candidate_units(district_code: str, street_code: str, community_code: str):
    serves = Unit.serves.through.objects
    serving_street = serves.filter(division__code=street_code).values("unit_id")
    serving_some_streets = serves.values("unit_id")
    agency = Q(kind=UnitKind.AGENCY) & (
        Q(division__code=street_code)
        | Q(pk__in=serving_street)
        | (Q(division__code=district_code) & ~Q(pk__in=serving_some_streets))
    )
    return list(
        Unit.objects.filter(is_active=True)
        .filter(
            Q(kind=UnitKind.COMMUNITY, division__code=community_code)
            | Q(kind=UnitKind.STREET_CENTER, division__code=street_code)
            | agency
        )
        .select_related("division")
        .order_by("name")
    )


def _units_for_category(category: Category, units: list[Unit]) -> list[tuple[Unit, float]]:
    """Where a category goes, with a factor: 1 for the first choice, less for the fallback."""
    community = next((u for u in units if u.kind == UnitKind.COMMUNITY), None)
    street = next((u for u in units if u.kind == UnitKind.STREET_CENTER), None)
    if category.code in COMMUNITY_CATEGORIES:
        return [(unit, factor) for unit, factor in ((community, 1.0), (street, 0.75)) if unit]
    agency_type = AGENCY_FOR_CATEGORY.get(category.code)
    agencies = [u for u in units if agency_type and u.agency_type == agency_type]
    if agencies:
        # A unit at the street is nearer the citizen than one of the same type at the district.
        agencies.sort(key=lambda u: (u.division.level != "street", u.name))
        return [(agencies[0], 1.0)]
    return [(street, 1.0)] if street else []


def _default_area(unit: Unit) -> str:
    if unit.agency_type == AgencyType.PETITION_OFFICE:
        return FunctionAreaKind.PETITION
    if unit.agency_type in _LEGAL_AGENCIES:
        return FunctionAreaKind.LEGAL_SERVICE
    return FunctionAreaKind.MEDIATION


# --- function areas --------------------------------------------------------------------------

# Words in a narrative that ask for a particular function area (功能区) rather than the one its
# category points to: distress for 心理服务, a question for 群众接待, a petition for 信访接待, a
# lawsuit for 法律服务. Checked in this order; the first area the grid's centers have wins.
AREA_CUES = {
    FunctionAreaKind.PSYCHOLOGICAL: (
        "心理", "情绪", "抑郁", "焦虑", "轻生", "自杀", "想不开", "失眠", "崩溃", "疏导",
    ),
    FunctionAreaKind.PETITION: ("信访", "上访", "联名", "多次反映", "越级"),
    FunctionAreaKind.LEGAL_SERVICE: ("法律援助", "律师", "起诉", "打官司", "诉讼", "法律咨询"),
    FunctionAreaKind.RECEPTION: ("咨询", "询问", "打听", "政策解答", "怎么办理"),
}  # fmt: skip


def area_cues(narrative: str) -> list[tuple[str, str]]:
    """The function areas the narrative's own words ask for, in the order of ``AREA_CUES``,
    each with the cue that comes first in the narrative."""
    text = narrative or ""
    found = []
    for kind, cues in AREA_CUES.items():
        hits = [(text.find(cue), cue) for cue in cues if cue in text]
        if hits:
            found.append((kind, min(hits)[1]))
    return found


@dataclass(frozen=True)
class AreaSuggestion:
    """The function area a matter should be served in, and the center that has it."""

    kind: str
    center: str
    reason: str

    @property
    def label(self) -> str:
        return FunctionAreaKind(self.kind).label


def center_areas(grid: Division) -> dict[str, str]:
    """The function areas of the grid's street center and the district center, each with the
    name of the center that has it (the street's first: it is nearer). Kept with the grid's
    candidate units: no query when those are kept."""
    return _kept(grid).areas


def _load_center_areas(district_code: str, street_code: str) -> dict[str, str]:
    rows = (
        FunctionArea.objects.filter(
            unit__is_active=True,
            unit__kind__in=[UnitKind.STREET_CENTER, UnitKind.DISTRICT_CENTER],
            unit__division__code__in=[district_code, street_code],
        )
        .order_by("-unit__division__level", "kind")  # descending: "street" before "district"
        .values_list("kind", "unit__name")
    )
    areas: dict[str, str] = {}
    for kind, center in rows:
        areas.setdefault(kind, center)
    return areas


def suggest_area(
    *, narrative: str, grid: Division, suggestions: list[Suggestion], category=None
) -> AreaSuggestion | None:
    """The function area for a matter: the first one its words ask for that the grid's
    centers have (so 心理服务 and 群众接待 at the district center are suggested too), else the
    area of the best unit suggestion, else the chosen category's. None without evidence."""
    areas = center_areas(grid)
    for kind, word in area_cues(narrative):
        if kind in areas:
            reason = _("描述提到“%(word)s”，%(center)s设有%(area)s功能区") % {
                "word": word,
                "center": areas[kind],
                "area": FunctionAreaKind(kind).label,
            }
            return AreaSuggestion(kind=kind, center=areas[kind], reason=reason)
    kind = suggestions[0].function_area if suggestions else getattr(category, "function_area", "")
    if not kind:
        return None
    reason = (
        _("按首选承办单位“%(unit)s”") % {"unit": suggestions[0].unit.name}
        if suggestions
        else _("按事项类别“%(category)s”") % {"category": category.name}
    )
    return AreaSuggestion(kind=kind, center=areas.get(kind, ""), reason=reason)


# --- the trained model ---------------------------------------------------------------------


@dataclass
class TrainedRouter:
    """A classifier from narrative to category code, and what it was trained on.

    scikit-learn fits it (`fit`: TF-IDF over `tokenize`, then multinomial logistic regression);
    what is kept is the fitted weights. Serving applies them with numpy (`predict`), so a web
    process never imports scikit-learn, which with SciPy and pandas costs a worker about
    150 MB, and the saved file is plain arrays (``numpy.savez``), read without unpickling
    anything. ``test_routing`` holds `predict` to the fitted pipeline's probabilities.
    """

    vocabulary: dict[str, int]  # word -> column
    idf: np.ndarray  # (words,)
    coef: np.ndarray  # (classes, words); one row, for the second class, with two classes
    intercept: np.ndarray
    classes: list[str]
    trained_at: datetime
    case_count: int
    class_counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_pipeline(cls, pipeline: "Pipeline", **about) -> "TrainedRouter":
        vectorizer = pipeline.named_steps["tfidf"]
        classifier = pipeline.named_steps["clf"]
        return cls(
            vocabulary={str(word): int(column) for word, column in vectorizer.vocabulary_.items()},
            idf=np.asarray(vectorizer.idf_, dtype=float),
            coef=np.asarray(classifier.coef_, dtype=float),
            intercept=np.asarray(classifier.intercept_, dtype=float),
            classes=[str(code) for code in classifier.classes_],
            **about,
        )

    @cached_property
    def _words(self) -> list[str]:
        names = [""] * len(self.vocabulary)
        for word, column in self.vocabulary.items():
            names[column] = word
        return names

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The narrative's TF-IDF vector as (columns, values), columns ascending, as the
        fitted vectorizer computes it: 1 + log(count), times idf, scaled to unit length."""
        counts = Counter(token for token in tokenize(text) if token in self.vocabulary)
        columns = np.array(sorted(self.vocabulary[word] for word in counts), dtype=np.intp)
        if not len(columns):
            return columns, np.zeros(0)
        by_column = {self.vocabulary[word]: count for word, count in counts.items()}
        values = (1.0 + np.log([by_column[int(j)] for j in columns])) * self.idf[columns]
        return columns, values / np.sqrt(values @ values)

    def probabilities(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        scores = self.coef[:, columns] @ values + self.intercept
        if self.coef.shape[0] == 1:  # two classes: the logistic of the second
            second = 1.0 / (1.0 + math.exp(-scores[0]))
            return np.array([1.0 - second, second])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def predict(self, text: str) -> tuple[dict[str, float], dict[str, list[tuple[str, float]]]]:
        """Each category's probability, and the words that weighed for each (top three)."""
        columns, values = self.features(text)
        probabilities = self.probabilities(columns, values)
        coef = self.coef
        explanations = {}
        for row, code in enumerate(self.classes):
            # A two-class model keeps one row of weights, for its second class.
            weights = coef[row] if coef.shape[0] > 1 else (coef[0] if row == 1 else -coef[0])
            contributions = values * weights[columns]
            ranked = sorted(zip(columns, contributions, strict=True), key=lambda item: -item[1])
            shown: list[tuple[str, float]] = []
            for j, contribution in ranked:
                word = self._words[j]
                # search mode yields "卫生" beside "卫生间": name the longer one only
                if contribution <= 0 or len(shown) == 3:
                    break
                if not any(word in other or other in word for other, _ in shown):
                    shown.append((word, float(contribution)))
            explanations[code] = shown
        return dict(zip(self.classes, map(float, probabilities), strict=True)), explanations

    def save(self, path: Path | str | None = None) -> Path:
        """Write the model (arrays, ``numpy.savez``) where `load` looks for it; returns the
        path written."""
        path = Path(path) if path else model_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        about = {
            "trained_at": self.trained_at.isoformat(),
            "case_count": self.case_count,
            "class_counts": self.class_counts,
        }
        temporary = path.with_suffix(path.suffix + ".tmp")
        with temporary.open("wb") as out:
            np.savez(
                out,
                words=np.array(self._words, dtype=str),
                idf=self.idf,
                coef=self.coef,
                intercept=self.intercept,
                classes=np.array(self.classes, dtype=str),
                about=np.array(json.dumps(about, ensure_ascii=False)),
            )
        temporary.replace(path)  # readers never see half a file
        _cache.clear()
        return path

    @classmethod
    def read(cls, path: Path) -> "TrainedRouter":
        with np.load(path, allow_pickle=False) as arrays:
            words_, classes = arrays["words"].tolist(), arrays["classes"].tolist()
            router = cls(
                vocabulary={word: column for column, word in enumerate(words_)},
                idf=arrays["idf"],
                coef=arrays["coef"],
                intercept=arrays["intercept"],
                classes=classes,
                **json.loads(str(arrays["about"])),
            )
        router.trained_at = datetime.fromisoformat(str(router.trained_at))
        rows = len(classes) if len(classes) > 2 else 1
        if router.coef.shape != (rows, len(words_)) or router.idf.shape != (len(words_),):
            raise ValueError("the model's arrays do not fit together")
        return router


def model_path() -> Path:
    """``PINGAN_ROUTER_PATH`` if set, else ``<MEDIA_ROOT>/../models/router.npz``."""
    configured = getattr(settings, "PINGAN_ROUTER_PATH", None)
    if configured:
        return Path(str(configured))
    return Path(str(settings.MEDIA_ROOT)).parent / "models" / "router.npz"


_cache: dict[tuple[str, int], TrainedRouter] = {}


def load(path: Path | str | None = None) -> TrainedRouter | None:
    """The trained model, or None when there is none or it cannot be read (then rules answer).
    Read once per process and file version."""
    path = Path(path) if path else model_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    key = (str(path), stamp)
    if key not in _cache:
        try:
            router = TrainedRouter.read(path)
        except Exception:  # a truncated file, a file of another kind …: use rules
            logger.warning("Routing model %s could not be read; using rules only.", path)
            return None
        _cache.clear()
        _cache[key] = router
    return _cache[key]


def warm_up() -> None:
    """Load jieba's dictionary and the model now, not in a clerk's first intake."""
    jieba.initialize()
    load()


def _pipeline() -> "Pipeline":
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    tokenizer=tokenize,
                    token_pattern=None,
                    lowercase=False,
                    sublinear_tf=True,
                    min_df=1,
                ),
            ),
            ("clf", LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")),
        ]
    )


def training_data(cases) -> tuple[list[str], list[str]]:
    """(narratives, category codes) of past cases, in one query."""
    rows = list(
        cases.exclude(narrative="").order_by("pk").values_list("narrative", "category__code")
    )
    narratives = [narrative for narrative, _code in rows]
    labels = [code for _narrative, code in rows]
    return narratives, labels


def fitted_pipeline(narratives: list[str], labels: list[str]) -> "Pipeline":
    """The scikit-learn pipeline fitted to these cases; training only, never when serving."""
    if len(set(labels)) < 2:
        raise ApplicationError(_("历史事项至少要涉及两个类别，才能训练分流模型。"))
    return _pipeline().fit(narratives, labels)


def fit(narratives: list[str], labels: list[str], *, now: datetime | None = None) -> TrainedRouter:
    return TrainedRouter.from_pipeline(
        fitted_pipeline(narratives, labels),
        trained_at=now or timezone.now(),
        case_count=len(labels),
        class_counts=dict(Counter(labels)),
    )


def train(cases) -> TrainedRouter:
    """Train on past cases (a Case queryset): narrative → category code."""
    return fit(*training_data(cases))


@dataclass(frozen=True)
class Evaluation:
    """How well a model trained on part of the cases predicts the rest."""

    accuracy: float
    top3_accuracy: float
    train_size: int
    test_size: int
    stratified: bool


def evaluate(
    narratives: list[str], labels: list[str], *, holdout: float = 0.2, seed: int = 0
) -> Evaluation:
    """Train on a split and measure accuracy and top-3 accuracy on the held-out part;
    stratified by category when every category has at least two cases."""
    from sklearn.model_selection import train_test_split

    counts = Counter(labels)
    test_size = math.ceil(len(labels) * holdout)
    stratified = min(counts.values()) >= 2 and len(counts) <= min(
        test_size, len(labels) - test_size
    )
    train_x, test_x, train_y, test_y = train_test_split(
        narratives,
        labels,
        test_size=test_size,
        random_state=seed,
        stratify=labels if stratified else None,
    )
    pipeline = fitted_pipeline(train_x, train_y)
    probabilities = pipeline.predict_proba(test_x)
    classes = np.array([str(code) for code in pipeline.classes_])
    top = classes[np.argsort(-probabilities, axis=1)[:, :3]]
    best = top[:, 0]
    accuracy = float(np.mean(best == np.array(test_y)))
    top3 = float(np.mean([truth in row for truth, row in zip(test_y, top, strict=True)]))
    return Evaluation(accuracy, top3, len(train_y), len(test_y), stratified)


# --- suggestions ---------------------------------------------------------------------------


@dataclass
class _Evidence:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def _category_evidence(
    narrative: str, tokens: set[str], chosen: Category | None, categories: list[Category]
) -> dict[int, tuple[Category, _Evidence]]:
    router = load()
    probabilities, explanations = {}, {}
    if router is not None:
        try:
            probabilities, explanations = router.predict(narrative)
        except Exception:  # a model that loads but cannot predict must not stop intake
            logger.exception("Routing model failed to predict; using rules only.")
    evidence = {}
    for category in categories:
        found = _Evidence()
        hits = _keyword_hits(category, narrative, tokens)
        rule = 1.0 - 0.6 ** len(hits)
        if hits:
            found.reasons.append(
                _("关键词：%(words)s（%(category)s）")
                % {"words": "、".join(hits), "category": category.name}
            )
        if chosen is not None and category.pk == chosen.pk:
            rule = _noisy_or(rule, _CHOSEN_CATEGORY_WEIGHT)
            if not hits:
                found.reasons.append(_("登记类别：%(category)s") % {"category": category.name})
        weighed = explanations.get(category.code, [])
        probability = probabilities.get(category.code, 0.0)
        if probability < _MODEL_MIN_PROBABILITY or not weighed:
            probability = 0.0  # a guess no word supports (unknown words: the prior) says nothing
        if probability:
            listed = "、".join(f"{word}({weight:.2f})" for word, weight in weighed)
            found.reasons.append(
                _("模型：%(words)s（%(category)s %(probability)s）")
                % {"words": listed, "category": category.name, "probability": f"{probability:.0%}"}
            )
        found.score = _noisy_or(rule, probability)
        if found.score > 0:
            evidence[category.pk] = (category, found)
    return evidence


def suggest(
    *, narrative: str, category: Category | None, grid: Division, limit: int = 3
) -> list[Suggestion]:
    """Suggest where a matter should go, best first; never raises for want of a model.

    Queries: the categories and the candidate units, two in all however many there are.
    """
    narrative = (narrative or "").strip()
    units = candidate_units(grid)
    if not units:
        return []
    categories = list(Category.objects.filter(is_active=True))
    if category is not None and all(c.pk != category.pk for c in categories):
        categories.append(category)  # an inactive category the clerk still chose
    tokens = set(words(narrative))
    evidence = _category_evidence(narrative, tokens, category, categories)

    # Per unit: the best category that leads to it, then the best duty it lists.
    by_unit: dict[int, tuple[Category, _Evidence, float]] = {}
    for chosen, found in evidence.values():
        for unit, factor in _units_for_category(chosen, units):
            score = found.score * factor
            if unit.pk not in by_unit or score > by_unit[unit.pk][2]:
                by_unit[unit.pk] = (chosen, found, score)

    suggestions = []
    for unit in units:
        duty_score, duty_reason = 0.0, ""
        for line in duty_lines(unit):
            coverage = _duty_match(line, narrative, tokens)
            if coverage > 0 and 0.4 + 0.5 * coverage > duty_score:
                duty_score = 0.4 + 0.5 * coverage
                duty_reason = _("命中%(unit)s权责清单“%(line)s”") % {
                    "unit": unit.name,
                    "line": line,
                }
        via = by_unit.get(unit.pk)
        if via is None and not duty_score:
            continue
        reasons = [duty_reason] if duty_reason else []
        if via:
            reasons += via[1].reasons
        on_duty = _ON_DUTY_BONUS if getattr(unit, "on_duty", False) else 0.0
        if on_duty:
            reasons.append(_("今日在岗（中心值班表）"))
        suggestions.append(
            Suggestion(
                function_area=via[0].function_area if via else _default_area(unit),
                unit=unit,
                score=round(_noisy_or(via[2] if via else 0.0, duty_score, on_duty), 3),
                reason="；".join(reasons),
                category=via[0] if via else None,
            )
        )
    if not suggestions:
        return _fallback(units)
    suggestions.sort(key=lambda s: (-s.score, _KIND_ORDER.get(s.unit.kind, 9), s.unit.name))
    return suggestions[:limit]


def _fallback(units: list[Unit]) -> list[Suggestion]:
    street = next((u for u in units if u.kind == UnitKind.STREET_CENTER), None)
    if street is None:
        return []
    return [
        Suggestion(
            function_area=FunctionAreaKind.REGISTRATION,
            unit=street,
            score=0.0,
            reason=_("未命中类别关键词或权责清单，建议登记受理后人工分流"),
        )
    ]
