"""The agent inbox socket (``/ws/agent/``): relays conversation events to the agents who may see them.

Invariants:
- Only authenticated users holding ``conversations.view_conversation`` stay
  connected; anyone else is closed with 4401 (not logged in) or 4403.
- Groups are narrow: ``agent-<id>``, ``team-<id>`` for the user's teams, and
  ``conversation-<id>`` only after ``conversation_get`` said the user may see
  it. There is no group of all agents.
- Every forwarded event is re-checked against what the socket may see
  (teams at connect time, own assignments), so a publish to a wide group can
  never leak a conversation; each event id is forwarded once per socket even
  when it arrives through several groups.
- The database is the source of truth: a client that reconnects sends the
  last id it saw and is replayed the rest from the outbox (``resume``).
- Nothing is logged but ids; message text only ever travels to the socket.
"""

import json
import logging
import time
from collections import deque
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import prefetch_related_objects

from conversations import selectors
from conversations.consumers.relay import RelayDispatchMixin
from conversations.services import presence_connect, presence_disconnect, signal_send

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
VIEW_PERM = "conversations.view_conversation"
# Bounded memory per socket: enough to cover a replay page plus the live events that raced it.
RECENT_EVENT_IDS = 2048
MAX_SUBSCRIPTIONS = 50
MAX_FRAME_CHARS = 16 * 1024
TYPING_MIN_INTERVAL = 1.0


def _positive_int(value: Any) -> int | None:
    # bool is an int in Python; a JSON ``true`` is not an id.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _load_identity(user: AbstractBaseUser) -> tuple[bool, bool, list[int], list[int]]:
    """(may use the inbox, sees everything, team ids, supervised team ids): the permission cache
    stays on this user instance."""
    team_ids, supervised = selectors.user_team_roles(user=user)
    return user.has_perm(VIEW_PERM), user.has_perm(selectors.VIEW_ALL), team_ids, supervised


def _replay(user: AbstractBaseUser, after_id: int) -> tuple[list[dict[str, Any]], bool]:
    events = selectors.event_list_for_user(user=user, after_id=after_id)
    # One query for every message's attachments, instead of one per message in message_render.
    prefetch_related_objects([e for e in events if e.message_id], "message__attachments")
    # Share one subject instance per subject, so its data key is unwrapped once, not once per row.
    subjects: dict[int, Any] = {}
    for event in events:
        if event.conversation_id:
            subject = subjects.setdefault(event.conversation.subject_id, event.conversation.subject)
            event.conversation.subject = subject
        if event.message_id:
            event.message.conversation.subject = subjects.setdefault(
                event.message.conversation.subject_id, event.message.conversation.subject
            )
    # event_list_for_user pages at 500: a full page means the client should ask again.
    return [selectors.event_render(e) for e in events], len(events) >= 500


