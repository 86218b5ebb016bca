"""Run the retention rules: ``manage.py purge_expired [--dry-run] [--category C ...] [--duty 0.5]`` (daily, cron).

Batched (each batch its own short transaction), restartable and idempotent: stop it at any moment, run it again,
and it goes on where it was; a second run right after removes nothing. Nothing under a legal hold is touched.
``--duty`` paces it beside daytime traffic (the share of the time it works; 1, the default, is flat out).
Each run leaves a record (admin: Retention → Purge runs) with counts per category and no personal data.
One run at a time: while another runs (a cron overlap) this one exits 1 with one line and does nothing; a run
that was killed is marked "interrupted" by the next.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention.services import purge_expired
from retention.services.purge import DEFAULT_BATCH
from retention.services.purge_lock import PurgeAlreadyRunning


class Command(BaseCommand):
    help = "Remove what the retention rules say is due, category by category (--dry-run: only count it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would go, remove nothing")
        parser.add_argument("--category", action="append", help="only this data category (repeatable)")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="rows per transaction")
        parser.add_argument(
            "--duty", type=float, default=1.0, help="share of the time spent working, 0 < duty <= 1 (0.5: rest as long "
            "as each batch took)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = purge_expired(
                dry_run=options["dry_run"], categories=options["category"], batch_size=max(1, options["batch_size"]),
                duty=options["duty"],
            )  # fmt: skip
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except PurgeAlreadyRunning as exc:
            raise CommandError(exc.message) from None
        verb = "would remove" if options["dry_run"] else "removed"
        self.stdout.write(f"purge run #{run.pk} ({run.outcome}): {verb}")
        for category, count in run.counts.items() or [("nothing", 0)]:
            self.stdout.write(f"  {category}: {count}")
        if run.subjects_erased:
            self.stdout.write(f"  subjects left with nothing, erased: {run.subjects_erased}")
        for category, count in run.held_back.items():
            self.stdout.write(f"  {category}: {count} due but kept by a legal hold")
        self.stdout.write(f"longest transaction: {run.longest_transaction_ms} ms")
