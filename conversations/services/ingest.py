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
- Status updates only move a message forward (``status_may_advance``);
  duplicates and late arrivals change nothing.
- Nothing here logs or raises with personal data; ids only.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from consent import services as consent_services
from consent.contacts import normalize_contact
from consent.exceptions import ConsentError
from consent.keywords import Intent, interpret
from consent.models import ConsentChannel, ConsentState, ConsentStatus, ContactPoint, Purpose, Subject
from consent.selectors import contact_point_get, marketing_keywords, subject_get_by_contact
from conversations.models import (
    MEDIA_TYPES,
    Attachment,
    Conversation,
    ConversationEvent,
    ConversationStatus,
    Direction,
    EarlyStatus,
    Message,
    MessageStatus,
    MessageType,
    Team,
    status_may_advance,
)
from conversations.providers.base import InboundMessage, NumberChange, StatusUpdate
from conversations.selectors import online_agent_loads
from conversations.services.realtime import event_record, event_record_many
from conversations.services.sensitive import ScanOutcome, message_apply_scan, message_scan, sensitive_after_store

logger = logging.getLogger(__name__)

_CONSENT_CHANNEL = {"whatsapp": ConsentChannel.WHATSAPP, "webchat": ConsentChannel.WEBCHAT}


@dataclass(frozen=True, slots=True)
class IngestResult:
    message: Message | None
    created: bool
    replies: tuple[Message, ...] = ()
    refused: bool = False  # the sender is no valid contact point: nothing stored, retrying cannot help


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
        if conversation.status == ConversationStatus.PENDING:
            # The customer answered: back into the agents' queue.
            conversation.status = ConversationStatus.OPEN
            conversation.save(update_fields=["status"])
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
    from conversations.tasks import fetch_attachment

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
                except ConsentError:
                    continue  # expired: recorded by the service; the customer can start again
                replies.append(change.message)
    except ConsentError as exc:
        # No published notice, say: the message itself is still stored and an agent sees it.
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
    from conversations.services.outbound import message_queue_system_reply

    if (
        not first_contact
        and Message.objects.filter(provider=inbound.provider, provider_message_id=inbound.provider_message_id).exists()
    ):
        return IngestResult(message=None, created=False)  # a redelivery: stored once already
    contact = None if first_contact else contact_point_get(kind=inbound.contact_kind, value=inbound.sender)
    created = False
    if contact is None:
        subject, created = consent_services.subject_get_or_create_by_contact(
            kind=inbound.contact_kind,
            value=inbound.sender,
            display_name=inbound.profile_name[:200],
            language=inbound.language or None,
            actor=None,
            known_absent=first_contact,
        )
        contact = (
            subject.first_contact if created else contact_point_get(kind=inbound.contact_kind, value=inbound.sender)
        )
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
    conversation.last_message_at = now
    conversation.unread_count += 1
    # Counters, not a change anyone audits: no history row per message (QuerySet.update writes none).
    Conversation.objects.filter(pk=conversation.pk).update(
        last_inbound_at=conversation.last_inbound_at,
        last_message_at=conversation.last_message_at,
        unread_count=F("unread_count") + 1,
    )
    # Before the events: a conversation that just became sensitive is published as such.
    notices = sensitive_after_store(message=message, conversation=conversation, outcome=outcome)
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
def message_status_update(*, update: StatusUpdate) -> bool:
    """Move an outbound message forward. Unknown ids, duplicates and backward moves change nothing."""
    return message_status_update_many(updates=[update])[0]


