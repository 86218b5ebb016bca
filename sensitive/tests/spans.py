"""What a finding or a draft warning covers, in the terms a test compares: its type and the text it marks.

Plain Python: these tests run without Django (``pytest -p no:django --noconftest sensitive``).
"""

from collections.abc import Iterable
from typing import Any


def covered(text: str, marks: Iterable[Any], *, label: str = "type") -> list[tuple[str, str]]:
    """(type, marked text) of each mark in order; ``label="kind"`` for draft warnings. Offsets are Python string
    indices into ``text``, so a slice that does not read as expected is a wrong offset."""
    return [(getattr(mark, label), text[mark.start : mark.end]) for mark in marks]
