"""One entry point that runs every detector over a text."""

from conversations.sensitive import identifiers, special
from conversations.sensitive.findings import Finding


def scan(text: str) -> list[Finding]:
    """All findings in ``text``, ordered by position. Identifier spans win over lexicon spans they overlap."""
    if not text:
        return []
    found = identifiers.find(text)
    taken = [(f.start, f.end) for f in found]
    for finding in special.find(text):
        if not any(finding.start < end and start < finding.end for start, end in taken):
            found.append(finding)
    return sorted(found)
