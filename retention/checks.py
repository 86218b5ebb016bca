"""Deploy checks of the deletion concept: the erasure journal must live apart from the database it outlives.

A backup of the database's directory that also holds the journal restores both as they were: the erasures made
since the backup are then missing from the journal as from the database, and ``erasures_reapply`` cannot bring
them back (DESIGN decision 7). The development default (``var/``, beside the SQLite database) is such a place;
with DEBUG off the path has no default and must be set, absolute (cron, the workers and the servers may run
from different directories), and outside every SQLite database's directory.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


def _sqlite_directories() -> list[Path]:
    directories = []
    for database in settings.DATABASES.values():
        name = str(database.get("NAME") or "")
        if database.get("ENGINE") == "django.db.backends.sqlite3" and name and name != ":memory:":
            directories.append(Path(name).resolve().parent)
    return directories


@register(Tags.security, deploy=True)
def erasure_journal_check(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    configured = str(settings.ERASURE_JOURNAL_PATH or "")
    if not configured:
        return [
            Error(
                "ERASURE_JOURNAL_PATH is not set: with DEBUG off the erasure journal has no default.",
                hint="Set it to a file on storage the database's backups do not cover (README, Backups and restore).",
                id="retention.E001",
            )
        ]
    path = Path(configured)
    if not path.is_absolute():
        return [
            Error(
                f"ERASURE_JOURNAL_PATH ({configured}) is relative: each process would find the journal in its own "
                "working directory.",
                hint="Give an absolute path.",
                id="retention.E002",
            )
        ]
    resolved = path.resolve()
    return [
        Error(
            f"ERASURE_JOURNAL_PATH ({configured}) is inside the database's directory {directory}: a backup of that "
            "directory holds both, and restoring it loses the erasures made since.",
            hint="Put the journal on storage the database's backups do not cover, backed up on its own.",
            id="retention.E003",
        )
        for directory in _sqlite_directories()
        if resolved.is_relative_to(directory)
    ]