def message_status_update_many(*, updates: Sequence[StatusUpdate]) -> list[bool]:
    """``message_status_update`` for every update of ``updates``, in order; True where a message moved.

    A webhook group's statuses (Meta reports sent, delivered and read for every message we send, so
    they outnumber customers' messages) cost two locking reads, one update and one event insert
    together, where one at a time cost eleven queries each. Applied in the order given: a message
    that gets ``delivered`` then ``read`` in one group ends at ``read``, with an event for each move;
    every event renders the message as it is at commit, as a replay from the outbox would.
    Runs in the caller's transaction; an id no stored message has yet is kept for when the send
    records it (``EarlyStatus``).
    """
    found = _messages_for_status(updates)
    results: list[bool] = []
    moved: dict[int, Message] = {}
    events: list[ConversationEvent] = []
    early: list[StatusUpdate] = []
    for update in updates:
        message = found.get((update.provider, update.provider_message_id))
        if message is None:
            early.append(update)
            results.append(False)
        elif _advance(message, update):
            moved[message.pk] = message
            events.append(_status_event(message))
            results.append(True)
        else:
            results.append(False)
    if moved:
        # The rows are locked; plain SQL, as ``ingest_many`` does: the ORM's bulk_update builds a CASE per row.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Message._meta.db_table} SET status = %s, status_changed_at = %s, "  # noqa: S608
                "error_code = %s, error_title = %s WHERE id = %s",
                [(m.status, m.status_changed_at, m.error_code, m.error_title, m.pk) for m in moved.values()],
            )
        event_record_many(events=events)
    if early:
        _statuses_keep_early(early)
    return results


def _messages_for_status(updates: Sequence[StatusUpdate]) -> dict[tuple[str, str], Message]:
    return _messages_locked([(update.provider, update.provider_message_id) for update in updates])


def _messages_locked(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Message]:
    """The messages these (provider, id) name, each with what its event renders: conversation, team, agent,
    contact point, subject and wrapped key. Messages locked in id order, then their conversations in id
    order (``ingest_many`` locks conversations in id order too, and the webhook stores statuses in a
    transaction of their own: ``webhooks._apply_committed``). Messages of one conversation share its
    instance, conversations of one subject the subject's, so each data key is unwrapped once."""
    wanted: dict[str, set[str]] = {}
    for provider, provider_message_id in keys:
        wanted.setdefault(provider, set()).add(provider_message_id)
    found: dict[tuple[str, str], Message] = {}
    for provider, ids in wanted.items():
        rows = (
            Message.objects.select_for_update(of=("self",))
            .filter(provider=provider, provider_message_id__in=ids)
            .order_by("pk")
        )
        found.update(((provider, message.provider_message_id), message) for message in rows)
    if not found:
        return found
    # Then their conversations, locked too and so read as committed after any change in flight: an event
    # published with a conversation read earlier could say "not sensitive" a moment after it became so,
    # and go to the whole team. FOR NO KEY UPDATE waits for writers but not for rows merely referencing it.
    conversations: dict[int, Conversation] = {}
    subjects: dict[int, Subject] = {}
    for conversation in (
        Conversation.objects.select_for_update(of=("self",), no_key=True)
        .select_related("team", "assigned_agent", "contact_point", "subject__data_key")
        .filter(pk__in={message.conversation_id for message in found.values()})
        .order_by("pk")
    ):
        conversation.subject = subjects.setdefault(conversation.subject_id, conversation.subject)
        if conversation.contact_point is not None:
            conversation.contact_point.subject = conversation.subject
        conversations[conversation.pk] = conversation
    for message in found.values():
        message.conversation = conversations[message.conversation_id]
    media = [m for m in found.values() if m.type in MEDIA_TYPES]
    if media:
        prefetch_related_objects(media, "attachments")  # message_render lists them
    return found


