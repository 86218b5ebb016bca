from consent.models.access import AccessRecord
from consent.models.hold import LegalHold
from consent.models.ledger import ConsentAction, ConsentChannel, ConsentEvent, ConsentState, ConsentStatus, LedgerHead
from consent.models.notice import PrivacyNotice
from consent.models.objection import Objection
from consent.models.purpose import Purpose
from consent.models.subject import ContactKind, ContactPoint, RestrictionGround, Subject
from consent.models.vault import DataKey, HashKey

__all__ = [
    "AccessRecord",
    "ConsentAction",
    "ConsentChannel",
    "ConsentEvent",
    "ConsentState",
    "ConsentStatus",
    "ContactKind",
    "ContactPoint",
    "DataKey",
    "HashKey",
    "LedgerHead",
    "LegalHold",
    "Objection",
    "PrivacyNotice",
    "Purpose",
    "RestrictionGround",
    "Subject",
]
