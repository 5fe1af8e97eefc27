"""Repeat and duplicate matters (重复访, M1.3): the same person, or the same matter, again.

Two signs, each with a reason a clerk reads:

- the same party: an ID number whose blind index equals that of a party of a case still open,
  or of any case registered within the window — compared by index, never by decrypting;
- the same matter: a narrative in the same grid, registered within the window, that is a
  near-duplicate by rapidfuzz over jieba words (`similarity`).

A bounded number of queries whatever the number of candidates: the candidates' words are
fetched in one query and compared in Python. Each case's words are computed once, when it is
registered (``Case.narrative_words``); a case loaded in bulk without them gets them computed
and stored the first time it is a candidate.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from pingan.core import crypto
from pingan.orgs.models import Division

from .choices import OPEN_STATES
from .models import Case
from .routing import words

SAME_PARTY_REASON = gettext_lazy("同一当事人（身份证号一致）")
DEFAULT_WINDOW_DAYS = 90
DEFAULT_SIMILARITY = 80


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


def _candidate_texts(candidates) -> dict[int, str]:
    """pk -> comparable text of the candidate cases, in one query; those without stored words
    (loaded in bulk) get them computed and stored, so the next check reads them."""
    texts = dict(candidates.values_list("pk", "narrative_words"))
    missing = [pk for pk, stored in texts.items() if stored is None]
    if missing:
        filled = [
            Case(pk=pk, narrative_words=comparable(narrative))
            for pk, narrative in Case.objects.filter(pk__in=missing).values_list("pk", "narrative")
        ]
        Case.objects.bulk_update(filled, ["narrative_words"])
        texts.update((case.pk, case.narrative_words) for case in filled)
    return texts


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
    """Earlier cases this matter may repeat, most likely first, one entry per case."""
    since = now - timedelta(days=default_window_days() if window_days is None else window_days)
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
    if query:
        similar = process.extract(
            query,
            _candidate_texts(cases.filter(grid=grid, registered_at__gte=since)),
            scorer=similarity,
            score_cutoff=similarity_threshold(),
            limit=None,
        )
        ratios = {pk: ratio for _text, ratio, pk in similar}
        if ratios:
            similar_cases = Case.objects.select_related("category", "handling_unit").in_bulk(ratios)
            for pk, ratio in ratios.items():
                add(
                    similar_cases[pk],
                    _("相似诉求（相似度 %(ratio).0f%%）") % {"ratio": ratio},
                    round(ratio / 100, 3),
                )

    return sorted(found.values(), key=lambda m: (-m.score, -m.case.registered_at.timestamp()))