def _statuses_keep_early(updates: list[StatusUpdate]) -> None:
    """No stored message has these ids (yet): a send may not have recorded the provider's id. Keep the
    statuses for then (see outbound._mark), in one insert; a repeat is already kept. Ids no send ever
    claims (another system sending on the same number) are purged later (``early_statuses_purge``)."""
    EarlyStatus.objects.bulk_create(
        [
            EarlyStatus(
                provider=update.provider,
                provider_message_id=update.provider_message_id[:128],
                status=update.status,
                timestamp=update.timestamp,
                error_code=update.error_code[:16],
                error_title=update.error_title[:200],
            )
            # In key order: two groups inserting the same keys wait on each other's rows in one order only.
            for update in sorted(updates, key=lambda u: (u.provider, u.provider_message_id, u.status))
        ],
        ignore_conflicts=True,
    )
    # If a send committed its id meanwhile, it may already have looked for early statuses: look again
    # once these rows are committed too. Together with the send's own look after its commit
    # (outbound._mark), one of the two sees both rows.
    keys = sorted({(update.provider, update.provider_message_id) for update in updates})
    transaction.on_commit(lambda: early_statuses_retry_many(keys=keys), robust=True)


def _advance(message: Message, update: StatusUpdate) -> bool:
    """Set ``update``'s status on the (unsaved) message if that moves it forward; False changes nothing."""
    if not status_may_advance(message.status, update.status):
        return False
    message.status = update.status
    message.status_changed_at = update.timestamp
    if update.status == MessageStatus.FAILED:
        message.error_code, message.error_title = update.error_code[:16], update.error_title[:200]
    return True


def _status_event(message: Message) -> ConversationEvent:
    return ConversationEvent(
        kind="message.status",
        conversation=message.conversation,
        message=message,
        data={"status": message.status, "error_code": message.error_code},
    )


def _apply_status(message: Message, update: StatusUpdate) -> bool:
    if not _advance(message, update):
        return False
    message.save(update_fields=["status", "status_changed_at", "error_code", "error_title"])
    event = _status_event(message)
    event_record(kind=event.kind, conversation=message.conversation, message=message, data=event.data)
    return True


def early_statuses_apply(*, message: Message) -> None:
    """Apply status webhooks that overtook the send, oldest rank first; called once the id is known."""
    early = list(EarlyStatus.objects.filter(provider=message.provider, provider_message_id=message.provider_message_id))
    for row in sorted(early, key=lambda r: ["sent", "failed", "delivered", "read"].index(r.status)):
        _apply_status(
            message,
            StatusUpdate(
                provider=row.provider, provider_message_id=row.provider_message_id, status=row.status,
                timestamp=row.timestamp, error_code=row.error_code, error_title=row.error_title,
            ),
        )  # fmt: skip
    EarlyStatus.objects.filter(pk__in=[r.pk for r in early]).delete()


def early_statuses_purge(*, older_than: timedelta, batch_size: int = 1000) -> int:
    """Delete early statuses no send claimed within ``older_than``; returns how many. Idempotent, in
    batches (each its own transaction), safe to run from cron while webhooks arrive: a send records
    its id within seconds of the status, so a row a day old will never be claimed."""
    cutoff = timezone.now() - older_than
    total = 0
    while True:
        batch = list(
            EarlyStatus.objects.filter(created_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return total
        with transaction.atomic():
            total += EarlyStatus.objects.filter(pk__in=batch).delete()[0]


def early_statuses_retry(*, provider: str, provider_message_id: str) -> None:
    early_statuses_retry_many(keys=[(provider, provider_message_id)])


@transaction.atomic
def early_statuses_retry_many(*, keys: Sequence[tuple[str, str]]) -> None:
    """Apply the kept statuses of whichever of these (provider, id) a stored message now has; one query
    when none has (the usual case: the send recorded its id first, or another system sent them).
    Locks as a status group does (messages, then their conversations, each in id order): locking each
    message with its conversation, message after message, could deadlock with a group or an ingest."""
    for message in _messages_locked(keys).values():
        early_statuses_apply(message=message)


@transaction.atomic
def contact_number_change(*, change: NumberChange) -> bool:
    """The customer moved to a new number: the same subject, its contact point rewritten, history kept."""
    subject = subject_get_by_contact(kind="whatsapp", value=change.old_value)
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
