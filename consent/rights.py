"""The data subject's rights a customer can ask us to act on, and where each law grants them.

One vocabulary for the kinds of subject request: the chat's request detector
(``consent.request_intents``) suggests one, the subject-rights workflow records
one. ``REFERENCES`` is the citation shown beside a request, keyed by the
jurisdiction codes of ``consent.jurisdictions`` ("GDPR", "LGPD"); it is data,
so a new regime is a new column, not new code (DESIGN decision 4).

The LGPD lists nearly every right in one article (art. 18), so its citations
name the item (inciso, "II") or paragraph ("§2"). Two mappings are choices:
RESTRICTION is the LGPD's blocking (art. 18 IV, "anonimização, bloqueio ou
eliminação" of unnecessary data), the closest it has to the GDPR's
restriction; WITHDRAWAL cites art. 8 §5, which grants it (art. 18 IX repeats it).
"""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = ["REFERENCES", "Right", "reference"]


class Right(StrEnum):
    ACCESS = "access"  # a copy of my data, and what you do with it
    PORTABILITY = "portability"  # my data in a machine-readable form, or sent to another provider
    ERASURE = "erasure"  # delete my data
    RECTIFICATION = "rectification"  # correct my name, number, address
    RESTRICTION = "restriction"  # keep my data but stop processing it (LGPD: blocking)
    OBJECTION = "objection"  # I object to processing; stop using my data for advertising
    WITHDRAWAL = "withdrawal"  # I withdraw my consent


REFERENCES: Mapping[Right, Mapping[str, str]] = MappingProxyType(
    {
        Right.ACCESS: {"GDPR": "Art. 15 GDPR", "LGPD": "Art. 18 II LGPD"},
        Right.PORTABILITY: {"GDPR": "Art. 20 GDPR", "LGPD": "Art. 18 V LGPD"},
        Right.ERASURE: {"GDPR": "Art. 17 GDPR", "LGPD": "Art. 18 VI LGPD"},
        Right.RECTIFICATION: {"GDPR": "Art. 16 GDPR", "LGPD": "Art. 18 III LGPD"},
        Right.RESTRICTION: {"GDPR": "Art. 18 GDPR", "LGPD": "Art. 18 IV LGPD"},
        Right.OBJECTION: {"GDPR": "Art. 21 GDPR", "LGPD": "Art. 18 §2 LGPD"},
        Right.WITHDRAWAL: {"GDPR": "Art. 7(3) GDPR", "LGPD": "Art. 8 §5 LGPD"},
    }
)


def reference(right: Right, jurisdiction: str) -> str:
    """The provision granting ``right`` under ``jurisdiction`` ("GDPR", "LGPD"); ``KeyError`` for another code."""
    return REFERENCES[right][jurisdiction]
