"""What a scan reports. No value is ever part of a finding: category, type and span only."""

from enum import StrEnum
from typing import NamedTuple


class Category(StrEnum):
    FINANCIAL = "financial"
    NATIONAL_ID = "national_id"
    CONTACT = "contact"
    SPECIAL_CATEGORY = "special_category"


CATEGORY_OF_TYPE: dict[str, Category] = {
    "payment_card": Category.FINANCIAL,
    "iban": Category.FINANCIAL,
    "br_cpf": Category.NATIONAL_ID,
    "br_cnpj": Category.NATIONAL_ID,
    "nl_bsn": Category.NATIONAL_ID,
    "de_idnr": Category.NATIONAL_ID,
    "it_codice_fiscale": Category.NATIONAL_ID,
    "pt_nif": Category.NATIONAL_ID,
    "es_dni": Category.NATIONAL_ID,
    "email": Category.CONTACT,
    "phone": Category.CONTACT,
    "health": Category.SPECIAL_CATEGORY,
    "sex_life": Category.SPECIAL_CATEGORY,
    "religion": Category.SPECIAL_CATEGORY,
    "political": Category.SPECIAL_CATEGORY,
    "union": Category.SPECIAL_CATEGORY,
    "ethnic_origin": Category.SPECIAL_CATEGORY,
    "genetic": Category.SPECIAL_CATEGORY,
    "biometric": Category.SPECIAL_CATEGORY,
}

# Identifiers whose digits the agent's view masks (all but the last four) unless revealed with a reason.
MASKED_TYPES = frozenset(t for t, c in CATEGORY_OF_TYPE.items() if c in (Category.FINANCIAL, Category.NATIONAL_ID))


_CATEGORY_VALUE = {type_: category.value for type_, category in CATEGORY_OF_TYPE.items()}


class _Fields(NamedTuple):
    start: int  # character offset into the scanned text, inclusive
    end: int  # exclusive
    type: str  # a key of CATEGORY_OF_TYPE
    category: str


class Finding(_Fields):
    """One finding, ordered by position. A tuple: a scan of a busy chat line builds several, and a
    frozen dataclass cost three times as much to build (bench/scan_speed.py)."""

    __slots__ = ()

    def __new__(cls, start: int, end: int, type: str, category: str = "") -> "Finding":
        return tuple.__new__(cls, (start, end, type, category or _CATEGORY_VALUE[type]))

    def as_dict(self) -> dict:
        return {"category": self.category, "type": self.type, "start": self.start, "end": self.end}
