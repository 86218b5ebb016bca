"""The web-chat channel: visitor identity, what the customer sees, and the sender.

Invariants:
- A visitor is an opaque random id issued by the server; the widget keeps it
  with an HMAC token (``django.core.signing``, salt ``webchat``). An id whose
  token does not verify is never used: the socket gets a fresh identity, so
  nobody can read another visitor's conversation by guessing or copying an id.
- What goes to the widget is rendered here and only here: the customer's own
  messages and the replies sent to them. Never internal notes, system rows,
  agent usernames or ids (an agent appears by first name at most), never
  messages still queued or failed.
- The visitor's group name is a hash of the visitor id, so the id itself never
  reaches Redis keys or logs.
- Nothing here logs message text or visitor ids.
"""

import hashlib
import logging
import re
import secrets
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import signing
from django.db.models import QuerySet

from consent.encrypted import or_erased
from consent.exceptions import ConsentError
from consent.jurisdictions import LANGUAGES
from consent.models import ContactKind, PrivacyNotice, Subject
from consent.public_links import subject_rights_url
from consent.services import notice_url
from conversations.models import Direction, Message, MessageStatus, MessageType
from conversations.providers.base import PermanentSendError, RetryableSendError

logger = logging.getLogger(__name__)

PROVIDER = "webchat"
TOKEN_SALT = "webchat"  # noqa: S105 — a signing namespace, not a secret
MAX_TEXT = 4096
_VISITOR_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
# Outbound statuses the customer may see: queued ones arrive live when sent, failed ones never left.
_VISIBLE_OUTBOUND = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)
_CUSTOMER_TYPES = (MessageType.TEXT, MessageType.TEMPLATE)

# --- Visitor identity ---------------------------------------------------------------------


def visitor_issue() -> tuple[str, str]:
    """A new visitor id (32 url-safe characters, 192 bits) and its token."""
    visitor = secrets.token_urlsafe(24)
    return visitor, signing.dumps(visitor, salt=TOKEN_SALT)


def visitor_verify(*, visitor: Any, token: Any) -> bool:
    if not isinstance(visitor, str) or not isinstance(token, str) or not _VISITOR_RE.match(visitor):
        return False
    if len(token) > 512:
        return False
    try:
        return signing.loads(token, salt=TOKEN_SALT) == visitor
    except signing.BadSignature:
        return False


def visitor_group(visitor: str) -> str:
    """The channel-layer group of one visitor's sockets (letters, digits, hyphens only)."""
    return "webchat-" + hashlib.sha256(visitor.encode()).hexdigest()[:32]


def language_from_browser(tag: Any) -> str:
    """``de-AT`` → ``de``, ``pt`` / ``pt-BR`` → ``pt-br``; anything else we do not serve → ``en``."""
    if not isinstance(tag, str):
        return "en"
    tag = tag.strip().lower().replace("_", "-")[:35]
    if tag in LANGUAGES:
        return tag
    base = tag.split("-", 1)[0]
    if base == "pt":
        return "pt-br"
    return base if base in LANGUAGES else "en"


