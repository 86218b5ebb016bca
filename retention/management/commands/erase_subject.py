"""Erase one subject: ``manage.py erase_subject (--phone +E164 | --email ADDRESS | --subject PUBLIC_ID) --yes``.

Without ``--yes`` it prints what would be erased (counts per category) and exits 1.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention import selectors
from retention.lookup import SubjectNotFound, subject_find
from retention.services import LegalHoldActive, subject_erase


class Command(BaseCommand):
    help = "Erase a subject's personal data (crypto-shredding, then every declared row); --yes to do it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone")
        parser.add_argument("--email")
        parser.add_argument("--subject", dest="public_id", help="the subject's public id")
        parser.add_argument("--reason", default="erasure requested (manage.py erase_subject)")
        parser.add_argument("--yes", action="store_true", help="really erase")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            subject = subject_find(phone=options["phone"], email=options["email"], public_id=options["public_id"])
        except SubjectNotFound as exc:
            raise CommandError(str(exc)) from None
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
