"""One purge at a time: the claim ``purge_expired`` holds while it runs (cron overlaps, two schedulers).

A claim the operating system or the database drops by itself when its holder dies, so that a killed run (SIGKILL,
out of memory, a host gone) never leaves a claim behind that blocks every later run:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on the connection the purge works on.
  It lives as long as that session: released when the run ends, and by the server when the process or its
  connection dies. Advisory locks are per database, so scratch and test databases do not meet.
- SQLite: an exclusive ``flock`` on a file beside the database (``<database>.purge-lock``), released by the
  kernel when the process dies. An SQLite database lives on one host, where every process sees that lock.

Taking it never waits: a second run refuses at once (``PurgeAlreadyRunning``).
"""

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from consent.exceptions import DomainError

# pg_advisory_lock's key: any 64-bit number no other lock of this database uses ("purge" in ASCII).
ADVISORY_KEY = 0x7075726765
_memory_lock = threading.Lock()  # an in-memory SQLite database belongs to its process: a lock of the process


class PurgeAlreadyRunning(DomainError, code="purge_running", http_status=409):
    """Another purge holds the claim: this one does nothing."""


@contextmanager
def purge_claim(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Hold the purge's claim for the block, or raise ``PurgeAlreadyRunning`` at once."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with _advisory_lock(connection):
            yield
    else:
        with _file_lock(connection):
            yield


@contextmanager
def _advisory_lock(connection) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
        if not cursor.fetchone()[0]:
            raise PurgeAlreadyRunning("another purge is running")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
        except DatabaseError:  # the connection broke: its session, and the lock with it, are gone already
            pass


@contextmanager
def _file_lock(connection) -> Iterator[None]:
    name = str(connection.settings_dict["NAME"] or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        if not _memory_lock.acquire(blocking=False):
            raise PurgeAlreadyRunning("another purge is running")
        try:
            yield
        finally:
            _memory_lock.release()
        return
    fd = os.open(f"{name}.purge-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PurgeAlreadyRunning("another purge is running") from None
        yield
    finally:
        os.close(fd)  # closing the file releases the lock (the file itself stays: deleting it would race)
