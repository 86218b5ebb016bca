"""Inbound pipeline: one ``ingest`` for every channel (DESIGN "Data flow").

Invariants:
- Each inbound message is handled in one transaction: dedupe on the
  provider's id (unique constraint; a duplicate is a no-op), resolve the
  subject by its contact point's blind index, act on consent keywords, attach
  to or open the conversation, scan for sensitive data (``services.sensitive``),
  store the message encrypted with its findings, append the outbox event.
  Publishing happens after commit (``event_record``).
- The caller acknowledges the provider only after ``ingest`` returned, so
  nothing is acknowledged that is not durably stored.
- Delivery statuses of what we sent are not inbound messages: ``services.statuses``.
- A known sender's subject is locked for the transaction and read again as committed (``subjects_locked``)
  before anything is stored for it. An erasure locks its subject first (``retention.services.erasure``), so
  a message racing one ends in one of two ways only: stored before the erasure, and erased with the
  subject; or stored after it, under a new subject with a fresh key, nothing of the old one readable. Never
  a message under a destroyed key or attached to a half-erased subject.
- Nothing here logs or raises with personal data; ids only.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consent import services as consent_services
from consent.contacts import normalize_contact
from consent.exceptions import DomainError
from consent.keywords import Intent, interpret
from consent.models import ConsentChannel, ConsentState, ConsentStatus, ContactPoint, Purpose, Subject
from consent.selectors import contact_point_get, marketing_keywords, subject_get_by_contact
from conversations.models import (
    Attachment,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    MessageType,
    Team,
)
from conversations.providers.base import InboundMessage, NumberChange
from conversations.search import messages_index
from conversations.selectors import online_agent_loads
from conversations.services.conversation import conversation_status_move
from conversations.services.media import fetch_attachment
from conversations.services.outbound import message_queue_system_reply
from conversations.services.realtime import event_record
from conversations.services.sensitive import ScanOutcome, message_apply_scan, message_scan, sensitive_after_store

logger = logging.getLogger(__name__)

_CONSENT_CHANNEL = {"whatsapp": ConsentChannel.WHATSAPP, "webchat": ConsentChannel.WEBCHAT}


@dataclass(frozen=True, slots=True)
class IngestResult:
    message: Message | None
    created: bool
    replies: tuple[Message, ...] = ()
    refused: bool = False  # the sender is no valid contact point: nothing stored, retrying cannot help


def subjects_locked(*, ids: Iterable[int]) -> dict[int, Subject]:
    """The subjects with these ids that still exist, each locked until the transaction ends (in id order, so two
    callers cannot deadlock) and read as committed, with its wrapped key.

    An erasure locks its subject before it destroys the key: a subject returned here is not erased before this
    transaction ends, and one missing was erased by a transaction that committed while this one waited (its
    contact points went with it). FOR NO KEY UPDATE: writers of the subject wait, rows that merely reference it
    (an agent's access record) do not."""
    subjects = (
        Subject.objects.select_for_update(of=("self",), no_key=True)
        .select_related("data_key")
        .filter(pk__in=set(ids))
        .order_by("pk")
    )
    return {subject.pk: subject for subject in subjects}


def _contact_locked(inbound: InboundMessage) -> ContactPoint | None:
    """The sender's contact point with its subject locked (``subjects_locked``); ``None`` if there is none, or if
    its subject was erased while we waited for the lock."""
    contact = contact_point_get(kind=inbound.contact_kind, value=inbound.sender)
    if contact is None:
        return None
    subject = subjects_locked(ids=[contact.subject_id]).get(contact.subject_id)
    if subject is None:
        return None
    contact.subject = subject
    return contact


def _sender(inbound: InboundMessage, *, first_contact: bool) -> tuple[ContactPoint, bool]:
    """The sender's contact point, its subject locked or created in this transaction; True if created."""
    contact = None if first_contact else _contact_locked(inbound)
    while contact is None:
        subject, created = consent_services.subject_get_or_create_by_contact(
            kind=inbound.contact_kind,
            value=inbound.sender,
            display_name=inbound.profile_name[:200],
            language=inbound.language or None,
            actor=None,
            known_absent=first_contact,
        )
        if created:
            return subject.first_contact, True
        # Another first message's subject, committed meanwhile: locked as any other (and, should an erasure
        # have taken it in the instant since, the next round creates one).
        first_contact = False
        contact = _contact_locked(inbound)
    return contact, False


def _route_team(subject: Subject) -> Team | None:
    """The team serving the subject's language, else the default team, else the first one."""
    teams = list(Team.objects.order_by("pk"))
    for team in teams:
        if subject.language in (team.languages or []):
            return team
    return next((t for t in teams if t.is_default), teams[0] if teams else None)


def _open_conversation(
    *, subject: Subject, contact: ContactPoint | None, channel: str, new_subject: bool = False
) -> tuple[Conversation, bool]:
    conversation = None
    if not new_subject:  # a subject created in this transaction has no conversation yet
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("team", "assigned_agent", "contact_point")
            .filter(subject=subject, channel=channel)
            .exclude(status=ConversationStatus.RESOLVED)
            .first()
        )
    if conversation is not None:
        return conversation, False
    team = _route_team(subject)
    agent_id = None
    if team is not None and team.auto_assign:
        loads = online_agent_loads(team_id=team.pk)
        agent_id = loads[0][0] if loads else None
    conversation = Conversation.objects.create(
        subject=subject, contact_point=contact, channel=channel, team=team, assigned_agent_id=agent_id
    )
    return conversation, True


