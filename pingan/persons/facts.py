"""The facts a scorecard can use (M8.2), computed for many persons at once.

Each fact has a key (the column name ``risk_fit`` expects in a history table), a label, a
kind (numeric or categorical) and a sentence that states it for one person, e.g.
"近 90 天内信访 3 次". Case-based facts carry the case numbers they were counted from, so that
every point on a person's page links to its evidence.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.cases.choices import OPEN_STATES, Channel

from .choices import ContactResult, Employment, Housing
from .models import KeyPerson, PersonCase, PersonType, Review

PETITION_CHANNELS = (Channel.WALK_IN, Channel.LETTER)


@dataclass(frozen=True)
class Fact:
    key: str
    label: str  # lazy: str() it before storing or joining
    numeric: bool
    template: str  # how one value reads: "%(value)s" is replaced (lazy too)
    evidence: str = ""  # "cases" or "reviews": what the number was counted from


FACTS: dict[str, Fact] = {
    fact.key: fact
    for fact in (
        Fact(
            "petitions_90d",
            gettext_lazy("近 90 天信访次数"),
            True,
            gettext_lazy("近 90 天内信访 %(value)s 次"),
            "cases",
        ),
        Fact(
            "cases_365d",
            gettext_lazy("近一年涉及矛盾纠纷"),
            True,
            gettext_lazy("近一年涉及矛盾纠纷 %(value)s 件"),
            "cases",
        ),
        Fact(
            "open_cases",
            gettext_lazy("在办未结事项"),
            True,
            gettext_lazy("在办未结事项 %(value)s 件"),
            "cases",
        ),
        Fact("person_type", gettext_lazy("人员类别"), False, gettext_lazy("人员类别：%(value)s")),
        Fact("employment", gettext_lazy("就业状况"), False, gettext_lazy("就业状况：%(value)s")),
        Fact("housing", gettext_lazy("居住状况"), False, gettext_lazy("居住状况：%(value)s")),
        Fact(
            "months_since_release",
            gettext_lazy("刑满释放月数"),
            True,
            gettext_lazy("刑满释放 %(value)s 个月"),
        ),
        Fact("violations", gettext_lazy("违规记录"), True, gettext_lazy("违规记录 %(value)s 次")),
        Fact(
            "lost_contact_180d",
            gettext_lazy("近半年复核失联"),
            True,
            gettext_lazy("近半年复核失联 %(value)s 次"),
            "reviews",
        ),
        Fact("age", gettext_lazy("年龄"), True, gettext_lazy("年龄 %(value)s 岁")),
    )
}


@dataclass
class PersonFacts:
    """One person's fact values and the evidence behind the counted ones."""

    values: dict[str, object]
    cases: dict[str, list[str]] = field(default_factory=dict)  # fact key -> case numbers
    reviews: list[int] = field(default_factory=list)


def describe(key: str, value, type_names: dict[str, str] | None = None) -> str:
    fact = FACTS.get(key)
    if value is None:
        return _("%(label)s：无记录") % {"label": fact.label if fact else key}
    if fact is None:
        return f"{key}：{value}"
    return str(fact.template) % {"value": display_value(key, value, type_names)}


def display_value(key: str, value, type_names: dict[str, str] | None = None) -> str:
    labels = {
        "employment": dict(Employment.choices),
        "housing": dict(Housing.choices),
    }
    if key == "person_type":
        names = type_names if type_names is not None else _type_names()
        return str(names.get(value, value))
    if key in labels:
        return str(labels[key].get(value, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _type_names() -> dict[str, str]:
    return dict(PersonType.objects.values_list("code", "name"))


def months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))


def compute_facts(person_ids, *, now: datetime | None = None) -> dict[int, PersonFacts]:
    """Facts for these persons as of ``now``: three queries however many persons."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(person_ids)
    result: dict[int, PersonFacts] = {}
    persons = KeyPerson.objects.filter(pk__in=ids).values(
        "pk",
        "person_type__code",
        "employment",
        "housing",
        "released_on",
        "violations",
        "birth_date",
    )
    for row in persons:
        released = row["released_on"]
        born = row["birth_date"]
        result[row["pk"]] = PersonFacts(
            values={
                "petitions_90d": 0,
                "cases_365d": 0,
                "open_cases": 0,
                "person_type": row["person_type__code"],
                "employment": row["employment"],
                "housing": row["housing"],
                "months_since_release": months_between(released, today) if released else None,
                "violations": row["violations"],
                "lost_contact_180d": 0,
                "age": (months_between(born, today) // 12) if born else None,
            },
            cases=defaultdict(list),
        )
    links = (
        PersonCase.objects.filter(person_id__in=ids)
        .filter(
            Q(case__registered_at__gte=now - timedelta(days=365)) | Q(case__state__in=OPEN_STATES)
        )
        .filter(case__registered_at__lte=now)
        .values_list(
            "person_id", "case__number", "case__registered_at", "case__channel", "case__state"
        )
        .order_by("case__registered_at")
    )
    for person_id, number, registered_at, channel, state in links:
        facts = result[person_id]
        if registered_at >= now - timedelta(days=365):
            facts.values["cases_365d"] += 1
            facts.cases["cases_365d"].append(number)
        if registered_at >= now - timedelta(days=90) and channel in PETITION_CHANNELS:
            facts.values["petitions_90d"] += 1
            facts.cases["petitions_90d"].append(number)
        if state in OPEN_STATES:
            facts.values["open_cases"] += 1
            facts.cases["open_cases"].append(number)
    lost = Review.objects.filter(
        person_id__in=ids,
        contact=ContactResult.LOST,
        done_at__gte=now - timedelta(days=180),
        done_at__lte=now,
    ).values_list("person_id", "pk")
    for person_id, review_id in lost:
        result[person_id].values["lost_contact_180d"] += 1
        result[person_id].reviews.append(review_id)
    return result
