"""Export one subject's data: ``manage.py export_subject (--phone +E164 | --email ADDRESS | --subject PUBLIC_ID)
--out FILE.zip``. An unknown subject exits non-zero with one line saying so."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from retention.lookup import subject_arguments, subject_from_options
from retention.services import subject_export


class Command(BaseCommand):
    help = "Write a subject's export ZIP (data.json, a CSV per category, their files, summary.html)."

    def add_arguments(self, parser: CommandParser) -> None:
        subject_arguments(parser)
        parser.add_argument("--out", required=True, help="the ZIP file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        subject = subject_from_options(options)
        result = subject_export(subject=subject, path=Path(options["out"]))
        self.stdout.write(f"{result.path}: {result.size} bytes, {sum(result.counts.values())} records, "
                          f"{result.media_files} files")  # fmt: skip
