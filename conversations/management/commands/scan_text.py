"""Scan lines of text for sensitive data, one JSON result per line (audits, benchmarks, trying the guard out).

    printf 'meine IBAN ist DE89 3704 0044 0532 0130 00\\n' | manage.py scan_text
    {"findings": [{"category": "financial", "type": "iban", "start": 15, "end": 42}]}

Reads UTF-8 from stdin as a stream, so it works at the end of a pipe. Offsets are character offsets into
the line without its line ending. Findings carry category, type and span only: no value is printed.
A line that is not valid UTF-8 stops the command with its line number, since every later result would
otherwise no longer match its input line.
"""

import json
import sys
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sensitive import scan


class Command(BaseCommand):
    help = "Read UTF-8 lines on stdin and print the sensitive-data findings of each as one JSON line."
    # Tests hand in a stream in place of the process's stdin.
    stealth_options = ("stdin",)
    # A text filter: it touches no model, so the system checks would only slow every pipe down.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        lines: Iterable[bytes | str] = options.get("stdin") or sys.stdin.buffer
        for number, line in enumerate(lines, start=1):
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise CommandError(f"line {number} is not valid UTF-8 (byte {exc.start + 1})") from None
            line = line.removesuffix("\n").removesuffix("\r")
            findings = [finding.as_dict() for finding in scan(line)]
            self.stdout.write(json.dumps({"findings": findings}))
