"""Real-time delivery: an outbox row per event, published after commit (DESIGN "Real-time").

Invariants:
- ``event_record`` writes the ``ConversationEvent`` in the caller's
  transaction; the publish happens only after that transaction commits, so a
  client never sees an event that was rolled back.
- A failed publish (Redis down) loses nothing: the row is in the database and
  a reconnecting client is replayed from it. The failure is logged with ids only.
- Groups are narrow: ``conversation-<id>``, ``team-<id>``, ``agent-<id>``.
"""

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from conversations.models import Conversation, ConversationEvent, Message

logger = logging.getLogger(__name__)


def event_groups(*, conversation_id: int | None, team_id: int | None, agent_id: int | None) -> list[str]:
    groups = []
    if conversation_id:
        groups.append(f"conversation-{conversation_id}")
    if team_id:
        groups.append(f"team-{team_id}")
    if agent_id:
        groups.append(f"agent-{agent_id}")
    return groups


def event_record(
    *,
    kind: str,
    conversation: Conversation | None,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
) -> ConversationEvent:
    from conversations.selectors import event_render

    event = ConversationEvent.objects.create(
        kind=kind,
        conversation=conversation,
        message=message,
        team_id=conversation.team_id if conversation else None,
        agent_id=conversation.assigned_agent_id if conversation else None,
        data=data or {},
    )
    # Rendered now, from the objects in hand (the subject's key is already unwrapped), and sent
    # only once the transaction commits; a replay renders the same row again from the database.
    payload = event_render(event)
    groups = event_groups(conversation_id=event.conversation_id, team_id=event.team_id, agent_id=event.agent_id)
    transaction.on_commit(lambda: event_publish(event_id=event.pk, payload=payload, groups=groups), robust=True)
    return event


def event_record_many(*, events: list[ConversationEvent]) -> list[ConversationEvent]:
    """``event_record`` for many events at once: one insert, one publish hop after commit.

    Each event must carry its ``conversation`` (and ``message``) instances, as ``event_record``'s
    callers pass them; ids come back from the insert in order, so they still increase in the
    order given.
    """
    from conversations.selectors import event_render

    if not events:
        return events
    for event in events:
        conversation = event.conversation
        event.team_id = conversation.team_id if conversation else None
        event.agent_id = conversation.assigned_agent_id if conversation else None
    ConversationEvent.objects.bulk_create(events)
    batch = [
        (
            event.pk,
            event_render(event),
            event_groups(conversation_id=event.conversation_id, team_id=event.team_id, agent_id=event.agent_id),
        )
        for event in events
    ]
    transaction.on_commit(lambda: events_publish(batch=batch), robust=True)
    return events


async def _send_all(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    await asyncio.gather(*(layer.group_send(group, message) for group in groups))


async def _send_batch(batch: list[tuple[int, dict[str, Any], list[str]]]) -> None:
    layer = get_channel_layer()
    by_group: dict[str, list[dict[str, Any]]] = {}
    for _, payload, groups in batch:
        for group in groups:
            by_group.setdefault(group, []).append({"type": "inbox.event", "event": payload})

    async def send_in_order(group: str, messages: list[dict[str, Any]]) -> None:
        # One group's frames in event order; different groups concurrently.
        for message in messages:
            await layer.group_send(group, message)

    await asyncio.gather(*(send_in_order(group, messages) for group, messages in by_group.items()))


def event_publish(*, event_id: int, payload: dict[str, Any], groups: list[str]) -> None:
    try:
        # One hop into the event loop for all groups of the event.
        async_to_sync(_send_all)(groups, {"type": "inbox.event", "event": payload})
    except Exception:
        logger.exception("publishing event %s failed; clients will catch up from the outbox", event_id)


def events_publish(*, batch: list[tuple[int, dict[str, Any], list[str]]]) -> None:
    try:
        async_to_sync(_send_batch)(batch)
    except Exception:
        logger.exception(
            "publishing events %s..%s failed; clients will catch up from the outbox", batch[0][0], batch[-1][0]
        )


def signal_send(*, group: str, message: dict[str, Any]) -> None:
    """Ephemeral signals (typing) that are not worth an outbox row."""
    layer = get_channel_layer()
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001
        logger.warning("ephemeral signal to %s not delivered", group)
