"""Settle the sends a killed task worker left ``queued`` (see ``conversations.services.outbound_recovery``)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from conversations.services import messages_recover_interrupted


class Command(BaseCommand):
    help = (
        "Queue again, or mark failed, outbound messages a dead worker left queued (idempotent; run every few minutes)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than-minutes", type=int, default=15)
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options) -> None:
        if options["older_than_minutes"] < 1 or options["batch_size"] < 1:
            raise CommandError("--older-than-minutes and --batch-size must be at least 1")
        requeued, failed = messages_recover_interrupted(
            older_than=timedelta(minutes=options["older_than_minutes"]), batch_size=options["batch_size"]
        )
        self.stdout.write(f"{requeued} send(s) queued again, {failed} marked failed (outcome unknown)")
