"""Domain errors of the consent app. The API maps them to HTTP answers.

Messages name internal ids and codes only, never personal data: they may end
up in logs and error pages.
"""


class ConsentError(Exception):
    code = "consent_error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(ConsentError):
    code = "invalid_transition"
    http_status = 409


class DoubleOptInRequired(ConsentError):
    code = "double_opt_in_required"
    http_status = 409


class ConfirmationExpired(ConsentError):
    code = "confirmation_expired"
    http_status = 409


class NoticeUnavailable(ConsentError):
    code = "notice_unavailable"
    http_status = 409


class InvalidContactPoint(ConsentError):
    code = "invalid_contact_point"


class InvalidEvidence(ConsentError):
    code = "invalid_evidence"


class ImmutableRecord(ConsentError):
    """Raised when code tries to change the append-only ledger or a published notice."""

    code = "immutable_record"
    http_status = 409


class KeyDestroyed(ConsentError):
    """The subject's data key was destroyed (erasure): the ciphertext is unreadable for good."""

    code = "key_destroyed"
    http_status = 410


class ReasonRequired(ConsentError):
    """Access beyond the default view needs a stated reason (the staff access log)."""

    code = "reason_required"
