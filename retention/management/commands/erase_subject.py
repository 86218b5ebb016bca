"""Erase one subject: ``manage.py erase_subject (--phone +E164 | --email ADDRESS | --subject PUBLIC_ID) --yes``.

Without ``--yes`` it prints what would be erased (counts per category) and exits 1.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention import selectors
from retention.lookup import subject_arguments, subject_from_options
from retention.services import LegalHoldActive, subject_erase


class Command(BaseCommand):
    help = "Erase a subject's personal data (crypto-shredding, then every declared row); --yes to do it."

    def add_arguments(self, parser: CommandParser) -> None:
        subject_arguments(parser)
        parser.add_argument("--reason", default="erasure requested (manage.py erase_subject)")
        parser.add_argument("--yes", action="store_true", help="really erase")

    def handle(self, *args: Any, **options: Any) -> None:
        subject = subject_from_options(options)
        if not options["yes"]:
            self.stdout.write(f"Would erase subject {subject.public_id}:")
            for category, count in selectors.subject_inventory(subject=subject).items():
                self.stdout.write(f"  {category}: {count}")
            self.stdout.write("Nothing done: add --yes to erase.")
            raise SystemExit(1)
        try:
            receipt = subject_erase(subject=subject, actor=None, reason=options["reason"], trigger="staff")
        except LegalHoldActive as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Erased; receipt {receipt.pk}"))
        for category, count in receipt.counts.items():
            self.stdout.write(f"  {category}: {count}")
