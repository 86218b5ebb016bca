"""The erasure journal: which subjects were erased, kept outside the database so a restored backup cannot undo it.

A backup of the database holds every subject's wrapped key as it was when the backup was taken; restoring it
brings an erased subject back, readable. So every erasure is also appended to this file (JSON lines: the
subject's public id, when, the receipt's id; nothing else), on storage the database's backups do not cover,
and the restore procedure runs ``manage.py erasures_reapply`` before the app serves again (README, "Restore").

Invariants:
- Appended and fsync'd inside the erasure's transaction, before it commits: an erasure that committed is in
  the journal. (One that then failed to commit is in it too: reapplying it erases what was asked to go.)
- Pseudonymous: a public id is a random UUID that means nothing once the subject is gone.
"""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True, slots=True)
class JournalEntry:
    subject: str  # public id
    at: str
    receipt: str


def journal_path() -> Path:
    return Path(settings.ERASURE_JOURNAL_PATH)


def journal_append(entry: JournalEntry) -> None:
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"subject": entry.subject, "at": entry.at, "receipt": entry.receipt}, sort_keys=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_entries() -> Iterator[JournalEntry]:
    path = journal_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as journal:
        for number, line in enumerate(journal, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                yield JournalEntry(subject=str(data["subject"]), at=str(data["at"]), receipt=str(data["receipt"]))
            except (ValueError, KeyError) as exc:
                raise ValueError(f"erasure journal line {number} is not an entry") from exc