def client_id_parse(value: Any) -> str | None:
    """The widget's per-message id: a UUID, in canonical form (the dedupe key on resend)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# --- What the customer sees -----------------------------------------------------------------

# The short notice shown above the consent box. The full statement is one click away.
NOTICE_SUMMARY = {
    "en": (
        "We process what you write in this chat and a pseudonymous visitor id to answer your message. "
        "Read the full privacy statement for details and your rights."
    ),
    "de": (
        "Wir verarbeiten, was Sie in diesem Chat schreiben, und eine pseudonyme Besucherkennung, "
        "um Ihre Nachricht zu beantworten. Einzelheiten und Ihre Rechte finden Sie in der Datenschutzerklärung."
    ),
    "nl": (
        "Wij verwerken wat u in deze chat schrijft en een pseudonieme bezoekers-id om uw bericht te beantwoorden. "
        "Lees de volledige privacyverklaring voor details en uw rechten."
    ),
    "it": (
        "Trattiamo ciò che scrive in questa chat e un identificativo visitatore pseudonimo per rispondere al suo "
        "messaggio. Legga l'informativa privacy completa per i dettagli e i suoi diritti."
    ),
    "pt-br": (
        "Tratamos o que você escreve neste chat e um identificador pseudônimo de visitante para responder à sua "
        "mensagem. Leia a declaração de privacidade completa para detalhes e seus direitos."
    ),
}
CONSENT_LABEL = {
    "en": "I agree that my messages in this chat are processed to answer my message.",
    "de": (
        "Ich willige ein, dass meine Nachrichten in diesem Chat zur Beantwortung meiner Nachricht verarbeitet werden."
    ),
    "nl": "Ik ga ermee akkoord dat mijn berichten in deze chat worden verwerkt om mijn bericht te beantwoorden.",
    "it": "Acconsento al trattamento dei miei messaggi in questa chat per rispondere al mio messaggio.",
    "pt-br": "Concordo que minhas mensagens neste chat sejam tratadas para responder à minha mensagem.",
}
_TRANSCRIPT_LABELS = {
    "en": ("Chat transcript", "You", "Agent"),
    "de": ("Chat-Verlauf", "Sie", "Mitarbeiter"),
    "nl": ("Chatgesprek", "U", "Medewerker"),
    "it": ("Trascrizione della chat", "Lei", "Operatore"),
    "pt-br": ("Transcrição do chat", "Você", "Atendente"),
}


def rights_url(notice: dict[str, Any] | None) -> str:
    """Where the visitor asks for their data, its erasure or correction: ``SUBJECT_RIGHTS_URL`` (the company's
    request form or DPO address), else our self-service page, whether or not a notice was shown."""
    return subject_rights_url()


def notice_render(notice: PrivacyNotice | None, *, language: str) -> dict[str, Any] | None:
    if notice is None:
        return None
    return {
        "id": notice.pk,
        "version": notice.version,
        "title": notice.title,
        "summary": NOTICE_SUMMARY.get(language, NOTICE_SUMMARY["en"]),
        "consent_label": CONSENT_LABEL.get(language, CONSENT_LABEL["en"]),
        "url": notice_url(notice),
    }


def _text(message: Message) -> str:
    # The subject erased meanwhile: nothing to show.
    return str(or_erased(lambda: message.content, {}).get("text", ""))


def _agent_name(message: Message) -> str:
    # A first name at most: usernames identify staff accounts and are not the customer's business.
    author = message.author if message.author_id else None
    return (author.first_name or "").strip()[:60] if author is not None else ""


def customer_message_render(message: Message) -> dict[str, Any]:
    """One message as the widget shows it. ``id`` is the provider id the widget echoes back."""
    return {
        "id": message.provider_message_id or "",
        "direction": message.direction,
        "text": _text(message),
        "status": message.status,
        "author": _agent_name(message) if message.direction == Direction.OUTBOUND else "",
        "created_at": message.created_at.isoformat(),
    }


def customer_messages(*, subject: Subject) -> QuerySet[Message]:
    """Every message of this visitor's web-chat conversations the customer may see, oldest first."""
    return (
        Message.objects.filter(conversation__subject=subject, conversation__channel=PROVIDER, type__in=_CUSTOMER_TYPES)
        .exclude(direction=Direction.OUTBOUND, status__in=[MessageStatus.QUEUED, MessageStatus.FAILED])
        .exclude(provider_message_id__isnull=True)
        .select_related("conversation__subject", "author")
        .order_by("id")
    )


def customer_history(*, subject: Subject, limit: int = 50) -> list[dict[str, Any]]:
    rows = list(customer_messages(subject=subject).order_by("-id")[:limit])
    return [customer_message_render(m) for m in reversed(rows)]


def transcript_render(*, subject: Subject | None, language: str, limit: int = 5000) -> str:
    """The visitor's own chat as plain text, built from the database (what they may download)."""
    title, you, agent = _TRANSCRIPT_LABELS.get(language, _TRANSCRIPT_LABELS["en"])
    lines = [title, "=" * len(title), ""]
    messages = customer_messages(subject=subject)[:limit] if subject is not None else []
    for message in messages:
        stamp = message.created_at.strftime("%Y-%m-%d %H:%M UTC")
        if message.direction == Direction.INBOUND:
            who = you
        else:
            name = _agent_name(message)
            who = f"{agent} {name}".strip() if name else agent
        lines.append(f"[{stamp}] {who}: {_text(message)}")
    return "\n".join(lines) + "\n"


# --- Sending ------------------------------------------------------------------------------


class WebchatSender:
    """Hands an outbound message to the visitor's open sockets through the channel layer.

    There is no provider to confirm delivery: "sent" means published to the
    visitor's group; the widget reports ``delivered`` and ``read`` itself. A
    visitor who is offline sees the message in the history on reconnect (it
    is ``sent`` by then) and reports delivery from there.
    """

    def send(self, *, message: Message) -> str:
        visitor = self._visitor(message)
        provider_id = f"webchat.{uuid.uuid4().hex}"
        payload = customer_message_render(message)
        payload["id"] = provider_id
        payload["status"] = MessageStatus.SENT
        try:
            async_to_sync(get_channel_layer().group_send)(
                visitor_group(visitor), {"type": "webchat.message", "message": payload}
            )
        except Exception as exc:  # the layer's errors are many (Redis, msgpack, …); all are worth a retry
            raise RetryableSendError(f"channel layer unavailable for message {message.pk}", code="layer") from exc
        return provider_id

    @staticmethod
    def _visitor(message: Message) -> str:
        contact = message.conversation.contact_point
        if contact is None or contact.kind != ContactKind.WEBCHAT:
            contact = message.conversation.subject.contact_points.filter(kind=ContactKind.WEBCHAT).first()
        if contact is None:
            raise PermanentSendError(f"message {message.pk}: the conversation has no web-chat visitor", code="visitor")
        try:
            return contact.value
        except ConsentError as exc:
            raise PermanentSendError(f"message {message.pk}: the subject was erased", code="erased") from exc
