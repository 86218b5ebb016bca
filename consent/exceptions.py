"""The domain-error model every app shares, and the consent app's own errors. The API maps them to answers.

Messages name internal ids and codes only, never personal data: they may end
up in logs and error pages.
"""


class DomainError(Exception):
    """The base of every app's domain errors: a refusal by the rules, not a failure of ours.

    ``code`` is stable and machine-readable, ``http_status`` what the API answers, ``message`` words for a
    developer or staff member, ``extra`` further fields the API and socket answers carry as they are (the kinds
    a draft asks for, say). Every app may import this module: ``consent`` imports no other app.
    """

    code = "domain_error"
    http_status = 400

    def __init_subclass__(cls, *, code: str = "", http_status: int = 0, **kwargs: object) -> None:
        # class WindowClosed(ConversationError, code="window_closed", http_status=409): one line per error.
        super().__init_subclass__(**kwargs)
        cls.code = code or cls.code
        cls.http_status = http_status or cls.http_status

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None, **extra: object):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.extra = extra


class InvalidTransition(DomainError, code="invalid_transition", http_status=409):
    """A move a declared transitions table does not allow (consent, conversations, alerts, requests)."""


class ConsentError(DomainError, code="consent_error"):
    """The base of the consent app's own errors."""


class DoubleOptInRequired(ConsentError, code="double_opt_in_required", http_status=409):
    """The purpose needs double opt-in: request consent and let the customer confirm it."""


class ConfirmationExpired(ConsentError, code="confirmation_expired", http_status=409):
    """The customer confirmed too late: the request expired (and stays closed); request again."""


class NoticeUnavailable(ConsentError, code="notice_unavailable", http_status=409):
    """No published privacy notice fits the customer's jurisdiction and language: publish one first."""


class InvalidContactPoint(ConsentError, code="invalid_contact_point"):
    """Not a phone number, e-mail address or web-chat visitor id we can store."""


class InvalidEvidence(ConsentError, code="invalid_evidence"):
    """Consent evidence must be short printable text (ids, keywords, references), never a message."""


class ImmutableRecord(ConsentError, code="immutable_record", http_status=409):
    """Raised when code tries to change the append-only ledger or a published notice."""


class KeyDestroyed(ConsentError, code="key_destroyed", http_status=410):
    """The subject's data key was destroyed (erasure): the ciphertext is unreadable for good."""


class ReasonRequired(ConsentError, code="reason_required"):
    """Access beyond the default view needs a stated reason (the staff access log)."""
