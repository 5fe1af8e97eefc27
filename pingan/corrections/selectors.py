"""Reads of the corrections app: the hand-over board, job suggestions, chain checks and the
enforcement-data analysis (M11.3). Set-based: a fixed number of queries per page."""

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateTimeField, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from pingan.core.calendar import LOCAL_TZ
from pingan.orgs.models import Division

from . import chain
from .choices import PlacementOutcome, ReleaseState
from .models import Employer, EnforcementRecord, EvidenceFile, EvidenceItem, Release

_SEPARATORS = re.compile(r"[、，,;；/\s]+")


def split_terms(text: str) -> list[str]:
    return [term for term in _SEPARATORS.split(text or "") if term]


# --- the hand-over board ------------------------------------------------------------------------


@dataclass(frozen=True)
class StreetRow:
    street: Division
    upcoming: int
    awaiting: int
    arrived: int
    no_show: int


def board(releases, *, today: date) -> list[StreetRow]:
    """Per street: upcoming releases, released but not yet confirmed, arrived, not arrived."""
    counts = (
        releases.values("grid__parent__parent")
        .annotate(
            upcoming=Count("id", filter=Q(release_date__gt=today) & ~Q(state="arrived")),
            awaiting=Count(
                "id",
                filter=Q(release_date__lte=today, state__in=["registered", "notified"]),
            ),
            arrived=Count("id", filter=Q(state=ReleaseState.ARRIVED)),
            no_show=Count("id", filter=Q(state=ReleaseState.NO_SHOW)),
        )
        .order_by()
    )
    by_street = {row.pop("grid__parent__parent"): row for row in counts}
    streets = Division.objects.in_bulk(list(by_street))
    return sorted(
        (StreetRow(streets[pk], **row) for pk, row in by_street.items()),
        key=lambda row: row.street.code,
    )


# --- job matching (就业推荐) ----------------------------------------------------------------------


@dataclass(frozen=True)
class JobSuggestion:
    employer: Employer
    job: str
    score: float
    reasons: list[str]


def job_suggestions(release: Release, *, limit: int = 5) -> list[JobSuggestion]:
    """Employers whose jobs fit the person's skills, nearer ones first; each with its reasons.

    Skill fit is the best fuzzy match (rapidfuzz) between a skill and a job title; place counts
    for the same community (+0.3) or street (+0.2). People without listed skills get nearby
    employers' jobs that need none in particular."""
    skills = split_terms(release.skills)
    grid = release.grid
    community_id, street_id = grid.parent_id, grid.parent.parent_id
    suggestions = []
    for employer in Employer.objects.filter(is_active=True).select_related("grid__parent"):
        place = 0.0
        reasons = []
        if employer.grid.parent_id == community_id:
            place, reasons = 0.3, [_("同一社区")]
        elif employer.grid.parent.parent_id == street_id:
            place, reasons = 0.2, [_("同一街道")]
        for job in split_terms(employer.jobs):
            fit = max((fuzz.ratio(skill, job) / 100 for skill in skills), default=0.0)
            if skills and fit < 0.5:
                continue
            why = [_("技能对口：{job}").format(job=job)] if fit >= 0.5 else []
            score = round(0.7 * fit + place, 3)
            if score > 0:
                suggestions.append(JobSuggestion(employer, job, score, why + reasons))
    suggestions.sort(key=lambda s: (-s.score, s.employer.name, s.job))
    return suggestions[:limit]


# --- the record chain ---------------------------------------------------------------------------


def verify_all(*, numbers: list[str] | None = None) -> list[chain.ChainReport]:
    """Verify the chains of all files (or the numbered ones) in two queries."""
    files = EvidenceFile.objects.order_by("number")
    if numbers:
        files = files.filter(number__in=numbers)
    files = list(files)
    records = defaultdict(list)
    for record in EnforcementRecord.objects.filter(file__in=files).order_by("file_id", "sequence"):
        records[record.file_id].append(record)
    return [chain.verify_chain(file, records[file.pk]) for file in files]


def bundle(file: EvidenceFile) -> dict:
    """A verifiable export of one file: its records with their hashes, and how to check them."""
    records = list(file.records.order_by("sequence"))
    return {
        "format": "pingan-evidence-bundle/1",
        "file": {
            "number": file.number,
            "prison": file.prison.name,
            "subject": file.subject,
            "kind": file.kind,
            "state": file.state,
            "chain_length": file.chain_length,
            "chain_head": file.chain_head,
        },
        "algorithm": records[0].algorithm if records else chain.default_algorithm(),
        "how_to_verify": chain.__doc__.strip(),
        "records": [
            {
                "sequence": r.sequence,
                "kind": r.kind,
                "actor": r.actor_id,
                "recorded_at": chain.moment(r.recorded_at),
                "content": r.content,
                "content_hash": r.content_hash,
                "prev_hash": r.prev_hash,
                "entry_hash": r.entry_hash,
            }
            for r in records
        ],
    }


