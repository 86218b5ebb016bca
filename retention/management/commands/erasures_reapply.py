"""After restoring a database backup, before the app serves: erase again what the erasure journal names.

Part of the restore procedure (README, "Backups and restore"). Safe to run any number of times.
"""

from typing import Any

from django.core.management.base import BaseCommand

from retention.journal import journal_path
from retention.services.reapply import erasures_reapply


class Command(BaseCommand):
    help = "Erase again every subject the erasure journal names (run after a restore, before serving)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = erasures_reapply()
        self.stdout.write(
            f"{report.entries} journal entries in {journal_path()}; {report.erased_again} subject(s) erased again"
        )