def inbound_scan(*, inbound: InboundMessage, conversation: Conversation) -> ScanOutcome:
    """The sensitive-data scan of an inbound message, under its conversation's team policy."""
    message_type = inbound.type if inbound.type in MessageType.values else MessageType.UNSUPPORTED
    return message_scan(text=inbound.text, message_type=message_type, direction="in", team=conversation.team)


def inbound_message_build(*, inbound: InboundMessage, conversation: Conversation, outcome: ScanOutcome) -> Message:
    """The unsaved ``Message`` for an inbound message: content encrypted (as the scan left the text), findings set.
    Shared by ``ingest`` and ``ingest_many``."""
    content = dict(inbound.content)
    if outcome.text:
        content["text"] = outcome.text
    message = Message(
        conversation=conversation,
        direction=Direction.INBOUND,
        type=inbound.type if inbound.type in MessageType.values else MessageType.UNSUPPORTED,
        provider=inbound.provider,
        provider_message_id=inbound.provider_message_id,
        reply_to_provider_id=inbound.reply_to[:128],
        status=MessageStatus.RECEIVED,
        provider_timestamp=inbound.timestamp,
    )
    message.content = content  # encrypted under the subject's key
    message_apply_scan(message, outcome)
    return message


def _store_message(
    *,
    conversation: Conversation,
    inbound: InboundMessage,
) -> tuple[Message, ScanOutcome]:
    outcome = inbound_scan(inbound=inbound, conversation=conversation)
    message = inbound_message_build(inbound=inbound, conversation=conversation, outcome=outcome)
    # ``ingest`` checked for an earlier delivery; two deliveries racing each other make the
    # unique constraint refuse the second, which fails its transaction so the provider retries
    # and the retry finds the message stored. No savepoint here: it costs two round trips a message.
    message.save(force_insert=True)
    if inbound.media is not None:
        attachment = Attachment.objects.create(
            message=message,
            provider_media_id=inbound.media.media_id[:128],
            mime_type=inbound.media.mime_type[:100],
            sha256=inbound.media.sha256[:64],
        )
        transaction.on_commit(lambda: _fetch_enqueue(attachment.pk), robust=True)
    return message, outcome


def _fetch_enqueue(attachment_id: int) -> None:
    fetch_attachment.enqueue(attachment_id=attachment_id)


def _consent_replies(*, subject: Subject, conversation: Conversation, inbound: InboundMessage) -> list[str]:
    """Act on STOP / START / YES. Returns texts to send back, in the subject's language."""
    if inbound.type not in (MessageType.TEXT, MessageType.BUTTON, MessageType.INTERACTIVE) or not inbound.text:
        return []
    match = interpret(inbound.text, subject.language, extra=marketing_keywords())
    if match.intent == Intent.NONE:
        return []
    marketing = list(Purpose.objects.filter(is_marketing=True, active=True).order_by("pk"))
    channel = _CONSENT_CHANNEL.get(inbound.provider, ConsentChannel.SYSTEM)
    evidence = consent_services.Evidence(inbound_message_id=inbound.provider_message_id[:200], keyword=match.keyword)
    replies: list[str] = []
    try:
        if match.intent == Intent.OPT_OUT:
            changes = consent_services.consent_withdraw_marketing(subject=subject, channel=channel, evidence=evidence)
            replies.extend(c.message for c in changes[:1])
        elif match.intent == Intent.OPT_IN:
            for purpose in marketing:
                state = ConsentState.objects.filter(subject=subject, purpose=purpose).values_list("status", flat=True)
                if state.first() in (ConsentStatus.GRANTED, ConsentStatus.PENDING):
                    continue
                if purpose.requires_double_opt_in:
                    change = consent_services.consent_request(
                        subject=subject, purpose=purpose, channel=channel, evidence=evidence
                    )
                else:
                    change = consent_services.consent_grant(
                        subject=subject, purpose=purpose, channel=channel, evidence=evidence
                    )
                replies.append(change.message)
        elif match.intent == Intent.CONFIRM:
            pending = ConsentState.objects.filter(subject=subject, status=ConsentStatus.PENDING).select_related(
                "purpose"
            )
            for state in pending:
                try:
                    change = consent_services.consent_confirm(
                        subject=subject, purpose=state.purpose, channel=channel, evidence=evidence
                    )
                except DomainError:
                    continue  # expired (recorded by the service), or confirmed meanwhile: nothing to answer
                replies.append(change.message)
    except DomainError as exc:
        # No published notice, say, or a state another message changed meanwhile (InvalidTransition): the
        # message itself is still stored and an agent sees it.
        logger.warning("consent keyword on conversation %s not applied: %s", conversation.pk, exc.code)
    return replies


