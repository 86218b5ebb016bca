"""Set-based inbound: ``ingest_many`` stores a batch of inbound messages with a fixed number of queries.

Why: a webhook POST may carry many messages, and the group committer (``conversations.webhooks``)
hands several concurrent POSTs over at once. Going through ``ingest`` message by message costs
about nine ORM round trips each; the common case (a known customer writing into their open
conversation) needs no decision per message, so it is done for the whole batch at once.

Invariants (the same as ``ingest``, message for message):
- Runs inside the caller's transaction: all or nothing.
- A message id stored before, or seen earlier in the same batch, is a no-op.
- A subject whose messages need a decision (first contact, no open conversation or a pending one,
  a consent keyword, media to fetch) goes through ``ingest`` one message at a time, in arrival
  order. Every other subject's messages take the set path: its open conversation is locked (rows
  locked in id order, so two batches cannot deadlock on them), the messages are scanned and
  inserted encrypted with their findings, what the scan found is acted on as ``ingest`` would
  (``services.sensitive.sensitive_after_store``), the counters move once per conversation, and
  one outbox event per message is appended and published after commit, in arrival order.
- A sender that is no valid contact point is refused (``IngestResult.refused``) and nothing of it
  is stored: retrying could never help.
- The known senders' subjects are locked (in id order, before their conversations) and read again
  as committed (``ingest.subjects_locked``): one an erasure removed while we waited is a first
  contact now, so the message goes to a new subject with a fresh key, never to the erased one.
"""

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from consent import services as consent_services
from consent.contacts import contact_index, normalize_contact
from consent.exceptions import InvalidContactPoint
from consent.keywords import Intent, interpret
from consent.models import ContactPoint
from consent.selectors import marketing_keywords
from conversations.models import (
    MEDIA_TYPES,
    Conversation,
    ConversationEvent,
    ConversationStatus,
    Message,
    MessageType,
)
from conversations.providers.base import InboundMessage
from conversations.search import messages_index
from conversations.services.ingest import IngestResult, inbound_message_build, inbound_scan, ingest, subjects_locked
from conversations.services.outbound import message_queue_system_reply
from conversations.services.realtime import event_record_many
from conversations.services.sensitive import ScanOutcome, sensitive_after_store

_KEYWORD_TYPES = frozenset({MessageType.TEXT, MessageType.BUTTON, MessageType.INTERACTIVE})


def _needs_decision(inbound: InboundMessage, language: str) -> bool:
    if inbound.media is not None or inbound.type in MEDIA_TYPES:
        return True
    if inbound.type in _KEYWORD_TYPES and inbound.text:
        return interpret(inbound.text, language, extra=marketing_keywords()).intent != Intent.NONE
    return False


def ingest_many(*, inbounds: Sequence[InboundMessage]) -> list[IngestResult]:
    """Store every message of ``inbounds``; one result per input, in order."""
    results: list[IngestResult | None] = [None] * len(inbounds)
    with transaction.atomic(savepoint=False):
        _ingest_many(inbounds, results)
    return [r if r is not None else IngestResult(message=None, created=False) for r in results]


