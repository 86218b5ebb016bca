"""After a restore: erase again every subject the erasure journal names (``manage.py erasures_reapply``).

Idempotent: a subject the restored database does not hold is skipped (it was erased before the backup, or the
backup never had it); one it holds is erased again, with a receipt saying so and a new journal line.

A legal hold the backup brings back with the subject does not stop it: the erasure happened, so every hold
placed before it had been released by then (a standing one would have refused the erasure); the restored hold
row is a stale copy and goes with the subject.

It refuses, before erasing anything, a journal it cannot trust (``JournalError``): after a restore with the
wrong ``ERASURE_JOURNAL_PATH``, "no entries" would silently bring every erased subject back.
- No journal file: refused, unless the database holds no erasure receipt at all (nothing was ever erased: a
  fresh install) or the operator says the journal is known to be empty (``journal_known_empty``).
- A journal without the line of a receipt the restored database holds: refused. Every erasure writes its line
  before its receipt commits, so the right journal has a line for every receipt any backup of the database
  can hold; one that lacks some is another deployment's journal, or a copy older than the backup (the erasures
  after the backup, the ones this is for, are then missing from it too).
- An unreadable or garbled journal: refused, whatever the flag says.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from consent.models import LegalHold
from consent.selectors import subject_get
from retention.journal import JournalEntry, JournalError, JournalMissing, journal_entries, journal_path
from retention.models import ErasureReason, ErasureReceipt
from retention.services.erasure import subject_erase


class JournalIncomplete(JournalError):
    """The journal lacks lines of receipts the database holds: not this database's journal, or an old copy."""


@dataclass(frozen=True, slots=True)
class ReapplyReport:
    entries: int
    erased_again: int


def erasures_reapply(*, journal_known_empty: bool = False) -> ReapplyReport:
    """Erase again whom the journal names. ``journal_known_empty``: the operator knows the journal holds nothing
    (or is lost, and accepts that): a missing file counts as empty and receipts it lacks are not an error."""
    entries = _entries_trusted(journal_known_empty=journal_known_empty)
    erased = 0
    seen: set[str] = set()
    for line, entry in enumerate(entries, 1):
        if entry.subject in seen:
            continue
        seen.add(entry.subject)
        subject = subject_get(public_id=entry.subject)
        if subject is None:
            continue
        with transaction.atomic():
            LegalHold.objects.filter(subject=subject, placed_at__lt=datetime.fromisoformat(entry.at)).delete()
            subject_erase(
                subject=subject, actor=None, trigger="reapplied after a restore", reason=ErasureReason.RESTORED,
                reference=f"journal line {line}",  # the line names the first erasure's receipt
            )  # fmt: skip
        erased += 1
    return ReapplyReport(entries=len(entries), erased_again=erased)


def _entries_trusted(*, journal_known_empty: bool) -> list[JournalEntry]:
    receipts = ErasureReceipt.objects.all()
    try:
        entries = list(journal_entries())
    except JournalMissing as exc:
        if journal_known_empty or not receipts.exists():
            return []
        raise JournalMissing(
            f"{exc}, but the database holds {receipts.count()} erasure receipt(s): is ERASURE_JOURNAL_PATH the "
            "journal's place? Nothing done"
        ) from None
    if journal_known_empty:
        return entries
    journalled = {entry.receipt for entry in entries}
    lacking = [
        (pk, erased_at)
        for pk, erased_at in receipts.order_by("erased_at").values_list("pk", "erased_at").iterator(chunk_size=2000)
        if str(pk) not in journalled
    ]
    if lacking:
        raise JournalIncomplete(
            f"the erasure journal {journal_path()} lacks {len(lacking)} of the {receipts.count()} erasure receipts "
            f"the database holds (the newest of them from {lacking[-1][1]:%Y-%m-%d %H:%M %Z}): it is not this "
            "database's journal, or a copy older than the backup; nothing done"
        )
    return entries
