"""Fitting an integer-point scorecard from a table of past cases (``risk_fit``, M8.2).

The method, kept small and interpretable:

1. **Columns.** Every column except the outcome, the audit group and those excluded is a
   candidate factor. A column is numeric when at least 90 % of its non-blank values parse as
   numbers (the rest are then refused as unparseable); otherwise it is categorical. Numeric
   columns are banded at training-set quantiles into at most ``MAX_BINS`` ranges; categorical
   columns give one yes/no indicator per category (categories rarer than 1 % of rows, or 10
   rows, are pooled as "其他"). Blank values get a band of their own ("缺失").
2. **Model.** L1-regularised logistic regression (scikit-learn, liblinear) on the band
   indicators; the regularisation strength C is chosen by 5-fold stratified cross-validation
   on the training 75 % of the rows (ROC AUC). L1 drops bands and whole factors that add
   nothing; of the C values whose CV AUC is within one standard error of the best, the
   smallest is taken (the "one-standard-error rule"), so factors without effect drop out.
3. **Points.** Within each factor the lowest coefficient becomes 0 points; the others are
   divided by one scale ``s`` and rounded, where ``s`` is the largest such difference divided
   by ``MAX_POINTS`` (5). So every band earns 0–5 points and one point is worth ``s`` in
   log-odds (the odds multiply by exp(s) per point).
4. **Checks on the held-out 25 %.** The AUC of the integer total with a 95 % confidence
   interval by DeLong's method; calibration (observed rate and the rate the total predicts,
   per level); for each value of the audit group column: AUC (DeLong) and the false-positive
   and false-negative rates of flagging "高" (total at or above the high cut-off), each with
   a 95 % interval (Clopper–Pearson for the rates). The gaps between groups are taken only
   over the groups with at least ``min_group_rows`` held-out rows (``PINGAN_FAIRNESS_MIN_ROWS``,
   default 50): a group of 6 rows would make any gap; smaller groups are listed as too small.
   The audit group column is never a factor.

Levels: totals at or above the training median are "中", at or above the 85th percentile "高".
"""

import csv
import hashlib
import io
import itertools
import math
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from scipy.stats import binomtest, norm, rankdata
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from pingan.core.errors import ApplicationError

MAX_BINS = 5
MAX_POINTS = 5
MIN_ROWS = 200
MIN_EACH_OUTCOME = 50
NUMERIC_SHARE = 0.9
RARE_SHARE, RARE_ROWS = 0.01, 10
MAX_CATEGORIES = 30
TEST_SHARE = 0.25
CV_FOLDS = 5
MIN_GROUP_ROWS = 50  # held-out rows a group needs for its rates to count in the gaps
CS = np.logspace(-3, 0.5, 8)
MEDIUM_QUANTILE, HIGH_QUANTILE = 0.50, 0.85
OTHER, MISSING = gettext_noop("其他"), gettext_noop("缺失")  # band labels, translated when fitted


@dataclass(frozen=True)
class Band:
    kind: str  # range / category / other / missing
    label: str
    lower: float | None = None
    upper: float | None = None
    category: str = ""


@dataclass
class Column:
    name: str
    numeric: bool
    values: list  # float | None for numeric, str ("" for blank) for categorical
    bands: list[Band] = field(default_factory=list)

    def band_indices(self, rows: np.ndarray) -> np.ndarray:
        """The band of each of these rows' values, at once."""
        missing = next((i for i, b in enumerate(self.bands) if b.kind == "missing"), None)
        if self.numeric:
            cuts = [b.lower for b in self.bands if b.kind == "range" and b.lower is not None]
            values = np.array(
                [np.nan if self.values[r] is None else self.values[r] for r in rows], dtype=float
            )
            index = np.searchsorted(np.array(cuts, dtype=float), values, side="right")
            if missing is not None:
                index[np.isnan(values)] = missing
            return index
        other = next(i for i, b in enumerate(self.bands) if b.kind == "other")
        lookup = {b.category: i for i, b in enumerate(self.bands) if b.kind == "category"}
        blank = missing if missing is not None else other
        return np.array(
            [blank if self.values[r] == "" else lookup.get(self.values[r], other) for r in rows]
        )


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    name: str
    sha256: str


# --- reading and checking ------------------------------------------------------------------


