"""Masking: what an agent sees of an identifier by default, and the masked excerpts DPO alerts carry."""

from collections.abc import Iterable

from sensitive.findings import CATEGORY_OF_TYPE, MASKED_TYPES, Category

MASK = "•"
VISIBLE_TAIL = 4
# Excerpts for the DPO hide contact data too: the alert is about the words, not about reaching anyone.
EXCERPT_MASKED_TYPES = frozenset(
    t for t, c in CATEGORY_OF_TYPE.items() if c in (Category.FINANCIAL, Category.NATIONAL_ID, Category.CONTACT)
)


def mask_spans(text: str, findings: Iterable[dict], *, types: frozenset[str] = MASKED_TYPES) -> str:
    """Replace each letter and digit of the findings of ``types`` by a bullet, keeping the last four.

    Separators stay (so "4111 1111 1111 1111" becomes "•••• •••• •••• 1111") and the length does
    not change, so offsets into the text stay valid after masking.
    """
    chars = list(text)
    for finding in findings:
        if finding.get("type") not in types:
            continue
        start, end = max(0, int(finding["start"])), min(len(chars), int(finding["end"]))
        positions = [i for i in range(start, end) if chars[i].isalnum()]
        for i in positions[: max(0, len(positions) - VISIBLE_TAIL)]:
            chars[i] = MASK
    return "".join(chars)


def has_masked(findings: Iterable[dict]) -> bool:
    return any(f.get("type") in MASKED_TYPES for f in findings)


def excerpt(text: str, findings: Iterable[dict], *, start: int, end: int, context: int = 40) -> str:
    """The words around ``text[start:end]``, identifiers masked, cut at word boundaries."""
    masked = mask_spans(text, findings, types=EXCERPT_MASKED_TYPES)
    left, right = max(0, start - context), min(len(masked), end + context)
    while left > 0 and not masked[left - 1].isspace() and start - left < context + 15:
        left -= 1
    while right < len(masked) and not masked[right].isspace() and right - end < context + 15:
        right += 1
    return ("…" if left > 0 else "") + masked[left:right].strip() + ("…" if right < len(masked) else "")
