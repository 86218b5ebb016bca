"""Article citations in a customer's message, read against the rights' legal references.

"Art. 17 GDPR", "Artikel 15 Abs. 3 DSGVO", "art. 18, VI, da LGPD", "LGPD art 18 §2": the article
(with its paragraph or, in the LGPD, its item) and the law name the right, through the same table
the inbox shows (``consent.rights.REFERENCES``), so a citation and a suggestion can never
disagree. A citation without the law counts only after "nach", "under", "ai sensi", "conforme"...
and only abbreviated ("Auskunft nach Art. 15"): a German "Artikel 15" is as likely an item in the
shop. Without the law, an LGPD-style part (an item "VI", a "§ 2") or a Portuguese "conforme art."
means the LGPD, anything else the GDPR. "art. 18 da LGPD" without an item names the article of
all rights: ``generic``.
"""

import re
from dataclasses import dataclass

from consent.request_phrases.templating import regex
from consent.rights import REFERENCES, Right

__all__ = ["PATTERNS", "Cited", "cited"]

_LAW = r"(?P<law>(?:uk )?gdpr|ds ?gvo|avg|rgpd|lgpd)"
_PART = (
    r"(?: ?\( ?(?P<paragraph>\d{1,2}) ?\)| (?:abs|absatz|para|paragraph|lid|comma|co)\.? ?(?P<paragraph2>\d{1,2})"
    r"|,? (?:inciso |inc\.? )?(?P<item>[ivx]{1,4})(?!\w)|,? (?:§|paragrafo|par\.) ?(?P<section>\d{1,2})o?)"
)
_ARTICLE = rf"(?P<number>\d{{1,2}})(?!\d)(?:{_PART})?"
_WORD = r"(?:art|arts|article|artikel|articolo|artigo)\.?"


def _cite(template: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + regex(template, {}, groups=True) + r"(?!\w)")


PATTERNS = (
    _cite(rf"{_WORD} ?{_ARTICLE},? (?:\w+ ){{0,3}}?{_LAW}"),
    _cite(rf"{_LAW},? (?:\w+ )?{_WORD} ?{_ARTICLE}"),
    _cite(
        r"(?:nach|gemäß|gem\.?|laut|according to|under|pursuant to|as per|per|ex|ai sensi dell|ai sensi del|ai sensi|"
        r"in base all|in base al|volgens|op grond van|krachtens|"
        r"(?P<portuguese>conforme(?: o)?|nos termos do|com base no)) "
        rf"art\.? ?{_ARTICLE}(?:,? (?:\w+ ){{0,3}}?{_LAW})?"
    ),
)

_LAW_FAMILY = {"gdpr": "GDPR", "ukgdpr": "GDPR", "dsgvo": "GDPR", "avg": "GDPR", "rgpd": "GDPR", "lgpd": "LGPD"}
_REFERENCE = re.compile(r"Art\. (\d+)(?:\((\d+)\)| ([IVX]+)| §(\d+))? (GDPR|LGPD)")


def _table() -> dict[tuple[str, int, str], Right]:
    table: dict[tuple[str, int, str], Right] = {}
    for right, by_law in REFERENCES.items():
        for citation in by_law.values():
            parsed = _REFERENCE.fullmatch(citation)
            if parsed is None:
                raise ValueError(f"cannot read the citation {citation!r}")
            number, paragraph, item, section, law = parsed.groups()
            table[(law, int(number), paragraph or (item or "").lower() or (f"§{section}" if section else ""))] = right
    # Cited for these rights too: the confirmation that we process (I) and the sharing (VII) are
    # what an access request answers; art. 18 IX repeats the withdrawal of art. 8 §5.
    table[("LGPD", 18, "i")] = Right.ACCESS
    table[("LGPD", 18, "vii")] = Right.ACCESS
    table[("LGPD", 18, "ix")] = Right.WITHDRAWAL
    return table


_CITED = _table()


@dataclass(frozen=True, slots=True)
class Cited:
    right: Right
    generic: bool = False


def cited(match: re.Match[str]) -> Cited | None:
    """The right a match of one of ``PATTERNS`` cites, or None for an article that grants none."""
    groups = match.groupdict()
    paragraph = groups.get("paragraph") or groups.get("paragraph2") or ""
    item = groups.get("item") or ""
    section = groups.get("section") or ""
    if written := groups.get("law"):
        law = _LAW_FAMILY[re.sub(r"[^a-z]", "", written)]
    else:
        law = "LGPD" if item or section or groups.get("portuguese") else "GDPR"
    number = int(groups["number"])
    part = paragraph if law == "GDPR" else (item or (f"§{section}" if section else ""))
    if right := _CITED.get((law, number, part)):
        return Cited(right)
    # "Art. 15 Abs. 3 DSGVO" is still the right of access; "Art. 7 DSGVO" without (3) grants nothing.
    if law == "GDPR" and (right := _CITED.get((law, number, ""))):
        return Cited(right)
    if law == "LGPD" and number == 18 and not part:
        return Cited(Right.ACCESS, generic=True)
    return None