def read_table(data: bytes, *, name: str) -> Table:
    """Parse CSV bytes (UTF-8, with or without BOM, or GB18030), comma/semicolon/tab."""
    digest = hashlib.sha256(data).hexdigest()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApplicationError(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV 文件。"))
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ApplicationError(_("文件是空的：第一行应为列名，其后每行一条历史记录。")) from None
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    width = len(header)
    ragged = [i + 2 for i, row in enumerate(rows) if len(row) != width]
    if ragged:
        raise ApplicationError(
            _("第 %(lines)s 行的列数与表头（%(width)s 列）不一致，请检查分隔符和引号。")
            % {"lines": _lines(ragged), "width": width}
        )
    duplicates = [col for col, count in Counter(header).items() if count > 1]
    if duplicates:
        raise ApplicationError(
            _("列名重复：%(names)s。每列应有唯一的列名。") % {"names": "、".join(duplicates)}
        )
    return Table(header=header, rows=rows, name=name, sha256=digest)


def _lines(numbers: list[int], limit: int = 5) -> str:
    shown = "、".join(str(n) for n in numbers[:limit])
    if len(numbers) > limit:
        return _("%(shown)s 等 %(count)s ") % {"shown": shown, "count": len(numbers)}
    return shown


def _parse_number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def protected_names() -> set[str]:
    return {name.strip().lower() for name in settings.PINGAN_PROTECTED_COLUMNS}


@dataclass
class Prepared:
    table: Table
    outcome: np.ndarray
    group: list[str] | None
    columns: list[Column]
    excluded: list[str]


def prepare(
    table: Table, *, outcome: str, group: str | None = None, exclude: tuple[str, ...] = ()
) -> Prepared:
    """Check the table and classify its columns; every problem is reported at once."""
    header = table.header
    missing_names = [n for n in [outcome, group, *exclude] if n and n not in header]
    if missing_names:
        raise ApplicationError(
            _("文件中没有这些列：%(missing)s。文件的列有：%(header)s。")
            % {"missing": "、".join(missing_names), "header": "、".join(header)}
        )
    if group and group == outcome:
        raise ApplicationError(_("审计分组列不能同时是结果列。"))
    col = {name: i for i, name in enumerate(header)}
    raw_outcome = [row[col[outcome]].strip() for row in table.rows]
    blank = [i + 2 for i, v in enumerate(raw_outcome) if v == ""]
    if blank:
        raise ApplicationError(
            _("结果列“%(outcome)s”在第 %(lines)s 行为空。每行的结果都必须是 0 或 1。")
            % {"outcome": outcome, "lines": _lines(blank)}
        )
    values = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}
    bad = [i + 2 for i, v in enumerate(raw_outcome) if v not in values]
    if bad:
        examples = "、".join(sorted({raw_outcome[i - 2] for i in bad})[:5])
        raise ApplicationError(
            _("结果列“%(outcome)s”只能是 0 或 1，第 %(lines)s 行不是（如：%(examples)s）。")
            % {"outcome": outcome, "lines": _lines(bad), "examples": examples}
        )
    y = np.array([values[v] for v in raw_outcome], dtype=int)
    n, events = len(y), int(y.sum())
    if n < MIN_ROWS or min(events, n - events) < MIN_EACH_OUTCOME:
        raise ApplicationError(
            _(
                "数据太少，无法可靠拟合：至少需要 %(min_rows)s 行，且结果为 1 和为 0 的各至少 "
                "%(min_each)s 行；本文件 %(rows)s 行，其中结果为 1 的 %(events)s 行、为 0 的 "
                "%(non_events)s 行。"
            )
            % {
                "min_rows": MIN_ROWS,
                "min_each": MIN_EACH_OUTCOME,
                "rows": n,
                "events": events,
                "non_events": n - events,
            }
        )

    protected = protected_names()
    problems: list[str] = []
    to_exclude: list[str] = []
    columns: list[Column] = []
    candidates = [h for h in header if h not in {outcome, group, *exclude}]
    refused = [h for h in candidates if h.strip().lower() in protected]
    if refused:
        problems.append(
            _(
                "受保护的列不能作为因子：%(names)s（如民族、宗教）。"
                "可用 --exclude 排除，或用 --group 仅作公平性审计分组。"
            )
            % {"names": "、".join(refused)}
        )
        to_exclude += refused
    for name in candidates:
        if name in refused:
            continue
        cells = [row[col[name]].strip() for row in table.rows]
        filled = [c for c in cells if c]
        if len(set(cells)) <= 1:
            problems.append(
                _("列“%(name)s”所有行取值相同（%(value)s），不能区分风险。")
                % {"name": name, "value": cells[0] or _("空")}
            )
            to_exclude.append(name)
            continue
        parsed = [_parse_number(c) for c in filled]
        numeric_share = sum(v is not None for v in parsed) / len(filled) if filled else 0
        if numeric_share >= NUMERIC_SHARE:
            bad_rows = [i + 2 for i, c in enumerate(cells) if c and _parse_number(c) is None]
            if bad_rows:
                examples = "、".join(sorted({cells[i - 2] for i in bad_rows})[:3])
                problems.append(
                    _(
                        "数值列“%(name)s”第 %(lines)s 行不是数字（如：%(examples)s）。"
                        "请更正，或留空表示缺失。"
                    )
                    % {"name": name, "lines": _lines(bad_rows), "examples": examples}
                )
                continue
            columns.append(Column(name, True, [_parse_number(c) if c else None for c in cells]))
            continue
        distinct = len(set(filled))
        common = [v for v, k in Counter(filled).items() if k >= max(RARE_ROWS, RARE_SHARE * n)]
        if distinct > 0.5 * len(filled) and distinct > MAX_CATEGORIES:
            problems.append(
                _(
                    "列“%(name)s”几乎每行取值都不同（%(distinct)s 个不同值），"
                    "像编号、日期或自由文本，不能作为因子。"
                )
                % {"name": name, "distinct": distinct}
            )
            to_exclude.append(name)
            continue
        if len(common) > MAX_CATEGORIES:
            problems.append(
                _("列“%(name)s”有 %(count)s 个常见类别，超过 %(max)s 个，请合并类别后再拟合。")
                % {"name": name, "count": len(common), "max": MAX_CATEGORIES}
            )
            to_exclude.append(name)
            continue
        columns.append(Column(name, False, cells))
    if problems:
        hint = ""
        if to_exclude:
            hint = _(" 如确认不用这些列，可加参数：") + " ".join(
                f"--exclude {_quote(c)}" for c in to_exclude
            )
        raise ApplicationError(
            _("数据有问题，未拟合、未生成评分卡：") + " ".join(problems) + hint,
            extra={"problems": problems, "exclude": to_exclude},
        )
    if not columns:
        raise ApplicationError(_("除结果列、审计分组列和排除的列之外，没有可作为因子的列。"))
    group_values = None
    if group:
        group_values = [row[col[group]].strip() or _("（空）") for row in table.rows]
    return Prepared(table, y, group_values, columns, list(exclude))


