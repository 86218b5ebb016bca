"""Export one subject's data: ``manage.py export_subject (--phone +E164 | --email ADDRESS | --subject PUBLIC_ID)
--out FILE.zip``. An unknown subject exits non-zero with one line saying so."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retention.lookup import SubjectNotFound, subject_find
from retention.services import subject_export


class Command(BaseCommand):
    help = "Write a subject's export ZIP (data.json, a CSV per category, their files, summary.html)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone")
        parser.add_argument("--email")
        parser.add_argument("--subject", dest="public_id", help="the subject's public id")
        parser.add_argument("--out", required=True, help="the ZIP file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            subject = subject_find(phone=options["phone"], email=options["email"], public_id=options["public_id"])
        except SubjectNotFound as exc:
            raise CommandError(str(exc)) from None
        result = subject_export(subject=subject, path=Path(options["out"]))
        self.stdout.write(f"{result.path}: {result.size} bytes, {sum(result.counts.values())} records, "
                          f"{result.media_files} files")  # fmt: skip
