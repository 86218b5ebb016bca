"""Domain errors of the conversations app (``DomainError``s); the API and consumers map them to answers.

A move a transitions table refuses raises the shared ``consent.exceptions.InvalidTransition``.

Messages name internal ids and codes only, never personal data.
"""

from consent.exceptions import DomainError


class ConversationError(DomainError, code="conversation_error"):
    """The base of the conversations app's own errors."""


class WindowClosed(ConversationError, code="window_closed", http_status=409):
    """Outside the 24-hour customer-service window only an approved template may be sent."""


class ConsentMissing(ConversationError, code="consent_missing", http_status=409):
    """A template for a purpose the customer has not consented to (or withdrew from)."""


class NotAllowed(ConversationError, code="not_allowed", http_status=403):
    """The rules forbid it whatever the state: an empty reply, a template that is not approved, ..."""


class ObjectionStands(ConversationError, code="objection", http_status=409):
    """The customer objected to this purpose (GDPR Art. 21, LGPD Art. 18 §2): nothing is sent for it."""


class ProcessingRestricted(ConversationError, code="processing_restricted", http_status=409):
    """The customer's data may only be stored (GDPR Art. 18, LGPD Art. 18 IV): nothing is sent to them."""


class FileRefused(ConversationError, code="file_refused", http_status=400):
    """A file an agent wants to send that WhatsApp would not carry: empty (``file_empty``), too large
    (``file_too_large``, 413) or of a type it does not take (``file_type_not_allowed``, 415)."""


class WebchatRefused(ConversationError):
    """An answer to the web-chat client (an ``error`` frame with this code), not a failure of ours."""

    def __init__(self, code: str, **extra: object) -> None:
        super().__init__(code, code=code, **extra)


class SensitiveDraft(ConversationError, code="sensitive_draft", http_status=409):
    """The agent's draft asks the customer for card numbers, account numbers, ids or health details.

    ``kinds`` say what it asks for; the agent may send it anyway after seeing the warning
    (``confirm_sensitive``), unless ``SENSITIVE_DRAFT_BLOCK`` turns the warning into a block.
    """

    def __init__(self, message: str, *, kinds: list[str], hint: str, blocked: bool) -> None:
        super().__init__(
            message,
            code="sensitive_draft_blocked" if blocked else None,
            http_status=422 if blocked else None,
            kinds=kinds,
            hint=hint,
            blocked=blocked,
        )
        self.kinds, self.hint, self.blocked = kinds, hint, blocked
