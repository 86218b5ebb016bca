"""After restoring a database backup, before the app serves: erase again what the erasure journal names.

Part of the restore procedure (README, "Backups and restore"). Safe to run any number of times. Refuses (exit
1, one line, nothing done) a journal it cannot trust: no file where ``ERASURE_JOURNAL_PATH`` says while the
database holds erasure receipts, a journal lacking the line of a receipt the database holds, or one it cannot
read. ``--journal-known-empty`` accepts a missing or incomplete journal when the operator knows why.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention.journal import JournalError, JournalMissing, journal_path
from retention.services.reapply import erasures_reapply


class Command(BaseCommand):
    help = "Erase again every subject the erasure journal names (run after a restore, before serving)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--journal-known-empty", action="store_true",
            help="the journal is known to be empty (or lost, and that is accepted): a missing file counts as no "
            "entries, receipts it lacks are no error",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = erasures_reapply(journal_known_empty=options["journal_known_empty"])
        except JournalMissing as exc:
            raise CommandError(f"{exc} (--journal-known-empty if it is known to be empty)") from None
        except JournalError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{report.entries} journal entries in {journal_path()}; {report.erased_again} subject(s) erased again"
        )
