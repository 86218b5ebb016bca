"""Erase one subject: ``manage.py erase_subject (--phone +E164 | --email ADDRESS | --subject PUBLIC_ID) --yes``.

Without ``--yes`` it prints what would be erased (counts per category) and exits 1.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention import selectors
from retention.lookup import subject_arguments, subject_from_options
from retention.models import ErasureReason
from retention.services import InvalidErasureReason, LegalHoldActive, subject_erase


class Command(BaseCommand):
    help = "Erase a subject's personal data (crypto-shredding, then every declared row); --yes to do it."

    def add_arguments(self, parser: CommandParser) -> None:
        subject_arguments(parser)
        parser.add_argument("--reason", choices=ErasureReason.values, default=ErasureReason.SUBJECT_REQUEST,
                            help="the legal ground (default: the person asked for it)")  # fmt: skip
        parser.add_argument("--reference", default="", help="the request or ticket number, e.g. 'request #7'")
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
            receipt = subject_erase(subject=subject, actor=None, reason=options["reason"],
                                    reference=options["reference"], trigger="staff")  # fmt: skip
        except (LegalHoldActive, InvalidErasureReason) as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Erased; receipt {receipt.pk}"))
        for category, count in receipt.counts.items():
            self.stdout.write(f"  {category}: {count}")