def verify_bundle(data: dict) -> tuple[bool, str]:
    """Check an exported bundle on its own, without the database (what an auditor's tool does)."""
    algorithm, number = data["algorithm"], data["file"]["number"]
    prev = chain.genesis(algorithm, number)
    for position, entry in enumerate(data["records"], start=1):
        body = chain.canonical(
            file_number=number,
            sequence=entry["sequence"],
            kind=entry["kind"],
            actor_id=entry["actor"],
            recorded_at=entry["recorded_at"],
            content=entry["content"],
        )
        if entry["sequence"] != position or entry["prev_hash"] != prev:
            return False, _("#{n}: 顺序或前一哈希不符").format(n=entry["sequence"])
        if chain.digest(algorithm, body) != entry["content_hash"]:
            return False, _("#{n}: 内容哈希不符").format(n=entry["sequence"])
        if (
            chain.link(algorithm, prev, entry["sequence"], entry["content_hash"])
            != entry["entry_hash"]
        ):
            return False, _("#{n}: 本条哈希不符").format(n=entry["sequence"])
        prev = entry["entry_hash"]
    if data["file"]["chain_length"] != len(data["records"]) or (
        data["records"] and prev != data["file"]["chain_head"]
    ):
        return False, _("链头不符")
    return True, ""


# --- enforcement data analysis (M11.3) --------------------------------------------------------


@dataclass
class Series:
    label: str
    months: list[str]
    values: list[int]
    flags: list[bool]  # an unusual change this month

    @property
    def cells(self) -> list[tuple[int, bool]]:
        return list(zip(self.values, self.flags, strict=True))


def months_back(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _step in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def unusual(values: list[int], *, window: int = 6) -> list[bool]:
    """A month is unusual when its count lies outside the trailing window's mean ± 2√mean
    (a Poisson band) and differs from that mean by at least 3."""
    flags = []
    for index, value in enumerate(values):
        history = values[max(0, index - window) : index]
        if len(history) < 3:
            flags.append(False)
            continue
        mean = sum(history) / len(history)
        band = 2 * math.sqrt(max(mean, 1.0))
        flags.append(abs(value - mean) > band and abs(value - mean) >= 3)
    return flags


def analysis(*, today: date, prisons, months: int = 12) -> dict:
    """Monthly counts per prison: releases, late or missing reports, reoffending, files
    concluded and evidence excluded, each with its unusual months flagged."""
    axis = months_back(today, months)
    start = axis[0]
    start_moment = datetime.combine(start, time.min, tzinfo=LOCAL_TZ)
    labels = [f"{m:%Y-%m}" for m in axis]

    def monthly(queryset, field: str, *, by: str) -> dict[tuple[int, str], int]:
        moment = isinstance(queryset.model._meta.get_field(field.split("__")[0]), DateTimeField)
        rows = (
            queryset.filter(**{f"{field}__gte": start_moment if moment else start})
            .annotate(month=TruncMonth(field, tzinfo=LOCAL_TZ) if moment else TruncMonth(field))
            .values(by, "month")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {(row[by], f"{row['month']:%Y-%m}"): row["n"] for row in rows}

    releases = monthly(Release.objects.all(), "release_date", by="prison")
    late = monthly(
        Release.objects.filter(Q(state=ReleaseState.NO_SHOW) | Q(escalated_at__isnull=False)),
        "release_date",
        by="prison",
    )
    reoffended = monthly(
        Release.objects.filter(reoffended_on__isnull=False), "reoffended_on", by="prison"
    )
    concluded = monthly(
        EvidenceFile.objects.filter(concluded_at__isnull=False), "concluded_at", by="prison"
    )
    excluded = monthly(
        EvidenceItem.objects.filter(excluded=True, reviewed_at__isnull=False),
        "reviewed_at",
        by="file__prison",
    )
    sections = []
    for title, data in (
        (_("释放人数"), releases),
        (_("未按时报到"), late),
        (_("重新犯罪"), reoffended),
        (_("减假暂审结"), concluded),
        (_("排除非法证据"), excluded),
    ):
        series = []
        for prison in prisons:
            values = [data.get((prison.pk, label), 0) for label in labels]
            series.append(Series(prison.name, labels, values, unusual(values)))
        sections.append({"title": title, "series": series})
    return {"months": labels, "sections": sections}


def employers(query: str = ""):
    """The employers on the list, each with how many released persons it employs; ``query``
    matches the name or the jobs offered."""
    rows = Employer.objects.filter(is_active=True).select_related("grid__parent__parent")
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(jobs__icontains=query))
    return rows.annotate(
        employed=Count("placements", filter=Q(placements__outcome=PlacementOutcome.EMPLOYED))
    ).order_by("name")