def ingest(*, inbound: InboundMessage, first_contact: bool = False) -> IngestResult:
    """Store one inbound message. Raises ``InvalidContactPoint`` before writing anything.

    ``first_contact`` is for ``ingest_many``, which has checked the message id and the sender's
    contact point in the same transaction already."""
    # Validated before the transaction starts, so a refused sender needs no savepoint to undo.
    normalize_contact(kind=inbound.contact_kind, value=inbound.sender)
    # Nested in a caller's transaction (a webhook batch) this joins it: all or nothing.
    with transaction.atomic(savepoint=False):
        return _ingest(inbound, first_contact=first_contact)


def _ingest(inbound: InboundMessage, *, first_contact: bool = False) -> IngestResult:
    """``first_contact``: the caller checked, in this transaction, that the message is new and that
    no contact point has the sender's value (``ingest_many``), so neither is looked up again."""
    if (
        not first_contact
        and Message.objects.filter(provider=inbound.provider, provider_message_id=inbound.provider_message_id).exists()
    ):
        return IngestResult(message=None, created=False)  # a redelivery: stored once already
    contact, created = _sender(inbound, first_contact=first_contact)
    subject = contact.subject
    # The conversation row lock (below) serialises a burst of messages from one customer; two first
    # messages racing to open a conversation meet the partial unique constraint, and one is retried.
    conversation, opened = _open_conversation(
        subject=subject, contact=contact, channel=inbound.provider, new_subject=created
    )
    # Reuse the instances whose data key is already unwrapped: no second key lookup to render events.
    conversation.subject = subject
    if conversation.contact_point is not None:
        conversation.contact_point.subject = subject
    message, outcome = _store_message(conversation=conversation, inbound=inbound)
    now = timezone.now()
    conversation.last_inbound_at = max(filter(None, [conversation.last_inbound_at, inbound.timestamp]), default=now)
    conversation.last_message_at, conversation.last_message = now, message
    conversation.unread_count += 1
    messages_index(messages=[message])
    # Counters, not a change anyone audits: no history row per message (QuerySet.update writes none).
    Conversation.objects.filter(pk=conversation.pk).update(
        last_inbound_at=conversation.last_inbound_at,
        last_message_at=conversation.last_message_at,
        last_message=message,
        unread_count=F("unread_count") + 1,
    )
    consent_services.subject_contact_seen(subjects=[subject], at=now)  # a write at most twice a day
    # Before the events: a conversation that just became sensitive is published as such.
    notices = sensitive_after_store(message=message, conversation=conversation, outcome=outcome)
    if conversation.status == ConversationStatus.PENDING:
        # The customer answered: back into the agents' queue, through the declared transition (its event
        # goes to whom the conversation's sensitivity, now known, allows).
        conversation_status_move(
            conversation, status=ConversationStatus.OPEN, actor=None, reason="the customer answered"
        )
    if opened:
        event_record(kind="conversation.opened", conversation=conversation)
    event_record(kind="conversation.message", conversation=conversation, message=message)
    replies = tuple(
        reply
        for text in [*notices, *_consent_replies(subject=subject, conversation=conversation, inbound=inbound)]
        if (reply := message_queue_system_reply(conversation=conversation, text=text)) is not None
    )
    return IngestResult(message=message, created=True, replies=replies)


@transaction.atomic
def contact_number_change(*, change: NumberChange) -> bool:
    """The customer moved to a new number: the same subject, its contact point rewritten, history kept."""
    subject = subject_get_by_contact(kind="whatsapp", value=change.old_value)
    if subject is not None:  # locked as ``ingest`` locks it; gone if an erasure took it while we waited
        subject = subjects_locked(ids=[subject.pk]).get(subject.pk)
    if subject is None:
        return False
    if subject_get_by_contact(kind="whatsapp", value=change.new_value) is not None:
        logger.warning("number change for subject %s: new number already belongs to a subject", subject.pk)
        return False
    contact = ContactPoint.objects.get(subject=subject, kind="whatsapp")
    consent_services.contact_point_change(
        contact_point=contact, value=change.new_value, actor=None, reason="customer changed number (WhatsApp system)"
    )
    conversation = Conversation.objects.filter(subject=subject, channel="whatsapp").exclude(status="resolved").first()
    if conversation is not None:
        message = Message(
            conversation=conversation,
            direction=Direction.INBOUND,
            type=MessageType.SYSTEM,
            provider=change.provider,
            provider_message_id=change.provider_message_id or None,
            status=MessageStatus.RECEIVED,
            provider_timestamp=change.timestamp,
        )
        message.content = {"text": "The customer changed their phone number."}
        message.save(force_insert=True)
        event_record(kind="conversation.message", conversation=conversation, message=message)
    return True