def _ingest_many(inbounds: Sequence[InboundMessage], results: list[IngestResult | None]) -> None:
    # 1. Senders, validated and indexed before anything is written.
    index_of: dict[int, tuple[str, str]] = {}
    for position, inbound in enumerate(inbounds):
        try:
            normalized = normalize_contact(kind=inbound.contact_kind, value=inbound.sender)
        except InvalidContactPoint:
            results[position] = IngestResult(message=None, created=False, refused=True)
            continue
        index_of[position] = (normalized.kind, contact_index(kind=normalized.kind, value=normalized.value))

    # 2. Duplicates: stored before, or twice in this batch.
    wanted: dict[str, set[str]] = {}
    for position in index_of:
        inbound = inbounds[position]
        wanted.setdefault(inbound.provider, set()).add(inbound.provider_message_id)
    stored = {
        (provider, mid)
        for provider, ids in wanted.items()
        for mid in Message.objects.filter(provider=provider, provider_message_id__in=ids).values_list(
            "provider_message_id", flat=True
        )
    }
    fresh: list[int] = []
    for position in index_of:
        key = (inbounds[position].provider, inbounds[position].provider_message_id)
        if key in stored:
            continue  # results[position] stays None: a redelivery
        stored.add(key)
        fresh.append(position)
    if not fresh:
        return

    # 3. Known contact points, one query per contact kind (their subjects are read locked in 4).
    contacts: dict[tuple[str, str], ContactPoint] = {}
    by_kind: dict[str, set[str]] = {}
    for position in fresh:
        kind, index = index_of[position]
        by_kind.setdefault(kind, set()).add(index)
    for kind, indexes in by_kind.items():
        for contact in ContactPoint.objects.filter(kind=kind, value_index__in=indexes):
            contacts[(kind, contact.value_index)] = contact

    # 4. Their subjects, locked in id order and read as committed: one erased meanwhile is gone, and its
    # senders are first contacts again. Then their conversations in progress, locked in id order.
    subjects = subjects_locked(ids=[contact.subject_id for contact in contacts.values()])
    for key, contact in list(contacts.items()):
        if contact.subject_id in subjects:
            contact.subject = subjects[contact.subject_id]
        else:
            del contacts[key]
    subject_ids = set(subjects)
    open_by_key: dict[tuple[int, str], Conversation] = {}
    if subject_ids:
        for conversation in (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("team", "assigned_agent", "contact_point")
            .filter(subject_id__in=subject_ids)
            .exclude(status=ConversationStatus.RESOLVED)
            .order_by("pk")
        ):
            open_by_key[(conversation.subject_id, conversation.channel)] = conversation

    # 5. Partition by (subject, channel): the set path only when no message of it needs a decision.
    lanes: dict[tuple, list[int]] = {}
    for position in fresh:
        inbound = inbounds[position]
        contact = contacts.get(index_of[position])
        key = (contact.subject_id, inbound.provider) if contact else ("new", index_of[position], inbound.provider)
        lanes.setdefault(key, []).append(position)
    simple: list[tuple[Conversation, ContactPoint, list[int]]] = []
    one_by_one: list[int] = []
    outcomes: dict[int, ScanOutcome] = {}
    for key, positions in lanes.items():
        contact = contacts.get(index_of[positions[0]])
        conversation = open_by_key.get(key) if contact else None
        if (
            contact is None
            or conversation is None
            or conversation.status != ConversationStatus.OPEN
            or any(_needs_decision(inbounds[p], contact.subject.language) for p in positions)
        ):
            one_by_one.extend(positions)
            continue
        outcomes.update((p, inbound_scan(inbound=inbounds[p], conversation=conversation)) for p in positions)
        simple.append((conversation, contact, positions))

    # 6. The set path.
    _append_simple(simple, inbounds, results, outcomes)

    # 7. Everything else, one message at a time in arrival order (``ingest`` joins this transaction).
    # A sender unknown at step 3 is known once its first message is stored: only that one is a first
    # contact (no second lookup of its message id or contact point).
    first_seen: set[tuple[str, str]] = set()
    for position in sorted(one_by_one):
        key = index_of[position]
        first = key not in contacts and key not in first_seen
        first_seen.add(key)
        results[position] = ingest(inbound=inbounds[position], first_contact=first)


def _append_simple(
    simple: list[tuple[Conversation, ContactPoint, list[int]]],
    inbounds: Sequence[InboundMessage],
    results: list[IngestResult | None],
    outcomes: dict[int, ScanOutcome],
) -> None:
    if not simple:
        return
    now = timezone.now()
    messages: list[tuple[int, Message]] = []
    for conversation, contact, positions in simple:
        subject = contact.subject  # its data key is unwrapped once and reused for every message
        conversation.subject = subject
        if conversation.contact_point is not None:
            conversation.contact_point.subject = subject
        for position in positions:
            inbound = inbounds[position]
            outcome = outcomes[position]
            message = inbound_message_build(inbound=inbound, conversation=conversation, outcome=outcome)
            messages.append((position, message))
            conversation.last_inbound_at = max(
                filter(None, [conversation.last_inbound_at, inbound.timestamp]), default=now
            )
            conversation.unread_count += 1
        conversation.last_message_at = now
    # Two deliveries racing each other meet the unique constraint: the whole transaction fails and
    # the provider retries, finding the message stored (as in ``ingest``).
    Message.objects.bulk_create([message for _, message in messages])
    messages_index(messages=[message for _, message in messages])
    for _, message in messages:
        message.conversation.last_message = message  # in arrival order: the last one stays
    # The rows are locked: the counters computed here are the ones to write. No history row (as
    # ``ingest``). Plain SQL: the ORM's bulk_update builds a CASE per row, which cost more than the rest.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Conversation._meta.db_table} SET last_inbound_at = %s, last_message_at = %s, "  # noqa: S608
            "last_message_id = %s, unread_count = %s WHERE id = %s",
            [(c.last_inbound_at, c.last_message_at, c.last_message.pk, c.unread_count, c.pk) for c, _, _ in simple],
        )
    consent_services.subject_contact_seen(subjects={c.subject.pk: c.subject for c, _, _ in simple}.values(), at=now)
    # What the scan found: the conversation flagged sensitive, alerts, the customer told about a
    # removed number. Before the events, so they show the conversation as it now is.
    notices: list[tuple[Conversation, str]] = []
    for position, message in messages:
        outcome = outcomes[position]
        if outcome.needs_action:
            conversation = message.conversation
            found = sensitive_after_store(message=message, conversation=conversation, outcome=outcome)
            notices += [(conversation, text) for text in found]
    # The events render each message with its conversation's counters after the whole batch; an
    # agent's client takes the newest unread count from every event.
    event_record_many(
        events=[
            ConversationEvent(kind="conversation.message", conversation=message.conversation, message=message)
            for _, message in messages
        ]
    )
    replies: dict[int, list[Message]] = {}
    for conversation, text in notices:
        reply = message_queue_system_reply(conversation=conversation, text=text)
        if reply is not None:
            replies.setdefault(conversation.pk, []).append(reply)
    for position, message in messages:
        results[position] = IngestResult(
            message=message, created=True, replies=tuple(replies.pop(message.conversation_id, ()))
        )
