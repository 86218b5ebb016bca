"""Delivery statuses of what we sent (provider webhooks: sent, delivered, read, failed) and early statuses.

Invariants:
- A status only moves a message forward (``status_may_advance``); duplicates and late arrivals change
  nothing, so a redelivered webhook is a no-op.
- A webhook group's statuses are applied set-wise in the caller's transaction: messages locked in id
  order, then their conversations in id order (as ``ingest_many`` locks them), so two groups, or a group
  and an ingest, cannot deadlock.
- A status for an id no stored message has yet (the send has not recorded the provider's id) is kept as
  an ``EarlyStatus`` and applied once the send records it (``outbound.message_mark``), looked for again after
  both commits; a WhatsApp id encodes the recipient's number, so unclaimed rows are purged after a day.
  Each kept row carries the blind index of its recipient (never the number), by which the registry finds
  it for the subject with that number (erasure, export), whether or not a send ever claims it.
- Nothing here logs a message id or a number; internal ids only.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from consent.contacts import contact_index, normalize_contact
from consent.exceptions import InvalidContactPoint
from consent.models import ContactKind, ContactPoint, Subject
from conversations.models import (
    MEDIA_TYPES,
    Conversation,
    ConversationEvent,
    EarlyStatus,
    Message,
    MessageStatus,
    status_may_advance,
)
from conversations.providers.base import StatusUpdate
from conversations.services.realtime import event_record, event_record_many


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


# The kind of contact point a provider's recipient is (the scope of its blind index).
_RECIPIENT_KIND = {"whatsapp": ContactKind.WHATSAPP, "webchat": ContactKind.WEBCHAT}


def _recipient_index(update: StatusUpdate) -> str:
    """The blind index the recipient's contact point has (or would have), "" when the provider named none
    we can read. Worked out for early statuses only: they are rare, and normalising a number costs ~50 µs."""
    kind = _RECIPIENT_KIND.get(update.provider)
    if kind is None or not update.recipient:
        return ""
    try:
        normalized = normalize_contact(kind=kind, value=update.recipient)
    except InvalidContactPoint:
        return ""
    return contact_index(kind=normalized.kind, value=normalized.value)


def _statuses_keep_early(updates: list[StatusUpdate]) -> None:
    """No stored message has these ids (yet): a send may not have recorded the provider's id. Keep the
    statuses for then (see outbound.message_mark), in one insert; a repeat is already kept. Ids no send ever
    claims (another system sending on the same number) are purged later (``early_statuses_purge``).
    Each row keeps its recipient's blind index: the subject's erasure finds it by her contact points. A status
    whose recipient is nobody we know is not kept: every send goes to a contact point, so it reports a message
    to someone erased since (Meta reports late), and keeping it would bring back her number's traces."""
    indexed = [(update, _recipient_index(update)) for update in updates]
    known = set(
        ContactPoint.objects.filter(value_index__in={index for _, index in indexed if index}).values_list(
            "value_index", flat=True
        )
    )
    EarlyStatus.objects.bulk_create(
        [
            EarlyStatus(
                provider=update.provider,
                provider_message_id=update.provider_message_id[:128],
                recipient_index=index,
                status=update.status,
                timestamp=update.timestamp,
                error_code=update.error_code[:16],
                error_title=update.error_title[:200],
            )
            # In key order: two groups inserting the same keys wait on each other's rows in one order only.
            for update, index in sorted(indexed, key=lambda u: (u[0].provider, u[0].provider_message_id, u[0].status))
            if not index or index in known
        ],
        ignore_conflicts=True,
    )
    # If a send committed its id meanwhile, it may already have looked for early statuses: look again
    # once these rows are committed too. Together with the send's own look after its commit
    # (outbound.message_mark), one of the two sees both rows.
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
