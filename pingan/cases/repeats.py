"""Repeat and duplicate matters (重复访, M1.3): the same person, or the same matter, again.

Two signs, each with a reason a clerk reads:

- the same party: an ID number whose blind index equals that of a party of a case still open,
  or of any case registered within the window — compared by index, never by decrypting;
- the same matter: a narrative in the same grid, registered within the window, that is a
  near-duplicate by rapidfuzz over jieba words (`similarity`).

The cost does not grow with the grid. A case's words are computed once, when it is
registered (``Case.narrative_words``), and with them its signature: ``BANDS`` MinHash bands of
``ROWS`` hashes each over the set of its words, stored as ``RepeatKey`` rows. (The MinHash is
the few lines below, with NumPy: datasketch imports SciPy, which web workers must not load.)
The check compares the new narrative only with the cases that share a band with it, at most
``BAND_LIMIT`` of the most recent per band — one indexed read however many cases the grid
holds, a mass complaint about one building included — and loads only the ``MATCH_LIMIT``
best matches. Two narratives the check calls similar share at least 42 % of their words in
every pair of the demo's narratives and their variations (``docs/repeat-check.md``); at that
overlap 24 bands of 2 make them share a band with probability 99 %, at 50 % with 99.9 %.
Keys are kept for the cases of the window only (a nightly job forgets older ones: 24 rows
a case would otherwise outgrow the case table); cases loaded in bulk, or those of a window
made longer, get their words and keys from ``manage.py repeat_index``.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from pingan.core import crypto
from pingan.orgs.models import Division

from .choices import OPEN_STATES
from .models import Case, RepeatKey
from .routing import words

SAME_PARTY_REASON = gettext_lazy("同一当事人（身份证号一致）")
DEFAULT_WINDOW_DAYS = 90
DEFAULT_SIMILARITY = 80
BANDS, ROWS = 24, 2
BAND_LIMIT = 50  # candidates read per band: the most recent cases sharing it
MATCH_LIMIT = 20  # matches loaded and returned, the most likely first
# The MinHash's hash functions: h(x) = ((a·x + b) mod p) mod 2³², with x a word's 32-bit
# BLAKE2b and p the Mersenne prime 2⁶¹ − 1; a, b below 2³² so a·x + b never overflows 64 bits.
# a and b come from BLAKE2b too, not from a random generator whose stream a library upgrade
# may change: every stored key depends on them (changing them means deleting the keys and
# running ``repeat_index``; test_repeats pins one key).
_PRIME = np.uint64((1 << 61) - 1)


def _constant(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big") or 1


_A, _B = (
    np.array([_constant(f"pingan.repeat.{part}.{i}") for i in range(BANDS * ROWS)], np.uint64)
    for part in ("a", "b")
)


@dataclass(frozen=True)
class RepeatMatch:
    """An earlier case the new matter may repeat; ``score`` is 1 for the same person."""

    case: Case
    reason: str
    score: float


def default_window_days() -> int:
    return int(getattr(settings, "PINGAN_REPEAT_WINDOW_DAYS", DEFAULT_WINDOW_DAYS))


def similarity_threshold() -> float:
    return float(getattr(settings, "PINGAN_REPEAT_SIMILARITY", DEFAULT_SIMILARITY))


def comparable(narrative: str) -> str:
    """The narrative as the check compares it: its words, space-joined."""
    return " ".join(words(narrative))


@lru_cache(maxsize=4096)
def band_keys(comparable_words: str) -> tuple[int, ...]:
    """The signature of space-joined words: one signed 64-bit key per band (none for no
    words). Each key hashes the band's number with its MinHash values, so equal values in
    different bands never collide."""
    distinct = set(comparable_words.split())
    if not distinct:
        return ()
    hashed = np.array(
        [
            int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
            for word in distinct
        ],
        dtype=np.uint64,
    )
    # one row per word, one column per hash function; the minimum of each column
    values = ((np.outer(hashed, _A) + _B) % _PRIME & np.uint64(0xFFFFFFFF)).min(axis=0)
    return tuple(
        int.from_bytes(
            hashlib.blake2b(
                band.to_bytes(2, "big") + values[band * ROWS : (band + 1) * ROWS].tobytes(),
                digest_size=8,
            ).digest(),
            "big",
            signed=True,
        )
        for band in range(BANDS)
    )


def key_rows(*, case_id: int, grid_id: int, registered_at, narrative_words: str) -> list[dict]:
    """The ``RepeatKey`` rows of one case, as field values."""
    return [
        {"case_id": case_id, "grid_id": grid_id, "registered_at": registered_at, "key": key}
        for key in band_keys(narrative_words or "")
    ]


def index_case(case: Case) -> None:
    """Write the keys of a case just registered (its words already stored)."""
    RepeatKey.objects.bulk_create(
        RepeatKey(**row)
        for row in key_rows(
            case_id=case.pk,
            grid_id=case.grid_id,
            registered_at=case.registered_at,
            narrative_words=case.narrative_words,
        )
    )


def window_start(now: datetime) -> datetime:
    """The earliest registration the check compares with: keys older than it are not kept."""
    return now - timedelta(days=default_window_days())


def index_missing(*, now: datetime, batch_size: int = 2000) -> int:
    """Words and keys for the cases of the window that have no keys yet (loaded in bulk);
    how many cases were looked at. A narrative without words gets no keys (and, its empty
    words stored, is not looked at again)."""
    done = 0
    unindexed = (
        Case.objects.filter(registered_at__gte=window_start(now), repeat_keys__isnull=True)
        .exclude(narrative_words="")
        .order_by("pk")
    )
    last = 0
    while batch := list(
        unindexed.filter(pk__gt=last).values_list(
            "pk", "grid_id", "registered_at", "narrative", "narrative_words"
        )[:batch_size]
    ):
        last = batch[-1][0]
        missing_words = [
            Case(pk=pk, narrative_words=comparable(narrative))
            for pk, _grid, _at, narrative, stored in batch
            if stored is None
        ]
        Case.objects.bulk_update(missing_words, ["narrative_words"])
        filled = {case.pk: case.narrative_words for case in missing_words}
        RepeatKey.objects.bulk_create(
            RepeatKey(**row)
            for pk, grid, at, _narrative, stored in batch
            for row in key_rows(
                case_id=pk,
                grid_id=grid,
                registered_at=at,
                narrative_words=filled.get(pk, stored),
            )
        )
        done += len(batch)
    return done


def forget_expired(*, now: datetime) -> int:
    """Delete the keys of cases registered before the window; how many rows."""
    deleted, _by_model = RepeatKey.objects.filter(registered_at__lt=window_start(now)).delete()
    return deleted


def _candidates(
    *, keys, grid: Division, since: datetime, until: datetime, exclude_case_id
) -> dict[int, str]:
    """pk -> stored words of the cases sharing a band with ``keys``, the most recent first:
    per band the ``BAND_LIMIT`` most recent of the grid between ``since`` and ``until`` (a
    ledger row registered back-dated compares with what came before it), in one query."""
    parts, params = [], []
    for number, key in enumerate(keys):
        band = (
            RepeatKey.objects.filter(
                grid=grid, key=key, registered_at__gte=since, registered_at__lte=until
            )
            .order_by("-registered_at")
            .values("case_id")[:BAND_LIMIT]
        )
        sql, band_params = band.query.sql_with_params()
        # each band its own sorted, limited read of the index; SQLite wants them wrapped
        parts.append(f"SELECT * FROM ({sql}) AS band{number}")
        params.extend(band_params)
    cases = Case.objects.filter(pk__in=RawSQL(" UNION ".join(parts), params))
    if exclude_case_id is not None:
        cases = cases.exclude(pk=exclude_case_id)
    return dict(cases.order_by("-registered_at", "-pk").values_list("pk", "narrative_words"))


def similarity(first: str, second: str, **_kwargs) -> float:
    """0–100 between two space-joined word lists: the token-set ratio (shared words, any
    order) averaged with the token-sort ratio, because the set ratio alone calls a short
    fragment ("请求调解") a 100% match of any narrative containing it."""
    return (fuzz.token_set_ratio(first, second) + fuzz.token_sort_ratio(first, second)) / 2


def find_repeats(
    *,
    id_numbers: list[str],
    narrative: str,
    grid: Division,
    now: datetime,
    window_days: int | None = None,
    exclude_case_id: int | None = None,
) -> list[RepeatMatch]:
    """Earlier cases this matter may repeat, most likely first, one entry per case: every
    case of the same person (one person's cases, so the caller may filter them by scope) and
    the ``MATCH_LIMIT`` most similar matters. A ``window_days`` longer than the setting finds
    similar matters only among the cases still holding keys."""
    since = window_start(now) if window_days is None else now - timedelta(days=window_days)
    found: dict[int, RepeatMatch] = {}

    def add(case: Case, reason: str, score: float) -> None:
        earlier = found.get(case.pk)
        if earlier is None:
            found[case.pk] = RepeatMatch(case, reason, score)
        else:  # both signs: keep both reasons and the stronger score
            found[case.pk] = RepeatMatch(
                case, f"{earlier.reason}；{reason}", max(earlier.score, score)
            )

    cases = Case.objects.all()
    if exclude_case_id is not None:
        cases = cases.exclude(pk=exclude_case_id)
    indexes = {
        crypto.blind_index("id_number", value) for value in id_numbers if (value or "").strip()
    }
    if indexes:
        same_party = (
            cases.filter(parties__id_number_index__in=indexes)
            .filter(Q(state__in=OPEN_STATES) | Q(registered_at__gte=since))
            .select_related("category", "handling_unit")
            .distinct()
        )
        for case in same_party:
            add(case, str(SAME_PARTY_REASON), 1.0)

    query = comparable(narrative)
    keys = band_keys(query)
    if keys:
        candidates = _candidates(
            keys=keys, grid=grid, since=since, until=now, exclude_case_id=exclude_case_id
        )
        similar = process.extract(
            query, candidates, scorer=similarity, score_cutoff=similarity_threshold(), limit=None
        )
        # the best, the most recent first among equals (the candidates come most recent first
        # and Python's sort keeps their order)
        similar.sort(key=lambda found: -found[1])
        ratios = {pk: ratio for _text, ratio, pk in similar[:MATCH_LIMIT]}
        if ratios:
            similar_cases = Case.objects.select_related("category", "handling_unit").in_bulk(ratios)
            for pk, ratio in ratios.items():
                add(
                    similar_cases[pk],
                    _("相似诉求（相似度 %(ratio).0f%%）") % {"ratio": ratio},
                    round(ratio / 100, 3),
                )

    return sorted(found.values(), key=lambda m: (-m.score, -m.case.registered_at.timestamp()))
