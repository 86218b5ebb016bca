"""One entry point that runs every detector over a text."""

from sensitive import identifiers, special
from sensitive.findings import Finding


def scan(text: str) -> list[Finding]:
    """All findings in ``text``, ordered by position. Identifier spans win over lexicon spans they overlap."""
    if not text:
        return []
    found = identifiers.find(text)
    lexical = special.find(text)
    if not lexical:
        return found
    if not found:
        return lexical
    found += [f for f in lexical if not any(f.start < x.end and x.start < f.end for x in found)]
    return sorted(found)
