"""The sensitive-data guard: find financial, national-id, contact and special-category data in chat text.

``scan(text)`` returns findings with character offsets into ``text``. A finding is a flag for a
human, not a verdict: negation ("I am not pregnant") is left to the reader. Findings are stored
as category, type and span only; the value itself is never copied anywhere.

Modules:
- ``findings``: the ``Finding`` type and the category/type vocabulary.
- ``identifiers``: checksum-validated identifiers (python-stdnum, phonenumbers) and e-mail addresses.
- ``special``: Art. 9 GDPR / Art. 11 LGPD categories through curated lexicons in en, de, nl, it, pt.
- ``requests``: the agent draft guard (a draft that *asks* for such data).
"""

from sensitive.findings import CATEGORY_OF_TYPE, Category, Finding

_scan_all = None


def scan(text: str) -> list[Finding]:
    """All findings in ``text`` (``scanner.scan``); the detectors load on first use, not at import."""
    global _scan_all
    if _scan_all is None:
        from sensitive.scanner import scan as scan_all

        _scan_all = scan_all
    return _scan_all(text)


__all__ = ["CATEGORY_OF_TYPE", "Category", "Finding", "scan"]
