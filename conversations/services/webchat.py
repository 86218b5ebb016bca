"""Web-chat use cases: the visitor's consent, messages and receipts (the consumer only parses and relays).

Invariants: nothing is stored before the visitor ticked the consent box; the grant records the
notice version the widget showed, validated to be the current one; a message is stored once
whatever the resends; a status report touches only a reply sent to this visitor; a message that would open a
conversation counts against its address's hourly limit (``webchat_limits``) before anything is stored.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from consent import services as consent_services
from consent.models import ConsentChannel, ConsentStatus, ContactKind, PrivacyNotice, Purpose, Subject
from consent.selectors import consent_state, notice_current, subject_get_by_contact
from conversations.exceptions import WebchatRefused as Refused
from conversations.models import Conversation, ConversationStatus, Direction, Message
from conversations.providers import webchat
from conversations.providers.base import InboundMessage, StatusUpdate
from conversations.services.ingest import ingest
from conversations.services.statuses import message_status_update
from conversations.services.webchat_limits import conversation_admit

logger = logging.getLogger(__name__)


def visitor_subject(visitor: str) -> Subject | None:
    return subject_get_by_contact(kind=ContactKind.WEBCHAT, value=visitor)


def _purpose() -> Purpose:
    purpose = Purpose.objects.filter(code=settings.WEBCHAT_CONSENT_PURPOSE, active=True).first()
    if purpose is None:
        logger.error("web chat: consent purpose %s is missing or inactive", settings.WEBCHAT_CONSENT_PURPOSE)
        raise Refused("unavailable")
    return purpose


def visitor_jurisdiction(subject: Subject | None) -> str:
    # Web chat has no phone number to derive a country from: a new visitor gets the default regime.
    return subject.jurisdiction if subject is not None else settings.DEFAULT_JURISDICTION


def visitor_consented(subject: Subject | None) -> bool:
    return subject is not None and consent_state(subject=subject, purpose=settings.WEBCHAT_CONSENT_PURPOSE) == (
        ConsentStatus.GRANTED
    )


def webchat_consent(*, visitor: str, language: str, notice_id: int, ip: str) -> None:
    """The consent box ticked: the subject, its contact point and the grant, with the notice shown."""
    with transaction.atomic():
        purpose = _purpose()
        subject = visitor_subject(visitor)
        notice: PrivacyNotice | None = notice_current(language=language, jurisdiction=visitor_jurisdiction(subject))
        if notice is None:
            raise Refused("notice_unavailable")
        if notice.pk != notice_id:
            # The widget showed an older version (or made one up): show the current one and ask again.
            raise Refused("notice_outdated", notice=webchat.notice_render(notice, language=language))
        if subject is None:
            subject, _ = consent_services.subject_get_or_create_by_contact(
                kind=ContactKind.WEBCHAT, value=visitor, language=language, actor=None
            )
        if visitor_consented(subject):
            return
        consent_services.consent_grant(
            subject=subject,
            purpose=purpose,
            channel=ConsentChannel.WEBCHAT,
            notice=notice,
            evidence=consent_services.Evidence(form="webchat-widget", ip=ip),
        )


def _opens_conversation(subject: Subject, client_id: str) -> bool:
    """Whether this message would open a conversation: none is open, and it is not a resend of a stored one."""
    open_ = Conversation.objects.filter(subject=subject, channel=webchat.PROVIDER).exclude(
        status=ConversationStatus.RESOLVED
    )
    stored = Message.objects.filter(provider=webchat.PROVIDER, provider_message_id=client_id)
    return not open_.exists() and not stored.exists()


def webchat_receive(*, visitor: str, language: str, client_id: str, text: str, address: str) -> str:
    """A visitor's message: refused before consent; stored once whatever the resends. One that would open a
    conversation is refused (``too_many_conversations``) beyond its address's hourly limit, before it is stored.
    ``address``: the client's, as ``consent.network`` determines it."""
    subject = visitor_subject(visitor)
    if not visitor_consented(subject):
        raise Refused("consent_required")
    if _opens_conversation(subject, client_id) and not conversation_admit(address=address):
        raise Refused("too_many_conversations")
    inbound = InboundMessage(
        provider=webchat.PROVIDER,
        provider_message_id=client_id,
        contact_kind=ContactKind.WEBCHAT,
        sender=visitor,
        timestamp=timezone.now(),
        type="text",
        text=text,
        language=language,
    )
    try:
        with transaction.atomic():
            created = ingest(inbound=inbound).created
    except IntegrityError:
        # The same message sent twice at once (two tabs, a resend on reconnect): the other one stored it.
        # WhatsApp's redelivery settles this for webhooks; here the answer is the stored message, below.
        created = False
    if not created and not _owned(subject, client_id, direction=Direction.INBOUND):
        # Someone else's id (or a reused one): refuse rather than acknowledge a message we did not store.
        raise Refused("invalid_client_id")
    return client_id


def _owned(subject: Subject | None, provider_message_id: str, *, direction: str) -> bool:
    return (
        subject is not None
        and Message.objects.filter(
            provider=webchat.PROVIDER,
            provider_message_id=provider_message_id,
            direction=direction,
            conversation__subject=subject,
        ).exists()
    )


def webchat_status(*, visitor: str, provider_message_id: str, status: str, trusted: bool) -> None:
    """Delivered/read reported by the widget, for a reply sent to this visitor only."""
    # ``trusted``: this socket was handed the id by the server; the send may not have stored it yet,
    # and message_status_update keeps such a report for when it does.
    if not trusted and not _owned(visitor_subject(visitor), provider_message_id, direction=Direction.OUTBOUND):
        raise Refused("unknown_message")
    message_status_update(
        update=StatusUpdate(
            provider=webchat.PROVIDER,
            provider_message_id=provider_message_id,
            status=status,
            timestamp=timezone.now(),
            recipient=visitor,
        )
    )
