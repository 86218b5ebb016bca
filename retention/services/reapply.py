"""After a restore: erase again every subject the erasure journal names (``manage.py erasures_reapply``).

Idempotent: a subject the restored database does not hold is skipped (it was erased before the backup, or the
backup never had it); one it holds is erased again, with a receipt saying so and a new journal line.

A legal hold the backup brings back with the subject does not stop it: the erasure happened, so every hold
placed before it had been released by then (a standing one would have refused the erasure); the restored hold
row is a stale copy and goes with the subject.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from consent.models import LegalHold
from consent.selectors import subject_get
from retention.journal import journal_entries
from retention.services.erasure import subject_erase


@dataclass(frozen=True, slots=True)
class ReapplyReport:
    entries: int
    erased_again: int


def erasures_reapply() -> ReapplyReport:
    entries = erased = 0
    seen: set[str] = set()
    for entry in list(journal_entries()):
        entries += 1
        if entry.subject in seen:
            continue
        seen.add(entry.subject)
        subject = subject_get(public_id=entry.subject)
        if subject is None:
            continue
        with transaction.atomic():
            LegalHold.objects.filter(subject=subject, placed_at__lt=datetime.fromisoformat(entry.at)).delete()
            subject_erase(
                subject=subject, actor=None, trigger="reapplied after a restore",
                reason=f"erased before (receipt {entry.receipt}); brought back by a restored backup",
            )  # fmt: skip
        erased += 1
    return ReapplyReport(entries=entries, erased_again=erased)
