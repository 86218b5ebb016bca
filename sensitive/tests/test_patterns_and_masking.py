"""DPO watch patterns under a time limit, and masking: plain Python, no Django, no database."""

import time

import pytest

from sensitive import scan
from sensitive.masking import excerpt, has_masked, mask_spans
from sensitive.patterns import PatternError, PatternTimeout, compile_pattern, search

LIMIT = 0.02  # seconds, as WATCH_PATTERN_TIMEOUT's default


@pytest.mark.parametrize(
    ("value", "reason"),
    [("(unclosed", "Not a valid regular expression"), ("x*", "matches empty text"), ("(a|aa)+$", "takes too long")],
)
def test_unusable_patterns_are_refused_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(PatternError, match=reason):
        compile_pattern(value, timeout=LIMIT)


def test_a_pattern_ignores_case() -> None:
    assert search(compile_pattern(r"anwalt\w*", timeout=LIMIT), "Mein ANWALTSBÜRO", timeout=LIMIT) is not None


def test_a_backtracking_search_stops_at_the_limit_given() -> None:
    pattern = compile_pattern("(a|aa)+$", timeout=LIMIT, probe=False)  # an old row, saved before the probes
    started = time.monotonic()
    with pytest.raises(PatternTimeout):
        search(pattern, "a" * 3000 + "!", timeout=LIMIT)
    assert time.monotonic() - started < 2  # unbounded, the search would outlive the test run


def test_masking_keeps_the_last_four_and_the_offsets() -> None:
    text = "Karte 4111 1111 1111 1111 bitte"
    findings = [f.as_dict() for f in scan(text)]
    assert has_masked(findings)
    masked = mask_spans(text, findings)
    assert masked == "Karte •••• •••• •••• 1111 bitte" and len(masked) == len(text)


def test_excerpts_hide_contact_data_too() -> None:
    text = "Ich bin schwanger, ruf mich an unter +49 151 23456789 bitte"
    findings = [f.as_dict() for f in scan(text)]
    start = text.index("schwanger")
    shown = excerpt(text, findings, start=start, end=start + len("schwanger"))
    assert "schwanger" in shown and "23456789" not in shown and "6789" in shown