def _quote(name: str) -> str:
    return f'"{name}"' if any(ch.isspace() for ch in name) else name


# --- banding ---------------------------------------------------------------------------------


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def numeric_bands(values: np.ndarray, has_missing: bool) -> list[Band]:
    """At most MAX_BINS ranges cut at quantiles of the (training) values."""
    low = float(values.min())
    cuts = np.unique(np.quantile(values, np.linspace(0, 1, MAX_BINS + 1)[1:-1]))
    cuts = [float(c) for c in cuts if c > low]
    # A cut at an integer for integer data reads as "0", "1–2", "≥ 3".
    integral = bool(np.all(np.equal(np.mod(values, 1), 0)))
    if integral:
        cuts = sorted({math.ceil(c) for c in cuts if math.ceil(c) > low})
    edges = [None, *cuts, None]
    bands = []
    for lower, upper in itertools.pairwise(edges):
        bands.append(Band("range", _range_label(lower, upper, integral, low), lower, upper))
    if has_missing:
        bands.append(Band("missing", _(MISSING)))
    return bands


def _range_label(lower, upper, integral: bool, low: float) -> str:
    if integral:
        first = low if lower is None else lower
        if upper is None:
            return f"≥ {_number(first)}" if lower is not None else f"≥ {_number(low)}"
        last = upper - 1
        return _number(first) if first == last else f"{_number(first)}–{_number(last)}"
    if lower is None:
        return f"< {_number(upper)}"
    if upper is None:
        return f"≥ {_number(lower)}"
    return f"{_number(lower)} – < {_number(upper)}"


