"""The tamper-evident record chain (执法轨迹保存): hashing, appending and verifying.

Each evidence file has its own chain. An entry's ``content_hash`` is H(canonical content),
where the canonical content is the JSON of (file number, sequence, kind, actor id, recorded-at
ISO time, content) with sorted keys and no spaces; its ``entry_hash`` is
H(prev_hash | sequence | content_hash), the first entry's ``prev_hash`` being H("pingan:" +
file number). SM3 (GB/T 32905) is the default hash, SHA-256 the alternative; both come from
``cryptography``. The file keeps the chain's length and head, so that a removed last entry is
noticed too. ``verify_chain`` recomputes everything and names the first entry that disagrees.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.utils.translation import gettext as _

from .choices import HashAlgorithm
from .models import EnforcementRecord, EvidenceFile

ALGORITHMS = {HashAlgorithm.SM3: hashes.SM3, HashAlgorithm.SHA256: hashes.SHA256}


def digest(algorithm: str, data: bytes) -> str:
    hasher = hashes.Hash(ALGORITHMS[algorithm]())
    hasher.update(data)
    return hasher.finalize().hex()


def default_algorithm() -> str:
    return getattr(settings, "PINGAN_EVIDENCE_HASH", HashAlgorithm.SM3)


def canonical(
    *, file_number: str, sequence: int, kind: str, actor_id, recorded_at: str, content
) -> bytes:
    body = {
        "file": file_number,
        "sequence": sequence,
        "kind": kind,
        "actor": actor_id,
        "recorded_at": recorded_at,
        "content": content,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def moment(value: datetime) -> str:
    """The recorded time as hashed: UTC, to the microsecond, as both databases keep it."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def genesis(algorithm: str, file_number: str) -> str:
    return digest(algorithm, f"pingan:{file_number}".encode())


def link(algorithm: str, prev_hash: str, sequence: int, content_hash: str) -> str:
    return digest(algorithm, f"{prev_hash}|{sequence}|{content_hash}".encode())


def record_content_hash(record: EnforcementRecord, file_number: str) -> str:
    return digest(
        record.algorithm,
        canonical(
            file_number=file_number,
            sequence=record.sequence,
            kind=record.kind,
            actor_id=record.actor_id,
            recorded_at=moment(record.recorded_at),
            content=record.content,
        ),
    )


@dataclass(frozen=True)
class ChainReport:
    file_number: str
    length: int
    ok: bool
    broken_sequence: int | None = None  # the first entry that disagrees (None: the head)
    problem: str = ""


def verify_chain(file: EvidenceFile, records: list[EnforcementRecord] | None = None) -> ChainReport:
    """Recompute a file's chain; report the first entry whose content, link or place is wrong."""
    if records is None:
        records = list(file.records.order_by("sequence", "id"))
    algorithm = records[0].algorithm if records else default_algorithm()
    prev = genesis(algorithm, file.number)
    for position, record in enumerate(records, start=1):

        def broken(problem: str, record=record) -> ChainReport:
            return ChainReport(file.number, len(records), False, record.sequence, problem)

        if record.sequence != position:
            return broken(
                _("序号应为 {expected}，实为 {actual}（记录被删除或调换顺序）").format(
                    expected=position, actual=record.sequence
                )
            )
        if record.prev_hash != prev:
            return broken(_("前一哈希与上一条记录不符（记录被删除、插入或调换顺序）"))
        if record_content_hash(record, file.number) != record.content_hash:
            return broken(_("内容与其哈希不符（记录内容被改动）"))
        if link(record.algorithm, prev, record.sequence, record.content_hash) != record.entry_hash:
            return broken(_("本条哈希与链接计算不符（哈希被改动）"))
        prev = record.entry_hash
    if len(records) != file.chain_length or (records and prev != file.chain_head):
        return ChainReport(
            file.number,
            len(records),
            False,
            None,
            _(
                "案卷登记的记录数为 {registered}，链中实有 {found} 条，或链头哈希不符"
                "（末尾记录被删除或改动）"
            ).format(registered=file.chain_length, found=len(records)),
        )
    return ChainReport(file.number, len(records), True)
