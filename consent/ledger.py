"""Hash chain of the consent ledger: canonical form, append, verification.

Invariants (see also ``consent.models.ledger``):
- ``ledger_append`` is the only writer of ``ConsentEvent``. It runs inside the
  caller's transaction, locks ``LedgerHead``, assigns ``seq = last + 1`` and
  ``prev_hash = last_hash``, inserts, and moves the head, all or nothing.
- The canonical form is versioned JSON with sorted keys over ids, codes and
  the notice's content hash. Changing it breaks every existing chain: add a
  new version instead.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from consent.models import ConsentEvent, LedgerHead, PrivacyNotice
from consent.models.ledger import GENESIS_HASH
from consent.models.notice import notice_content_hash

CANONICAL_VERSION = 1


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    """What the hash of a ledger event covers: ids, codes and hashes, never plaintext personal data."""

    seq: int
    subject_ref: str
    purpose_id: int
    action: str
    channel: str
    evidence: dict[str, Any]
    notice_id: int | None
    notice_hash: str | None
    actor_id: int | None
    created_at: datetime
    prev_hash: str

    def canonical(self) -> bytes:
        payload = {
            "v": CANONICAL_VERSION,
            "seq": self.seq,
            "subject": self.subject_ref,
            "purpose": self.purpose_id,
            "action": self.action,
            "channel": self.channel,
            "evidence": self.evidence,
            "notice": self.notice_id,
            "notice_hash": self.notice_hash,
            "actor": self.actor_id,
            "at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "prev": self.prev_hash,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()

    def hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def ledger_append(
    *,
    subject_ref: str,
    purpose_id: int,
    action: str,
    channel: str,
    evidence: dict[str, Any],
    notice_id: int | None,
    notice_hash: str | None,
    actor_id: int | None,
) -> ConsentEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append must run inside the caller's transaction")
    head, _ = LedgerHead.objects.select_for_update().get_or_create(id=1)
    chained = ChainedEvent(
        seq=head.last_seq + 1, subject_ref=subject_ref, purpose_id=purpose_id, action=action, channel=channel,
        evidence=evidence, notice_id=notice_id, notice_hash=notice_hash, actor_id=actor_id,
        # Microsecond precision survives the database round trip on SQLite and PostgreSQL.
        created_at=timezone.now().replace(tzinfo=UTC), prev_hash=head.last_hash,
    )  # fmt: skip
    digest = chained.hash()
    event = ConsentEvent(
        seq=chained.seq, subject_id=subject_ref, purpose_id=purpose_id, action=action, channel=channel,
        evidence=evidence, notice_id=notice_id, actor_id=actor_id, created_at=chained.created_at,
        prev_hash=chained.prev_hash, hash=digest,
    )  # fmt: skip
    event.save(force_insert=True)
    head.last_seq, head.last_hash = chained.seq, digest
    head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True, slots=True)
class LedgerProblem:
    seq: int
    event_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class LedgerReport:
    checked: int
    problem: LedgerProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _rows(batch_size: int) -> Iterator[tuple]:
    fields = (
        "id", "seq", "subject_id", "purpose_id", "action", "channel", "evidence",
        "notice_id", "notice__content_hash", "actor_id", "created_at", "prev_hash", "hash",
    )  # fmt: skip
    last_seq = 0
    while True:
        # Keyset pagination: constant memory and no long-running cursor.
        batch = list(ConsentEvent.objects.filter(seq__gt=last_seq).order_by("seq").values_list(*fields)[:batch_size])
        if not batch:
            return
        yield from batch
        last_seq = batch[-1][1]


def ledger_verify(*, batch_size: int = 5000) -> LedgerReport:
    """Recompute the chain from the first event; report the first one that does not hold."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for row in _rows(batch_size):
        (pk, seq, subject_ref, purpose_id, action, channel, evidence, notice_id, notice_hash, actor_id, created_at,
         prev_hash, stored_hash) = row  # fmt: skip
        if seq != expected_seq:
            return LedgerReport(checked, LedgerProblem(expected_seq, None, f"event #{expected_seq} is missing"))
        if prev_hash != expected_prev:
            return LedgerReport(checked, LedgerProblem(seq, pk, "previous-hash link is broken"))
        recomputed = ChainedEvent(
            seq=seq, subject_ref=str(subject_ref), purpose_id=purpose_id, action=action, channel=channel,
            evidence=evidence, notice_id=notice_id, notice_hash=notice_hash, actor_id=actor_id,
            created_at=created_at, prev_hash=prev_hash,
        ).hash()  # fmt: skip
        if recomputed != stored_hash:
            return LedgerReport(checked, LedgerProblem(seq, pk, "content does not match its hash"))
        expected_prev, expected_seq, checked = stored_hash, seq + 1, checked + 1
    for notice_id, title, text, document, content_hash in PrivacyNotice.objects.filter(
        published_at__isnull=False
    ).values_list("id", "title", "text", "document", "content_hash"):
        if notice_content_hash(title=title, text=text, document=document) != content_hash:
            return LedgerReport(
                checked, LedgerProblem(0, None, f"privacy notice #{notice_id} was altered after publication")
            )
    head = LedgerHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, expected_prev):
        return LedgerReport(
            checked, LedgerProblem(head.last_seq, None, "events after the last one found are missing (tail cut)")
        )
    return LedgerReport(checked, None)
