"""Delete status webhooks for message ids no send of ours ever recorded (see ``EarlyStatus``)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from conversations.services import early_statuses_purge


class Command(BaseCommand):
    help = "Purge early statuses that no send claimed (idempotent, batched; run daily from cron)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than-hours", type=int, default=24)
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **options) -> None:
        if options["older_than_hours"] < 1 or options["batch_size"] < 1:
            raise CommandError("--older-than-hours and --batch-size must be at least 1")
        purged = early_statuses_purge(
            older_than=timedelta(hours=options["older_than_hours"]), batch_size=options["batch_size"]
        )
        self.stdout.write(f"purged {purged} early status(es)")