class AgentInboxConsumer(RelayDispatchMixin, AsyncJsonWebsocketConsumer):
    relay_types = frozenset({"inbox.event", "inbox.typing"})

    user: AbstractBaseUser
    view_all: bool
    team_ids: frozenset[int]
    supervised_ids: frozenset[int]

    async def connect(self) -> None:
        self.groups_joined: set[str] = set()
        self.subscriptions: set[int] = set()
        self.present = False
        self._recent: deque[int] = deque(maxlen=RECENT_EVENT_IDS)
        self._recent_set: set[int] = set()
        self._typing_at: dict[int, float] = {}
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        may_use, view_all, team_ids, supervised = await database_sync_to_async(_load_identity)(user)
        if not may_use:
            await self._refuse(CLOSE_FORBIDDEN)
            return
        self.user, self.view_all, self.team_ids = user, view_all, frozenset(team_ids)
        self.supervised_ids = frozenset(supervised)
        await database_sync_to_async(presence_connect)(user=user)
        self.present = True
        # Groups before accept: once the client sees the socket open, nothing published is missed.
        for group in [f"agent-{user.pk}", *(f"team-{team_id}" for team_id in sorted(self.team_ids))]:
            await self._join(group)
        await self.accept()

    async def _refuse(self, code: int) -> None:
        # Accept, then close with an application code: a close before accept reaches the
        # browser as a bare 1006, and the page could not tell "log in again" from "network down".
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        for group in list(getattr(self, "groups_joined", ())):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "present", False):
            self.present = False
            await database_sync_to_async(presence_disconnect)(user=self.user)

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def _leave(self, group: str) -> None:
        await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.discard(group)

    # --- client → server ------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        # Parse here rather than in decode_json: malformed frames are answered, never fatal.
        if not getattr(self, "present", False):
            return
        if not text_data or len(text_data) > MAX_FRAME_CHARS:
            await self._error("bad_request")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("bad_request")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        handler = self._handlers.get(content.get("type")) if isinstance(content, dict) else None
        if handler is None:
            await self._error("bad_request")
            return
        await handler(self, content)

    async def _error(self, code: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, **extra})

    async def _resume(self, content: dict[str, Any]) -> None:
        after_id = _positive_int(content.get("last_event_id", 0))
        if after_id is None:
            await self._error("bad_request")
            return
        payloads, more = await database_sync_to_async(_replay)(self.user, after_id)
        last_id = after_id
        for payload in payloads:
            last_id = max(last_id, payload["id"])
            # The rows were chosen by who could see the conversation when each event happened; the render shows
            # the conversation as it is now (its newest message too): replay only what the agent may see now.
            if payload.get("conversation") is not None and not self._may_see(payload):
                continue
            if self._seen(payload["id"]):
                continue
            await self.send_json({"type": "event", "event": payload})
        await self.send_json({"type": "resumed", "last_event_id": last_id, "more": more})

    async def _authorised(self, conversation_id: int) -> bool:
        if conversation_id in self.subscriptions:
            return True
        found = await database_sync_to_async(selectors.conversation_get)(
            user=self.user, conversation_id=conversation_id
        )
        return found is not None

    async def _conversation_of(self, content: dict[str, Any], *, check_access: bool = True) -> int | None:
        """The conversation a frame names, or ``None`` once it was answered ``bad_request`` or ``forbidden``."""
        conversation_id = _positive_int(content.get("conversation"))
        if conversation_id is None:
            await self._error("bad_request")
            return None
        if check_access and not await self._authorised(conversation_id):
            await self._error("forbidden", conversation=conversation_id)
            return None
        return conversation_id

    async def _subscribe(self, content: dict[str, Any]) -> None:
        conversation_id = await self._conversation_of(content, check_access=False)
        if conversation_id is None:
            return
        if conversation_id not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            await self._error("too_many_subscriptions", conversation=conversation_id)
            return
        if not await self._authorised(conversation_id):
            await self._error("forbidden", conversation=conversation_id)
            return
        self.subscriptions.add(conversation_id)
        await self._join(f"conversation-{conversation_id}")
        await self.send_json({"type": "subscribed", "conversation": conversation_id})

    async def _unsubscribe(self, content: dict[str, Any]) -> None:
        conversation_id = await self._conversation_of(content, check_access=False)
        if conversation_id is None:
            return
        if conversation_id in self.subscriptions:
            self.subscriptions.discard(conversation_id)
            await self._leave(f"conversation-{conversation_id}")
        await self.send_json({"type": "unsubscribed", "conversation": conversation_id})

    async def _typing(self, content: dict[str, Any]) -> None:
        conversation_id = await self._conversation_of(content)
        if conversation_id is None:
            return
        now = time.monotonic()
        if now - self._typing_at.get(conversation_id, -TYPING_MIN_INTERVAL) < TYPING_MIN_INTERVAL:
            return  # a keystroke burst: one signal per second is plenty
        self._typing_at[conversation_id] = now
        # signal_send is sync (async_to_sync inside); run it off the event loop.
        await sync_to_async(signal_send, thread_sensitive=False)(
            group=f"conversation-{conversation_id}",
            message={
                "type": "inbox.typing",
                "conversation": conversation_id,
                "agent": self.user.pk,
                "username": self.user.get_username(),
            },
        )

    async def _ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    _handlers = {
        "resume": _resume,
        "subscribe": _subscribe,
        "unsubscribe": _unsubscribe,
        "typing": _typing,
        "ping": _ping,
    }

    # --- channel layer → client --------------------------------------------------------

    def _seen(self, event_id: int) -> bool:
        """True if this socket already forwarded the event; records it otherwise."""
        if event_id in self._recent_set:
            return True
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(event_id)
        self._recent_set.add(event_id)
        return False

    def _may_see(self, payload: dict[str, Any]) -> bool:
        if self.view_all:
            return True
        conversation = payload.get("conversation")
        return isinstance(conversation, dict) and selectors.rendered_conversation_visible(
            conversation, user_id=self.user.pk, team_ids=self.team_ids, supervised_ids=self.supervised_ids
        )

    async def inbox_event(self, message: dict[str, Any]) -> None:
        payload = message.get("event")
        if not isinstance(payload, dict) or _positive_int(payload.get("id")) is None:
            return
        if not self._may_see(payload):
            conversation_id = (payload.get("conversation") or {}).get("id")
            if conversation_id in self.subscriptions:
                # Transferred away or unassigned: stop listening and tell the page.
                self.subscriptions.discard(conversation_id)
                await self._leave(f"conversation-{conversation_id}")
                await self.send_json({"type": "revoked", "conversation": conversation_id})
            return
        if self._seen(payload["id"]):
            return
        await self.send_json({"type": "event", "event": payload})

    async def inbox_typing(self, message: dict[str, Any]) -> None:
        if message.get("agent") == self.user.pk:
            return  # not to the typist, nor their other tabs
        await self.send_json(
            {"type": "typing", "conversation": message.get("conversation"), "username": message.get("username", "")}
        )
