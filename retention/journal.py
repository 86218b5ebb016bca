"""The erasure journal: which subjects were erased, kept outside the database so a restored backup cannot undo it.

A backup of the database holds every subject's wrapped key as it was when the backup was taken; restoring it
brings an erased subject back, readable. So every erasure is also appended to this file (JSON lines: the
subject's public id, when, the receipt's id; nothing else), on storage the database's backups do not cover,
and the restore procedure runs ``manage.py erasures_reapply`` before the app serves again (README, "Restore").

Invariants:
- Appended and fsync'd inside the erasure's transaction, before it commits: an erasure that committed is in
  the journal. (One that then failed to commit is in it too: reapplying it erases what was asked to go.) When
  the append creates the file (or its directories), their directory entries are fsync'd too: a crash right
  after the commit cannot lose the new file.
- So every erasure receipt a database holds has its line in the journal: a journal that lacks one is not this
  database's journal, or an old copy (``erasures_reapply`` refuses it).
- Read strictly: a missing, unreadable or garbled journal is an error (``JournalError``), never "no entries".
- Pseudonymous: a public id is a random UUID that means nothing once the subject is gone.
"""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True, slots=True)
class JournalEntry:
    subject: str  # public id
    at: str
    receipt: str


class JournalError(Exception):
    """The journal cannot be read as one: unreadable, or a line that is not an entry."""


class JournalMissing(JournalError):
    """There is no journal file where ``ERASURE_JOURNAL_PATH`` says."""


def journal_path() -> Path:
    configured = str(settings.ERASURE_JOURNAL_PATH or "")
    if not configured:
        # With DEBUG off there is no default (retention.checks, E001): never a file in whatever the cwd is.
        raise ImproperlyConfigured("ERASURE_JOURNAL_PATH is not set: erasures need their journal")
    return Path(configured)


def journal_append(entry: JournalEntry) -> None:
    path = journal_path()
    created_dirs = [d for d in reversed(path.parents) if not d.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"subject": entry.subject, "at": entry.at, "receipt": entry.receipt}, sort_keys=True) + "\n"
    created = False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
            created = True
        except FileExistsError:  # another erasure created it meanwhile (and syncs its directory)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        # The file's data is on disk; its name is an entry of the directory, on disk only once that is synced.
        for directory in [*(d.parent for d in created_dirs), path.parent]:
            _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_entries() -> Iterator[JournalEntry]:
    """Every entry, in order; ``JournalMissing`` without a file, ``JournalError`` for one that cannot be read."""
    path = journal_path()
    try:
        journal = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise JournalMissing(f"there is no erasure journal at {path} (ERASURE_JOURNAL_PATH)") from None
    except OSError as exc:
        raise JournalError(f"the erasure journal {path} cannot be read: {exc.strerror}") from None
    with journal:
        try:
            for number, line in enumerate(journal, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    yield JournalEntry(subject=str(data["subject"]), at=str(data["at"]), receipt=str(data["receipt"]))
                except (ValueError, KeyError, TypeError) as exc:
                    raise JournalError(f"erasure journal {path}, line {number}: not an entry") from exc
        except UnicodeDecodeError as exc:
            raise JournalError(f"the erasure journal {path} is not UTF-8 text") from exc
        except OSError as exc:
            raise JournalError(f"the erasure journal {path} cannot be read: {exc.strerror}") from None