def categorical_bands(values: list[str], n: int) -> list[Band]:
    counts = Counter(v for v in values if v)
    common = sorted(v for v, k in counts.items() if k >= max(RARE_ROWS, RARE_SHARE * n))
    bands = [Band("category", v, category=v) for v in common]
    bands.append(Band("other", _(OTHER)))
    if any(v == "" for v in values):
        bands.append(Band("missing", _(MISSING)))
    return bands


def design(columns: list[Column], rows: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """One 0/1 indicator per band; returns the matrix and (column, band) per indicator."""
    index = []
    for c, column in enumerate(columns):
        index += [(c, b) for b in range(len(column.bands))]
    matrix = np.zeros((len(rows), len(index)), dtype=float)
    offset = 0
    for column in columns:
        matrix[np.arange(len(rows)), offset + column.band_indices(rows)] = 1.0
        offset += len(column.bands)
    return matrix, index


# --- statistics --------------------------------------------------------------------------------


def delong_auc(y: np.ndarray, score: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """AUC with a confidence interval by DeLong's method (fast midrank form, Sun & Xu 2014)."""
    y = np.asarray(y).astype(bool)
    score = np.asarray(score, dtype=float)
    pos, neg = score[y], score[~y]
    m, n = len(pos), len(neg)
    if m < 2 or n < 2:
        return float("nan"), float("nan"), float("nan")
    tx, ty = rankdata(pos), rankdata(neg)
    tz = rankdata(np.concatenate([pos, neg]))
    auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (tz[:m] - tx) / n  # per positive: share of negatives it outranks
    v01 = 1.0 - (tz[m:] - ty) / m  # per negative: share of positives outranking it
    se = math.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / n)
    z = norm.ppf(1 - (1 - level) / 2)
    return float(auc), float(max(0.0, auc - z * se)), float(min(1.0, auc + z * se))


def min_group_rows_setting() -> int:
    return settings.PINGAN_FAIRNESS_MIN_ROWS


def _rate(hits: int, trials: int) -> tuple[float | None, float | None, float | None]:
    """A share with its exact (Clopper–Pearson) 95 % interval; None without trials."""
    if not trials:
        return None, None, None
    interval = binomtest(hits, trials).proportion_ci(confidence_level=0.95, method="exact")
    return round(hits / trials, 4), round(interval.low, 4), round(interval.high, 4)


def group_rates(
    y: np.ndarray,
    flagged: np.ndarray,
    score: np.ndarray,
    groups: list[str],
    *,
    min_rows: int = MIN_GROUP_ROWS,
) -> dict:
    """Per group: rows, events, AUC (DeLong CI), false-positive and false-negative rates of
    the flag (exact CIs), and whether it has the ``min_rows`` rows to be compared; the
    largest gap between the groups that have, for each rate; the names of those that have
    not."""
    y = np.asarray(y).astype(bool)
    flagged = np.asarray(flagged).astype(bool)
    groups_arr = np.asarray(groups)
    rows = []
    for value in sorted(set(groups)):
        mask = groups_arr == value
        gy, gf = y[mask], flagged[mask]
        negatives, positives = int((~gy).sum()), int(gy.sum())
        auc, low, high = delong_auc(gy, score[mask])
        fpr, fpr_low, fpr_high = _rate(int((gf & ~gy).sum()), negatives)
        fnr, fnr_low, fnr_high = _rate(int((~gf & gy).sum()), positives)
        rows.append(
            {
                "value": value,
                "n": int(mask.sum()),
                "events": positives,
                "flagged": int(gf.sum()),
                "auc": None if math.isnan(auc) else round(auc, 4),
                "auc_low": None if math.isnan(low) else round(low, 4),
                "auc_high": None if math.isnan(high) else round(high, 4),
                "fpr": fpr,
                "fpr_low": fpr_low,
                "fpr_high": fpr_high,
                "fnr": fnr,
                "fnr_low": fnr_low,
                "fnr_high": fnr_high,
                "compared": int(mask.sum()) >= min_rows,
            }
        )
    gaps = {}
    for metric in ("auc", "fpr", "fnr"):
        present = [r[metric] for r in rows if r["compared"] and r[metric] is not None]
        gaps[metric] = round(max(present) - min(present), 4) if len(present) > 1 else None
    too_small = [r["value"] for r in rows if not r["compared"]]
    return {"rows": rows, "gaps": gaps, "min_rows": min_rows, "too_small": too_small}


# --- the fit ---------------------------------------------------------------------------------


@dataclass
class FitResult:
    factors: list[dict]
    dropped: list[str]
    medium_from: int
    high_from: int
    point_log_odds: float
    calibration_a: float
    calibration_b: float
    auc: float
    auc_low: float
    auc_high: float
    report: dict


def fit(
    prepared: Prepared,
    *,
    seed: int = 2026,
    labels: dict[str, str] | None = None,
    min_group_rows: int | None = None,
) -> FitResult:
    """Fit the scorecard and check it on held-out rows (see the module docstring);
    ``min_group_rows`` defaults to the setting."""
    started = time.monotonic()
    labels = labels or {}
    y = prepared.outcome
    n = len(y)
    all_rows = np.arange(n)
    train, test = train_test_split(all_rows, test_size=TEST_SHARE, stratify=y, random_state=seed)
    for column in prepared.columns:
        if column.numeric:
            known = np.array([column.values[i] for i in train if column.values[i] is not None])
            if known.size == 0:
                known = np.array([0.0])
            column.bands = numeric_bands(known, any(v is None for v in column.values))
        else:
            column.bands = categorical_bands([column.values[i] for i in train], len(train))
    x_train, index = design(prepared.columns, train)
    x_test, _unused = design(prepared.columns, test)

    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    cv_scores, cv_errors = [], []
    for c in CS:
        fold_auc = []
        for fit_rows, check_rows in folds.split(x_train, y[train]):
            model = _l1(c, seed).fit(x_train[fit_rows], y[train][fit_rows])
            fold_auc.append(
                roc_auc_score(y[train][check_rows], model.decision_function(x_train[check_rows]))
            )
        cv_scores.append(float(np.mean(fold_auc)))
        cv_errors.append(float(np.std(fold_auc, ddof=1) / math.sqrt(CV_FOLDS)))
    # The one-standard-error rule: the strongest regularisation (smallest C) whose CV AUC is
    # within one standard error of the best, so that factors with no real effect drop out.
    top = int(np.argmax(cv_scores))
    best = next(i for i, s in enumerate(cv_scores) if s >= cv_scores[top] - cv_errors[top])
    c_best = float(CS[best])
    model = _l1(c_best, seed).fit(x_train, y[train])
    coefs = model.coef_[0]

    # Points: per factor, the lowest band is 0; one scale for all, largest band = MAX_POINTS.
    # Bands no training row fell in (an unseen category, no blanks) keep 0 points.
    seen = x_train.sum(axis=0) > 0
    shifted = np.zeros_like(coefs)
    for c_index, _column in enumerate(prepared.columns):
        members = [i for i, (c, _b) in enumerate(index) if c == c_index and seen[i]]
        if members:
            shifted[members] = coefs[members] - coefs[members].min()
    scale = float(shifted.max()) / MAX_POINTS if shifted.max() > 0 else 1.0
    points = (
        np.rint(shifted / scale).astype(int)
        if shifted.max() > 0
        else np.zeros_like(shifted, dtype=int)
    )
    total_train = x_train @ points
    total_test = x_test @ points

    # A 1-D logistic of the outcome on the total maps a total to a probability.
    calib = LogisticRegression(C=1e6).fit(total_train.reshape(-1, 1), y[train])
    a, b = float(calib.intercept_[0]), float(calib.coef_[0][0])
    medium_from = math.ceil(np.quantile(total_train, MEDIUM_QUANTILE))
    high_from = math.ceil(np.quantile(total_train, HIGH_QUANTILE))
    if medium_from <= int(total_train.min()):
        medium_from = int(total_train.min()) + 1
    high_from = max(high_from, medium_from + 1)

    auc, low, high = delong_auc(y[test], total_test)
    if math.isnan(auc):
        auc = low = high = 0.5
    raw_auc = float(roc_auc_score(y[test], model.decision_function(x_test)))

    factors, dropped = [], []
    for c_index, column in enumerate(prepared.columns):
        members = [i for i, (c, _b) in enumerate(index) if c == c_index]
        if not any(points[i] for i in members):
            dropped.append(column.name)
            continue
        bands = []
        for i in members:
            band = column.bands[index[i][1]]
            in_band = x_train[:, i] == 1
            bands.append(
                {
                    "kind": band.kind,
                    "label": band.label,
                    "lower": band.lower,
                    "upper": band.upper,
                    "category": band.category,
                    "points": int(points[i]),
                    "coef": round(float(coefs[i]), 4),
                    "train_n": int(in_band.sum()),
                    "train_rate": round(float(y[train][in_band].mean()), 4)
                    if in_band.any()
                    else None,
                }
            )
        factor_points = x_train[:, members] @ points[members]
        alone = float(roc_auc_score(y[train], factor_points))
        factors.append(
            {
                "key": column.name,
                "label": labels.get(column.name, column.name),
                "numeric": column.numeric,
                "bands": bands,
                "auc_alone": round(alone, 4),
            }
        )

    level_of = np.where(
        total_test >= high_from, "high", np.where(total_test >= medium_from, "medium", "low")
    )
    predicted = 1 / (1 + np.exp(-(a + b * total_test)))
    calibration = []
    for level in ("low", "medium", "high"):
        mask = level_of == level
        calibration.append(
            {
                "level": level,
                "n": int(mask.sum()),
                "events": int(y[test][mask].sum()),
                "observed": round(float(y[test][mask].mean()), 4) if mask.any() else None,
                "predicted": round(float(predicted[mask].mean()), 4) if mask.any() else None,
            }
        )
    warnings = [
        _(
            "因子“%(label)s”单独的 AUC 达 %(auc).2f，请确认它不是结果发生后才记录的信息"
            "（结果泄漏）。"
        )
        % {"label": f["label"], "auc": f["auc_alone"]}
        for f in factors
        if f["auc_alone"] >= 0.95
    ]
    if not factors:
        warnings.append(_("交叉验证后没有任何因子保留分值：这些列与结果之间没有可用的关联。"))

    groups = None
    if prepared.group is not None:
        test_groups = [prepared.group[i] for i in test]
        groups = group_rates(
            y[test],
            total_test >= high_from,
            total_test,
            test_groups,
            min_rows=min_group_rows_setting() if min_group_rows is None else min_group_rows,
        )

    report = {
        "data": {
            "csv_name": prepared.table.name,
            "sha256": prepared.table.sha256,
            "rows": n,
            "events": int(y.sum()),
            "event_rate": round(float(y.mean()), 4),
            "train_rows": len(train),
            "test_rows": len(test),
            "columns": [c.name for c in prepared.columns],
            "excluded": prepared.excluded,
        },
        "method": {
            "model": "L1-regularised logistic regression (scikit-learn, liblinear)",
            "c": c_best,
            "cv_folds": CV_FOLDS,
            "cv_auc": round(cv_scores[best], 4),
            "cv_rule": "one-standard-error",
            "cv_curve": [[float(c), round(s, 4)] for c, s in zip(CS, cv_scores, strict=True)],
            "max_points": MAX_POINTS,
            "point_log_odds": round(scale, 4),
            "odds_per_point": round(math.exp(scale), 3),
            "ci": "DeLong",
            "seed": seed,
        },
        "factors": factors,
        "dropped": dropped,
        "cutoffs": {"medium_from": medium_from, "high_from": high_from},
        "auc": {
            "value": round(auc, 4),
            "low": round(low, 4),
            "high": round(high, 4),
            "unrounded": round(raw_auc, 4),
            "events": int(y[test].sum()),
            "non_events": int(len(test) - y[test].sum()),
        },
        "calibration": calibration,
        "groups": groups,
        "warnings": warnings,
        "seconds": round(time.monotonic() - started, 2),
    }
    return FitResult(
        factors=factors,
        dropped=dropped,
        medium_from=medium_from,
        high_from=high_from,
        point_log_odds=scale,
        calibration_a=a,
        calibration_b=b,
        auc=auc,
        auc_low=low,
        auc_high=high,
        report=report,
    )


def _l1(c: float, seed: int) -> LogisticRegression:
    return LogisticRegression(
        C=c, l1_ratio=1.0, solver="liblinear", tol=1e-3, max_iter=1000, random_state=seed
    )
