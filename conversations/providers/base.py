"""What every channel provider turns its traffic into, and what it must do to send.

Parsers produce these plain dataclasses; ``conversations.services.ingest``
and friends consume them. Nothing here knows about HTTP or a provider's JSON.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class MediaRef:
    media_id: str
    mime_type: str = ""
    sha256: str = ""
    filename: str = ""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    provider: str  # "whatsapp" | "webchat"
    provider_message_id: str
    contact_kind: str  # consent.models.ContactKind value
    sender: str  # wa_id or web-chat visitor id
    timestamp: datetime
    type: str  # conversations.models.MessageType value
    text: str = ""  # body or caption
    content: dict[str, Any] = field(default_factory=dict)  # structured payload (location, contacts, reply …)
    media: MediaRef | None = None
    reply_to: str = ""
    profile_name: str = ""
    language: str = ""  # a hint (web chat's browser language); WhatsApp derives it from the number


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    provider: str
    provider_message_id: str
    status: str  # sent | delivered | read | failed
    timestamp: datetime
    error_code: str = ""
    error_title: str = ""
    recipient: str = ""  # whom the message went to (WhatsApp's recipient_id, a wa_id), when the provider says


@dataclass(frozen=True, slots=True)
class NumberChange:
    provider: str
    provider_message_id: str
    old_value: str
    new_value: str
    timestamp: datetime


class SendError(Exception):
    def __init__(self, message: str, *, code: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


class RetryableSendError(SendError):
    """5xx, 429, rate limits, network errors: try again later."""


class PermanentSendError(SendError):
    """The provider refused for good (window closed, invalid number …): mark failed."""


class MediaError(Exception):
    """Downloading a customer's media failed; the message says why in codes, never with the content."""


class RetryableMediaError(MediaError):
    """5xx, 429, timeouts, connection errors: worth another attempt."""


class PermanentMediaError(MediaError):
    """4xx, no URL, too large, a checksum that does not match: another attempt would fail the same way."""


class Sender(Protocol):
    def send(self, *, message: Any) -> str:
        """Hand the message to the provider; return the provider's message id."""
