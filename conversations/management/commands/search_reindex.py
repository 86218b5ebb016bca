"""Build the search index (``conversations.search``) for names and messages stored before it, or while it was off."""

from django.core.management.base import BaseCommand, CommandError

from conversations.search import search_reindex


class Command(BaseCommand):
    help = "Index customers' names and message texts for the inbox search (idempotent, batched)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--names-only", action="store_true", help="Only the customers' names.")

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        names, messages = search_reindex(batch_size=options["batch_size"], messages=not options["names_only"])
        self.stdout.write(f"indexed {names} name token(s) and {messages} message token(s)")
