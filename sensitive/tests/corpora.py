"""What every labelled corpus of the detectors must be before its precision and recall mean anything.

Plain Python: these tests run without Django (``pytest -p no:django --noconftest sensitive``).
"""

from collections import Counter
from fractions import Fraction

LANGUAGES = {"en", "de", "nl", "it", "pt"}


def assert_balanced(lines: list[dict], *, at_least: int, negatives: Fraction, per_language: int) -> None:
    """At least ``at_least`` lines; at least the share ``negatives`` of them with nothing to find (look-alikes,
    without which precision is not measured); every language we serve, each with ``per_language`` lines or more."""
    assert len(lines) >= at_least
    assert sum(1 for line in lines if not line["expect"]) >= negatives * len(lines)
    languages = Counter(line["lang"] for line in lines)
    assert set(languages) == LANGUAGES
    assert min(languages.values()) >= per_language, languages
